"""`kiosk mediator export`: the activity records as La Coop's CSV. Every column holds
only La Coop's values (or a date or number where La Coop has one, or non_communique),
and free text (notes, workshop titles) only in a mediator's export of their own."""
from __future__ import annotations

import csv
from datetime import date, datetime, timezone

import pytest
from werkzeug.datastructures import MultiDict

from kiosk.mediation import coop, cra
from kiosk.storage import store

NOTE = "Mme Dupont a du mal avec son mot de passe"
TITLE = "Atelier courriel de la médiathèque"
MOMENT = datetime(2026, 11, 24, 15, tzinfo=timezone.utc)
NC = coop.NOT_GIVEN


def one_of(values):
    return lambda cell: cell in values


def listed(values, empty_is_nc=False):
    def check(cell):
        if empty_is_nc and cell == NC:
            return True
        items = cell.split(cra.LIST_SEPARATOR)
        return bool(cell) and all(item in values for item in items)
    return check


def is_date(cell):
    return date.fromisoformat(cell) >= cra.EARLIEST


def minutes(cell):
    return cell.isdigit() and 1 <= int(cell) <= coop.MAX_DURATION


def count(cell):
    return cell.isdigit() and 1 <= int(cell) <= cra.MAX_PARTICIPANTS


# Every column of the CSV and what La Coop allows in it: a column added without a rule
# here fails the test.
RULES = {
    "type": one_of(coop.ACTIVITY_TYPES),
    "date": is_date,
    "duree": minutes,
    "type_lieu": one_of(coop.PLACE_TYPES),
    "materiel": listed(coop.EQUIPMENT, empty_is_nc=True),
    "thematiques": listed(coop.THEMES),
    "autonomie": one_of({*coop.AUTONOMY, NC}),
    "oriente_vers_structure": one_of({"oui", "non", NC}),
    "structure_de_redirection": one_of({*coop.REFERRALS, NC}),
    "niveau": one_of({*coop.WORKSHOP_LEVELS, NC}),
    "participants": count,
    "genre": one_of(coop.GENDERS),
    "tranche_age": one_of(coop.AGE_BANDS),
    "statut_social": one_of(coop.SOCIAL_STATUSES),
}


def add(db, record, mediator="Émilie Martin", visit_id=None):
    store.add_activity_record(db, visit_id=visit_id, mediator=mediator, kind=record.type,
                              mode=record.mode, day=record.date.isoformat(),
                              fields=record.fields(), notes=record.notes,
                              payload={"kind": "activity"}, now=MOMENT)


def counter(**values):
    base = {"date": "2026-11-20", "duree": "30", "type_lieu": "lieu_activite",
            "thematiques": ["email"], "notes": NOTE}
    base.update(values)
    data = MultiDict([(k, v) for k, vs in base.items()
                      for v in (vs if isinstance(vs, list) else [vs])])
    mode = "workshop" if "participants" in values else "counter"
    return cra.read_form(data, date(2026, 11, 24), mode)


@pytest.fixture
def records(db):
    """Records of every kind: a guided diagnostic of each age band and situation, helps
    at the counter (one with everything ticked), a workshop, another mediator's."""
    situations = ["employed", "job_seeker", "retired", "student", "other", None]
    bands = ["0-15", "16-29", "30-44", "45-59", "60-74", "75+"]
    for band, situation in zip(bands, situations):
        add(db, cra.prefill({"started_at": "2026-11-24T09:00:00+00:00"},
                            {"finished_at": "2026-11-24T10:40:00+00:00", "age_band": band,
                             "situation": situation, "needs": ["e_administration", "safety"],
                             "offers": ["aidants_connect"], "levels": {"information": 2}},
                            {"devices": ["computer"]}, MOMENT))
    add(db, counter())
    add(db, counter(materiel=list(coop.EQUIPMENT), thematiques=list(coop.THEMES),
                    autonomie="autonome", structure_de_redirection="autre", duree="autre",
                    duree_autre="1439", date="2026-11-21"))
    add(db, counter(participants="14", niveau="intermediaire", titre_atelier=TITLE,
                    duree="120", date="2026-11-22"))
    add(db, counter(date="2026-11-23"), mediator="Karim Benali")


def export(app, tmp_path, *args):
    out = tmp_path / "cra.csv"
    result = app.test_cli_runner().invoke(args=["mediator", "export", "--out", str(out), *args])
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8-sig")
    return list(csv.DictReader(text.splitlines())), text, result


def test_every_column_holds_only_la_coops_values(app, records, tmp_path):
    rows, text, _ = export(app, tmp_path)
    assert len(rows) == 10
    assert list(rows[0]) == list(RULES)
    for row in rows:
        for column, value in row.items():
            assert RULES[column](value), (column, value)
    assert NOTE not in text and TITLE not in text and "Émilie" not in text


def test_age_bands_that_straddle_la_coops_are_not_given(app, records, tmp_path):
    rows, _, _ = export(app, tmp_path)
    # the guided ones: 1 h 40, rounded up to 120 minutes
    guided = [row for row in rows if row["type"] == "individuel" and row["duree"] == "120"]
    assert [row["tranche_age"] for row in guided] == [
        NC, NC, NC, "quarante_cinquante_neuf", NC, "soixante_dix_plus"]
    assert [row["statut_social"] for row in guided] == [
        "en_emploi", "sans_emploi", "retraite", NC, NC, NC]
    assert {row["materiel"] for row in guided} == {"ordinateur"}
    assert {row["thematiques"] for row in guided} == {
        "diagnostic_numerique|securite_numerique|aide_aux_demarches_administratives"}
    assert {row["structure_de_redirection"] for row in guided} == {
        "aide_aux_demarches_administratives"}


def test_a_workshop_row(app, records, tmp_path):
    rows, _, _ = export(app, tmp_path)
    [workshop] = [row for row in rows if row["type"] == "collectif"]
    assert workshop == {
        "type": "collectif", "date": "2026-11-22", "duree": "120", "type_lieu": "lieu_activite",
        "materiel": NC, "thematiques": "email", "autonomie": NC,
        "oriente_vers_structure": NC, "structure_de_redirection": NC,
        "niveau": "intermediaire", "participants": "14", "genre": NC, "tranche_age": NC,
        "statut_social": NC}


def test_notes_only_in_a_mediators_export_of_their_own(app, records, tmp_path):
    rows, text, result = export(app, tmp_path, "--mediator", "émilie martin")
    assert len(rows) == 9 and list(rows[0]) == [*RULES, "titre_atelier", "notes"]
    assert {row["notes"] for row in rows} == {"", NOTE}
    assert TITLE in text
    assert "with their notes" in result.output


def test_the_period_is_chosen_by_date(app, records, tmp_path):
    rows, _, _ = export(app, tmp_path, "--from", "2026-11-21", "--to", "2026-11-22")
    assert [row["date"] for row in rows] == ["2026-11-21", "2026-11-22"]


def test_a_progress_bar_and_a_summary(app, records, tmp_path):
    _, _, result = export(app, tmp_path)
    assert "Exporting" in result.stderr
    assert "10 activity records (no notes) written to" in result.stdout


def test_help_says_notes_need_mediator(app):
    result = app.test_cli_runner().invoke(args=["mediator", "export", "--help"])
    assert "--mediator" in result.output and "notes" in result.output
    assert "non_communique" in result.output
