"""A mediator's observations on a guided diagnostic: scored for what the resident is
shown only (never the indicators, the reported levels or the outbox record), recorded
only on a guided visit with a mediator unlocked, and shown on the guided result."""
from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest

from kiosk import paths
from kiosk.diagnostic import record
from kiosk.diagnostic.resources import load_questionnaire_files
from kiosk.diagnostic.scoring import IDK, score
from kiosk.diagnostic.visit import Route
from kiosk.storage import store
from kiosk.storage.db import connect
from tests.conftest import ITEM, Resident

MEDIATOR = {"name": "Émilie Martin", "structure": "France Services Moulins",
            "source": "local"}
AREA_SCREENS = {"information": "act_information", "communication": "act_communication",
                "content": "act_content", "safety": "act_safety",
                "problem_solving": "act_problem_solving"}
INFORMATION = ("info_goods", "info_health", "info_news", "info_check")


@pytest.fixture(scope="module")
def q():
    return load_questionnaire_files(paths.QUESTIONNAIRES / "diagnostic.yaml",
                                    paths.QUESTIONNAIRES / "offers.yaml")


def answers(q, how="alone"):
    """A recent internet user's answers, every activity item answered ``how``."""
    given = {"internet_ever": "yes", "last_use": "3m", "devices": ["smartphone"],
             "home_connection": "box", "procedures": {"eadmin": "alone", "health": "alone"},
             "task_phishing": "refund", "task_back": "1", "age_band": "60-74",
             "commune": "03190", "situation": "retired", "reading": "easy"}
    for screen_id in AREA_SCREENS.values():
        given[screen_id] = {o.id: how for o in q.screen(screen_id).options}
    return given


ALL_TWO = {"information": 2, "communication": 2, "content": 2, "safety": 2,
           "problem_solving": 2}
ALL_ZERO = dict.fromkeys(ALL_TWO, 0)

# (how every activity was answered, what the mediator observed,
#  levels shown, points, profile, needs); the reported levels never move.
CASES = [
    # Said done alone; the mediator saw each information activity done for the person.
    ("alone", {"act_information": dict.fromkeys(INFORMATION, "entierement_accompagne")},
     ALL_TWO, {**ALL_TWO, "information": 0}, 10, "getting_along",
     ("basics", "accompaniment")),
    # Said nothing done; the mediator saw three safety activities done alone (the
    # area's "above basic" is 3) and three content ones done with help (at most 1).
    ("not_done", {"act_safety": dict.fromkeys(("sf_secure", "sf_location", "sf_profile"),
                                              "autonome"),
                  "act_content": dict.fromkeys(("cc_write", "cc_files", "cc_edit"),
                                               "partiellement_autonome")},
     ALL_ZERO, {**ALL_ZERO, "content": 1, "safety": 2}, 5, "first_steps",
     ("basics", "accompaniment")),
    # Said done with help everywhere (shown at most 1); observed autonomous in
    # problem solving: shown 2 there.
    ("helped", {"act_problem_solving": {o: "autonome" for o in (
        "ps_bank", "ps_install", "ps_settings", "ps_learn", "ps_job", "ps_sell", "ps_buy")}},
     ALL_TWO, {**dict.fromkeys(ALL_TWO, 1), "problem_solving": 2}, 8, "getting_along",
     ("accompaniment",)),
    # The scam found on screen, but the mediator saw the person fail it: not passed.
    ("alone", {"task_phishing": {"": "entierement_accompagne"}},
     ALL_TWO, ALL_TWO, 11, "getting_along", ("safety",)),
    # Found with help is not passed either: a task checks what one does by oneself.
    ("alone", {"task_back": {"": "partiellement_autonome"}},
     ALL_TWO, ALL_TWO, 11, "getting_along", ("basics",)),
    # "Non observé" is stored as nothing: nothing changes.
    ("alone", {}, ALL_TWO, ALL_TWO, 12, "autonomous", ()),
]


@pytest.mark.parametrize("how,observed,levels,shown,points,profile,needs", CASES)
def test_an_observation_changes_what_is_shown_never_what_is_reported(
        q, how, observed, levels, shown, points, profile, needs):
    given = answers(q, how)
    alone = score(q, given)
    seen = score(q, given, observed=observed)
    assert seen.levels == alone.levels == levels
    assert seen.strict_levels == alone.strict_levels
    assert seen.indicators == alone.indicators
    assert seen.activities_done == alone.activities_done
    assert (seen.shown_levels, seen.points, seen.profile, seen.needs) == (
        shown, points, profile, needs)


def test_a_task_observed_passed_counts_though_the_resident_skipped_it(q):
    given = {**answers(q), "task_back": IDK}
    assert score(q, given).tasks["task_back"] is False
    seen = score(q, given, observed={"task_back": {"": "autonome"}})
    assert seen.tasks["task_back"] is True and seen.points == 12


def test_observations_of_unknown_items_or_levels_change_nothing(q):
    given = answers(q)
    seen = score(q, given, observed={"act_information": {"nope": "autonome",
                                                         "info_news": "brilliant"},
                                     "nowhere": {"": "autonome"}})
    assert seen == score(q, given)


def test_the_outbox_record_is_the_same_with_or_without_observations(q):
    given = answers(q)
    route = Route(q, given)
    visit = {"language": "fr", "mode": "guided"}
    now = datetime(2026, 11, 30, 10, 0, tzinfo=timezone.utc)

    def build(observed):
        return record.build_record(route, visit, now=now, site_commune="03190",
                                   epci_of=lambda code: "200071140", languages=["fr"],
                                   observed=observed)

    plain = build(None)
    observed = build({"act_information": dict.fromkeys(INFORMATION, "entierement_accompagne"),
                      "task_phishing": {"": "entierement_accompagne"}})
    assert observed.outbox["payload"] == plain.outbox["payload"]
    payload = json.loads(observed.outbox["payload"])
    assert payload["profile"] == "autonomous" and payload["levels"]["information"] == 2
    # ... while the kiosk keeps, for the page, what was shown.
    assert observed.result["profile"] == "getting_along"
    assert {r["area"]: (r["level"], r["shown_level"]) for r in observed.scores}[
        "information"] == (2, 0)


# --- through the pages ---------------------------------------------------------------

def start(client, *, guided=True, mediator=True):
    """A visit started on the welcome screen, made guided and unlocked as the mediator's
    pages do (their blueprint is another part of the product)."""
    resident = Resident(client)
    resident.start()
    if guided:
        conn = connect(client.application.config["DATABASE"])
        conn.execute("update visits set mode = 'guided'")
        conn.conn.commit()
        conn.close()
    if mediator:
        with client.session_transaction() as session:
            session["mediator"] = dict(MEDIATOR)
    return resident


def walk_to(resident, screen_id, answers):
    location = "/q/internet_ever"
    while not location.endswith(f"/{screen_id}"):
        current = location.rsplit("/", 1)[-1]
        resident.get(location)
        response = resident.post(location, answers.get(current, {"idk": "1"}))
        assert response.status_code == 303, (current, response.status_code)
        location = response.location


USER = {"internet_ever": {"answer": "yes"}, "last_use": {"answer": "3m"}}


def test_a_guided_activities_screen_offers_an_observation_under_each_item(client):
    resident = start(client)
    walk_to(resident, "act_information", USER)
    page = resident.get("/q/act_information").get_data(as_text=True)
    assert page.count("<legend>Observé par le médiateur</legend>") == 4
    for label in ("Entièrement accompagné", "Partiellement autonome", "Autonome"):
        assert page.count(f"<span>{label}</span>") == 4
    assert page.count('name="observed-info_news" value="non_observe" checked') == 1
    assert 'aria-describedby="item-info_news"' in page
    assert page.count('<textarea id="mediator-note" name="note"') == 1
    assert '<label for="mediator-note">Note du médiateur</label>' in page


def test_a_guided_task_screen_asks_what_the_mediator_saw(client):
    resident = start(client)
    walk_to(resident, "task_phishing", USER)
    page = resident.get("/q/task_phishing").get_data(as_text=True)
    assert "<legend>Ce que le médiateur a vu</legend>" in page
    for label in ("Réussi seul", "Réussi avec aide", "Pas réussi", "Non observé"):
        assert f"<span>{label}</span>" in page
    assert 'name="observed" value="non_observe" checked' in page


@pytest.mark.parametrize("guided,mediator", [(False, False), (False, True), (True, False)])
def test_no_mediator_field_outside_a_guided_visit_with_a_mediator(client, guided, mediator):
    resident = start(client, guided=guided, mediator=mediator)
    walk_to(resident, "act_information", USER)
    page = resident.get("/q/act_information").get_data(as_text=True)
    assert "médiateur" not in page and "observed-" not in page and "textarea" not in page


def ticked_alone(page):
    items = ITEM.findall(page)
    return {"answer": items, **{f"how-{i}": "alone" for i in items}}


@pytest.mark.parametrize("guided,mediator", [(False, False), (False, True), (True, False)])
def test_a_forged_mediator_field_is_refused_and_nothing_stored(client, db, guided, mediator):
    # Refused rather than ignored: a page without these fields never sends them, so
    # the form was forged; dropping them silently would hide that.
    resident = start(client, guided=guided, mediator=mediator)
    walk_to(resident, "act_information", USER)
    resident.get("/q/act_information")
    stored = db["answers"].count
    for extra in ({"observed-info_news": "autonome"}, {"note": "Bonjour"}):
        response = resident.post("/q/act_information", {**ticked_alone(resident.page), **extra})
        assert response.status_code == 400
    assert db["answers"].count == stored and db["observations"].count == 0
    assert db["mediator_notes"].count == 0


@pytest.mark.parametrize("extra", [
    {"observed-info_news": "expert"},                  # no such level
    {"observed-nope": "autonome"},                     # no such item
    {"observed": "autonome"},                          # a task's field on an activities screen
    {"observed-info_news": ["autonome", "autonome"]},  # sent twice
    {"note": ["un", "deux"]},
])
def test_a_tampered_observation_is_refused_and_nothing_stored(client, db, extra):
    resident = start(client)
    walk_to(resident, "act_information", USER)
    resident.get("/q/act_information")
    stored = db["answers"].count
    response = resident.post("/q/act_information", {**ticked_alone(resident.page), **extra})
    assert response.status_code == 400
    assert db["answers"].count == stored and db["observations"].count == 0


def test_a_note_over_1000_characters_gets_a_message_and_nothing_is_stored(client, db):
    resident = start(client)
    walk_to(resident, "act_information", USER)
    resident.get("/q/act_information")
    stored = db["answers"].count
    form = {**ticked_alone(resident.page), "observed-info_news": "autonome", "note": "a" * 1001}
    response = resident.post("/q/act_information", form)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "La note du médiateur dépasse 1000 caractères" in page
    # What was chosen and typed is there again to shorten, not lost.
    assert 'name="observed-info_news" value="autonome" checked' in page and "a" * 1001 in page
    assert db["answers"].count == stored and db["observations"].count == 0
    assert db["mediator_notes"].count == 0
    resident.page = page
    response = resident.post("/q/act_information", {**form, "note": "a" * 1000})
    assert response.status_code == 303
    assert [n["text"] for n in db["mediator_notes"].rows] == ["a" * 1000]


def test_answer_observations_and_note_are_saved_in_one_transaction(client, db, monkeypatch):
    resident = start(client)
    walk_to(resident, "act_information", USER)
    resident.get("/q/act_information")
    stored = db["answers"].count

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(store, "_insert_note", broken)
    form = {**ticked_alone(resident.page), "observed-info_news": "autonome", "note": "Vu"}
    with pytest.raises(RuntimeError):
        resident.post("/q/act_information", form)
    assert db["answers"].count == stored and db["observations"].count == 0
    monkeypatch.undo()
    assert resident.post("/q/act_information", form).status_code == 303
    assert db["answers"].count == stored + 1
    assert list(db["observations"].rows) == [{"visit_id": 1, "screen_id": "act_information",
                                              "item": "info_news", "level": "autonome"}]
    # Sent twice (a double tap), the note is kept once; the screen shows what was observed.
    resident.post("/q/act_information", form)
    assert db["mediator_notes"].count == 1
    page = resident.get("/q/act_information").get_data(as_text=True)
    assert 'name="observed-info_news" value="autonome" checked' in page


def run_guided(client, observed):
    """A whole guided diagnostic, every activity said done alone, with ``observed`` (screen
    id -> form fields of the mediator) sent on those screens."""
    resident = start(client)
    location = "/q/internet_ever"
    while not location.endswith("/result"):
        screen_id = location.rsplit("/", 1)[-1]
        resident.get(location)
        items = ITEM.findall(resident.page)
        data = dict(USER.get(screen_id) or (ticked_alone(resident.page) if items
                                            else {"idk": "1"}))
        data.update(observed.get(screen_id, {}))
        response = resident.post(location, data)
        assert response.status_code == 303, (screen_id, response.status_code)
        location = response.location
    return resident


def test_the_guided_result_says_which_levels_the_mediator_observed(client, db):
    resident = run_guided(client, {"act_information": {
        f"observed-{i}": "entierement_accompagne" for i in INFORMATION}})
    for url in ("/result", "/result/print"):
        page = resident.get(url).get_data(as_text=True)
        assert page.count("Observé par le médiateur") == 1
        information = page.split("Chercher des informations", 1)[1].split("</li>", 1)[0]
        assert "À découvrir" in information and "Observé par le médiateur" in information
    assert {r["area"]: (r["level"], r["shown_level"]) for r in db["scores"].rows}[
        "information"] == (2, 0)
    (outbox,) = db["outbox"].rows
    payload = json.loads(outbox["payload"])
    assert payload["levels"]["information"] == 2 and payload["mode"] == "guided"


def test_the_outbox_record_of_a_guided_visit_ignores_the_observations(make_app):
    def payload(observed):
        app = make_app()
        run_guided(app.test_client(), observed)
        conn = connect(app.config["DATABASE"])
        (row,) = conn["outbox"].rows
        conn.close()
        body = json.loads(row["payload"])
        body.pop("week")  # the one field that may change between the two runs
        return body

    observed = {f"observed-{i}": "entierement_accompagne" for i in INFORMATION}
    assert payload({"act_information": observed, "task_phishing": {
        "observed": "entierement_accompagne"}}) == payload({})


def test_a_self_service_result_says_nothing_of_a_mediator(resident):
    resident.complete({"internet_ever": {"answer": "yes"}, "last_use": {"answer": "3m"}},
                      how="alone")
    for url in ("/result", "/result/print"):
        page = resident.get(url).get_data(as_text=True)
        assert "Observé par le médiateur" not in page and "level-observed" not in page
        assert page.count('class="level level-2"') == 5


def test_erasing_a_guided_visit_erases_its_observations_and_notes(client, db):
    resident = start(client)
    walk_to(resident, "act_information", USER)
    resident.get("/q/act_information")
    resident.post("/q/act_information", {**ticked_alone(resident.page),
                                         "observed-info_news": "autonome", "note": "Vu"})
    assert db["observations"].count == 1 and db["mediator_notes"].count == 1
    resident.get("/erase")
    assert resident.post("/erase").status_code == 303
    assert db["observations"].count == 0 and db["mediator_notes"].count == 0
