"""A form sent twice (a double tap on "Suivant", "Commencer" or "Terminer" while the next
page loads) does nothing the person would see: no red error, nothing stored twice."""
from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest

from kiosk.web import resident as resident_views
from tests.conftest import BEFORE_COMMUNE

START = datetime(2026, 11, 30, 10, 0, tzinfo=timezone.utc)


@pytest.fixture
def clock(monkeypatch):
    """The kiosk's clock, moved by hand: ``clock.at = START + ...``."""
    class Clock:
        at = START

        def __call__(self):
            return self.at

    fake = Clock()
    monkeypatch.setattr(resident_views, "now", fake)
    return fake


def stored(db):
    return {row["screen_id"]: (json.loads(row["value"]), row["answered_at"])
            for row in db["answers"].rows}


def shows_no_error(page: str) -> bool:
    return '<div id="error" class="error" role="alert"></div>' in page and "Oups" not in page


def test_same_answer_posted_twice_leads_on_and_is_stored_once(resident, db, clock):
    resident.start()
    resident.get("/q/internet_ever")
    first = resident.post("/q/internet_ever", {"answer": "no"})
    assert first.status_code == 303 and first.location.endswith("/q/devices")
    before = stored(db)
    clock.at += timedelta(milliseconds=300)
    # The second tap's POST, from the same page, arrives after the visit moved on.
    second = resident.post("/q/internet_ever", {"answer": "no"})
    assert second.status_code == 303 and second.location.endswith("/q/devices")
    assert stored(db) == before == {"internet_ever": ("no", START.isoformat())}
    assert shows_no_error(resident.get("/q/devices").get_data(as_text=True))


def empty_next_on_devices(resident, clock, first=None, later=timedelta(milliseconds=400)):
    """Answer the first screen (with Suivant unless ``first`` says otherwise), then tap
    "Suivant" on the second with nothing chosen, ``later`` after that answer."""
    resident.start()
    resident.answer("internet_ever", first or {"answer": "no"})
    resident.get("/q/devices")
    clock.at += later
    return resident.post("/q/devices", {})


def test_second_tap_landing_on_the_next_screen_shows_it_again_without_error(resident, db,
                                                                           clock):
    response = empty_next_on_devices(resident, clock)   # the finger came back
    assert response.status_code == 303 and response.location.endswith("/q/devices")
    assert shows_no_error(resident.get("/q/devices").get_data(as_text=True))
    assert set(stored(db)) == {"internet_ever"}


def test_a_stray_tap_is_forgiven_once_per_screen(resident, db, clock):
    assert empty_next_on_devices(resident, clock).status_code == 303
    clock.at += timedelta(milliseconds=300)
    response = resident.post("/q/devices", {})  # the person taps "Suivant" again
    assert response.status_code == 422
    assert "Choisissez au moins une réponse" in response.get_data(as_text=True)


def test_nothing_chosen_right_after_i_dont_know_gets_its_message(resident, db, clock):
    # "Je ne sais pas" and "Suivant" are two different buttons: no double tap there.
    assert empty_next_on_devices(resident, clock, first={"idk": "1"}).status_code == 422


def test_empty_answer_given_later_still_gets_its_message(resident, db, clock):
    response = empty_next_on_devices(resident, clock, later=timedelta(seconds=5))
    assert response.status_code == 422
    assert "Choisissez au moins une réponse" in response.get_data(as_text=True)
    assert set(stored(db)) == {"internet_ever"}


def test_a_commune_typed_at_once_is_still_read(resident, db, clock):
    resident.start()
    for screen, data in BEFORE_COMMUNE:
        resident.answer(screen, data)
    resident.get("/q/commune")
    clock.at += timedelta(milliseconds=400)
    response = resident.post("/q/commune", {"query": "Clermont-Ferrand"})
    assert response.status_code == 422
    assert "Nous ne trouvons pas cette commune" in response.get_data(as_text=True)


def test_last_screen_posted_twice_completes_once(resident, db, clock):
    resident.complete({"internet_ever": {"answer": "no"}})
    clock.at += timedelta(milliseconds=300)
    response = resident.post("/q/reading", {"idk": "1"})   # the form of the last screen
    assert response.status_code == 303 and response.location.endswith("/result")
    assert db["results"].count == 1 and db["outbox"].count == 1


def test_changed_answer_on_a_screen_seen_again_is_stored(resident, db, clock):
    resident.start()
    resident.answer("internet_ever", {"answer": "no"})
    clock.at += timedelta(seconds=30)
    response = resident.answer("internet_ever", {"answer": "yes"})
    assert response.status_code == 303
    assert stored(db)["internet_ever"] == ("yes", (START + timedelta(seconds=30)).isoformat())


def test_finish_tapped_twice_goes_to_the_welcome_screen_without_error(resident, db):
    resident.complete({"internet_ever": {"answer": "no"}})
    resident.get("/result")
    result_page = resident.page
    assert resident.post("/finish").location.endswith("/")
    resident.get("/")                     # the welcome screen loads: a new session
    resident.page = result_page           # the second tap, from the result page
    response = resident.post("/finish")
    assert response.status_code == 303 and response.location.endswith("/")
    assert db["results"].count == 1 and db["visits"].count == 1


def test_start_tapped_twice_leads_to_the_visit_just_started(resident, db):
    resident.get("/")
    welcome = resident.page
    assert resident.post("/start").location.endswith("/notice")
    resident.get("/notice")
    resident.page = welcome               # the second tap on "Commencer"
    response = resident.post("/start")
    assert response.status_code == 303 and response.location.endswith("/notice")
    assert db["visits"].count == 1


@pytest.mark.parametrize("url,data,shown", [
    ("/language", {"lang": "en"}, '<html lang="en"'),
    ("/display", {"text": "large"}, 'class="text-large"'),
])
def test_language_or_display_chosen_twice_stays_as_chosen(make_app, url, data, shown):
    from tests.conftest import Resident

    resident = Resident(make_app(LANGUAGES="fr,en").test_client())
    resident.start()
    resident.get("/q/internet_ever")
    for _ in range(2):
        response = resident.post(url, dict(data, next="/q/internet_ever"))
        assert response.status_code == 303 and response.location == "/q/internet_ever"
    assert shown in resident.get("/q/internet_ever").get_data(as_text=True)


def test_a_form_with_a_wrong_token_still_changes_nothing(resident, db):
    resident.start()
    resident.get("/q/internet_ever")
    response = resident.post("/q/internet_ever", {"answer": "no", "csrf_token": "forged"})
    assert response.status_code == 400
    assert db["answers"].count == 0
