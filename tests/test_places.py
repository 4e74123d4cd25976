"""Tests for kiosk.places.directory: importing places in the national mediation standard."""

import csv
import io
from pathlib import Path

import pytest

from kiosk.places.directory import (LIST_FIELDS, ImportReport, RowIssue, load_schema, nearest,
                                    read_places)

DATA = Path(__file__).resolve().parents[1] / "questionnaires" / "data"
EXAMPLE = DATA / "exemple-valide_mediation_numerique.csv"
AIDE = "Aide aux démarches administratives"
MAITRISE = "Maîtrise des outils numériques du quotidien"


@pytest.fixture(scope="module")
def schema() -> dict:
    return load_schema(DATA / "schema_mediation_numerique.json")


def example_rows() -> tuple[list[str], dict[str, str]]:
    """The header and the one row of the standard's valid example."""
    with open(EXAMPLE, encoding="utf-8-sig", newline="") as handle:
        header, row = list(csv.reader(handle))
    return header, dict(zip(header, row))


def write_csv(path: Path, header: list[str], rows: list[dict[str, str]],
              encoding: str = "utf-8") -> Path:
    with open(path, "w", encoding=encoding, newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=header, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return path


def three_places(broken: dict[str, str] | None = None) -> tuple[list[str], list[dict]]:
    """Three valid places (ids structure-1..3); ``broken`` edits the second, on line 3."""
    header, base = example_rows()
    rows = [dict(base, id=f"structure-{n}") for n in (1, 2, 3)]
    rows[1].update(broken or {})
    return header, rows


def ids(report: ImportReport) -> list[str]:
    return [place["id"] for place in report.places]


# --- the shipped files -------------------------------------------------------------------


def test_shipped_sample_imports_with_only_pivot_warnings(schema):
    report = read_places(DATA / "lieux_03.csv", schema)
    assert report.errors == []
    assert len(report.places) == 9
    assert len(report.warnings) == 9
    assert {w.field for w in report.warnings} == {"pivot"}
    assert [w.line for w in report.warnings] == list(range(2, 11))
    assert all(place["pivot"] is None for place in report.places)


def test_shipped_sample_values_are_converted(schema):
    bus = read_places(DATA / "lieux_03.csv", schema).places[0]
    assert bus["nom"] == "France services La Bourbon’NET"
    assert bus["code_postal"] == "03000" and bus["code_insee"] == "03190"
    assert bus["latitude"] == pytest.approx(46.56853)
    assert bus["itinerance"] == ["Itinérant"]
    assert bus["services"] == [AIDE]
    assert bus["dispositif_programmes_nationaux"] == ["France Services"]
    assert bus["date_maj"] == "2020-10-12"
    assert bus["site_web"] is None and bus["complement_adresse"] is None


def test_standard_example_is_valid_and_list_fields_are_split(schema):
    report = read_places(EXAMPLE, schema)
    assert (report.errors, report.warnings) == ([], [])
    [place] = report.places
    assert place["services"] == [
        MAITRISE,
        "Insertion professionnelle via le numérique",
        "Loisirs et créations numériques",
    ]
    assert place["typologie"] == ["TIERS_LIEUX", "ASSO"]
    assert len(place["courriels"]) == 2
    assert place["frais_a_charge"] == ["Gratuit sous condition", "Payant"]
    assert place["latitude"] == 43.52609 and place["longitude"] == 5.41423
    # Opening hours use ";" between rules: never split.
    assert place["horaires"] == "Mo-Fr 09:00-12:00,14:00-18:30; Sa 08:30-12:00"
    # Free text and single-valued fields stay strings.
    assert isinstance(place["presentation_detail"], str)
    assert place["telephone"] == "+33180059880"
    assert list(place) == [f["name"] for f in schema["fields"]]


def test_list_fields_are_exactly_the_multi_valued_fields_of_the_schema(schema):
    """Every field whose pattern repeats "(?:^|\\|)" is a list field, and not horaires."""
    fields = {f["name"]: f for f in schema["fields"]}
    repeated = {name for name, f in fields.items()
                if r"(?:^|\|)" in f.get("constraints", {}).get("pattern", "")}
    assert repeated <= LIST_FIELDS <= set(fields)
    assert {"typologie", "courriels", "site_web"} <= LIST_FIELDS
    assert "horaires" not in LIST_FIELDS and "telephone" not in LIST_FIELDS


# --- accepted variations -------------------------------------------------------------------


def test_semicolon_separated_values_are_accepted_and_split(schema, tmp_path):
    header, rows = three_places({
        "services": f"{AIDE} ; {MAITRISE};",
        "modalites_acces": "Se présenter;Téléphoner",
    })
    report = read_places(write_csv(tmp_path / "lieux.csv", header, rows), schema)
    assert report.errors == []
    assert report.places[1]["services"] == [AIDE, MAITRISE]
    assert report.places[1]["modalites_acces"] == ["Se présenter", "Téléphoner"]


def test_bom_and_unknown_columns(schema, tmp_path):
    header, rows = three_places()
    header = [*header, "remarque"]
    rows = [dict(row, remarque="interne") for row in rows]
    path = write_csv(tmp_path / "lieux.csv", header, rows, encoding="utf-8-sig")
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    report = read_places(path, schema)
    assert report.errors == [] and ids(report) == ["structure-1", "structure-2", "structure-3"]
    assert "remarque" not in report.places[0]


def test_binary_and_text_file_objects(schema):
    data = EXAMPLE.read_bytes()
    binary = io.BytesIO(b"\xef\xbb\xbf" + data)
    assert ids(read_places(binary, schema)) == ["structure-1"]
    assert not binary.closed  # the caller's stream is left open
    text = io.StringIO("\ufeff" + data.decode("utf-8"), newline="")
    assert ids(read_places(text, schema)) == ["structure-1"]


def test_presentation_resume_of_exactly_280_characters_is_accepted(schema, tmp_path):
    header, rows = three_places({"presentation_resume": "é" * 280})
    report = read_places(write_csv(tmp_path / "lieux.csv", header, rows), schema)
    assert report.errors == [] and len(report.places) == 3


def test_missing_pivot_column_only_warns(schema, tmp_path):
    header, rows = three_places()
    header.remove("pivot")
    rows = [{k: v for k, v in row.items() if k != "pivot"} for row in rows]
    report = read_places(write_csv(tmp_path / "lieux.csv", header, rows), schema)
    assert report.errors == [] and len(report.places) == 3
    assert [(w.line, w.field) for w in report.warnings] == [(n, "pivot") for n in (2, 3, 4)]


def test_unreadable_hours_keep_the_place_and_warn_where_to_fix(schema, tmp_path):
    """The place still counts (the kiosk asks to call); the operator sees the rule."""
    header, rows = three_places({"horaires": "Mo-Fr 09:00-12:00; Sa 9h-12h"})
    report = read_places(write_csv(tmp_path / "lieux.csv", header, rows), schema)
    assert report.errors == [] and len(report.places) == 3
    [warning] = report.warnings
    assert (warning.line, warning.field) == (3, "horaires")
    assert "'9h-12h' in" in warning.message and "call" in warning.message
    assert report.places[1]["horaires"] == "Mo-Fr 09:00-12:00; Sa 9h-12h"


def test_blank_lines_are_skipped_but_counted(schema, tmp_path):
    header, rows = three_places({"code_postal": "123"})
    path = write_csv(tmp_path / "lieux.csv", header, rows)
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join([lines[0], "\n", ",,,\n", *lines[1:]]), encoding="utf-8")
    report = read_places(path, schema)
    assert [(e.line, e.field) for e in report.errors] == [(5, "code_postal")]


# --- rejected rows -------------------------------------------------------------------------


@pytest.mark.parametrize(("field", "value", "message"), [
    ("code_postal", "3000", "pattern"),
    ("code_postal", "03 000", "pattern"),
    ("code_insee", "3190", "pattern"),
    ("telephone", "04 70 00 00 00", "pattern"),
    ("telephone", "+33470000000|+33470000001", "pattern"),  # one number only
    ("services", f"{AIDE}|Cours de cuisine", "'Cours de cuisine'"),
    ("services", "aide aux démarches administratives", "not allowed"),  # case matters
    ("itinerance", "Ambulant", "not allowed"),
    ("dispositif_programmes_nationaux", "France services;Aidants Connect", "'France services'"),
    ("date_maj", "02/04/2024", "YYYY-MM-DD"),
    ("date_maj", "2024-02-30", "YYYY-MM-DD"),
    ("date_maj", "20240402", "YYYY-MM-DD"),
    ("latitude", "quarante-six", "not a number"),
    ("latitude", "46,5", "not a number"),
    ("latitude", "nan", "not a number"),
    ("latitude", "146.5", "out of range"),
    ("longitude", "-200", "out of range"),
    ("id", "structure-1", "already used on line 2"),
    ("nom", "", "required value is missing"),
    ("nom", "   ", "required value is missing"),
    ("date_maj", "", "required value is missing"),
    ("pivot", "1234", "pattern"),
    ("pivot", "434 933 123 00029", "pattern"),
    ("presentation_resume", "x" * 281, "281 characters, more than the maximum of 280"),
])
def test_broken_row_is_rejected_and_the_others_kept(schema, tmp_path, field, value, message):
    header, rows = three_places({field: value})
    report = read_places(write_csv(tmp_path / "lieux.csv", header, rows), schema)
    assert ids(report) == ["structure-1", "structure-3"]
    [error] = report.errors
    assert (error.line, error.field) == (3, field)
    assert message in error.message
    assert str(error).startswith(f"line 3: id {rows[1]['id'] or 'structure-2'}: {field}: ")
    assert report.warnings == []


def test_every_problem_of_a_row_is_reported(schema, tmp_path):
    header, rows = three_places({"code_postal": "3000", "nom": "", "latitude": "x"})
    report = read_places(write_csv(tmp_path / "lieux.csv", header, rows), schema)
    assert sorted(e.field for e in report.errors) == ["code_postal", "latitude", "nom"]
    assert {e.line for e in report.errors} == {3}
    assert len(report.places) == 2


def test_line_numbers_are_physical_lines_with_multiline_values(schema, tmp_path):
    header, rows = three_places({"code_postal": "123"})
    rows[0]["presentation_detail"] = "Première ligne.\nDeuxième ligne.\nTroisième."
    report = read_places(write_csv(tmp_path / "lieux.csv", header, rows), schema)
    # structure-1 spans lines 2-4, so the broken structure-2 starts on line 5.
    assert [(e.line, e.row_id) for e in report.errors] == [(5, "structure-2")]


def test_row_with_wrong_number_of_cells_is_rejected(schema, tmp_path):
    header, rows = three_places()
    path = write_csv(tmp_path / "lieux.csv", header, rows)
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[2] = lines[2].rstrip("\n") + ",extra\n"
    path.write_text("".join(lines), encoding="utf-8")
    report = read_places(path, schema)
    assert ids(report) == ["structure-1", "structure-3"]
    assert [(e.line, e.field) for e in report.errors] == [(3, None)]
    assert "cells" in report.errors[0].message


@pytest.mark.parametrize("dropped", [["nom"], ["nom", "date_maj"]])
def test_missing_required_column_is_one_file_level_error(schema, tmp_path, dropped):
    header, rows = three_places()
    header = [name for name in header if name not in dropped]
    rows = [{k: v for k, v in row.items() if k in header} for row in rows]
    report = read_places(write_csv(tmp_path / "lieux.csv", header, rows), schema)
    assert report.places == []
    [error] = report.errors
    assert (error.line, error.row_id, error.field) == (1, None, None)
    assert all(name in error.message for name in dropped)
    assert str(error) == f"line 1: {error.message}"


def test_file_that_is_not_utf8_is_rejected_whole(schema, tmp_path):
    header, rows = three_places()
    path = write_csv(tmp_path / "lieux.csv", header, rows, encoding="cp1252")
    report = read_places(path, schema)
    assert report.places == []
    assert [e.line for e in report.errors] == [1] and "UTF-8" in report.errors[0].message


def test_empty_file(schema, tmp_path):
    path = tmp_path / "vide.csv"
    path.write_bytes(b"")
    report = read_places(path, schema)
    assert report.places == [] and len(report.errors) == 1


def test_row_issue_str():
    assert str(RowIssue(7, "lieu-3", "telephone", "bad")) == "line 7: id lieu-3: telephone: bad"
    assert str(RowIssue(7, None, "nom", "missing")) == "line 7: nom: missing"



def test_column_appearing_twice_is_one_file_level_error(schema, tmp_path):
    header, rows = three_places()
    path = write_csv(tmp_path / "lieux.csv", header, rows)
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[0] = lines[0].rstrip("\n") + ",nom\n"
    lines[1:] = [line.rstrip("\n") + ",Autre nom\n" for line in lines[1:]]
    path.write_text("".join(lines), encoding="utf-8")
    report = read_places(path, schema)
    assert report.places == []
    assert [(e.line, e.message) for e in report.errors] == [(1, "column(s) appearing twice: nom")]


# --- nearest -------------------------------------------------------------------------------

MOULINS = (46.5624641056, 3.32662040221)
VICHY = (46.1300051383, 3.42442081174)


def place(nom, lat, lon, services=(AIDE,), programmes=()):
    return {"nom": nom, "latitude": lat, "longitude": lon,
            "services": list(services) or None,
            "dispositif_programmes_nationaux": list(programmes) or None}


@pytest.fixture
def places():
    return [
        place("Vichy médiathèque", *VICHY, services=[MAITRISE],
              programmes=["Conseillers numériques"]),
        place("Moulins B", *MOULINS),
        place("Moulins A", *MOULINS, programmes=["France Services"]),
        place("Sans coordonnées", None, None),
        place("Cusset", 46.134, 3.456, services=[], programmes=["Aidants Connect"]),
    ]


def test_nearest_sorted_by_distance_then_name(places):
    found = nearest(places, *MOULINS, limit=10)
    assert [p["nom"] for _, p in found] == [
        "Moulins A", "Moulins B", "Cusset", "Vichy médiathèque"]
    assert found[0][0] == 0
    assert 45 < found[3][0] < 55
    assert [km for km, _ in found] == sorted(km for km, _ in found)


def test_nearest_default_limit_is_3(places):
    assert len(nearest(places, *VICHY)) == 3
    assert nearest(places, *VICHY, limit=0) == []


def test_nearest_filtered_by_service(places):
    found = nearest(places, *MOULINS, services=[MAITRISE])
    assert [p["nom"] for _, p in found] == ["Vichy médiathèque"]
    assert nearest(places, *MOULINS, services=MAITRISE) == found  # a lone string is one value


def test_nearest_filtered_by_programme(places):
    found = nearest(places, *MOULINS, programmes=["Aidants Connect", "France Services"])
    assert [p["nom"] for _, p in found] == ["Moulins A", "Cusset"]


def test_nearest_with_services_and_programmes_takes_either(places):
    found = nearest(places, *VICHY, services=[MAITRISE], programmes=["France Services"])
    assert [p["nom"] for _, p in found] == ["Vichy médiathèque", "Moulins A"]


def test_nearest_with_no_match(places):
    parentalite = "Parentalité et éducation avec le numérique"
    assert nearest(places, *VICHY, services=[parentalite]) == []


def test_nearest_on_the_shipped_sample(schema):
    report = read_places(DATA / "lieux_03.csv", schema)
    found = nearest(report.places, *VICHY, programmes=["France Services"])
    assert [p["commune"] for _, p in found] == ["Le Mayet-de-Montagne", "Lapalisse", "Ébreuil"]
