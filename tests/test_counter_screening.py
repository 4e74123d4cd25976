"""The quick screening at the counter: the orientation rule, and what one screening
leaves (one outbox record, the contract's fields only)."""
from __future__ import annotations

import html
import json
from datetime import datetime, timezone

import pytest

from kiosk.mediation.screening import QUESTIONS, orientation
from kiosk.storage.db import connect
from kiosk.sync import contract
from kiosk.sync.anonymise import content_hash
from kiosk.web.mediator import ORIENTATION_WORDS
from tests.conftest import Resident

NOW = datetime(2026, 11, 30, 11, tzinfo=timezone.utc)

# internet alone?, procedure soon?, wants help? -> orientation. All 18 cases, literally.
RULE = [
    ("alone", "yes", "yes", "diagnostic_now"),
    ("alone", "yes", "no", "nothing_needed"),
    ("alone", "no", "yes", "diagnostic_now"),
    ("alone", "no", "no", "nothing_needed"),
    ("alone", "unsure", "yes", "diagnostic_now"),
    ("alone", "unsure", "no", "nothing_needed"),
    ("helped", "yes", "yes", "mediator"),
    ("helped", "yes", "no", "mediator"),
    ("helped", "no", "yes", "diagnostic_now"),
    ("helped", "no", "no", "nothing_needed"),
    ("helped", "unsure", "yes", "diagnostic_now"),
    ("helped", "unsure", "no", "nothing_needed"),
    ("no", "yes", "yes", "mediator"),
    ("no", "yes", "no", "mediator"),
    ("no", "no", "yes", "diagnostic_now"),
    ("no", "no", "no", "nothing_needed"),
    ("no", "unsure", "yes", "diagnostic_now"),
    ("no", "unsure", "no", "nothing_needed"),
]


@pytest.mark.parametrize("internet,procedure,help_wanted,expected", RULE)
def test_orientation_rule(internet, procedure, help_wanted, expected):
    answers = {"internet": internet, "procedure": procedure, "help": help_wanted}
    assert orientation(answers) == expected


def test_the_table_covers_every_case_and_every_orientation():
    assert len(RULE) == 3 * 3 * 2 == len({row[:3] for row in RULE})
    assert {row[3] for row in RULE} == set(contract.ORIENTATIONS)
    assert set(ORIENTATION_WORDS) == set(contract.ORIENTATIONS)


@pytest.mark.parametrize("answers", [
    {"internet": "sometimes", "procedure": "no", "help": "yes"},
    {"internet": "alone", "procedure": "no"},
])
def test_an_answer_outside_the_questions_is_an_error(answers):
    with pytest.raises((KeyError, ValueError)):
        orientation(answers)


# --- the page -----------------------------------------------------------------------

@pytest.fixture
def agent(make_app, monkeypatch):
    """A counter agent unlocked as a mediator on a kiosk in Moulins, on 30 Nov 2026."""
    from kiosk.web import resident as views

    monkeypatch.setattr(views, "now", lambda: NOW)
    app = make_app(SITE_COMMUNE="03190")
    client = app.test_client()
    with client.session_transaction() as session:
        session["mediator"] = {"name": "Émilie Martin", "structure": "France Services Moulins",
                               "source": "local"}
    person = Resident(client)
    person.get("/mediateur/reperage")
    return person


def outbox(agent):
    database = connect(agent.client.application.config["DATABASE"])
    try:
        return list(database["outbox"].rows)
    finally:
        database.close()


def test_the_page_asks_three_questions_in_fieldsets_with_legends(agent):
    page = html.unescape(agent.page)
    assert page.count("<fieldset") == 3 and page.count("<legend>") == 3
    for text in ("La personne utilise-t-elle internet seule ?",
                 "A-t-elle une démarche en ligne à faire bientôt ?",
                 "Souhaite-t-elle de l'aide ?"):
        assert text in page
    assert page.count('type="radio"') == sum(len(a) for a in QUESTIONS.values()) == 8


def test_a_screening_queues_one_record_with_only_the_contracts_fields(agent):
    response = agent.post("/mediateur/reperage",
                          {"internet": "no", "procedure": "yes", "help": "no"})
    assert response.status_code == 303
    assert response.location == "/mediateur/reperage?orientation=mediator"
    (row,) = outbox(agent)
    payload = json.loads(row["payload"])
    assert payload == {"kind": "screening", "schema_version": 1, "site_epci": "200071140",
                       "week": "2026-W49", "orientation": "mediator"}
    assert set(payload) == {f.name for f in contract.fields(contract.SCREENING)}
    assert row["result_id"] is None and row["state"] == "pending"
    assert row["content_hash"] == content_hash(payload)
    # the orientation is shown with what to do; showing it again counts nothing
    page = agent.get(response.location).get_data(as_text=True)
    assert "Rendez-vous avec un médiateur" in page and "conseiller numérique" in page
    assert len(outbox(agent)) == 1


def test_diagnostic_now_offers_the_guided_start_at_once(agent):
    response = agent.post("/mediateur/reperage",
                          {"internet": "helped", "procedure": "no", "help": "yes"})
    page = agent.get(response.location).get_data(as_text=True)
    assert "Diagnostic complet tout de suite" in page
    assert 'action="/mediateur/guide"' in page


@pytest.mark.parametrize("form", [{}, {"internet": "no", "procedure": "yes"},
                                  {"help": "yes"}])
def test_missing_answers_get_a_message_and_store_nothing(agent, form):
    response = agent.post("/mediateur/reperage", form)
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "Répondez aux trois questions." in page
    for name, value in form.items():   # what was ticked stays ticked
        assert f'name="{name}" value="{value}" checked' in page
    assert outbox(agent) == []


def test_a_tampered_answer_is_refused(agent):
    response = agent.post("/mediateur/reperage",
                          {"internet": "maybe", "procedure": "yes", "help": "no"})
    assert response.status_code == 400 and outbox(agent) == []


def test_an_unknown_orientation_in_the_address_shows_the_questions(agent):
    page = agent.get("/mediateur/reperage?orientation=anything").get_data(as_text=True)
    assert page.count("<fieldset") == 3


def test_screenings_are_counted_on_the_accompaniments_page(agent):
    for form in ({"internet": "no", "procedure": "yes", "help": "no"},
                 {"internet": "alone", "procedure": "no", "help": "no"},
                 {"internet": "no", "procedure": "yes", "help": "yes"}):
        agent.get("/mediateur/reperage")
        agent.post("/mediateur/reperage", form)
    page = html.unescape(agent.get("/mediateur/accompagnements").get_data(as_text=True))
    assert "Repérages au guichet</dt>\n    <dd>3" in page
    assert "Rendez-vous avec un médiateur <strong>2</strong>" in page
    assert "Rien à faire pour l'instant <strong>1</strong>" in page
