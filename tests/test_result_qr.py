"""The codes a person scans on the result page, read back by a real decoder (zbar).

The take-home code carries the first step, its place's name and phone (and its address
when it fits) in a text a phone camera shows in full: version 10 at most. A place that
publishes a booking link (`prise_rdv`) gets its own small code of that link.

Every first step the kiosk can give is tried: each offer of questionnaires/offers.yaml
with each sample place (questionnaires/data/lieux_03.csv), and each offer naming no place
followed by one that does (their titles run on to the place), in the seven languages.
"""
from __future__ import annotations

import html
import re
from itertools import product

import pytest
import yaml
from babel.support import Translations

from kiosk import paths
from kiosk.diagnostic.resources import PLACES_SCHEMA
from kiosk.places.directory import load_schema, read_places
from kiosk.web.site import format_phone
from kiosk.web.result_page import (QR_MAX_VERSION, booking_links, qr_code, qr_svg,
                                   take_home_lines, take_home_text)
from tests.zbar import decode_png

LANGUAGES = ["fr", "en", "ar", "pt_PT", "tr", "uk", "fa_AF"]
OFFERS = yaml.safe_load((paths.ROOT / "questionnaires" / "offers.yaml").read_text("utf-8"))
PLACES = read_places(paths.DATA / "lieux_03.csv", load_schema(PLACES_SCHEMA)).places
LE_MONTET = "france-services-2020-11"
BOOKING = "https://www.rdv-solidarites.fr/"  # the sample `prise_rdv` (SOURCES.md)


def translator(lang: str):
    return str if lang == "fr" else Translations.load(str(paths.ROOT / "translations"),
                                                      [lang]).ugettext


def first_steps(lang: str):
    """(titles, place) of every first step the kiosk can give, in ``lang``."""
    tr = translator(lang)
    titles = [tr(o["title"]) for o in OFFERS["offers"]]
    placeless = [tr(o["title"]) for o in OFFERS["offers"] if "places" not in o]
    for title, place in product(titles, PLACES):
        yield [title], place
    for first, then, place in product(placeless, titles, PLACES):
        yield [first, then], place


def test_the_longest_french_first_step_fits_version_10_with_its_address():
    pairs = [(take_home_text(*take_home_lines(titles, place)), place)
             for titles, place in first_steps("fr")]
    longest, _place = max(pairs, key=lambda pair: len(pair[0].encode()))
    assert qr_code(longest).version <= QR_MAX_VERSION == 10
    assert "Marcillat" in longest and len(longest.encode()) >= 198  # the longest today
    # Nothing was dropped: each text ends with its place's address (but the bus's).
    for text, place in pairs:
        if place["itinerance"] != ["Itinérant"]:
            assert text.endswith(f"\n{place['adresse']}, {place['code_postal']} "
                                 f"{place['commune']}"), text


def test_the_bus_gives_its_phone_not_its_base_address():
    bus = next(p for p in PLACES if p["itinerance"] == ["Itinérant"])
    assert take_home_text(*take_home_lines(["Aller plus loin."], bus)) == (
        "Aller plus loin.\nFrance services La Bourbon’NET\n07 85 12 41 46")


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_language_keeps_step_place_and_phone_within_version_10(lang):
    for titles, place in first_steps(lang):
        text = take_home_text(*take_home_lines(titles, place))
        assert qr_code(text).version <= 10, text
        assert text.startswith("\n".join(titles) + "\n" + place["nom"])
        if place["telephone"]:
            # +33470473776 is dialled 04 70 47 37 76
            phone = text.split("\n")[len(titles) + 1]
            assert phone.replace(" ", "") == "0" + place["telephone"][3:]


def test_a_text_too_long_for_version_10_loses_the_address_first():
    """Two long Ukrainian titles (a step naming no place, then the step with the place)
    and the longest sample place: the address does not fit; step, place and phone do."""
    titles = ["Вирішувати адміністративні справи разом із людиною, якій ви довіряєте."] * 2
    place = next(p for p in PLACES if p["nom"] == "France services Marcillat en Combrailles")
    needed, optional = take_home_lines(titles, place)
    assert optional == ["Place Pierre-Bitard, 03420 Marcillat-en-Combraille"]
    assert qr_code("\n".join(needed + optional)).version > 10
    assert take_home_text(needed, optional) == "\n".join(
        titles + ["France services Marcillat en Combrailles", "04 70 51 10 20"])


@pytest.mark.parametrize("lang", ["fr", "ar", "uk"])
def test_zbar_reads_the_longest_take_home_code(tmp_path, lang):
    text, place = max(((take_home_text(*take_home_lines(titles, place)), place)
                       for titles, place in first_steps(lang)),
                      key=lambda pair: len(pair[0].encode()))
    qr_code(text).save(tmp_path / "qr.png", scale=4, border=4)
    decoded = decode_png(tmp_path / "qr.png")
    assert decoded == text
    assert place["nom"] in decoded
    assert place["telephone"] is None or format_phone(place["telephone"]) in decoded


def test_zbar_reads_the_le_montet_first_step_in_french(tmp_path):
    place = next(p for p in PLACES if p["id"] == LE_MONTET)
    text = take_home_text(*take_home_lines(["Apprendre à reconnaître les arnaques."], place))
    qr_code(text).save(tmp_path / "qr.png", scale=4, border=4)
    assert decode_png(tmp_path / "qr.png") == (
        "Apprendre à reconnaître les arnaques.\nFrance services Le Montet\n"
        "04 70 47 37 76\n1 Place du Huit Mai, 03240 Le Montet")


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
