"""The resident's flow through the Flask test client: storage, reset, bad input."""
from __future__ import annotations

import json
import re

import pytest

from kiosk.diagnostic import record as diagnostic
from kiosk import paths
from kiosk.sync.anonymise import ALLOWED_FIELDS, content_hash
from tests.conftest import BEFORE_COMMUNE

CONFIDENT = {
    "internet_ever": {"answer": "yes"}, "last_use": {"answer": "3m"},
    "devices": {"answer": ["smartphone", "computer"]}, "home_connection": {"answer": "box"},
    "procedures": {"answer": ["eadmin", "health"], "how-eadmin": "helped",
                   "how-health": "alone"},
    "task_phishing": {"answer": "refund"}, "task_back": {"answer": "1"},
    "age_band": {"answer": "60-74"}, "commune": {"query": "Saint-Pourçain-sur-Sioule"},
    "situation": {"answer": "retired"}, "reading": {"answer": "easy"},
}


def counts(db):
    return {t: db[t].count for t in ("results", "scores", "outbox", "answers")}


def test_complete_diagnostic_stores_result_scores_and_outbox(resident, db):
    resident.complete(CONFIDENT, how="alone")
    page = resident.get("/result").get_data(as_text=True)
    assert "Votre résultat" in page
    assert "illectronisme" not in page.lower()
    assert page.count('class="level level-') == 5
    assert 2 <= page.count('class="step"') <= 4
    assert "<svg" in page and "qr-code" in page
    (result,) = db["results"].rows
    assert result["complete"] == 1 and result["commune"] == "03254"
    assert json.loads(result["indicators"])["insee2021_illectronism"] is False
    assert db["scores"].count == 5
    (record,) = db["outbox"].rows
    payload = json.loads(record["payload"])
    assert tuple(sorted(payload)) == tuple(sorted(ALLOWED_FIELDS))
    assert payload["residence_epci"] == "200071389"   # Saint-Pourçain Sioule Limagne
    assert payload["site_epci"] == "200071140"        # Moulins Communauté (SITE_COMMUNE)
    assert payload["complete"] is True and payload["age_band"] == "60-74"
    assert record["content_hash"] == content_hash(payload)
    assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}",
                        record["id"])


def test_never_user_has_a_short_path(resident, db):
    resident.complete({"internet_ever": {"answer": "no"}})
    (result,) = db["results"].rows
    assert result["complete"] == 1
    assert db["answers"].count == 9


def test_completion_is_one_transaction(resident, db, monkeypatch):
    """If writing the outbox fails, no result and no scores are left behind either."""
    real = diagnostic.build_record

    def broken(*args, **kwargs):
        record = real(*args, **kwargs)
        return diagnostic.Record(record.result, record.scores, dict(record.outbox, payload=None))

    monkeypatch.setattr(diagnostic, "build_record", broken)
    with pytest.raises(Exception):
        # TESTING propagates the error: in production the person sees the 500 page
        resident.complete({"internet_ever": {"answer": "no"}})
    assert counts(db)["results"] == 0 and counts(db)["scores"] == 0 and counts(db)["outbox"] == 0
    (visit,) = db["visits"].rows
    assert visit["status"] == "active"
    # The answers saved screen by screen are still there: the person can finish.
    monkeypatch.setattr(diagnostic, "build_record", real)
    response = resident.answer("reading", {"answer": "easy"})
    assert response.location.endswith("/result")
    assert counts(db)["results"] == 1 and counts(db)["outbox"] == 1


def test_double_submit_of_the_last_screen_stores_once(resident, db):
    resident.complete({"internet_ever": {"answer": "no"}})
    resident.get("/q/reading")
    response = resident.post("/q/reading", {"answer": "hard"})
    assert response.status_code == 303 and response.location.endswith("/result")
    assert counts(db)["results"] == 1 and counts(db)["outbox"] == 1


def test_finish_drops_the_session_and_rotates_the_cookie(resident, client, db):
    resident.complete({"internet_ever": {"answer": "no"}})
    result_page = resident.get("/result").get_data(as_text=True)
    before = client.get_cookie("session").value
    resident.post("/finish")
    assert client.get_cookie("session") is None or client.get_cookie("session").value != before
    # back to the result, as the back button would: nothing of the previous person
    response = client.get("/result")
    assert response.status_code == 303 and response.location.endswith("/")
    assert client.get("/q/reading").location.endswith("/")
    welcome = client.get("/").get_data(as_text=True)
    assert "Reprendre" not in welcome
    assert (visit := next(db["visits"].rows))["token"] is None and visit["status"] == "complete"
    assert "Votre résultat" in result_page  # the page did exist before


def test_pages_are_not_stored_and_have_a_strict_csp(client, resident):
    resident.start()
    response = resident.get("/q/internet_ever")
    assert response.headers["Cache-Control"] == "no-store"
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "unsafe-inline" not in csp
    page = response.get_data(as_text=True)
    assert '<html lang="fr" dir="ltr">' in page
    assert "<script>" not in page and "style=" not in page
    assert 'autocomplete="off"' in page
    assert "Je ne sais pas" in page and '<p id="progress-label">Question 1</p>' in page
    static = client.get("/static/css/kiosk.css")
    assert "no-store" not in static.headers.get("Cache-Control", "")


def test_every_page_loads_only_local_resources(resident):
    resident.complete(CONFIDENT, how="alone")
    for url in ("/", "/result", "/result/print"):
        page = resident.get(url).get_data(as_text=True)
        for ref in re.findall(r'(?:src|href|action)="([^"]+)"', page):
            assert ref.startswith("/") or ref.startswith("#"), (url, ref)


def test_back_shows_the_earlier_answer(resident):
    resident.start()
    resident.answer("internet_ever", {"answer": "yes"})
    resident.answer("last_use", {"answer": "12m"})
    page = resident.get("/q/last_use").get_data(as_text=True)
    assert re.search(r'value="12m" checked', page)
    # changing it is allowed, and the flow goes on from there
    response = resident.post("/q/internet_ever", {"answer": "no"})
    assert response.location.endswith("/q/devices")


def test_commune_by_shared_postal_code_asks_which_one(resident, db):
    resident.start()
    for screen, data in BEFORE_COMMUNE:
        assert resident.answer(screen, data).status_code == 303
    resident.get("/q/commune")
    response = resident.post("/q/commune", {"query": "03000"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "Plusieurs communes" in page
    assert 'value="03190"' in page  # Moulins among the choices
    resident.page = page
    response = resident.post("/q/commune", {"commune": "03190"})
    assert response.status_code == 303
    stored = {r["screen_id"]: json.loads(r["value"]) for r in db["answers"].rows}
    assert stored["commune"] == "03190"


def test_unknown_commune_gets_a_message(resident, db):
    resident.start()
    for screen, data in BEFORE_COMMUNE:
        resident.answer(screen, data)
    resident.get("/q/commune")
    response = resident.post("/q/commune", {"query": "Clermont-Ferrand"})
    assert response.status_code == 422
    assert "Nous ne trouvons pas cette commune" in response.get_data(as_text=True)
    assert db["answers"].count == 6


# --- bad input: a friendly page, nothing stored ----------------------------------------

@pytest.mark.parametrize("data,status,text", [
    ({"answer": "yesterday"}, 400, "Oups"),           # an option that does not exist
    ({"answer": ["3m", "never"]}, 400, "Oups"),       # two answers to a single question
    ({}, 422, "Choisissez une réponse"),              # nothing chosen
])
def test_bad_answers_store_nothing(resident, db, data, status, text):
    resident.start()
    resident.get("/q/internet_ever")
    response = resident.post("/q/internet_ever", data)
    assert response.status_code == status
    assert text in response.get_data(as_text=True)
    assert db["answers"].count == 0


def test_exclusive_option_cannot_be_combined(resident, db):
    resident.start()
    resident.answer("internet_ever", {"answer": "no"})
    resident.get("/q/devices")
    response = resident.post("/q/devices", {"answer": ["none", "tablet"]})
    assert response.status_code == 422
    assert db["answers"].count == 1


def test_missing_csrf_token_is_refused(resident, db):
    resident.start()
    resident.get("/q/internet_ever")
    response = resident.post("/q/internet_ever", {"answer": "no"}, token=False)
    assert response.status_code == 400
    assert "Revenir à l" in response.get_data(as_text=True)
    assert db["answers"].count == 0


def test_skipped_step_is_refused(resident, db):
    resident.start()
    resident.get("/q/internet_ever")
    response = resident.post("/q/reading", {"answer": "easy"})
    assert response.status_code == 409
    assert db["answers"].count == 0
    # and a GET of a later screen leads back to the one due
    assert resident.get("/q/reading").location.endswith("/q/internet_ever")


def test_unknown_screen_is_404(resident):
    resident.start()
    resident.get("/q/internet_ever")
    assert resident.post("/q/nope", {"answer": "x"}).status_code == 404


def test_replayed_form_after_reset_stores_nothing(resident, client, db):
    resident.start()
    resident.get("/q/internet_ever")
    old_page = resident.page
    resident.post("/q/internet_ever", {"answer": "no"})
    resident.get("/q/devices")
    resident.post("/finish")
    answers_before = db["answers"].count
    resident.page = old_page  # the previous person's form, token and all
    response = resident.post("/q/internet_ever", {"answer": "no"})
    assert response.status_code in (303, 400)
    assert db["answers"].count == answers_before
    assert response.status_code == 400 or response.location.endswith("/")


def test_oversized_body_is_refused(resident, db):
    resident.start()
    resident.get("/q/internet_ever")
    response = resident.post("/q/internet_ever", {"answer": "no", "padding": "x" * 40_000})
    assert response.status_code == 413
    assert "trop long" in response.get_data(as_text=True)
    assert db["answers"].count == 0


def test_answers_are_saved_screen_by_screen(resident, db):
    resident.start()
    resident.answer("internet_ever", {"answer": "no"})
    resident.answer("devices", {"answer": ["tablet"]})
    stored = {r["screen_id"]: json.loads(r["value"]) for r in db["answers"].rows}
    assert stored == {"internet_ever": "no", "devices": ["tablet"]}


# --- abandoned sessions leave an incomplete record --------------------------------------

def test_reset_after_first_answer_leaves_an_incomplete_record(resident, db):
    resident.start()
    resident.answer("internet_ever", {"answer": "no"})
    resident.answer("devices", {"answer": ["tablet"]})
    resident.get("/q/home_connection")
    resident.client.get("/timeout")
    (result,) = db["results"].rows
    assert result["complete"] == 0 and result["last_screen"] == "home_connection"
    payload = json.loads(next(db["outbox"].rows)["payload"])
    assert payload["complete"] is False and payload["last_screen"] == "home_connection"


def test_reset_before_any_answer_leaves_nothing(resident, db):
    resident.start()
    resident.client.get("/timeout")
    assert counts(db)["results"] == 0 and counts(db)["outbox"] == 0


def test_server_side_idle_expiry(make_app, db):
    app = make_app(IDLE_SECONDS=1, IDLE_WARNING_SECONDS=1)
    from tests.conftest import Resident

    resident = Resident(app.test_client())
    resident.start()
    resident.answer("internet_ever", {"answer": "no"})
    resident.get("/q/devices")
    with resident.client.session_transaction() as session:
        session["seen"] -= 3600  # an hour without a touch
    response = resident.post("/q/devices", {"answer": ["tablet"]})
    assert response.status_code == 303 and response.location.endswith("/")
    from kiosk.storage.db import connect

    database = connect(app.config["DATABASE"])
    (result,) = database["results"].rows
    assert result["complete"] == 0 and result["last_screen"] == "devices"
    assert database["answers"].count == 1


def test_stale_visit_is_closed_when_the_next_person_starts(make_app):
    app = make_app(IDLE_SECONDS=0, IDLE_WARNING_SECONDS=0, MEDIATOR_IDLE_SECONDS=0)
    from kiosk.storage.db import connect
    from tests.conftest import Resident

    first = Resident(app.test_client())
    first.start()
    first.answer("internet_ever", {"answer": "no"})
    import time
    time.sleep(0.01)
    import kiosk.web.resident as views
    views_grace = views.GRACE_SECONDS
    views.GRACE_SECONDS = -1  # the first person's browser closed long ago
    try:
        Resident(app.test_client()).start()
    finally:
        views.GRACE_SECONDS = views_grace
    database = connect(app.config["DATABASE"])
    (result,) = database["results"].rows
    assert result["complete"] == 0 and result["last_screen"] == "devices"


# --- fuzzed forms: never a server error, nothing stored on refusal ---------------------

from hypothesis import HealthCheck, given, settings, strategies as st  # noqa: E402

FORM_KEYS = st.sampled_from(["answer", "idk", "query", "commune", "csrf_token", "lang", "x"])
FORM_VALUES = st.one_of(st.text(max_size=120), st.sampled_from(
    ["3m", "never", "none", "tablet", "alone", "03190", "1", "", "\x00", "%00", "../../etc"]))


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(screen=st.sampled_from(["last_use", "devices", "commune", "reading", "nope", "%2e%2e"]),
       fields=st.lists(st.tuples(FORM_KEYS, FORM_VALUES), max_size=6),
       keep_token=st.booleans())
def test_fuzzed_answers_never_break_the_kiosk(resident, db, screen, fields, keep_token):
    if resident.page is None:
        resident.start()
        resident.get("/q/internet_ever")
    before = db["answers"].count
    data = {}
    for key, value in fields:
        data.setdefault(key, []).append(value)
    if keep_token:
        data["csrf_token"] = resident.token()
    response = resident.client.post(f"/q/{screen}", data=data)
    assert response.status_code < 500
    if response.status_code >= 400:
        assert db["answers"].count == before
        assert "Revenir" in response.get_data(as_text=True) or response.status_code == 422


def test_every_step_leads_to_a_place(resident, app):
    """With the sample places, no place offers a digital advisor: the nearest France
    Services is shown as the place to ask, never an empty step."""
    runner = app.test_cli_runner()
    assert runner.invoke(args=["places", "import", str(paths.DATA / "lieux_03.csv")]).exit_code == 0
    resident.complete({"internet_ever": {"answer": "yes"}, "last_use": {"answer": "3m"},
                       "act_problem_solving": {"answer": "ps_bank", "how-ps_bank": "helped"},
                       "task_phishing": {"answer": "refund"}, "task_back": {"answer": "1"},
                       "procedures": {"answer": ["eadmin", "health"], "how-eadmin": "alone",
                                      "how-health": "alone"},
                       "devices": {"answer": ["computer"]},
                       "home_connection": {"answer": "box"}, "reading": {"answer": "easy"},
                       "commune": {"commune": "03183"}, "age_band": {"idk": "1"},
                       "situation": {"idk": "1"}},
                      how="alone")
    page = resident.get("/result").get_data(as_text=True)
    assert "Être accompagné par un conseiller numérique." in page
    assert "Pour vous renseigner" in page
    assert "France services Le Montet" in page   # the nearest one to Le Montet (03183)


def test_language_switch_keeps_answers_and_never_redirects_away(make_app):
    from tests.conftest import Resident

    app = make_app(LANGUAGES="fr,en")
    resident = Resident(app.test_client())
    resident.start()
    resident.answer("internet_ever", {"answer": "no"})
    resident.get("/q/devices")
    for target in ("//evil.example/", "/\\evil.example", "https://evil.example/", "/q/x?y=1"):
        response = resident.post("/language", {"lang": "en", "next": target})
        assert response.location == "/", target
    response = resident.post("/language", {"lang": "en", "next": "/q/devices"})
    assert response.location == "/q/devices"
    page = resident.get("/q/internet_ever").get_data(as_text=True)
    assert '<html lang="en"' in page and 'value="no" checked' in page
    assert resident.post("/language", {"lang": "xx"}).status_code == 400


@pytest.mark.parametrize("back,expected", [
    ("/q/devices", 'href="/q/devices"'), ("//evil.example", 'href="/"'),
    ("/\\evil.example", 'href="/"'), ("javascript:alert(1)", 'href="/"'),
])
def test_idle_page_returns_only_to_a_local_page(resident, back, expected):
    resident.start()
    page = resident.client.get("/idle", query_string={"back": back}).get_data(as_text=True)
    assert expected in page


def test_a_resident_helped_for_everything_is_not_told_they_are_at_ease(resident, db):
    # Every activity done only with someone's help: the page that sends them to be
    # accompanied shows each area as "Les bases", never "À l'aise", and no "autonomous"
    # profile; what leaves for the hub still says what they reported (done).
    resident.complete(CONFIDENT, how="helped")
    page = resident.get("/result").get_data(as_text=True)
    assert page.count('class="level level-1"') == 5 and "À l'aise" not in page
    assert "Vous êtes à l'aise avec le numérique." not in page
    assert "Être accompagné par un conseiller numérique." in page
    assert {row["area"]: (row["level"], row["shown_level"]) for row in db["scores"].rows}[
        "problem_solving"] == (2, 1)
    (record,) = db["outbox"].rows
    assert json.loads(record["payload"])["levels"]["problem_solving"] == 2
