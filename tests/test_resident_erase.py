""""Arrêter et tout effacer": offered on every resident screen, asked once more, then
the kiosk is back at the welcome screen and the visit has left nothing at all: no
answer, no result, no outbox record, no abandoned diagnostic for the drop-off figures."""
from __future__ import annotations

import pytest

from kiosk.storage import store
from tests.conftest import BEFORE_COMMUNE

ERASE = "Arrêter et tout effacer"
# Every kiosk table a visit can leave something in (the hub's drop-off figures are read
# from the outbox records: an abandoned diagnostic is a record marked incomplete).
TABLES = ("visits", "answers", "results", "scores", "outbox")


def left_behind(db) -> dict[str, int]:
    return {table: db[table].count for table in TABLES}


NOTHING = dict.fromkeys(TABLES, 0)


def erase(resident, here: str):
    """Tap the link on ``here``, then "Oui, tout effacer" on the confirmation page."""
    page = resident.get(here).get_data(as_text=True)
    assert f'href="/erase?next={here}"' in page
    confirm = resident.get(f"/erase?next={here}")
    assert confirm.status_code == 200
    return resident.post("/erase")


def test_every_resident_screen_offers_to_stop_and_erase(make_app):
    from tests.conftest import Resident

    resident = Resident(make_app(LANGUAGES="fr,en").test_client())
    resident.complete({"internet_ever": {"answer": "no"}})
    for url in ("/result", "/result/print", "/language?next=/result", "/idle", "/nowhere"):
        page = resident.client.get(url).get_data(as_text=True)
        assert ERASE in page, url
    resident.post("/erase")
    resident.start()
    for url in ("/notice", "/q/internet_ever"):
        assert ERASE in resident.get(url).get_data(as_text=True), url


def test_the_untouched_welcome_screen_has_nothing_to_erase(client):
    assert ERASE not in client.get("/").get_data(as_text=True)


def test_the_confirmation_asks_plainly_and_erases_nothing_by_itself(resident, db):
    resident.start()
    resident.answer("internet_ever", {"answer": "no"})
    page = resident.get("/erase?next=/q/devices").get_data(as_text=True)
    assert "Arrêter et tout effacer ?" in page
    assert "Rien ne sera gardé ni envoyé." in page
    assert '<form method="post" action="/erase">' in page and "Oui, tout effacer" in page
    assert 'href="/q/devices">Non, je continue</a>' in page
    assert db["answers"].count == 1
    # and only a local page to go back to
    assert 'href="/">Non, je continue' in resident.get(
        "/erase?next=//evil.example/").get_data(as_text=True)


def test_erasing_mid_diagnostic_leaves_nothing_and_shows_the_welcome_screen(resident, db):
    resident.start()
    for screen, data in BEFORE_COMMUNE:
        resident.answer(screen, data)
    response = erase(resident, "/q/commune")
    assert response.status_code == 303 and response.location == "/"
    assert left_behind(db) == NOTHING
    assert store.unsent_records(db) == []
    # the session is gone: nothing to resume, no question reachable
    assert "Reprendre" not in resident.get("/").get_data(as_text=True)
    assert resident.client.get("/q/devices").location == "/"


def test_a_timeout_counts_an_abandon_but_an_erase_does_not(resident, db):
    resident.start()
    resident.answer("internet_ever", {"answer": "no"})
    resident.client.get("/timeout")
    assert db["outbox"].count == 1   # the abandoned diagnostic, for the drop-off figures
    abandoned = left_behind(db)
    resident.start()
    resident.answer("internet_ever", {"answer": "no"})
    erase(resident, "/q/devices")
    assert left_behind(db) == abandoned


def test_erasing_from_the_result_page_removes_the_result_and_its_record(resident, db):
    resident.complete({"internet_ever": {"answer": "no"}})
    assert db["results"].count == 1 and db["outbox"].count == 1
    response = erase(resident, "/result")
    assert response.location == "/"
    assert left_behind(db) == NOTHING
    assert resident.client.get("/result").location == "/"


def test_erasing_also_forgets_the_language_and_display_chosen(make_app):
    from tests.conftest import Resident

    resident = Resident(make_app(LANGUAGES="fr,en").test_client())
    resident.get("/")
    resident.post("/start", {"lang": "en"})
    resident.get("/q/internet_ever")
    resident.post("/display", {"contrast": "high", "next": "/q/internet_ever"})
    resident.get("/erase?next=/q/internet_ever")
    resident.post("/erase")
    page = resident.get("/").get_data(as_text=True)
    assert '<html lang="fr"' in page and "contrast-high" not in page


def test_erase_tapped_twice_goes_to_the_welcome_screen_without_error(resident, db):
    resident.start()
    resident.answer("internet_ever", {"answer": "no"})
    resident.get("/erase?next=/q/devices")
    confirmation = resident.page
    resident.post("/erase")
    resident.get("/")
    resident.page = confirmation
    response = resident.post("/erase")
    assert response.status_code == 303 and response.location == "/"
    assert left_behind(db) == NOTHING


@pytest.mark.parametrize("token", [False, True])
def test_erase_without_a_visit_just_shows_the_welcome_screen(resident, db, token):
    resident.get("/erase")
    response = resident.post("/erase", token=token)
    assert response.status_code == 303 and response.location == "/"
    assert left_behind(db) == NOTHING
