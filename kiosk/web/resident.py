"""The self-service flow: welcome, notice, one question per screen, result, reset, and
"stop and erase" from any screen.

State lives server-side under a random token kept in the (signed) session cookie;
"Finish", "stop and erase", the inactivity timeout and a new start all drop it and
rotate the cookie.
"""
from __future__ import annotations

import secrets
import time
from datetime import datetime, timedelta, timezone

from flask import (Blueprint, abort, current_app, redirect, render_template, request,
                   session, url_for)
from flask_wtf.csrf import CSRFError

from ..diagnostic.questions import (NOT_OBSERVED, NOTE_FIELD, NOTE_MAX, OBSERVED_ACTIVITY,
                                    OBSERVED_TASK, TYPES, BadAnswer, observation_field,
                                    observed_items)
from ..diagnostic.resources import get_communes, get_questionnaire
from ..diagnostic.visit import Unreachable, VisitService
from ..ops import backup
from ..storage import store
from ..storage.db import get_db
from . import bus, inactivity, mediator_session, result_page
from .site import error_page as site_error_page, local_path

bp = Blueprint("resident", __name__)
bp.add_app_template_global(inactivity.wait_seconds, "idle_wait")
bp.add_app_template_global(inactivity.countdown, "idle_countdown")
bp.add_app_template_global(inactivity.countdown_text, "idle_countdown_text")
bp.add_app_template_global(inactivity.sound_on, "idle_sound_on")

# Seconds of grace after the warning, so the browser's own reset always wins the race.
GRACE_SECONDS = 10
# The last-seen time in the cookie is refreshed at most this often: re-signing and
# re-sending the cookie on every response costs time for no gain in accuracy.
SEEN_RESOLUTION = 5


def sweep_limit() -> int:
    """Seconds of silence after which an active visit of *another* browser is taken for
    gone (a closed tab, a power cut) when a visit starts: the longest any visit may wait,
    a mediator's guided one. On the bus, tablets share the server, and a diagnostic
    paused while a mediator explains must not be closed by a resident starting on the
    next tablet; each browser's own silence is judged by its own limits
    (expire_idle_session)."""
    cfg = current_app.config
    longest = max(int(cfg["IDLE_SECONDS"]), int(cfg["MEDIATOR_IDLE_SECONDS"]))
    return longest + int(cfg["IDLE_WARNING_SECONDS"]) + GRACE_SECONDS


def now() -> datetime:
    return datetime.now(timezone.utc)


def wall_seconds() -> int:
    """The wall clock in whole seconds, for the last-seen time in the session cookie.

    Not a monotonic clock: the cookie outlives the server process and a reboot, and a
    monotonic clock restarts at boot, so a reading stored before a reboot would mean
    nothing after it. A wall clock that steps back is handled where it is read.
    """
    return int(time.time())


def idle_limit(result: bool = False) -> int:
    """Seconds of silence after which the server itself ends a visit: a little after
    the page's own reset, on a question or (``result``) on the result."""
    warning = int(current_app.config["IDLE_WARNING_SECONDS"])
    return inactivity.wait_seconds(result) + warning + GRACE_SECONDS


def result_on_screen() -> bool:
    """Whether this session's visit is complete: its screen is the result, which waits
    longer (every other page of a complete visit leads back to it)."""
    visit = current_visit()
    return visit is not None and visit["status"] == "complete"


def current_visit():
    """The visit of this browser session, or None."""
    token = session.get("sid")
    return service().find(token) if token else None


def service() -> VisitService:
    """The visit service for this request (the kiosk's database, questionnaire, clock)."""
    cfg = current_app.config
    return VisitService(get_db(), get_questionnaire(), get_communes(), clock=now,
                        site_commune=bus.site_commune(), languages=cfg["LANGUAGE_LIST"])


def end_current_visit() -> None:
    """Drop the server state of this session (leaving a record if it was abandoned)."""
    visit = current_visit()
    if visit is not None:
        service().close(visit)
    session.clear()


# What a person leaves in the session besides a visit: their display choices.
PERSONAL_CHOICES = ("lang", "text", "contrast")


def holds_a_person() -> bool:
    """Whether this session carries anything of a person's (a visit, a display choice,
    an unlocked mediator): then its screen must go back to the default welcome after
    inactivity."""
    return ("sid" in session or mediator_session.KEY in session
            or any(key in session for key in PERSONAL_CHOICES))


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
    silence = None if seen is None else moment - seen
    if (silence is not None and silence > idle_limit() and holds_a_person()
            and not (silence <= idle_limit(result=True) and result_on_screen())):
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
    lang = request.form.get("lang")
    begin_visit("self", lang if lang in current_app.config["LANGUAGE_LIST"] else None)
    return redirect(url_for("resident.notice"), 303)


def begin_visit(mode: str, language: str | None = None) -> None:
    """A new visit under a new session token (``mode`` self or guided), in ``language``
    or the one chosen before. The person starting may already have chosen a language or
    a display on the welcome screen: those are theirs and stay; a guided visit keeps
    its mediator, who is noted on it (on this kiosk only); everything else of the
    session is dropped, a visit left open included (its record is kept)."""
    mediator = mediator_session.current_mediator() if mode == "guided" else None
    kept = {key: session[key] for key in PERSONAL_CHOICES if key in session}
    end_current_visit()
    if mediator is not None:
        mediator_session.open_session(mediator)
    session.update(kept)
    service().sweep(timedelta(seconds=sweep_limit()))
    if language is not None:
        session["lang"] = language
    session["sid"] = secrets.token_urlsafe(32)
    session["seen"] = wall_seconds()
    language = session.get("lang") or current_app.config["LANGUAGE_LIST"][0]
    if mediator is None:
        service().start(session["sid"], language, mode)
    else:
        guided_service().start(session["sid"], language, mode)
        store.set_visit_mediator(get_db(), session["sid"], mediator.name)


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
    if visit is not None:
        service().set_language(visit, lang)
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
    route = service().route(visit)
    screen = route.reachable(screen_id)
    if screen is None:
        return redirect(due_url(route), 303)
    return render_question(route, screen)


@bp.post("/q/<screen_id>")
def answer(screen_id):
    """Save one answer (nothing on bad input), then go to the next screen or the result."""
    visit, leave = require_visit()
    if leave:
        return leave
    try:
        # A stray second tap is forgiven once per screen: a person who then taps
        # "Suivant" again with nothing chosen gets the message.
        step = service().submit(visit, screen_id, request.form,
                                forgive_stray_tap=session.get("tapped") != screen_id,
                                mediator=guiding_mediator(visit))
    except Unreachable as refused:
        abort(refused.status)
    except BadAnswer:  # a tampered form (status 400); answers to fix come back in the step
        abort(400)
    if step.stray_tap or step.error is not None:
        session["tapped"] = screen_id
    else:
        session.pop("tapped", None)
    if step.error is not None:
        bad = step.error
        # The screen again: what the mediator chose and typed is shown again too.
        return render_question(step.route, step.screen, error=bad.message,
                               candidates=bad.candidates, query=request.form.get("query", ""),
                               kept=bad.kept, guided_form=request.form), \
            (200 if bad.candidates else 422)
    if step.following is None:
        return redirect(url_for("resident.result"), 303)
    if step.screen.explanation and not step.stray_tap:
        # Said on the screen that follows until that one is answered: a language or
        # display change there (a new page) keeps it.
        session["explained"] = [step.screen.id, step.following.id]
    elif not step.stray_tap:
        session.pop("explained", None)
    return redirect(url_for("resident.question", screen_id=step.following.id), 303)


# The forms whose action renews the session: sent a second time (a double tap while the
# next page loads), they carry the token of a session that no longer exists.
RENEWING = ("resident.start", "resident.finish", "resident.erase")


@bp.errorhandler(CSRFError)
def stale_form(error):
    """A second "Commencer", "Terminer" or "Tout effacer" does nothing and leads to where
    the session already is, with no error; any other refused form is an error."""
    if request.endpoint not in RENEWING:
        return site_error_page(error)
    return redirect(where_visit_is(current_visit()), 303)


def where_visit_is(visit) -> str:
    """The page this session's visit stands at: the welcome screen without one, the
    notice before the first answer, the screen due, or the result."""
    if visit is None:
        return url_for("mediator.home" if mediator_session.current_mediator()
                       else "resident.welcome")
    if visit["status"] != "active":
        return url_for("resident.result")
    route = service().route(visit)
    return due_url(route) if route.answers else url_for("resident.notice")


def due_url(route):
    """The screen due on this route, or the result once there is none."""
    due = route.due
    return url_for("resident.question", screen_id=due.id) if due else url_for("resident.result")


def explained_on(screen):
    """The screen whose explanation ``screen`` shows (the scam task, on the screen after
    it: no extra screen to pass, and no JavaScript needed), or None."""
    said_by, said_on = session.get("explained") or (None, None)
    return get_questionnaire().screen(said_by) if said_on == screen.id else None


def render_question(route, screen, error=None, candidates=(), query="", kept=None,
                    guided_form=None):
    """A question screen; after a refused answer, ``kept`` is what it shows again (what
    was ticked) instead of the stored answer, and ``guided_form`` the form whose
    mediator's fields (observations, note) it shows again on a guided visit."""
    previous = route.previous(screen)
    back = (url_for("resident.question", screen_id=previous.id) if previous
            else url_for("resident.notice"))
    current, kind = route.answers.get(screen.id) if kept is None else kept, TYPES[screen.type]
    if not candidates:
        query = query or kind.prefill(current, get_communes())
    return render_template(
        "question.html", screen=screen, kind=kind, number=route.number(screen),
        total=route.settled_total, back=back, current=current, error=error, candidates=candidates,
        query=query, area=get_questionnaire().area(screen.area) if screen.area else None,
        explained=explained_on(screen), idle=True,
        guided=guided_fields(route, screen, guided_form))


@bp.get("/result")
def result():
    """The result of a finished diagnostic."""
    visit, leave = require_visit(active=False)
    if leave:
        return leave
    if visit["status"] != "complete":
        return redirect(due_url(service().route(visit)), 303)
    return render_template("result.html", idle=True, **result_page.context(visit, now()))


@bp.get("/result/print")
def print_sheet():
    """The printable sheet of the result."""
    visit, leave = require_visit(active=False)
    if leave:
        return leave
    if visit["status"] != "complete":
        return redirect(url_for("resident.result"), 303)
    return render_template("print.html", idle=True,
                           **result_page.context(visit, now(), sheet=True))


@bp.post("/finish")
def finish():
    """'Finish': the kiosk is made clean for the next person. A guided diagnostic's
    visit ends the same way, but its mediator stays: on to its activity record when it
    is complete, else back on their home page."""
    mediator = mediator_session.current_mediator()
    visit = current_visit()
    end_current_visit()
    if mediator is not None:
        mediator_session.open_session(mediator)
        if visit is not None and visit["mode"] == "guided" and visit["status"] == "complete":
            # a guided diagnostic ends with its activity record, prefilled from it
            return redirect(url_for("activity.diagnostic", visit_id=visit["id"]), 303)
        return redirect(url_for("mediator.home"), 303)
    return redirect(url_for("resident.welcome"), 303)


@bp.get("/erase")
def confirm_erase():
    """"Arrêter et tout effacer", offered on every screen: first ask, in plain words (a
    page, so that it works by touch, keyboard, screen reader and without JavaScript)."""
    back = local_path(request.args.get("next"), url_for("resident.welcome"))
    return render_template("erase.html", next=back, idle=True)


@bp.post("/erase")
def erase():
    """Stop and erase: the visit and all it left are deleted, the session is dropped and
    the welcome screen comes back, as for the next person. Nothing counts anywhere."""
    visit = current_visit()
    if visit is not None:
        service().erase(visit)
        backup.forget_visit(backup.policy_of(current_app), visit["id"], visit["started_at"])
    session.clear()
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


# --- a mediator's observations on a guided diagnostic ---------------------------------

def guiding_mediator(visit) -> str | None:
    """The name of the mediator guiding this visit: a guided visit with a mediator
    unlocked in this session; None otherwise (then no mediator's field is accepted)."""
    mediator = mediator_session.current_mediator()
    return mediator.name if mediator is not None and visit["mode"] == "guided" else None


def guided_fields(route, screen, form=None) -> dict | None:
    """What the mediator's part of a question screen shows (None: nothing, on a
    self-service visit or without a mediator): the observations stored for the screen,
    or those of ``form`` when it comes back after a refused answer, and the note."""
    if mediator_session.current_mediator() is None:  # a resident's screen: no further look-up
        return None
    visit = current_visit()
    if visit is None or guiding_mediator(visit) is None:
        return None
    if form is not None:
        observed = {item: form.get(observation_field(screen, item), NOT_OBSERVED)
                    for item in observed_items(screen)}
        note = form.get(NOTE_FIELD, "")
    else:
        observed = service().observations(visit).get(screen.id, {})
        note = ""
    return {"observed": observed, "note": note, "field": observation_field,
            "levels": OBSERVED_TASK if screen.type == "task" else OBSERVED_ACTIVITY,
            "note_max": NOTE_MAX, "not_observed": NOT_OBSERVED}


def guided_service() -> VisitService:
    """The visit service for the mediator's pages: starting a guided visit with it also
    deletes the notes older than KIOSK_NOTES_RETENTION_DAYS (kiosk.diagnostic.visit)."""
    cfg = current_app.config
    return VisitService(get_db(), get_questionnaire(), get_communes(), clock=now,
                        site_commune=bus.site_commune(), languages=cfg["LANGUAGE_LIST"],
                        notes_retention=timedelta(days=int(cfg["NOTES_RETENTION_DAYS"])))
