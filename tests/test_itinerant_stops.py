"""Itinerant places (the Bourbon'Net bus) told by their stops near the person (issue 9, §2).

The national standard says a place is ``Itinérant`` but not where or when it stops:
questionnaires/data/itinerance_03.csv says so (sample data), read by kiosk.places.stops.
December 2026: Tuesday 1 and 15 are the first and third Tuesdays of the month.
"""
from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from kiosk import paths
from kiosk.diagnostic.resources import COMMUNES_FILE, PLACES_SCHEMA
from kiosk.places.communes import load_communes
from kiosk.places.directory import load_schema, nearest, read_places
from kiosk.places.hours import describe_week, parse as parse_hours
from kiosk.places.stops import read_stops, with_stops
from kiosk.storage import store
from kiosk.web import resident as views
from tests.test_result_hours import text_of

BUS = "france-services-2020-8"
HEADER = "lieu_id,code_insee,adresse,horaires,latitude,longitude\n"
STOPS_FILE = paths.DATA / "itinerance_03.csv"  # the shipped sample
SOUVIGNY, MOULINS = (46.5243440423, 3.18992960249), (46.5624641056, 3.32662040221)


@pytest.fixture(scope="module")
def communes():
    return load_communes(COMMUNES_FILE)


def stops_file(tmp_path, rows: str):
    path = tmp_path / "itinerance.csv"
    path.write_text(HEADER + rows, encoding="utf-8")
    return path


def test_the_sample_schedule_is_valid_and_covers_several_communes(communes):
    places = read_places(paths.DATA / "lieux_03.csv", load_schema(PLACES_SCHEMA)).places
    itinerant = [p["id"] for p in places if "Itinérant" in (p["itinerance"] or ())]
    assert itinerant == [BUS]
    report = read_stops(STOPS_FILE, communes, itinerant)
    assert report.errors == []
    assert len({stop["code_insee"] for stop in report.stops}) == 10
    souvigny = report.stops[0]
    assert (souvigny["commune"], souvigny["adresse"]) == ("Souvigny", "Place de la Mairie")
    # No coordinates given: the stop stands at the commune's centre.
    assert (souvigny["latitude"], souvigny["longitude"]) == SOUVIGNY


def test_bad_rows_are_errors_with_their_line_and_are_left_out(tmp_path, communes):
    path = stops_file(tmp_path, (
        f"{BUS},03275,Place de la Mairie,\"Tu[1,3] 09:30-12:00\",,\n"       # line 2: good
        f"{BUS},75056,Place de la Mairie,Tu 09:30-12:00,,\n"                # not the Allier
        f"france-services-2020-11,03190,Place d'Allier,Tu 09:30-12:00,,\n"  # a fixed place
        f"{BUS},03247,Place de l'Église,Mardi 9h30-12h,,\n"                 # unreadable hours
        f"{BUS},03247,,We 09:30-12:00,46.58,\n"                             # no address, half a point
        f"{BUS},03275,place de la mairie,We 14:00-16:00,,\n"                # line 2 again
        f"{BUS},03036,Parking,Th 09:30-12:00,46.58,93.2\n"))                # line 8: good
    report = read_stops(path, communes, [BUS])
    assert [str(issue) for issue in report.errors] == [
        f"line 3: id {BUS}: code_insee: '75056' is not an Allier commune",
        "line 4: id france-services-2020-11: lieu_id: 'france-services-2020-11' is not an "
        "itinerant place of the places file",
        f"line 5: id {BUS}: horaires: cannot read opening hours: 'di 9h30-12h' in "
        "'Mardi 9h30-12h'",
        f"line 6: id {BUS}: adresse: required value is missing",
        f"line 6: id {BUS}: latitude: give both latitude and longitude, or neither",
        f"line 7: id {BUS}: adresse: same stop as on line 2",
    ]
    assert [stop["id"] for stop in report.stops] == [f"{BUS}@2", f"{BUS}@8"]


def test_a_file_without_a_needed_column_is_one_error(tmp_path, communes):
    path = tmp_path / "itinerance.csv"
    path.write_text("lieu_id,code_insee,horaires\n", encoding="utf-8")
    assert [str(e) for e in read_stops(path, communes).errors] == [
        "line 1: missing column(s): adresse"]


def test_a_bus_is_as_near_as_its_nearest_stop_and_brings_its_two_nearest(communes):
    stops = read_stops(STOPS_FILE, communes).stops
    bus = {"id": BUS, "nom": "Bus", "latitude": MOULINS[0], "longitude": MOULINS[1],
           "services": ["Aide aux démarches administratives"]}
    fixed = {"id": "fixed", "nom": "Fixe", "latitude": 46.55, "longitude": 3.20,
             "services": ["Aide aux démarches administratives"]}
    near = nearest(with_stops([bus, fixed], stops), *SOUVIGNY, limit=2)
    assert [place["id"] for _km, place in near] == [BUS, "fixed"]
    km, found = near[0]
    assert km == 0  # a stop in Souvigny itself, not the bus's base in Moulins (11.3 km)
    assert [(round(stop_km, 1), stop["commune"]) for stop_km, stop in found["stops"]] == [
        (0.0, "Souvigny"), (7.3, "Saint-Menoux")]
    # Without stops, a bus is still measured from its registered address.
    assert round(nearest([bus], *SOUVIGNY)[0][0], 1) == 11.3


def test_a_stop_every_other_week_is_not_promised_every_week():
    """Tu[1,3] stops on half the Tuesdays: "some weeks", and no line for days it never comes."""
    week = describe_week(parse_hours("Tu[1,3] 09:30-12:00; PH off"), date(2026, 12, 1), "fr",
                         lambda text: text, only_open=True)
    assert [line.replace("\u00a0", " ") for line in week] == [
        "mardi : certaines semaines, 9 h 30 – 12 h"]


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=timezone.utc)


def test_a_resident_of_souvigny_sees_the_bus_by_its_stop_and_day(db, resident,
                                                                monkeypatch):
    report = read_places(paths.DATA / "lieux_03.csv", load_schema(PLACES_SCHEMA))
    store.replace_places(db, report.places, utc(2026, 11, 30, 8, 0))
    resident.complete({"commune": {"commune": "03275"}})  # Souvigny

    def read(moment, url="/result"):
        monkeypatch.setattr(views, "now", lambda: moment)
        return text_of(resident.get(url).get_data(as_text=True))

    # Wednesday 2 December: the bus is next in Souvigny on the third Tuesday.
    page = read(utc(2026, 12, 2, 9, 0))
    assert "France services La Bourbon’NET" in page
    assert "Souvigny, Place de la Mairie · dans votre commune" in page
    assert "Prochaine ouverture : mardi 15 décembre 2026 à 9 h 30" in page
    assert "Saint-Menoux, Place de l'Église · À 7,3 km" in page
    assert "1 Avenue Victor Hugo" not in page  # where the bus is kept, not where it stops
    # On a Tuesday it comes, the words say today.
    assert "Ouvert aujourd'hui de 9 h 30 à 12 h" in read(utc(2026, 12, 1, 6, 45))
    # On paper, its days, never relative words.
    sheet = read(utc(2026, 12, 2, 9, 0), "/result/print")
    assert "Souvigny, Place de la Mairie" in sheet
    assert "mardi : certaines semaines, 9 h 30 – 12 h" in sheet
    assert "lundi : fermé" not in sheet.split("Souvigny, Place de la Mairie")[1][:200]
    # The bus may come up in several steps: each stop's days are printed once.
    steps = sheet.count("France services La Bourbon’NET")
    assert steps >= 2
    assert sheet.count("mardi : certaines semaines, 9 h 30 – 12 h") == 1


def test_kiosk_check_names_the_file_and_line_of_a_bad_stop(tmp_path):
    import shutil

    from tests.test_cli import fresh_app

    data = tmp_path / "questionnaires"
    shutil.copytree(paths.QUESTIONNAIRES, data)
    path = data / "data" / "itinerance_03.csv"
    path.write_text(HEADER + f"{BUS},03275,Place de la Mairie,Tu 09:30-12:00,,\n"
                             f"{BUS},75056,Place de la Mairie,Tu 09:30-12:00,,\n",
                    encoding="utf-8")
    result = fresh_app(tmp_path, DATA_DIR=str(data)).test_cli_runner().invoke(args=["check"])
    assert result.exit_code == 1
    assert f"{path}:3: id {BUS}: code_insee: '75056' is not an Allier commune" in result.output
