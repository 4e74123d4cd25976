"""The self-service flow: welcome, notice, one question per screen, result, reset.

State lives server-side under a random token kept in the (signed) session cookie;
"Finish", the inactivity timeout and a new start all drop it and rotate the cookie.
"""
from __future__ import annotations

import secrets
import time
from datetime import datetime, timedelta, timezone

from flask import (Blueprint, abort, current_app, redirect, render_template, request,
                   session, url_for)

from ..diagnostic import record as diagnostic
from ..storage import store
from ..storage.db import get_db
from ..diagnostic.questions import TYPES, BadAnswer, read_answer
from ..diagnostic.resources import get_communes, get_questionnaire
from ..diagnostic.scoring import visible_screens
from .site import local_path
from . import result_page

bp = Blueprint("resident", __name__)

# Seconds of grace after the warning, so the browser's own reset always wins the race.
GRACE_SECONDS = 10
# The last-seen time in the cookie is refreshed at most this often: re-signing and
# re-sending the cookie on every response costs time for no gain in accuracy.
SEEN_RESOLUTION = 5


def now() -> datetime:
    return datetime.now(timezone.utc)


def wall_seconds() -> int:
    """The wall clock in whole seconds, for the last-seen time in the session cookie.

    Not a monotonic clock: the cookie outlives the server process and a reboot, and a
    monotonic clock restarts at boot, so a reading stored before a reboot would mean
    nothing after it. A wall clock that steps back is handled where it is read.
    """
    return int(time.time())


def idle_limit() -> int:
    """Seconds of silence after which the server itself ends a visit."""
    cfg = current_app.config
    return int(cfg["IDLE_SECONDS"]) + int(cfg["IDLE_WARNING_SECONDS"]) + GRACE_SECONDS


def current_visit():
    """The visit of this browser session, or None."""
    token = session.get("sid")
    return store.visit_by_token(get_db(), token) if token else None


def end_current_visit() -> None:
    """Drop the server state of this session (leaving a record if it was abandoned)."""
    visit = current_visit()
    if visit is not None:
        close(visit)
    session.clear()


def close(visit) -> None:
    """End one visit; an unfinished one with answers leaves an incomplete record."""
    db = get_db()
    record = None
    if visit["status"] == "active":
        answers = store.answers(db, visit["id"])
        if answers:
            record = build_record(visit, answers)
    store.end_visit(db, visit["id"], record)


def build_record(visit, answers):
    cfg = current_app.config
    communes = get_communes()
    return diagnostic.build_record(get_questionnaire(), visit, answers, now=now(),
                                   site_commune=cfg["SITE_COMMUNE"], epci_of=communes.epci_of,
                                   languages=cfg["LANGUAGE_LIST"])


# What a person leaves in the session besides a visit: their display choices.
PERSONAL_CHOICES = ("lang", "text", "contrast")


def holds_a_person() -> bool:
    """Whether this session carries anything of a person's (a visit or a display
    choice): then its screen must go back to the default welcome after inactivity."""
    return "sid" in session or any(key in session for key in PERSONAL_CHOICES)


@bp.before_app_request
def expire_idle_session():
    """End a session left idle for longer than the kiosk's reset delay: its visit and
    the display choices made on any screen, the welcome screen included."""
    if request.endpoint in (None, "static"):
        return None
    seen = session.get("seen")
    moment = wall_seconds()
    if seen is not None and seen > moment:
        # The clock stepped back (NTP at the first network, a kiosk PC's clock set by
        # hand): the silence since ``seen`` is unknown. Count it as activity now, so the
        # limit runs again from here instead of staying off until the clock catches up.
        seen = None
    if seen is not None and moment - seen > idle_limit() and holds_a_person():
        end_current_visit()
        return redirect(url_for("resident.welcome"), 303)
    if seen is None or moment - seen >= SEEN_RESOLUTION:
        session["seen"] = moment
    return None


@bp.get("/")
def welcome():
    """The welcome screen: languages and a start button. It resets after inactivity
    once someone has chosen a language or a display here (or left a visit): the
    untouched welcome screen is itself what a reset shows, so it does not count down."""
    return render_template("welcome.html", visit=current_visit(),
                           languages=current_app.config["LANGUAGE_LIST"],
                           idle=holds_a_person())


@bp.post("/start")
def start():
    """Start a new visit under a new session token."""
    # The person starting may already have chosen a language or a display on the
    # welcome screen: those are theirs; everything else of the session is dropped.
    kept = {key: session[key] for key in PERSONAL_CHOICES if key in session}
    end_current_visit()
    session.update(kept)
    sweep_stale_visits()
    lang = request.form.get("lang")
    if lang in current_app.config["LANGUAGE_LIST"]:
        session["lang"] = lang
    session["sid"] = secrets.token_urlsafe(32)
    session["seen"] = wall_seconds()
    language = session.get("lang") or current_app.config["LANGUAGE_LIST"][0]
    store.start_visit(get_db(), session["sid"], language, "self", now())
    return redirect(url_for("resident.notice"), 303)


def sweep_stale_visits() -> None:
    """Close visits whose browser went away without a reset (power cut, closed tab)."""
    db, limit = get_db(), timedelta(seconds=idle_limit())
    # A last activity later than now plus the limit means the clock stepped back since:
    # the silence is unknown, and the kiosk has one screen, whose own visit was ended
    # just before; the other active visits are browsers gone away.
    for visit in store.stale_visits(db, now() - limit, now() + limit):
        close(visit)


@bp.get("/language")
def choose_language():
    """The list of languages, reachable from every screen (answers are kept)."""
    back = local_path(request.args.get("next"), url_for("resident.welcome"))
    return render_template("language.html", languages=current_app.config["LANGUAGE_LIST"],
                           next=back, idle=True)


@bp.post("/display")
def display():
    """Larger text or high contrast, for this session only."""
    choices = {"text": ("large", "normal"), "contrast": ("high", "normal")}
    changed = False
    for name, allowed in choices.items():
        value = request.form.get(name)
        if value is None:
            continue
        if value not in allowed:
            abort(400)
        session[name] = value
        changed = True
    if not changed:
        abort(400)
    return redirect(local_path(request.form.get("next"), url_for("resident.welcome")), 303)


@bp.post("/language")
def change_language():
    """Switch language on any screen, keeping the answers."""
    lang = request.form.get("lang")
    if lang not in current_app.config["LANGUAGE_LIST"]:
        abort(400)
    session["lang"] = lang
    visit = current_visit()
    if visit is not None and visit["status"] == "active":
        store.set_visit_language(get_db(), visit["id"], lang)
    # Only local paths: never an open redirect.
    return redirect(local_path(request.form.get("next"), url_for("resident.welcome")), 303)


def require_visit(active=True):
    visit = current_visit()
    if visit is None:
        return None, redirect(url_for("resident.welcome"), 303)
    if active and visit["status"] != "active":
        return None, redirect(url_for("resident.result"), 303)
    return visit, None


@bp.get("/notice")
def notice():
    """What happens to the answers, in plain words, before the first question."""
    visit, leave = require_visit()
    if leave:
        return leave
    first = get_questionnaire().screens[0]
    return render_template("notice.html", first=first, idle=True)


@bp.get("/q/<screen_id>")
def question(screen_id):
    """One question screen; a screen not yet reachable sends to the next one due."""
    visit, leave = require_visit()
    if leave:
        return leave
    answers = store.answers(get_db(), visit["id"])
    shown, screen = reachable(answers, screen_id)
    if screen is None:
        return redirect(next_url(answers), 303)
    return render_question(shown, screen, answers)


@bp.post("/q/<screen_id>")
def answer(screen_id):
    """Save one answer (nothing on bad input), then go to the next screen or the result."""
    visit, leave = require_visit()
    if leave:
        return leave
    db, q = get_db(), get_questionnaire()
    answers = store.answers(db, visit["id"])
    shown, screen = reachable(answers, screen_id)
    if screen is None:
        abort(404 if q.screen(screen_id) is None else 409)
    try:
        value = read_answer(screen, request.form, get_communes())
    except BadAnswer as bad:
        if bad.status == 400:
            abort(400)
        return render_question(shown, screen, answers, error=bad.message,
                               candidates=bad.candidates, query=request.form.get("query", "")), \
            (200 if bad.candidates else 422)
    store.save_answer(db, visit["id"], screen.id, value, now())
    answers[screen.id] = value
    shown = visible_screens(q, answers)
    following = next_after(shown, answers, screen.id)
    if following is None:
        store.complete_visit(db, visit["id"], build_record(visit, answers))
        return redirect(url_for("resident.result"), 303)
    return redirect(url_for("resident.question", screen_id=following.id), 303)


def reachable(answers, screen_id):
    """(visible screens, the screen) if it may be shown now: answered, or the next due."""
    shown = visible_screens(get_questionnaire(), answers)
    for screen in shown:
        if screen.id == screen_id:
            return shown, screen
        if screen.id not in answers:
            break  # screens after the first one due are not reachable yet: no skipping
    return shown, None


def next_after(shown, answers, screen_id):
    """Where to go after answering ``screen_id`` (None: the diagnostic is complete): the
    next screen if it is already answered (someone going back over their answers), else
    the first one due."""
    due = diagnostic.first_due(shown, answers)
    if due is None:
        return None
    ids = [s.id for s in shown]
    later = shown[ids.index(screen_id) + 1:]
    return later[0] if later and later[0].id in answers else due


def next_url(answers):
    due = diagnostic.next_screen(get_questionnaire(), answers)
    return url_for("resident.question", screen_id=due.id) if due else url_for("resident.result")


def render_question(shown, screen, answers, error=None, candidates=(), query=""):
    index = [s.id for s in shown].index(screen.id)
    back = (url_for("resident.question", screen_id=shown[index - 1].id) if index
            else url_for("resident.notice"))
    current = answers.get(screen.id)
    if screen.type == "commune" and current and not candidates:
        commune = get_communes().get(current)
        query = query or (commune.name if commune else "")
    return render_template(
        "question.html", screen=screen, kind=TYPES[screen.type], number=index + 1,
        total=len(shown), back=back, current=current, error=error, candidates=candidates,
        query=query, area=get_questionnaire().area(screen.area) if screen.area else None,
        idle=True)


@bp.get("/result")
def result():
    """The result of a finished diagnostic."""
    visit, leave = require_visit(active=False)
    if leave:
        return leave
    if visit["status"] != "complete":
        return redirect(next_url(store.answers(get_db(), visit["id"])), 303)
    return render_template("result.html", idle=True, **result_page.context(visit))


@bp.get("/result/print")
def print_sheet():
    """The printable sheet of the result."""
    visit, leave = require_visit(active=False)
    if leave:
        return leave
    if visit["status"] != "complete":
        return redirect(url_for("resident.result"), 303)
    return render_template("print.html", idle=True, **result_page.context(visit))


@bp.post("/finish")
def finish():
    """'Finish': the kiosk is made clean for the next person."""
    end_current_visit()
    return redirect(url_for("resident.welcome"), 303)


@bp.get("/idle")
def idle():
    """The inactivity warning when JavaScript is off (reached by a meta refresh)."""
    if not holds_a_person():
        return redirect(url_for("resident.welcome"), 303)
    return render_template("idle.html", back=request.args.get("back", ""), idle=True)


@bp.get("/timeout")
def timeout():
    """Inactivity reset: end the visit, forget the display choices (the whole session)
    and go back to the default welcome screen."""
    end_current_visit()
    return redirect(url_for("resident.welcome"), 303)
