"""The hub's web side: the records API for kiosks and the staff dashboard."""
from __future__ import annotations

from datetime import datetime

from flask import current_app, jsonify, render_template, request
from flask_babel import format_date, format_datetime, format_percent
from flask_wtf.csrf import CSRFError

from .. import config
from . import address, findings, i18n, sections, stats
from .i18n import h_
from .tables import N_

TRUSTED_PROXIES = "kiosk_trusted_proxies"
HSTS = "max-age=31536000"  # a year; not includeSubDomains: other hosts are not ours
HUB_ERRORS = {
    400: N_("Cette page ne peut pas être utilisée. Elle a peut-être expiré : rechargez-la."),
    401: N_("Il faut se connecter."),
    404: N_("Cette page n'existe pas."),
    405: N_("Cette action n'est pas possible ici."),
    413: N_("La requête est trop grande."),
    429: N_("Trop de demandes : patientez un peu."),
    500: N_("Un problème est survenu sur le hub."),
}


def init_app(app) -> None:
    """Register the hub's blueprints (the resident screens are not served by a hub)."""
    from ..storage import secretkey
    from .dashboard import bp as dashboard_bp

    # Staff sign in here: `kiosk serve` refuses a key that would let anyone forge a cookie.
    secretkey.require_strong(app, "hub's staff dashboard")
    # Parsed once, so that a bad entry stops every command rather than the first login.
    app.extensions[TRUSTED_PROXIES] = address.trusted_networks(app.config["HUB_TRUSTED_PROXIES"])
    if config.flag(app.config["HUB_HTTPS"]):
        # The browser then sends the staff session only over HTTPS, and refuses plain
        # HTTP to this host for a year: no cookie leaks on a network that strips TLS.
        # Flask-WTF's HTTPS Referer check would refuse every form: the pages' policy is
        # no-referrer. The CSRF token in a Secure, SameSite=Strict cookie still guards them.
        app.config.update(SESSION_COOKIE_SECURE=True, PREFERRED_URL_SCHEME="https",
                          WTF_CSRF_SSL_STRICT=False)
        app.after_request(strict_transport_security)
    i18n.init_app(app)
    app.register_blueprint(dashboard_bp)
    # The kiosk's error page links to the resident welcome screen, which a hub has not.
    for code in HUB_ERRORS:
        app.register_error_handler(code, error_page)
    app.register_error_handler(CSRFError, error_page)
    register_filters(app)
    # Last: under /api/ the records API answers errors in its own JSON shape.
    from . import api

    api.init_app(app)


def error_page(error):
    """The hub's error page (JSON under /api/, for the kiosks)."""
    code = 400 if isinstance(error, CSRFError) else getattr(error, "code", 500) or 500
    message = h_(HUB_ERRORS.get(code, HUB_ERRORS[400 if code < 500 else 500]))
    if request.path.startswith("/api/"):
        return jsonify(error=message), code
    return render_template("hub/error.html", code=code, message=message), code


def strict_transport_security(response):
    """HSTS on every response of a hub served over HTTPS."""
    response.headers["Strict-Transport-Security"] = HSTS
    return response


def client_address() -> str:
    """This request's client: X-Forwarded-For believed from a trusted proxy only."""
    return address.client_address(request.remote_addr or "",
                                  ",".join(request.headers.getlist("X-Forwarded-For")),
                                  current_app.extensions[TRUSTED_PROXIES])


def percent(share: float) -> str:
    """0.123 -> "12,3 %", a no-break space before the sign (French typography)."""
    return format_percent(share, format="#,##0.0\u00a0%")


def register_filters(app) -> None:
    """French number, share and date formats for the staff pages."""
    app.jinja_env.filters["hub_number"] = sections.number_text
    app.jinja_env.filters["hub_percent"] = percent
    app.jinja_env.filters["hub_finding"] = lambda figure: findings.finding(figure, h_, percent)
    app.jinja_env.filters["hub_rate"] = sections.rate_text
    app.jinja_env.filters["hub_datetime"] = lambda iso: format_datetime(
        datetime.fromisoformat(iso), "d MMMM y 'à' HH:mm")
    app.jinja_env.filters["hub_date"] = lambda iso: format_date(
        datetime.fromisoformat(iso), "EEEE d MMMM y")
    app.jinja_env.filters["hub_week_start"] = lambda week: format_date(
        stats.week_start(week), "EEEE d MMMM y")
    app.jinja_env.filters["hub_week_end"] = lambda week: format_date(
        stats.week_end(week), "EEEE d MMMM y")
