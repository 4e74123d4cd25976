"""Coming back with a follow-up code: the code screen, then what became of the offers.

A person (or a mediator, for a guided diagnostic) types the code of an earlier result,
from this kiosk or any other: it is decoded here, with no list and no network
(kiosk.diagnostic.followup). A right code starts a new visit that remembers the earlier
levels, week and offers; the person then says whether they went to each offer proposed
then, and the questionnaire runs as usual. Its result shows the progress per area.
"""
from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_babel import gettext as _, lazy_gettext as _l
from flask_wtf.csrf import CSRFError

from ..diagnostic import followup
from ..diagnostic.resources import get_questionnaire
from ..storage import store
from ..storage.db import get_db
from ..sync.anonymise import iso_week
from ..sync.contract import TAKEUP
from . import resident
from .site import error_page

bp = Blueprint("followup", __name__)


@bp.app_template_filter("spoken_digits")
def spoken_digits(code: str) -> str:
    """A code as a screen reader should say it: "1 2 3 4, 5 6 7 8, …"."""
    return ", ".join(" ".join(group) for group in code.split())


# How the take-up answers read, in the order offered (values: kiosk.sync.contract.TAKEUP).
TAKEUP_WORDS = dict(zip(TAKEUP, (
    _l("Oui"), _l("Pas encore"), _l("Non, c'est trop loin"), _l("Non, à cause des horaires"),
    _l("Non, je n'en ai pas eu besoin"), _l("Non, pour une autre raison"))))


def start_followup(code_text: str, mode: str = "self",
                   language: str | None = None) -> str | None:
    """Start a visit from a follow-up code typed in any digit script: None once started
    (then send the person to ``url_for("followup.takeup")``), else the one message for
    every wrong code, translated. ``mode`` "guided" keeps the mediator's session (the
    mediator's pages call this); "self" starts afresh, as "Commencer" does. A wrong
    code starts nothing and ends nothing. ``language``: the visit's, when the mediator
    chose it for the person (else the one chosen before)."""
    questionnaire = get_questionnaire()
    try:
        earlier = followup.decode(code_text, [offer.id for offer in questionnaire.offers],
                                  frames={int(questionnaire.frame)},
                                  not_after=iso_week(resident.now()))
    except (followup.FollowUpError, ValueError):
        return _(followup.INVALID)
    resident.begin_visit(mode, language)
    visit = resident.current_visit()
    store.set_visit_followup(get_db(), visit["id"], {
        "week": earlier.week, "offers": list(earlier.offers),
        "levels": {area.id: level for area, level in zip(questionnaire.areas, earlier.levels)}})
    return None


@bp.get("/suivi")
def enter():
    """The code screen: a field, and the on-screen keypad for a kiosk with no keyboard."""
    return render_template("followup/code.html", code="", error=None, idle=True)


@bp.post("/suivi")
def submit():
    """A right code starts the follow-up; a wrong one gets the same message, whatever is
    wrong, and nothing is stored."""
    code = request.form.get("code", "")[:80]
    error = start_followup(code, "self")
    if error:
        return render_template("followup/code.html", code=code, error=error, idle=True), 422
    return redirect(where_followup_is(resident.current_visit()), 303)


def where_followup_is(visit) -> str:
    """Where a visit just started from a code goes: the take-up page while it has not
    been answered (when offers were proposed), else where the visit stands."""
    earlier = store.visit_followup(visit) if visit else None
    if (earlier and earlier["offers"] and visit["status"] == "active"
            and visit.get("takeup") is None):
        return url_for("followup.takeup")
    return resident.where_visit_is(visit)


def followup_visit():
    """This session's active visit and what its code carried, or (None, None)."""
    visit = resident.current_visit()
    if visit is None or visit["status"] != "active":
        return None, None
    return visit, store.visit_followup(visit)


@bp.get("/suivi/aide")
def takeup():
    """One screen: for each offer proposed last time, did the person go? Skipped when
    none was proposed (or for a visit not started from a code)."""
    visit, earlier = followup_visit()
    if visit is None or not earlier or not earlier["offers"]:
        return redirect(resident.where_visit_is(visit), 303)
    return render_template("followup/takeup.html", offers=offered(earlier),
                           said=store.visit_takeup(visit), words=TAKEUP_WORDS, idle=True)


@bp.post("/suivi/aide")
def save_takeup():
    """Keep the answers given (an offer left unanswered is not counted), then the
    notice and the questionnaire."""
    visit, earlier = followup_visit()
    if visit is None or not earlier:
        return redirect(resident.where_visit_is(visit), 303)
    said = {}
    for offer in earlier["offers"]:
        value = request.form.get(f"takeup-{offer}")
        if value is not None and value not in TAKEUP:
            abort(400)  # a tampered form
        if value:
            said[offer] = value
    store.set_visit_takeup(get_db(), visit["id"], said)
    return redirect(url_for("resident.notice"), 303)


def offered(earlier: dict):
    """The offers of the catalogue proposed last time, in its order."""
    questionnaire = get_questionnaire()
    return [offer for offer in (questionnaire.offer(o) for o in earlier["offers"]) if offer]


@bp.errorhandler(CSRFError)
def stale_form(error):
    """A second "Valider" on the code (its session has just been renewed) leads to where
    the visit it started stands; any other refused form is an error."""
    if request.endpoint != "followup.submit":
        return error_page(error)
    return redirect(where_followup_is(resident.current_visit()), 303)
