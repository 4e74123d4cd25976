"""A person's follow-up code on the mediator's pages: a guided diagnostic started from it,
in the language chosen for them, and the right to erasure by it ("Mes accompagnements")."""
from __future__ import annotations

import html
import re

import pytest

from kiosk.storage.db import connect
from tests.conftest import Resident
from tests.followupkit import finish_visit, shown_code
from tests.test_mediator_pages import WRONG, Mediator, add_mediator  # noqa: F401 (fixtures)
from tests.test_mediator_pages import clock, kiosk, mediator  # noqa: F401

ERASE_MESSAGE = re.compile(r'id="erase-message"[^>]*>([^<]*)<')
INVALID = "Ce code ne correspond à aucun diagnostic. Vérifiez les chiffres."


def rows(app, sql):
    db = connect(app.config["DATABASE"])
    try:
        return [dict(r) for r in db.query(sql)]
    finally:
        db.close()


def erase_message(response) -> str:
    """What the erasure form says (the page has other alerts: the period's)."""
    return html.unescape(ERASE_MESSAGE.search(response.get_data(as_text=True)).group(1))


def self_service_code(app) -> str:
    """The follow-up code of a self-service diagnostic made on this kiosk."""
    person = Resident(app.test_client())
    person.complete()
    return shown_code(person.get("/result").get_data(as_text=True))


def test_a_mediator_starts_a_guided_follow_up_from_a_code_in_the_persons_language(
        kiosk, mediator):
    code = self_service_code(kiosk)
    mediator.unlock()
    page = mediator.get("/mediateur/accueil").get_data(as_text=True)
    assert "Suivre une personne qui a un code de suivi" in page
    response = mediator.post("/mediateur/suivi", {"code": code, "lang": "ar"})
    assert response.status_code == 303 and response.location == "/suivi/aide"
    guided = rows(kiosk, "select mode, mediator, language, followup from visits "
                         "where mode = 'guided'")
    assert len(guided) == 1 and guided[0]["mediator"] == "Zoé Martin"
    assert guided[0]["language"] == "ar" and guided[0]["followup"]
    # the mediator is still unlocked, guiding
    assert mediator.get("/mediateur/accueil").status_code == 200


def test_a_wrong_code_starts_nothing_and_says_so_once(kiosk, mediator):
    mediator.unlock()
    mediator.get("/mediateur/accueil")
    response = mediator.post("/mediateur/suivi", {"code": "1234 5678 9012 3456", "lang": "fr"})
    assert response.status_code == 422
    assert mediator.alert(response) == INVALID
    assert rows(kiosk, "select * from visits") == []
    assert mediator.post("/mediateur/suivi", {"code": "1", "lang": "xx"}).status_code == 400


def test_the_follow_up_shows_on_mes_accompagnements(kiosk, mediator):
    code = self_service_code(kiosk)
    mediator.unlock()
    mediator.get("/mediateur/accueil")
    mediator.post("/mediateur/suivi", {"code": code, "lang": "fr"})
    mediator.get("/suivi/aide")
    mediator.post("/suivi/aide", {})
    finish_visit(mediator)
    page = mediator.get("/mediateur/accompagnements").get_data(as_text=True)
    row = page.split('class="mine"')[1].split("</tr>")[0]
    assert "<td>Oui</td>" in row


def test_a_person_s_data_is_erased_by_their_code(kiosk, mediator):
    code = self_service_code(kiosk)
    other = self_service_code(kiosk)
    assert len(rows(kiosk, "select * from results")) == 2
    mediator.unlock()
    mediator.get("/mediateur/accompagnements")
    asked = mediator.post("/mediateur/effacer", {"code": code})
    assert asked.status_code == 200 and "Effacer ce diagnostic ?" in asked.get_data(as_text=True)
    assert len(rows(kiosk, "select * from results")) == 2     # nothing gone before "Oui"
    response = mediator.post("/mediateur/effacer", {"code": code, "confirm": "yes"})
    assert response.status_code == 200
    assert erase_message(response) == f"Le diagnostic du code {code} est effacé de cette borne."
    left = rows(kiosk, "select followup_code from results")
    assert left == [{"followup_code": other.replace(" ", "")}]
    # nothing of it is left to send either
    assert all(code.replace(" ", "") not in r["payload"]
               for r in rows(kiosk, "select payload from outbox"))
    assert len(rows(kiosk, "select * from outbox")) == 1
    again = mediator.post("/mediateur/effacer", {"code": code, "confirm": "yes"})
    assert again.status_code == 404
    assert erase_message(again) == "Aucun diagnostic de cette borne ne porte ce code."


@pytest.mark.parametrize("typed", ["", "12ab", "1234 5678"])
def test_a_code_that_is_not_16_digits_erases_nothing(kiosk, mediator, typed):
    self_service_code(kiosk)
    mediator.unlock()
    mediator.get("/mediateur/accompagnements")
    response = mediator.post("/mediateur/effacer", {"code": typed})
    assert response.status_code == 422
    assert erase_message(response) == "Un code de suivi a 16 chiffres. Vérifiez les chiffres."
    assert len(rows(kiosk, "select * from results")) == 1


def test_erasure_and_follow_up_refuse_anyone_not_unlocked(kiosk):
    anonymous = Resident(kiosk.test_client())
    anonymous.get("/")
    for path in ("/mediateur/effacer", "/mediateur/suivi"):
        assert anonymous.post(path, {"code": "1"}).status_code == 403
