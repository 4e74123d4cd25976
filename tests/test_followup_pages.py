"""Follow-up codes on the kiosk's pages: given with every result, entered on another
kiosk (another database, no network), then the take-up of the offers and the progress."""
from __future__ import annotations

import html
import json

import pytest

from kiosk.diagnostic.followup import FollowUp, encode
from kiosk.storage import store
from kiosk.storage.db import connect
from kiosk.web import result_page
from tests.conftest import Resident
from tests.followupkit import (FIRST, LATER, carried, follow_up, offer_ids, set_clock,
                               shown_code)
from tests.test_resident_flow import CONFIDENT
from tests.zbar import decode_png

MESSAGE = "Ce code ne correspond à aucun diagnostic. Vérifiez les chiffres."
PERSIAN = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")
NEVER = {"internet_ever": {"answer": "no"}}  # every area "À découvrir"


def completed(app, answers=None, how=None) -> tuple[Resident, str]:
    """A resident who completed a diagnostic on ``app``, and the code their result shows."""
    person = Resident(app.test_client())
    person.complete(answers, how=how)
    return person, shown_code(person.get("/result").get_data(as_text=True))


def only_row(app, sql: str):
    db = connect(app.config["DATABASE"])
    try:
        (row,) = db.query(sql)
        return row
    finally:
        db.close()


def test_the_result_shows_a_code_that_carries_its_levels_week_and_offers(make_app,
                                                                          monkeypatch):
    set_clock(monkeypatch, FIRST)
    app = make_app()
    person, code = completed(app, CONFIDENT, how="alone")
    page = person.page
    assert "Votre code de suivi :" in page
    assert ("Gardez-le : il permet de voir vos progrès la prochaine fois, ici ou dans une "
            "autre borne.") in page.replace("&#39;", "'")
    digits = code.replace(" ", "")
    # left to right in any page, read out digit by digit, group by group
    assert (f'<span class="followup-code" dir="ltr"><span aria-hidden="true">{code}</span>'
            f'<span class="visually-hidden">{", ".join(" ".join(g) for g in code.split())}'
            '</span></span>') in page
    result = only_row(app, "select * from results")
    levels = {row["area"]: row["level"] for row in
              connect(app.config["DATABASE"]).query("select area, level from scores")}
    assert result["followup_code"] == digits
    followup = carried(app, code)
    assert followup.frame == 2 and followup.week == "2026-W49"
    assert followup.levels == tuple(levels[area] for area in
                                    ("information", "communication", "content", "safety",
                                     "problem_solving"))
    assert followup.levels != (0, 0, 0, 0, 0)
    assert set(followup.offers) == set(json.loads(result["offers"]))


def test_the_sheet_and_the_take_home_code_carry_the_follow_up_code(make_app, monkeypatch,
                                                                   tmp_path):
    set_clock(monkeypatch, FIRST)
    texts = []
    original = result_page.qr_svg
    monkeypatch.setattr(result_page, "qr_svg", lambda text: texts.append(text) or original(text))
    person, code = completed(make_app(), NEVER)
    sheet = person.get("/result/print").get_data(as_text=True)
    assert shown_code(sheet) == code
    take_home = texts[-1]
    assert take_home.split("\n")[-1] == f"Code de suivi : {code}"
    assert len(take_home.split("\n")) <= result_page.QR_MAX_LINES
    symbol = result_page.qr_code(take_home)
    assert symbol.version <= result_page.QR_MAX_VERSION
    symbol.save(tmp_path / "qr.png", scale=4, border=4)
    assert decode_png(tmp_path / "qr.png") == take_home


def test_another_kiosk_with_no_network_accepts_the_code_and_shows_progress(make_app,
                                                                         monkeypatch):
    set_clock(monkeypatch, FIRST)
    first_kiosk = make_app()
    _, code = completed(first_kiosk, NEVER)
    assert carried(first_kiosk, code).levels == (0, 0, 0, 0, 0)

    set_clock(monkeypatch, LATER)
    other_kiosk = make_app()
    assert other_kiosk.config["DATABASE"] != first_kiosk.config["DATABASE"]
    person = Resident(other_kiosk.test_client())
    follow_up(person, code, answers=CONFIDENT, how="alone")
    for url in ("/result", "/result/print"):
        page = person.get(url).get_data(as_text=True)
        assert "Vos progrès" in page, url
        assert "Depuis votre diagnostic de la semaine du 30 novembre 2026 :" in page
        assert "En progrès" in page and "En recul" not in page
        assert page.count('<li class="change change-up">') == 5
        assert html.unescape(page).count("Avant : À découvrir. Aujourd'hui : À l'aise.") == 5
        # and a code of its own, for the next time
        assert shown_code(page) != code


def test_a_result_not_started_from_a_code_shows_no_progress(make_app, monkeypatch):
    set_clock(monkeypatch, FIRST)
    person, _ = completed(make_app(), NEVER)
    assert "Vos progrès" not in person.page


@pytest.mark.parametrize("typed", ["", "1234", "0687 5941 4600 0008", "abcd efgh ijkl mnop"])
def test_a_wrong_code_gets_the_one_message_and_starts_nothing(app, monkeypatch, typed):
    set_clock(monkeypatch, FIRST)
    person = Resident(app.test_client())
    person.get("/suivi")
    response = person.post("/suivi", {"code": typed})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert MESSAGE in page and 'role="alert"' in page and 'aria-invalid="true"' in page
    assert connect(app.config["DATABASE"])["visits"].count == 0


def test_a_code_from_a_later_week_than_the_kiosk_clock_is_refused(make_app, monkeypatch):
    set_clock(monkeypatch, LATER)
    _, code = completed(make_app(), NEVER)
    set_clock(monkeypatch, FIRST)
    other = make_app()
    person = Resident(other.test_client())
    person.get("/suivi")
    response = person.post("/suivi", {"code": code})
    assert response.status_code == 422 and MESSAGE in response.get_data(as_text=True)


def test_a_code_typed_in_persian_digits_is_accepted(make_app, monkeypatch):
    set_clock(monkeypatch, FIRST)
    _, code = completed(make_app(), NEVER)
    person = Resident(make_app().test_client())
    person.get("/suivi")
    response = person.post("/suivi", {"code": code.translate(PERSIAN)})
    assert response.status_code == 303 and response.location.endswith("/suivi/aide")


def test_the_take_up_page_asks_for_each_offer_and_stores_the_answers(make_app, monkeypatch):
    set_clock(monkeypatch, FIRST)
    first_kiosk = make_app()
    _, code = completed(first_kiosk, NEVER)
    offers = carried(first_kiosk, code).offers
    assert offers == ("collective_workshops", "safety_awareness")
    other = make_app()
    person = Resident(other.test_client())
    person.get("/suivi")
    person.post("/suivi", {"code": code})
    page = person.get("/suivi/aide").get_data(as_text=True)
    assert page.count("<fieldset") == 2 and page.count("Êtes-vous allé(e) voir cette aide ?") == 2
    assert "Apprendre à reconnaître les arnaques." in page
    assert page.count('type="radio"') == 12
    assert person.post("/suivi/aide", {"takeup-safety_awareness": "maybe"}).status_code == 400
    response = person.post("/suivi/aide", {"takeup-collective_workshops": "no_hours",
                                           "takeup-safety_awareness": "yes",
                                           "takeup-other_offer": "yes"})
    assert response.status_code == 303 and response.location.endswith("/notice")
    visit = only_row(other, "select * from visits")
    assert store.visit_takeup(visit) == {"collective_workshops": "no_hours",
                                         "safety_awareness": "yes"}
    assert store.visit_followup(visit) == {
        "week": "2026-W49", "offers": ["collective_workshops", "safety_awareness"],
        "levels": {"information": 0, "communication": 0, "content": 0, "safety": 0,
                   "problem_solving": 0}}
    # going back to the page shows what was said
    page = person.get("/suivi/aide").get_data(as_text=True)
    assert 'value="no_hours" checked' in page


def test_no_offer_proposed_last_time_means_no_take_up_page(app, monkeypatch):
    set_clock(monkeypatch, FIRST)
    code = encode(FollowUp(2, "2026-W40", (1, 1, 1, 1, 1), ()), offer_ids(app))
    person = Resident(app.test_client())
    person.get("/suivi")
    response = person.post("/suivi", {"code": code})
    assert response.status_code == 303 and response.location.endswith("/notice")
    assert person.client.get("/suivi/aide").location.endswith("/notice")


def test_the_welcome_screen_leads_to_the_code_screen_and_its_keypad(client):
    welcome = client.get("/").get_data(as_text=True)
    assert '<a class="button secondary" href="/suivi">J\'ai un code de suivi</a>' in welcome
    page = client.get("/suivi").get_data(as_text=True)
    assert '<label for="code">Votre code de suivi</label>' in page
    assert 'data-keypad="code" data-keypad-max="16"' in page


def test_a_mediator_starts_a_guided_follow_up_from_a_code(make_app, monkeypatch):
    from flask import session

    from kiosk.web.followup import start_followup

    set_clock(monkeypatch, FIRST)
    _, code = completed(make_app(), NEVER)
    app = make_app()
    said = {}

    @app.get("/test-guided/<path:typed>")
    def guided(typed):
        said["error"] = start_followup(typed, "guided")
        said["mediator"] = session.get("mediator")
        return ""

    client = app.test_client()
    mediator = {"name": "Émilie Martin", "structure": "France Services Moulins",
                "source": "local"}
    with client.session_transaction() as held:
        held["mediator"] = mediator
    client.get("/test-guided/0000 0000 0000 0000")
    assert said["error"] == MESSAGE
    assert connect(app.config["DATABASE"])["visits"].count == 0
    client.get(f"/test-guided/{code}")
    assert said == {"error": None, "mediator": mediator}
    visit = only_row(app, "select * from visits")
    assert visit["mode"] == "guided" and store.visit_followup(visit)["week"] == "2026-W49"


@pytest.mark.parametrize("lang", ["uk", "fa_AF"])  # the longest take-home texts
def test_every_take_home_code_with_a_follow_up_code_stays_within_its_limits(lang):
    """The code is the last line; a week or an address gives way to it, never the step,
    the place or its phone."""
    from tests.test_result_qr import first_steps, week

    line = "Code de suivi : 0687 5941 4600 0007"
    for titles, place in first_steps(lang):
        needed, optional = result_page.take_home_lines(titles, place, week(place["id"], lang))
        text = result_page.take_home_text(needed, optional, last=[line])
        lines = text.split("\n")
        assert lines[:len(needed)] == needed and lines[-1] == line
        assert len(lines) <= 8 and result_page.qr_code(text).version <= 10, text


def test_a_second_tap_on_valider_leads_to_the_follow_up_already_started(make_app,
                                                                        monkeypatch):
    set_clock(monkeypatch, FIRST)
    _, code = completed(make_app(), NEVER)
    app = make_app()
    person = Resident(app.test_client())
    person.get("/suivi")
    stale = person.token()
    assert person.post("/suivi", {"code": code}).status_code == 303
    again = person.post("/suivi", {"code": code, "csrf_token": stale})
    assert again.status_code == 303 and again.location.endswith("/suivi/aide")
    assert connect(app.config["DATABASE"])["visits"].count == 1
