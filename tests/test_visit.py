"""The visit service: the way a resident goes through the questionnaire, without a browser.

The pages only redirect or render what this service answers, so what a resident would
notice (a screen skipped by a branch, "Retour" and "Suivant", one result at the end) is
pinned here on the service itself, with the questionnaire that ships.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from werkzeug.datastructures import MultiDict

from kiosk import paths
from kiosk.diagnostic.questions import BadAnswer
from kiosk.diagnostic.resources import COMMUNES_FILE, load_questionnaire_files
from kiosk.diagnostic.scoring import IDK
from kiosk.diagnostic.visit import Route, Unreachable, VisitService
from kiosk.places.communes import load_communes
from kiosk.storage import store
from kiosk.storage.db import connect
from kiosk.storage.migrations import migrate

Q = load_questionnaire_files(paths.QUESTIONNAIRES / "diagnostic.yaml",
                             paths.QUESTIONNAIRES / "offers.yaml")
NEVER_PATH = ["internet_ever", "devices", "home_connection", "task_phishing", "task_back",
              "age_band", "commune", "situation", "reading"]
# One answer per screen of the never-user's path, as the form would send it.
NEVER_FORMS = {"internet_ever": {"answer": "no"}, "devices": {"answer": "none"},
               "home_connection": {"answer": "no"}, "task_phishing": {"idk": "1"},
               "task_back": {"idk": "1"}, "age_band": {"answer": "75+"},
               "commune": {"query": "Yzeure"}, "situation": {"answer": "retired"},
               "reading": {"answer": "easy"}}


def ids(screens):
    return [s.id for s in screens]


# --- the route: which screens, in which order ---------------------------------------

def test_a_person_who_never_used_internet_skips_the_activity_screens():
    route = Route(Q, {"internet_ever": "no"})
    assert ids(route.shown) == NEVER_PATH and route.total == 9
    # asked first: a person who may not know the word "internet" is not sent through
    # every screen when they answer "Je ne sais pas"
    assert ids(Route(Q, {"internet_ever": IDK}).shown) == NEVER_PATH


def test_a_recent_internet_user_is_asked_sixteen_screens():
    route = Route(Q, {"internet_ever": "yes", "last_use": "3m"})
    assert route.total == 16
    assert ids(route.shown)[4:10] == ["act_information", "act_communication", "act_content",
                                      "act_safety", "act_problem_solving", "procedures"]
    # not knowing when: asked the activities too, the survey's answers decide
    assert Route(Q, {"internet_ever": "yes", "last_use": IDK}).total == 16
    # a user of a year ago: no activities of the last 3 months to ask about
    assert Route(Q, {"internet_ever": "yes", "last_use": "older"}).total == 11


def test_the_first_screen_is_due_and_nothing_after_it_can_be_reached():
    route = Route(Q, {})
    assert route.due.id == "internet_ever"
    assert route.reachable("internet_ever").id == "internet_ever"
    assert route.reachable("devices") is None and route.reachable("reading") is None


def test_answered_screens_stay_reachable_to_go_back_but_not_beyond_the_one_due():
    route = Route(Q, {"internet_ever": "yes", "last_use": "3m", "devices": ["smartphone"]})
    assert route.reachable("last_use") and route.reachable("devices")
    assert route.reachable("home_connection").id == "home_connection"  # the one due
    assert route.reachable("act_information") is None


def test_back_goes_to_the_previous_screen_of_this_persons_path():
    route = Route(Q, {"internet_ever": "no", "devices": ["none"], "home_connection": "no"})
    assert route.previous(route.reachable("internet_ever")) is None  # "Retour": the notice
    # after the three access screens, the never-user's previous screen skips the branch
    assert route.previous(Q.screen("task_phishing")).id == "home_connection"
    assert route.number(Q.screen("task_phishing")) == 4


def test_after_an_answer_next_is_the_first_screen_due():
    route = Route(Q, {}).answered(Q.screen("internet_ever"), "yes")
    assert route.after("internet_ever").id == "last_use"
    route = Route(Q, {}).answered(Q.screen("internet_ever"), "no")
    assert route.after("internet_ever").id == "devices"


def test_going_back_over_answers_walks_forward_screen_by_screen():
    answers = {"internet_ever": "yes", "last_use": "3m", "devices": ["smartphone"],
               "home_connection": "box"}
    route = Route(Q, answers).answered(Q.screen("last_use"), "12m")
    # devices is answered already: the person sees it again rather than jumping ahead
    assert route.after("last_use").id == "devices"
    # a year-old user skips the activities of the last 3 months
    assert route.after("home_connection").id == "procedures"


def test_changing_an_earlier_answer_closes_the_branch_it_opened():
    answers = {"internet_ever": "yes", "last_use": "3m", "devices": ["computer"],
               "home_connection": "box", "act_information": {"info_goods": "alone"}}
    assert Route(Q, answers).total == 16
    route = Route(Q, answers).answered(Q.screen("internet_ever"), "no")
    assert route.total == 9 and route.reachable("act_information") is None
    assert route.due.id == "task_phishing"


def test_a_complete_route_has_nothing_due_and_stops_on_its_last_screen():
    answers = {screen: "x" for screen in NEVER_PATH} | {"internet_ever": "no"}
    route = Route(Q, answers)
    assert route.complete and route.due is None and route.stopped_at == "reading"
    assert route.after("reading") is None
    assert Route(Q, {"internet_ever": "no"}).stopped_at == "devices"


# --- the service: what is stored -----------------------------------------------------

@pytest.fixture
def service(tmp_path):
    db = connect(tmp_path / "kiosk.db")
    migrate(db)
    moments = iter(datetime(2026, 3, 2, 10, tzinfo=timezone.utc) + timedelta(seconds=s)
                   for s in range(0, 100_000, 7))
    yield VisitService(db, Q, load_communes(COMMUNES_FILE), clock=lambda: next(moments),
                       site_commune="03190", languages=["fr"])
    db.close()


def begin(service, token="t1"):
    service.start(token, "fr")
    return store.visit_by_token(service.db, token)


def submit(service, visit, screen_id, form):
    return service.submit(visit, screen_id, MultiDict(form))


def test_submitting_a_screen_saves_the_answer_and_names_the_next_one(service):
    visit = begin(service)
    step = submit(service, visit, "internet_ever", {"answer": "no"})
    assert step.error is None and step.following.id == "devices"
    assert store.answers(service.db, visit["id"]) == {"internet_ever": "no"}


def test_completing_the_last_screen_stores_one_complete_result(service):
    visit = begin(service)
    for screen_id in NEVER_PATH:
        step = submit(service, visit, screen_id, NEVER_FORMS[screen_id])
    assert step.following is None
    (result,) = service.db["results"].rows
    assert result["complete"] == 1 and result["last_screen"] == "reading"
    assert result["commune"] == "03321" and result["age_band"] == "75+"
    assert service.db["outbox"].count == 1 and service.db["scores"].count == 5
    assert store.visit_by_token(service.db, "t1")["status"] == "complete"


def test_a_double_submit_of_the_last_screen_stores_one_result(service):
    visit = begin(service)
    for screen_id in NEVER_PATH:
        submit(service, visit, screen_id, NEVER_FORMS[screen_id])
    # the same form sent again (a double tap) by a request that read the visit before
    assert submit(service, visit, "reading", {"answer": "easy"}).following is None
    assert service.db["results"].count == 1 and service.db["outbox"].count == 1


def test_an_answer_to_fix_stores_nothing_and_stays_on_the_screen(service):
    visit = begin(service)
    step = submit(service, visit, "internet_ever", {})
    assert step.screen.id == "internet_ever" and step.following is None
    assert step.error.status == 422 and "Je ne sais pas" in str(step.error.message)
    assert store.answers(service.db, visit["id"]) == {}


def test_several_communes_matching_are_offered_to_choose_from(service):
    visit = begin(service)
    for screen_id in NEVER_PATH[:6]:
        submit(service, visit, screen_id, NEVER_FORMS[screen_id])
    step = submit(service, visit, "commune", {"query": "03500"})
    assert len(step.error.candidates) > 1 and "commune" not in store.answers(
        service.db, visit["id"])


def test_a_tampered_form_or_a_screen_not_reached_is_refused(service):
    visit = begin(service)
    with pytest.raises(BadAnswer) as bad:
        submit(service, visit, "internet_ever", {"answer": "yesterday"})
    assert bad.value.status == 400
    with pytest.raises(Unreachable) as ahead:
        submit(service, visit, "reading", {"answer": "easy"})
    assert ahead.value.status == 409
    with pytest.raises(Unreachable) as unknown:
        submit(service, visit, "no_such_screen", {"answer": "easy"})
    assert unknown.value.status == 404
    assert store.answers(service.db, visit["id"]) == {}


def test_closing_an_unfinished_visit_records_where_the_person_stopped(service):
    visit = begin(service)
    for screen_id in NEVER_PATH[:3]:
        submit(service, visit, screen_id, NEVER_FORMS[screen_id])
    service.close(store.visit_by_token(service.db, "t1"))
    (result,) = service.db["results"].rows
    assert result["complete"] == 0 and result["last_screen"] == "task_phishing"
    assert service.db["outbox"].count == 1


def test_closing_a_visit_without_answers_leaves_no_record(service):
    service.close(begin(service))
    assert service.db["results"].count == 0 and service.db["outbox"].count == 0


def test_the_language_switched_to_mid_visit_is_the_records_language(service):
    visit = begin(service)
    submit(service, visit, "internet_ever", {"answer": "no"})
    service.set_language(visit, "ar")
    visit = service.find("t1")
    for screen_id in NEVER_PATH[1:]:
        submit(service, visit, screen_id, NEVER_FORMS[screen_id])
    (result,) = service.db["results"].rows
    assert result["language"] == "ar"
    assert store.answers(service.db, visit["id"])["internet_ever"] == "no"
    service.set_language(service.find("t1"), "fr")  # a finished visit keeps its language
    assert service.find("t1")["language"] == "ar"


@pytest.mark.parametrize("answered", [0, 3, len(NEVER_PATH)])
def test_an_erased_visit_leaves_nothing_to_count(service, answered):
    visit = begin(service)
    for screen_id in NEVER_PATH[:answered]:
        submit(service, visit, screen_id, NEVER_FORMS[screen_id])
    service.erase(store.visit_by_token(service.db, "t1"))
    assert {t: service.db[t].count for t in ("visits", "answers", "results", "scores",
                                              "outbox")} == dict.fromkeys(
        ("visits", "answers", "results", "scores", "outbox"), 0)
    service.sweep(timedelta(0))  # nothing left for the sweep to record as abandoned
    assert service.db["results"].count == 0 and service.db["outbox"].count == 0

