"""The hub's own gettext domain, "hub".

Staff pages are written in French and stay out of the resident catalogues (babel.cfg
ignores them; babel-hub.cfg extracts them): residents' translators, read-aloud audio
and completeness checks are about resident text only. ``h_`` translates through the
"hub" domain (``translations/<lang>/LC_MESSAGES/hub.mo`` when one exists; the French
source otherwise); ``lh_`` is its lazy form, ``hn_`` the plural one. Templates under
templates/hub/ call ``{{ h_("…") }}``; pure modules mark text with ``N_`` and the page
translates it with ``h_`` when it shows it.
"""
from __future__ import annotations

from flask import current_app, g, has_app_context
from flask_babel import Domain, LazyString

DOMAIN = "hub"
_KEY = "kiosk_hub_domain"


def _domain() -> Domain:
    return current_app.extensions[_KEY]


def _translations():
    """The "hub" catalogue of the current locale, looked up once per request or command:
    a dashboard asks for it thousands of times, and each lookup through Flask-Babel
    finds the context and the locale again."""
    if not has_app_context():
        return _domain().get_translations()
    found = g.get("_hub_translations")
    if found is None:
        found = g._hub_translations = _domain().get_translations()
    return found


def h_(text: str, /, **variables) -> str:
    """``text`` translated through the "hub" domain (``%(name)s`` filled from variables)."""
    translated = _translations().ugettext(text)
    return translated % variables if variables else translated


def hn_(singular: str, plural: str, num: int, /, **variables) -> str:
    """The plural form for ``num``, through the "hub" domain."""
    variables.setdefault("num", num)
    return _translations().ungettext(singular, plural, num) % variables


def lh_(text: str, /, **variables) -> LazyString:
    """``h_`` evaluated when shown (for module-level text)."""
    return LazyString(h_, text, **variables)


def init_app(app) -> None:
    """A Domain per app (Flask-Babel caches catalogues on it) and the template helpers."""
    app.extensions[_KEY] = Domain(app.config["BABEL_TRANSLATION_DIRECTORIES"], domain=DOMAIN)
    app.jinja_env.globals.update(h_=h_, hn_=hn_)
