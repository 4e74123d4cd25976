"""The "Espace médiateur": unlocking, the mediator's home, guided diagnostics, "Mes
accompagnements" and the quick screening at the counter.

Every page but the unlock screen requires an unlocked mediator
(kiosk.web.mediator_session.require_mediator). A mediator session ends on "Terminer", on
its own inactivity limit (``MEDIATOR_IDLE_SECONDS``, kiosk.web.inactivity) and on
anything that starts a resident's self-service visit: it never survives to the next
resident. A guided diagnostic is a visit of mode "guided" in the same session, served by
the resident's pages (kiosk.web.resident); its "Terminer" comes back here.
"""
from __future__ import annotations

import json
import re
from collections import Counter
from datetime import date, datetime, time, timedelta, timezone

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from flask_babel import gettext as _, lazy_gettext as _l, ngettext
from flask_wtf.csrf import CSRFError

from ..diagnostic import followup
from ..diagnostic.resources import get_questionnaire
from ..mediation import screening as counter
from ..mediation.codes import MAX_NAME, read_digits
from ..mediation.unlock import Refused, unlock as check_code
from ..ops import backup
from ..storage import store
from ..storage.db import get_db
from ..sync.anonymise import anonymise_kind, iso_week
from ..sync.contract import SCREENING
from . import activity_record, bus, resident
from . import followup as followup_pages
from .mediator_session import close_session, current_mediator, open_session, require_mediator
from .result_page import LOCAL_TIME
from .site import error_page as site_error_page

bp = Blueprint("mediator", __name__, url_prefix="/mediateur")

# A code is 6 digits or more (8 when made by the kiosk or the hub): more than this is a
# mistake, refused before the slow hash.
MAX_CODE_DIGITS = 16
# "Mes accompagnements" lists the guided diagnostics of the last weeks.
LIST_WEEKS = 8
# A period may not start before the product's first days.
FIRST_DAY = date(2025, 1, 1)
# A day as the period's fields send it (date.fromisoformat alone takes other forms too).
DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
# What each orientation of a screening means, for the counter agent.
ORIENTATION_WORDS = {
    "diagnostic_now": _l("Diagnostic complet tout de suite"),
    "mediator": _l("Rendez-vous avec un médiateur"),
    "nothing_needed": _l("Rien à faire pour l'instant"),
}


@bp.errorhandler(CSRFError)
def stale_form(error):
    """A second tap on "Valider" or on a language (no JavaScript) carries the token of a
    session just renewed: with a mediator unlocked, it leads to where the session stands.
    Without one, the form is refused like any other."""
    if current_mediator() is None or request.endpoint not in ("mediator.check",
                                                              "mediator.guide"):
        return site_error_page(error)
    return redirect(resident.where_visit_is(resident.current_visit()), 303)


bp.register_error_handler(403, site_error_page)


# --- unlocking ----------------------------------------------------------------------

@bp.get("")
def unlock():
    """Name and code, the code on an on-screen keypad. A page that counts down like a
    resident's: a name half typed does not stay for the next person."""
    if current_mediator() is not None:
        return redirect(url_for("mediator.home"), 303)
    return unlock_page()


def unlock_page(name: str = "", error: str | None = None, status: int = 200):
    return render_template("mediator/unlock.html", name=name, error=error,
                           max_name=MAX_NAME, max_digits=MAX_CODE_DIGITS,
                           digit_counts=digit_counts(MAX_CODE_DIGITS), idle=True), status


def digit_counts(longest: int) -> str:
    """What the keypad's status line says after each tap on the code's keypad, as JSON:
    how many digits are typed, never which (a screen reader may be heard around)."""
    return json.dumps({n: ngettext("%(num)s chiffre tapé.", "%(num)s chiffres tapés.", n)
                       for n in range(longest + 1)}, ensure_ascii=False, separators=(",", ":"))


def bad_unlock_input(name: str, code: str) -> str | None:
    """What is wrong with the form itself (checked before any code), or None."""
    if not name:
        return _("Tapez votre nom.")
    if len(name) > MAX_NAME:
        return _("Ce nom est trop long.")
    if not code.strip():
        return _("Tapez votre code.")
    digits = read_digits(code[:4 * MAX_CODE_DIGITS])
    if digits is None:
        return _("Le code ne contient que des chiffres.")
    if len(digits) > MAX_CODE_DIGITS or len(code) > 4 * MAX_CODE_DIGITS:
        return _("Ce code est trop long.")
    return None


@bp.post("")
def check():
    """Check a name and code: the same message for every wrong case (an unknown name or a
    wrong code), the wait after repeated wrong codes, or the mediator's home."""
    name = " ".join(request.form.get("name", "").split())
    code = request.form.get("code", "")
    error = bad_unlock_input(name, code)
    if error:
        return unlock_page(name, error, 422)
    try:
        mediator = check_code(get_db(), name, code, resident.now(),
                              max_age_days=int(current_app.config["ROSTER_MAX_AGE_DAYS"]))
    except Refused as refused:
        return refusal(name, refused)
    # Whatever a resident left in this browser session ends properly first (an
    # unfinished visit leaves its record), as a new start does.
    resident.end_current_visit()
    open_session(mediator)
    return redirect(url_for("mediator.home"), 303)


def wait_text(seconds: int) -> str:
    return ngettext("Patientez %(num)s seconde avant d'essayer encore.",
                    "Patientez %(num)s secondes avant d'essayer encore.", seconds)


def refusal(name: str, refused: Refused):
    """The unlock page again with why: the name is kept, the code is not."""
    if refused.reason == "stale_roster":
        return unlock_page(name, _("La liste des médiateurs de cette borne est trop "
                                   "ancienne. Synchronisez la borne."), 422)
    if refused.reason == "wait":
        return unlock_page(name, wait_text(refused.wait), 429)
    message = _("Nom ou code incorrect. Vérifiez et réessayez.")
    if refused.wait:
        message = f"{message} {wait_text(refused.wait)}"
    return unlock_page(name, message, 422)


# --- the mediator's home ------------------------------------------------------------

@bp.get("/accueil")
@require_mediator
def home():
    """"Bonjour, <name>" and what a mediator can do here."""
    return render_template("mediator/home.html", mediator=current_mediator(),
                           languages=current_app.config["LANGUAGE_LIST"], idle=True)


@bp.post("/terminer")
@require_mediator
def finish():
    """"Terminer": the mediator session ends, with any visit in it."""
    resident.end_current_visit()
    close_session()
    return redirect(url_for("resident.welcome"), 303)


@bp.post("/guide")
@require_mediator
def guide():
    """Start a guided diagnostic in the resident's language: a visit of mode "guided" in
    this session, noted with the mediator's name (on this kiosk only)."""
    lang = request.form.get("lang")
    if lang not in current_app.config["LANGUAGE_LIST"]:
        abort(400)
    resident.begin_visit("guided", lang)
    return redirect(url_for("resident.notice"), 303)


# --- Mes accompagnements ------------------------------------------------------------

def local_today() -> date:
    return resident.now().astimezone(LOCAL_TIME).date()


def day_start(day: date) -> datetime:
    """The first moment of a day at the kiosk (Paris time), in UTC as stored."""
    return datetime.combine(day, time(0), LOCAL_TIME).astimezone(timezone.utc)


def read_period(args, today: date) -> tuple[date, date, str | None]:
    """The period asked (?du=YYYY-MM-DD&au=YYYY-MM-DD; the last weeks by default) and
    what is wrong with it, or None."""
    default = (today - timedelta(weeks=LIST_WEEKS) + timedelta(days=1), today)
    start, end = args.get("du") or default[0].isoformat(), args.get("au") or today.isoformat()
    try:
        if not (DAY.fullmatch(start) and DAY.fullmatch(end)):
            raise ValueError(start, end)
        start, end = date.fromisoformat(start), date.fromisoformat(end)
    except ValueError:
        return *default, _("Une date n'est pas valable : elle s'écrit AAAA-MM-JJ.")
    if start > today or end > today:
        return start, end, _("Une date ne peut pas être dans le futur.")
    if start < FIRST_DAY or end < FIRST_DAY:
        return start, end, _("Une date ne peut pas être avant le 1er janvier 2025.")
    if start > end:
        return start, end, _("La date de début doit venir avant la date de fin.")
    return start, end, None


@bp.get("/accompagnements")
@require_mediator
def accompaniments():
    """This kiosk's guided diagnostics of the last weeks, the current mediator's marked,
    and counts over a period."""
    return accompaniments_page()


def accompaniments_page(erased: str | None = None, erase_error: str | None = None,
                        status: int = 200):
    """Mes accompagnements, with what became of an erasure asked by code, if any."""
    db, today = get_db(), local_today()
    listed = store.guided_diagnostics(db, day_start(today - timedelta(weeks=LIST_WEEKS)),
                                      day_start(today + timedelta(days=1)))
    start, end, error = read_period(request.args, today)
    counts = None
    if error is None:
        since, until = day_start(start), day_start(end + timedelta(days=1))
        period = store.guided_diagnostics(db, since, until)
        counts = {"guided": len(period), "complete": sum(r["complete"] for r in period),
                  "screenings": store.count_screenings(db, since, until)}
        period_records = store.activity_records(db, since=start.isoformat(),
                                                until=end.isoformat())
        counts["records"] = Counter(r["mode"] for r in period_records)
    q = get_questionnaire()
    own = store.activity_records(db, mediator=current_mediator().name,
                                 since=(today - timedelta(weeks=LIST_WEEKS)).isoformat())
    return render_template(
        "mediator/accompaniments.html", mediator=current_mediator(), rows=listed,
        records=list(reversed(own)), record_titles=activity_record.TITLES,
        referrals=activity_record.REFERRALS,
        profiles={p.id: p.label for p in q.profiles}, needs={n.id: n.label for n in q.needs},
        start=start, end=end, today=today, first_day=FIRST_DAY, error=error, counts=counts,
        orientations=ORIENTATION_WORDS, weeks=LIST_WEEKS, erased=erased,
        erase_error=erase_error, idle=True), (422 if error else status)


@bp.post("/effacer")
@require_mediator
def erase():
    """The right to erasure: everything this kiosk holds of one diagnostic, found by its
    follow-up code (the person shows their sheet). Asked first, on a page of its own
    (nothing is erased by a stray tap on the keypad's "Valider"); then done. What was
    already sent to the hub is anonymous and stays; nothing else of the person is left
    here."""
    code = request.form.get("code", "")[:80]
    try:
        digits = followup.digits(code)
    except followup.FollowUpError:
        digits = ""
    if len(digits) != followup.LENGTH:
        return accompaniments_page(erase_error=_("Un code de suivi a 16 chiffres. "
                                                 "Vérifiez les chiffres."), status=422)
    db = get_db()
    if store.visit_of_followup_code(db, digits) is None:
        return accompaniments_page(erase_error=_("Aucun diagnostic de cette borne ne "
                                                 "porte ce code."), status=404)
    if request.form.get("confirm") != "yes":
        return render_template("mediator/erase.html", code=followup.format_code(digits),
                               idle=True)
    store.erase_by_followup_code(db, digits)
    backup.forget_followup_code(backup.policy_of(current_app), digits)
    return accompaniments_page(erased=followup.format_code(digits))


@bp.post("/suivi")
@require_mediator
def follow_up():
    """A guided diagnostic started from a person's follow-up code, in the language the
    mediator chose for them (the page's when only "Valider" was pressed)."""
    lang = request.form.get("lang")
    if lang is not None and lang not in current_app.config["LANGUAGE_LIST"]:
        abort(400)
    error = followup_pages.start_followup(request.form.get("code", "")[:80], "guided", lang)
    if error is not None:
        return render_template("mediator/home.html", mediator=current_mediator(),
                               languages=current_app.config["LANGUAGE_LIST"],
                               followup_error=error, idle=True), 422
    return redirect(url_for("followup.takeup"), 303)


# --- the quick screening at the counter ---------------------------------------------

@bp.route("/reperage", methods=["GET", "POST"])
@require_mediator
def screening():
    """Three questions, then the orientation at once (after a redirect, so that
    reloading the page does not count the screening twice)."""
    shown = request.args.get("orientation")
    if request.method == "GET":
        return screening_page(orientation=shown if shown in ORIENTATION_WORDS
                              else None)
    answers = {q: request.form.get(q) for q in counter.QUESTIONS}
    if any(value is not None and value not in counter.QUESTIONS[q]
           for q, value in answers.items()):
        abort(400)   # a tampered form
    if None in answers.values():
        return screening_page(error=_("Répondez aux trois questions."), kept=answers,
                              status=422)
    orientation = counter.orientation(answers)
    now = resident.now()
    store.queue_record(get_db(), anonymise_kind(
        SCREENING, {"orientation": orientation}, site_epci=bus.site_epci(),
        week=iso_week(now)), now)
    return redirect(url_for("mediator.screening", orientation=orientation), 303)


def screening_page(orientation=None, error=None, kept=None, status=200):
    return render_template("mediator/screening.html", orientation=orientation, error=error,
                           kept=kept or {}, questions=counter.QUESTIONS,
                           orientations=ORIENTATION_WORDS,
                           languages=current_app.config["LANGUAGE_LIST"], idle=True), status
