"""Each next step names a real place with its hours in plain words, at the kiosk's time.

The places are the shipped sample (questionnaires/data/lieux_03.csv). The resident lives in
Le Montet (03183): every step leads to "France services Le Montet", whose `horaires` are
"Mo-Th 09:00-12:00,14:00-18:00; Fr 09:00-12:00; Sa[1] 09:00-12:00" and phone +33470473776.
The clock is pinned in UTC, as the kiosk's own clock gives it; the words follow Paris time
(UTC+1 in December). December 2026: Tuesday 1, first Saturday 5.
"""
from __future__ import annotations

import html
import re
from datetime import datetime, timezone

import pytest

from kiosk import paths
from kiosk.diagnostic.resources import PLACES_SCHEMA
from kiosk.places.directory import load_schema, read_places
from kiosk.storage import store
from kiosk.web import resident as views

LE_MONTET = "france-services-2020-11"
IN_LE_MONTET = {"commune": {"commune": "03183"}}


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=timezone.utc)


def text_of(page: str) -> str:
    """What a reader sees: tags dropped (blocks apart), entities read, no-break spaces
    as spaces."""
    page = re.sub(r"<(script|style|svg)\b.*?</\1>", " ", page, flags=re.S)
    page = re.sub(r"</?(li|p|ul|div|br|h\d)\b[^>]*>", " ", page)
    text = html.unescape(re.sub(r"<[^>]+>", "", page)).replace("\u00a0", " ")
    return re.sub(r"\s+", " ", text)


@pytest.fixture
def app(make_app):
    """A kiosk offering French and Arabic."""
    return make_app(LANGUAGES="fr,ar")


@pytest.fixture
def stock(db):
    """Store the sample places, with some `horaires` replaced: ``stock(id=value)``."""
    def factory(**horaires):
        report = read_places(paths.DATA / "lieux_03.csv", load_schema(PLACES_SCHEMA))
        places = [dict(p, horaires=horaires.get(p["id"], p["horaires"]))
                  for p in report.places]
        store.replace_places(db, places, utc(2026, 11, 30, 8, 0))
    return factory


@pytest.fixture
def result_at(resident, monkeypatch):
    """Finish a diagnostic in Le Montet, then read a page with the clock pinned."""
    resident.complete(IN_LE_MONTET)

    def read(moment: datetime, url: str = "/result") -> str:
        monkeypatch.setattr(views, "now", lambda: moment)
        response = resident.get(url)
        assert response.status_code == 200
        return text_of(response.get_data(as_text=True))
    return read


def test_the_places_hours_and_phone_survive_the_import(app, db):
    """`kiosk places import` keeps the standard's `horaires` and `telephone` as given."""
    runner = app.test_cli_runner()
    assert runner.invoke(args=["places", "import",
                               str(paths.DATA / "lieux_03.csv")]).exit_code == 0
    place = next(p for p in store.all_places(db) if p["id"] == LE_MONTET)
    assert place["horaires"] == (
        "Mo-Th 09:00-12:00,14:00-18:00; Fr 09:00-12:00; Sa[1] 09:00-12:00")
    assert place["telephone"] == "+33470473776"


@pytest.mark.parametrize(("moment", "expected"), [
    # Tuesday 07:45 in Paris: both openings are still to come today.
    (utc(2026, 12, 1, 6, 45), "Ouvert aujourd'hui de 9 h à 12 h et de 14 h à 18 h"),
    # Tuesday 12:30 in Paris: the lunch break.
    (utc(2026, 12, 1, 11, 30), "Ouvert aujourd'hui de 14 h à 18 h"),
    # Monday 18:30 in Paris (17:30 UTC, when the place is still open by UTC).
    (utc(2026, 12, 7, 17, 30), "Prochaine ouverture : demain à 9 h"),
    # Friday 13:00 in Paris, a week whose Saturday is not the first of the month.
    (utc(2026, 12, 11, 12, 0), "Prochaine ouverture : lundi à 9 h"),
])
def test_the_screen_says_when_the_place_is_open_in_paris_time(stock, result_at, moment,
                                                               expected):
    stock()
    page = result_at(moment)
    assert "France services Le Montet" in page
    assert "04 70 47 37 76" in page
    assert expected in page


def test_summer_time_is_paris_time_too(stock, result_at):
    """Tuesday 7 July 2026, 06:30 UTC is 08:30 in Paris (UTC+2): not yet open."""
    stock()
    assert "Ouvert aujourd'hui de 9 h à 12 h" in result_at(utc(2026, 7, 7, 6, 30))


@pytest.mark.parametrize("horaires", [None, "Lu-Ve 9h-12h"])
def test_a_place_without_readable_hours_asks_to_call(stock, result_at, horaires):
    stock(**{LE_MONTET: horaires})
    for url in ("/result", "/result/print"):
        page = result_at(utc(2026, 12, 1, 6, 45), url)
        assert "France services Le Montet" in page
        assert "Horaires non communiqués : appelez avant de venir." in page
        assert "Ouvert" not in page


def test_the_sheet_gives_the_usual_week_never_relative_words(stock, result_at):
    stock()
    sheet = result_at(utc(2026, 12, 1, 6, 45), "/result/print")
    for line in ("lundi : 9 h – 12 h et 14 h – 18 h",
                 "jeudi : 9 h – 12 h et 14 h – 18 h",
                 "vendredi : 9 h – 12 h",
                 "samedi : certaines semaines, 9 h – 12 h",
                 "dimanche : fermé"):
        assert line in sheet
    for stale in ("aujourd'hui", "demain", "Prochaine ouverture", "Ouvert maintenant"):
        assert stale not in sheet
    # Every step leads to Le Montet: its week is printed once, then referred to.
    steps = sheet.count("France services Le Montet")
    assert steps >= 2
    assert sheet.count("lundi : ") == 1
    assert sheet.count("Horaires : voir plus haut.") == steps - 1


def test_the_hours_come_in_the_residents_language(stock, resident, result_at):
    stock()
    result_at(utc(2026, 12, 1, 6, 45))  # finish in French, then switch to Arabic
    resident.post("/language", {"lang": "ar", "next": "/result"})
    page = result_at(utc(2026, 12, 1, 6, 45))
    assert "مفتوح اليوم من 9:00 ص إلى 12:00 م ومن 2:00 م إلى 6:00 م" in page
    sheet = result_at(utc(2026, 12, 1, 6, 45), "/result/print")
    assert "الاثنين: من 9:00 ص إلى 12:00 م ومن 2:00 م إلى 6:00 م" in sheet


def test_times_phone_and_address_keep_left_to_right_in_arabic(stock, resident, result_at,
                                                              monkeypatch):
    """Each time in the hours, the phone and the address are isolated left to right
    (tests/browser/test_bidi.py reads the order Chromium draws)."""
    stock()
    result_at(utc(2026, 12, 1, 6, 45))
    resident.post("/language", {"lang": "ar", "next": "/result"})
    monkeypatch.setattr(views, "now", lambda: utc(2026, 12, 1, 6, 45))
    page = resident.get("/result").get_data(as_text=True)
    assert ('<p class="hours">مفتوح اليوم من <bdi dir="ltr">9:00</bdi> ص إلى '
            '<bdi dir="ltr">12:00</bdi> م ومن <bdi dir="ltr">2:00</bdi> م إلى '
            '<bdi dir="ltr">6:00</bdi> م</p>') in page
    assert '<span class="phone" dir="ltr">04 70 47 37 76</span>' in page
    assert ('<span class="address" lang="fr" dir="ltr">1 Place du Huit Mai, 03240 Le Montet'
            '</span>') in page
    assert 'depuis' not in page and '<span lang="fr" dir="ltr">Le Montet</span>' in page


def test_a_left_to_right_page_gives_its_hours_without_isolating_each_number(
        stock, resident, result_at, monkeypatch):
    """Isolating a time only matters inside right-to-left words: a French page is lighter
    without (four <bdi> a place on the result)."""
    stock()
    result_at(utc(2026, 12, 1, 6, 45))
    monkeypatch.setattr(views, "now", lambda: utc(2026, 12, 1, 6, 45))
    page = resident.get("/result").get_data(as_text=True)
    assert ('<p class="hours">Ouvert aujourd&#39;hui de 9\u00a0h à 12\u00a0h et de '
            '14\u00a0h à 18\u00a0h</p>') in page
    sheet = resident.get("/result/print").get_data(as_text=True)
    assert "<li>lundi : 9\u00a0h – 12\u00a0h et 14\u00a0h – 18\u00a0h</li>" in sheet
    assert "<bdi" not in page + sheet



def test_french_names_are_marked_french_on_other_languages_pages_only(
        stock, resident, result_at, monkeypatch):
    """A place's name and address, and the commune, are French inside an Arabic (or
    English) page; a French page, being French, carries no mark."""
    stock()
    result_at(utc(2026, 12, 1, 6, 45))
    monkeypatch.setattr(views, "now", lambda: utc(2026, 12, 1, 6, 45))
    page = resident.get("/result").get_data(as_text=True)
    assert "<strong>France services Le Montet</strong>" in page
    assert '<span class="address">1 Place du Huit Mai, 03240 Le Montet</span>' in page
    assert "Distances à vol d'oiseau depuis Le Montet." in page
    assert page.count('lang="fr" dir="ltr"') == 1  # <html> alone
    resident.post("/language", {"lang": "ar", "next": "/result"})
    page = resident.get("/result").get_data(as_text=True)
    assert '<strong lang="fr" dir="ltr">France services Le Montet</strong>' in page
    assert '<span lang="fr" dir="ltr">Le Montet</span>' in page


# --- Far places ----------------------------------------------------------------------------

FAR = "C'est loin : appelez avant de vous déplacer."
FAR_NO_PHONE = "C'est loin, et ce lieu ne donne pas de numéro"
GANNAY = "03119"  # Gannay-sur-Loire: 23 km from the nearest sample place or bus stop


def test_a_place_far_away_says_so_and_asks_to_call_first(resident, stock):
    # Bellerive-sur-Allier (03023): the nearest sample place or bus stop, Le Mayet-de-
    # Montagne, is 21 km away (Ainay-le-Château, used before, now has the bus 12 km away).
    stock()
    resident.complete({"commune": {"commune": "03023"}})
    page = text_of(resident.get("/result").get_data(as_text=True))
    assert FAR in page
    assert "À 21,3 km" in page  # (the distance itself is still given)


def test_a_place_nearby_does_not_say_it_is_far(resident, stock):
    stock()
    resident.complete(IN_LE_MONTET)
    page = text_of(resident.get("/result").get_data(as_text=True))
    assert "C'est loin" not in page


def test_a_far_place_without_a_phone_says_whom_to_ask(resident, db, stock):
    stock()
    for place in store.all_places(db):  # none of them gives a phone
        db.execute("update places set telephone = '' where id = ?", [place["id"]])
    db.commit()
    resident.complete({"commune": {"commune": GANNAY}})
    page = text_of(resident.get("/result").get_data(as_text=True))
    assert FAR_NO_PHONE in page and FAR not in page
