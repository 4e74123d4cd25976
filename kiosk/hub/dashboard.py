"""The staff dashboard: login, logout, and the page of figures (French, server-rendered).

Every page but the login needs a staff session. The figures come from
kiosk.hub.overview (counts only, through the publication rule); this module reads the
request, checks the session and renders.
"""
from __future__ import annotations

import functools
import logging
from dataclasses import replace
from datetime import datetime, timezone

from babel import Locale
from flask import (Blueprint, current_app, flash, g, redirect, render_template, request,
                   session, url_for)

from ..storage.db import get_db
from ..paths import DATA
from ..diagnostic.resources import get_questionnaire
from ..web.site import local_path
from . import events, overview, periods, staff, stats
from .epci import load_epci
from .i18n import h_, hn_
from .maps import page_maps
from .web import client_address
from .weeks import Window, service_start

bp = Blueprint("hub", __name__)

EPCI_FILE = DATA / "epci_03.csv"
SESSION = "hub_session"  # the cookie's key for the session id (kiosk.hub.staff sessions)


def now() -> datetime:
    return datetime.now(timezone.utc)


def epci_names() -> dict[str, str]:
    """SIREN -> name of the Allier's EPCI, read once per app."""
    cache = current_app.extensions.setdefault("kiosk", {})
    if "epci" not in cache:
        cache["epci"] = load_epci(EPCI_FILE)
    return cache["epci"]


@bp.before_request
def load_staff() -> None:
    """The signed-in staff member, if the cookie names a session still open on the
    server (not logged out, not too old, its account not disabled)."""
    g.staff = None
    session_id = session.get(SESSION)
    if not session_id:
        return
    g.staff = staff.session_staff(get_db(), str(session_id), now(),
                                  float(current_app.config["HUB_SESSION_HOURS"]))
    if g.staff is None:
        session.clear()


def login_required(view):
    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        if g.staff is None:
            return redirect(url_for("hub.login", next=request.path))
        return view(*args, **kwargs)
    return wrapped


@bp.route("/connexion", methods=["GET", "POST"])
def login():
    """The login form; a throttled name or address gets 429 and a delay to wait."""
    target = local_path(request.values.get("next"), url_for("hub.index"))
    if request.method == "GET":
        return render_template("hub/login.html", next=target, name="")
    name = request.form.get("name", "")
    cfg = current_app.config
    address = client_address()
    outcome = staff.login(get_db(), name, request.form.get("password", ""), address, now(),
                          attempts=int(cfg["HUB_LOGIN_ATTEMPTS"]),
                          window=int(cfg["HUB_LOGIN_WINDOW_SECONDS"]))
    # Only an account's own name is logged: an unknown one may be a password typed in
    # the wrong field.
    who = {"name": name.strip() if outcome.known else None, "address": address}
    if outcome.throttled:
        events.log("login_throttled", logging.WARNING, **who, scope=outcome.scope,
                   retry_after=outcome.retry_after)
        error = wait_message(outcome.retry_after)
        response = current_app.make_response((render_template(
            "hub/login.html", next=target, name=name, error=error), 429))
        response.headers["Retry-After"] = str(outcome.retry_after)
        return response
    if outcome.staff is None:
        events.log("login_failed", logging.WARNING, **who, known_name=outcome.known)
        error = h_("Nom ou mot de passe incorrect.")
        return render_template("hub/login.html", next=target, name=name, error=error), 401
    session.clear()  # a fresh session (and CSRF token) for the signed-in person
    session[SESSION] = staff.open_session(get_db(), outcome.staff.id, address, now())
    events.log("login", **who, staff=outcome.staff.id)
    return redirect(target, code=303)


def wait_message(seconds: int) -> str:
    """The throttled login's message: the wait in seconds, or in minutes (rounded up)
    from a minute on."""
    if seconds < 60:
        return hn_("Trop d'essais manqués. Réessayez dans %(num)s seconde.",
                   "Trop d'essais manqués. Réessayez dans %(num)s secondes.", seconds)
    return hn_("Trop d'essais manqués. Réessayez dans %(num)s minute.",
               "Trop d'essais manqués. Réessayez dans %(num)s minutes.", -(-seconds // 60))


@bp.post("/deconnexion")
def logout():
    """End the session on the server too: a copy of the cookie opens nothing after."""
    if session.get(SESSION):
        staff.end_session(get_db(), str(session[SESSION]), now())
    if g.staff is not None:
        events.log("logout", name=g.staff.name, staff=g.staff.id, address=client_address())
    session.clear()
    flash(h_("Vous êtes déconnecté."))
    return redirect(url_for("hub.login"), code=303)


def read_filters(args, names: dict[str, str]) -> tuple[overview.Filters, list[str]]:
    """The filters asked in the query string, and what was wrong with them (ignored)."""
    errors, weeks = [], {}
    for field, label in (("du", h_("Début de période")), ("au", h_("Fin de période"))):
        text = args.get(field, "").strip()
        if text:
            try:
                weeks[field] = stats.parse_week(text)
            except ValueError:
                errors.append(h_("%(field)s : « %(text)s » n'est pas une semaine (ex. 2026-W05).",
                                 field=label, text=text))
    if "du" in weeks and "au" in weeks and weeks["du"] > weeks["au"]:
        errors.append(h_("La période commence après sa fin : elle est ignorée."))
        weeks = {}
    axis = args.get("territoire", "residence")
    if axis not in ("residence", "site"):
        axis = "residence"
    epci = args.get("epci", "").strip() or None
    if epci is not None and epci not in names:
        errors.append(h_("Cet EPCI n'est pas dans l'Allier : tous les EPCI sont montrés."))
        epci = None
    # Checked against the frames with data by overview.build (a frame without data: the
    # default one, said by index()).
    frame = args.get("version", "").strip() or None
    return overview.Filters(weeks.get("du"), weeks.get("au"), axis, epci, frame), errors


def language_name(code: str) -> str:
    """A language's name in French (``ar`` -> ``arabe``)."""
    try:
        return Locale.parse(code).get_display_name("fr") or code
    except (ValueError, TypeError):
        return code


def build_page(filters: overview.Filters, names: dict[str, str]) -> overview.Page:
    """The figures of ``filters``, as of now."""
    moment, cfg = now(), current_app.config
    start = service_start(cfg["HUB_SERVICE_START"])
    # A hub clock before the start of service shows no week rather than an error page.
    window = Window(start, max(start, moment.date()))
    return overview.build(get_db(), get_questionnaire(), names, filters, now=moment,
                          silent_days=int(cfg["HUB_SILENT_DAYS"]),
                          language_name=language_name, window=window)


SUMMARY_FINDINGS = ("evolution-illectronisme", "epci-residence")


@bp.get("/synthese")
@login_required
def summary():
    """One printable A4 page for elected officials: all of the Allier, the whole period,
    the current questionnaire version; the key figures and the EPCIs by reach, read from
    the same published cells as the dashboard (no filter form)."""
    page = build_page(overview.Filters(), epci_names())
    figures = {f.id: f for s in page.sections for f in s.figures}
    reach = getattr(figures.get("epci-residence"), "reach", None)
    # What to remember: the trend of illectronisme and the least reached EPCI, in the
    # dashboard's own sentences (said only where the dashboard says them).
    highlights = [figures[i] for i in SUMMARY_FINDINGS if i in figures]
    return render_template("hub/summary.html", page=page, reach=reach, highlights=highlights)


@bp.get("/")
@login_required
def index():
    """The dashboard for the period and territory of the query string."""
    names = epci_names()
    today, start = now().date(), service_start(current_app.config["HUB_SERVICE_START"])
    period, args, errors = periods.read(request.args, today, range(start.year, today.year + 1))
    filters, more = read_filters(args, names)
    errors += more
    if period.preset != periods.CUSTOM:
        filters = replace(filters, first=period.first, last=period.last)
    page = build_page(filters, names)
    if filters.frame is not None and filters.frame != page.frame.id:
        errors.append(h_("La version « %(asked)s » n'a aucun diagnostic : voici la version "
                         "%(shown)s.", asked=filters.frame, shown=page.frame.id))
    return render_template("hub/dashboard.html", page=page, errors=errors, epci_names=names,
                           silent_days=current_app.config["HUB_SILENT_DAYS"], period=period,
                           period_choices=periods.choices(periods.years(page.bounds)),
                           maps=page_maps(page, names),
                           **periods.texts(period, filters.first, filters.last,
                                           page.latest_received))
