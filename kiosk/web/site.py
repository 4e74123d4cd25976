"""Cross-cutting web behaviour: locale, security headers, error pages, template helpers."""
from __future__ import annotations

import re

from flask import current_app, g, render_template, request, session
from markupsafe import Markup, escape
from flask_babel import get_locale, get_translations, lazy_gettext as _l
from flask_wtf.csrf import CSRFError

from ..languages import audio, locales
from .. import paths


# A strict policy: everything from the kiosk itself, no inline script or style.
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "
       "font-src 'self'; media-src 'self'; connect-src 'self'; object-src 'none'; "
       "base-uri 'none'; form-action 'self'; frame-ancestors 'none'")

ERROR_MESSAGES = {
    400: _l("Cette page ne peut pas être utilisée. Elle a peut-être expiré."),
    404: _l("Cette page n'existe pas."),
    405: _l("Cette action n'est pas possible ici."),
    409: _l("Cette question n'est pas encore posée. Reprenez là où vous en étiez."),
    413: _l("Le message envoyé est trop long."),
    500: _l("Un problème est survenu. Vos réponses déjà enregistrées sont gardées."),
}


_LOCAL_PATH = re.compile(r"/[A-Za-z0-9_/-]*")


def local_path(target: str | None, default: str) -> str:
    """``target`` if it is a plain path on this kiosk, else ``default``.

    Only letters, digits, ``_``, ``-`` and ``/`` after a leading ``/``: browsers read
    ``//host`` and ``/\\host`` as another site, so nothing else is let through.
    """
    if target and _LOCAL_PATH.fullmatch(target) and not target.startswith("//"):
        return target
    return default


def request_translations():
    """The gettext catalogue of this request's locale, looked up once per request."""
    translations = g.get("kiosk_translations")
    if translations is None:
        translations = g.kiosk_translations = get_translations()
    return translations


def select_locale() -> str:
    """The visitor's chosen language if offered, else the kiosk's default."""
    offered = current_app.config["LANGUAGE_LIST"]
    chosen = session.get("lang")
    return chosen if chosen in offered else offered[0]


def current_language() -> str:
    """The catalogue code of this request's language (``fa_AF``)."""
    return str(get_locale())


def page_language() -> str:
    """The page language as a BCP 47 tag (``fa-AF``, not ``fa_AF``)."""
    return locales.tag(current_language())


def text_direction() -> str:
    """``rtl`` for right-to-left languages."""
    return "rtl" if locales.is_rtl(current_language()) else "ltr"


def french_marks() -> Markup:
    """The attributes of a French name (a place, an address) inside the page's words:
    ``lang="fr"`` so that screen readers say it in French and checks know it is meant,
    ``dir="ltr"`` so that it keeps its order inside Arabic or Dari. None on a French page,
    whose own language and direction they are (16 of them on a result page)."""
    return Markup("" if current_language() == "fr" else ' lang="fr" dir="ltr"')


def french(text: str) -> Markup:
    """``text`` marked as French on purpose (a commune's name inside a translated
    sentence): see french_marks."""
    marks = french_marks()
    return Markup("<span%s>%s</span>") % (marks, text) if marks else escape(text)


def display_classes() -> str:
    """Classes on <html> for this session's display choices (larger text, contrast)."""
    classes = []
    if session.get("text") == "large":
        classes.append("text-large")
    if session.get("contrast") == "high":
        classes.append("contrast-high")
    return " ".join(classes)


def listen(text) -> Markup:
    """The "listen" player of a text the page shows: the browser's own <audio controls>
    (kiosk.js turns it into one large button); nothing when the text has no clip.

    A Python function rather than a template macro: a screen has up to ten of them, and
    each macro call cost as much as the rest of the page's rendering."""
    clip = clip_url(str(text)) if text else None
    if clip is None:
        return Markup("")
    label = g.get("kiosk_listen_label")
    if label is None:
        label = g.kiosk_listen_label = request_translations().ugettext("Écouter")
    return Markup('<audio class="listen" controls preload="none" src="%s" '
                  'aria-label="%s : %s" data-label="%s"></audio>') % (clip, label, text, label)


def clip_url(text: str) -> str | None:
    """The URL of the read-aloud clip of ``text`` in this page's language, if there is one.

    The clip folders are scanned once per language and kept on the app: clips are
    committed files that change only with a new release.
    """
    if not text:
        return None
    cache = current_app.extensions.setdefault("kiosk_clips", {})
    lang = current_language()
    clips = cache.get(lang)
    if clips is None:
        clips = cache[lang] = audio.Clips.scan(paths.STATIC, lang)
    path = clips.for_text(str(text))
    return f"{current_app.static_url_path}/{path}" if path else None


def security_headers(response):
    """No caching of pages (a shared kiosk), a strict CSP, no referrer."""
    response.headers["Content-Security-Policy"] = CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Cross-Origin-Opener-Policy"] = "same-origin"
    if not request.path.startswith("/static/"):
        response.headers["Cache-Control"] = "no-store"
        response.headers["Pragma"] = "no-cache"
    return response


def error_page(error):
    """A friendly page for every HTTP error, with a way back to the start.

    It resets after inactivity like every resident screen: during the delay, the person
    who met the error may go back to the start and resume their diagnostic (the
    messages promise their answers are kept); after it, the visit is ended and the next
    person sees the default welcome screen, with nothing to resume."""
    code = 400 if isinstance(error, CSRFError) else getattr(error, "code", 500) or 500
    message = ERROR_MESSAGES.get(code, ERROR_MESSAGES[400 if code < 500 else 500])
    return render_template("error.html", code=code, message=message, idle=True), code


def init_app(app) -> None:
    """Register headers, error pages and template globals."""
    app.after_request(security_headers)
    for code in (400, 404, 405, 409, 413, 500):
        app.register_error_handler(code, error_page)
    app.register_error_handler(CSRFError, error_page)
    app.jinja_env.globals.update(
        page_language=page_language, text_direction=text_direction, local_path=local_path,
        current_language=current_language, display_classes=display_classes, clip_url=clip_url,
        french=french, french_marks=french_marks, listen=listen,
        current_language_name=lambda: locales.own_name(current_language()))
    # Flask-Babel looks the catalogue up again for every string; a page has dozens, so
    # templates use the request's catalogue, found once (same catalogues, same locale).
    app.jinja_env.install_gettext_callables(
        gettext=lambda text: request_translations().ugettext(text),
        ngettext=lambda one, many, n: request_translations().ungettext(one, many, n),
        newstyle=True)
    # Questionnaire text is French source, translated through the catalogues at render.
    app.jinja_env.filters["tr"] = lambda text: request_translations().ugettext(text) if text else text
    register_filters(app)


def register_filters(app) -> None:
    """Locale-aware formatting for templates (numbers, dates, language names)."""
    from datetime import datetime

    from flask_babel import format_date, format_decimal

    app.jinja_env.filters["number"] = format_decimal
    app.jinja_env.filters["km"] = lambda value: format_decimal(round(value, 1), format="#,##0.#")
    app.jinja_env.filters["date"] = lambda iso: format_date(datetime.fromisoformat(iso), "long")
    app.jinja_env.filters["language_name"] = locales.own_name
    app.jinja_env.filters["is_rtl"] = locales.is_rtl
    app.jinja_env.filters["phone"] = format_phone
    app.jinja_env.filters["unindent"] = unindent


# A line end and the spaces or blank lines after it: the source's indents.
_INDENT = re.compile(r"\n[ \t\r\n]+")


def unindent(html: str) -> Markup:
    """``html`` (markup already escaped) without its source's indents and blank lines,
    which the page would carry for nothing: a browser shows a run of spaces and line ends
    as one space, or none between blocks. Not for a ``<pre>`` or ``<textarea>``, whose
    spaces show."""
    return Markup(_INDENT.sub("\n", str(html)))


def format_phone(number: str) -> str:
    """+33470473776 -> 04 70 47 37 76 (how a French reader dials it)."""
    if number.startswith("+33") and len(number) == 12:
        digits = "0" + number[3:]
        return " ".join(digits[i:i + 2] for i in range(0, 10, 2))
    return number
