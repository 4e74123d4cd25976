"""The codes a person scans on the result page, read back by a real decoder (zbar).

The take-home code carries the first step, its place's name and phone (and its address
when it fits) in a text a phone camera shows in full: version 10 at most. A place that
publishes a booking link (`prise_rdv`) gets its own small code of that link.

Every first step the kiosk can give is tried: each offer of questionnaires/offers.yaml
with each sample place (questionnaires/data/lieux_03.csv), and each offer naming no place
followed by one that does (their titles run on to the place), in the seven languages.
"""
from __future__ import annotations

import functools
import html
import re
from datetime import date
from itertools import product

import pytest
import yaml
from babel import Locale
from babel.support import Translations

from kiosk import paths
from kiosk.diagnostic.resources import PLACES_SCHEMA
from kiosk.places import hours
from kiosk.places.directory import load_schema, read_places
from kiosk.web.site import format_phone
from kiosk.web.result_page import (QR_MAX_VERSION, booking_links, compact_week, qr_code,
                                   qr_svg, take_home_lines, take_home_text)
from tests.zbar import decode_png

LANGUAGES = ["fr", "en", "ar", "pt_PT", "tr", "uk", "fa_AF"]
OFFERS = yaml.safe_load((paths.ROOT / "questionnaires" / "offers.yaml").read_text("utf-8"))
PLACES = read_places(paths.DATA / "lieux_03.csv", load_schema(PLACES_SCHEMA)).places
LE_MONTET = "france-services-2020-11"
BOOKING = "https://www.rdv-solidarites.fr/"  # the sample `prise_rdv` (SOURCES.md)
SHOWN_ON = date(2026, 12, 1)  # a Tuesday


def translator(lang: str):
    return str if lang == "fr" else Translations.load(str(paths.ROOT / "translations"),
                                                      [lang]).ugettext


@functools.cache
def week(place_id: str, lang: str) -> str:
    """A sample place's usual week, as its take-home code gives it in ``lang``."""
    place = next(p for p in PLACES if p["id"] == place_id)
    return compact_week(hours.parse_or_none(place["horaires"]), SHOWN_ON, Locale.parse(lang),
                        translator(lang))


def take_home(titles, place, lang: str) -> str:
    """The take-home text of this first step, as the result page makes it in ``lang``."""
    return take_home_text(*take_home_lines(titles, place, week(place["id"], lang)))


def first_steps(lang: str):
    """(titles, place) of every first step the kiosk can give, in ``lang``."""
    tr = translator(lang)
    titles = [tr(o["title"]) for o in OFFERS["offers"]]
    placeless = [tr(o["title"]) for o in OFFERS["offers"] if "places" not in o]
    for title, place in product(titles, PLACES):
        yield [title], place
    for first, then, place in product(placeless, titles, PLACES):
        yield [first, then], place


def test_the_longest_french_first_step_fits_version_10():
    longest = max((take_home(titles, place, "fr") for titles, place in first_steps("fr")),
                  key=lambda text: len(text.encode()))
    assert len(longest.encode()) >= 240  # two titles, a place, its week (today's longest)
    assert qr_code(longest).version <= QR_MAX_VERSION == 10


def test_a_french_step_keeps_its_week_or_address_and_le_montet_keeps_both():
    for titles, place in first_steps("fr"):
        text = take_home(titles, place, "fr")
        address = f"{place['adresse']}, {place['code_postal']} {place['commune']}"
        assert week(place["id"], "fr") in text or address in text, text
    montet = next(p for p in PLACES if p["id"] == LE_MONTET)
    for titles in (["Faire vos démarches avec une personne de confiance."],
                   ["Progresser en lecture ou en français.", "Aller plus loin."]):
        assert take_home(titles, montet, "fr").endswith(
            "04 70 47 37 76\nlun.–jeu. : 9\u00a0h – 12\u00a0h et 14\u00a0h – 18\u00a0h\n"
            "ven. : 9\u00a0h – 12\u00a0h\n1 Place du Huit Mai, 03240 Le Montet")


def test_the_bus_gives_its_phone_and_week_not_its_base_address():
    bus = next(p for p in PLACES if p["itinerance"] == ["Itinérant"])
    assert take_home(["Aller plus loin."], bus, "fr") == (
        "Aller plus loin.\nFrance services La Bourbon’NET\n07 85 12 41 46\n"
        "lun.–ven. : 9\u00a0h\u00a030 – 14\u00a0h\u00a030")


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_language_keeps_step_place_and_phone_within_version_10(lang):
    for titles, place in first_steps(lang):
        text = take_home(titles, place, lang)
        assert qr_code(text).version <= 10, text
        assert len(text.split("\n")) <= 8, text
        assert text.startswith("\n".join(titles) + "\n" + place["nom"])
        if place["telephone"]:
            # +33470473776 is dialled 04 70 47 37 76
            phone = text.split("\n")[len(titles) + 1]
            assert phone.replace(" ", "") == "0" + place["telephone"][3:]


NEEDED = ["Être accompagné par un conseiller numérique.", "France services Huriel",
          "04 70 09 33 25"]
ADDRESS = "6 rue des Calaubys, 03380 Huriel"


def test_a_week_too_many_lines_gives_way_to_the_address():
    """Five lines of hours after three needed ones, then the address: nine lines, one
    more than a phone shows; the week alone would fit in eight, and comes first."""
    five_days = "\n".join(f"{day} : 9 h – 12 h" for day in ("lun.", "mar.", "mer.", "jeu.",
                                                            "ven."))
    assert take_home_text(NEEDED, [five_days, ADDRESS]) == "\n".join(NEEDED + [five_days])
    six_days = five_days + "\nsam. : 9 h – 12 h"
    assert take_home_text(NEEDED, [six_days, ADDRESS]) == "\n".join(NEEDED + [ADDRESS])


def test_a_text_too_long_for_version_10_loses_the_address_then_the_week():
    """Long Ukrainian titles (a step naming no place, then the step with the place): what
    would pass version 10 goes; the steps, the place and its phone stay, even past it."""
    title = "Вирішувати адміністративні справи разом із людиною, якій ви довіряєте."
    short = "Ділитися своїми знаннями."
    week = "пн–пт: 09:00–12:00"

    def lines_kept(titles):
        text = take_home_text(titles + NEEDED[1:], [week, ADDRESS])
        return text.split("\n")[len(titles) + 2:], qr_code(text).version

    assert lines_kept([title]) == ([week, ADDRESS], 9)
    assert lines_kept([title, short]) == ([week], 10)
    assert lines_kept([title, title]) == ([], 11)


@pytest.mark.parametrize("lang", ["fr", "ar", "uk"])
def test_zbar_reads_the_longest_take_home_code(tmp_path, lang):
    text, place = max(((take_home(titles, place, lang), place)
                       for titles, place in first_steps(lang)),
                      key=lambda pair: len(pair[0].encode()))
    qr_code(text).save(tmp_path / "qr.png", scale=4, border=4)
    decoded = decode_png(tmp_path / "qr.png")
    assert decoded == text
    assert place["nom"] in decoded
    assert place["telephone"] is None or format_phone(place["telephone"]) in decoded


def test_zbar_reads_the_le_montet_first_step_in_french(tmp_path):
    place = next(p for p in PLACES if p["id"] == LE_MONTET)
    text = take_home(["Apprendre à reconnaître les arnaques."], place, "fr")
    qr_code(text).save(tmp_path / "qr.png", scale=4, border=4)
    # The usual week only: Le Montet's first-Saturday opening is on the sheet.
    assert decode_png(tmp_path / "qr.png").replace("\u00a0", " ") == (
        "Apprendre à reconnaître les arnaques.\nFrance services Le Montet\n04 70 47 37 76\n"
        "lun.–jeu. : 9 h – 12 h et 14 h – 18 h\nven. : 9 h – 12 h\n"
        "1 Place du Huit Mai, 03240 Le Montet")


def test_one_sample_place_publishes_a_booking_link():
    assert {p["id"]: p["prise_rdv"] for p in PLACES if p["prise_rdv"]} == {LE_MONTET: BOOKING}


def test_the_result_shows_the_booking_code_beside_its_place_once(resident, db, app, tmp_path):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["places", "import",
                               str(paths.DATA / "lieux_03.csv")]).exit_code == 0
    resident.complete({"commune": {"commune": "03183"}})       # Le Montet
    for url in ("/result", "/result/print"):
        page = resident.get(url).get_data(as_text=True)
        bookings = re.findall(r'<figure class="booking">(.*?)</figure>', page, flags=re.S)
        assert len(bookings) == 1, url
        assert qr_svg(BOOKING) in bookings[0]
        assert "Prendre rendez-vous avec votre téléphone" in html.unescape(bookings[0])
        place = page[page.index('<li class="place">'):]
        assert place.index("France services Le Montet") < place.index("</li>")
    qr_code(BOOKING).save(tmp_path / "booking.png", scale=4, border=4)
    assert decode_png(tmp_path / "booking.png") == BOOKING


def test_a_booking_link_that_is_not_a_web_address_gets_no_code():
    places = [{"id": "a", "data": '{"prise_rdv": "javascript:alert(1)"}'},
              {"id": "b", "data": '{"prise_rdv": "  https://rdv.example.fr/x  "}'},
              {"id": "c", "data": '{"prise_rdv": null}'},
              {"id": "d", "prise_rdv": "https://rdv.example.fr/d"}]
    assert booking_links(places) == {"b": "https://rdv.example.fr/x",
                                     "d": "https://rdv.example.fr/d"}
