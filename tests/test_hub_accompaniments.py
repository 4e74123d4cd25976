"""The dashboard's "Accompagnements" section: activity records, follow-ups and counter
screenings sent through the records API, counted under the publication rule, and never
a name, a note or a follow-up code on the hub or in its open data."""
from __future__ import annotations

import json
import re
import uuid

import pytest

from kiosk.diagnostic.record import vocabulary
from kiosk.hub import reports, staff
from kiosk.hub.weeks import Window
from kiosk.storage.db import connect
from kiosk.sync import anonymise, protocol
from tests.hubkit import make_hub, new_device
from tests.sample_records import _data, make_records
from tests.test_hub_web import NOW, PASSWORD, login, tables_of, text

WEEK = "2026-W10"   # inside the weeks of the sample diagnostics (2026-W02 to W19)
NAME, NOTE, CODE = "Émilie Martin", "Mme Dupont a du mal", "1234 5678 9012 3456"
SECRETS = (NAME, NOTE, CODE, CODE.replace(" ", ""), "Dupont", "Émilie")
# What a kiosk holds beside the fields the contract allows: anonymise_kind drops it.
KIOSK_SIDE = {"mediator": NAME, "notes": NOTE, "code": CODE, "followup_code": CODE,
              "structure": f"France Services Moulins ({NAME})"}


def _item(token: str, payload: dict) -> dict:
    device, key = protocol.device_of_token(token), protocol.token_hash(token)
    record_id, digest = str(uuid.uuid4()), anonymise.content_hash(payload)
    return {"id": record_id, "content_hash": digest,
            "mac": protocol.record_mac(device, record_id, digest, key), "payload": payload}


def kind_items(token: str, kind: str, values: dict, count: int, week: str = WEEK) -> list:
    """``count`` records of ``kind`` as a kiosk queues them: through anonymise_kind, with
    a name, a note and a follow-up code among the values it is handed."""
    questionnaire, _ = _data()
    payload = anonymise.anonymise_kind(kind, {**KIOSK_SIDE, **values}, site_epci=None,
                                       week=week,
                                       vocabulary=vocabulary(questionnaire, ["fr", "ar"]))
    return [_item(token, payload) for _ in range(count)]


def diagnostic_items(token: str, count: int = 60) -> list:
    return [_item(token, json.loads(r.outbox["payload"]))
            for _, _, r in make_records(count, seed=3)]


def post(app, token: str, items: list) -> None:
    response = app.test_client().post("/api/v1/records", data=json.dumps({"records": items}),
                                      headers={"Authorization": f"Bearer {token}"},
                                      content_type="application/json")
    assert response.status_code == 200, response.get_data(as_text=True)
    assert {r["status"] for r in response.json["results"]} == {"stored"}


def accompaniments(token: str, scale: int = 1) -> list:
    """Activity records, follow-ups and screenings; ``scale`` 1 gives the counts the
    tests read (30 activity records, 24 follow-ups, 20 screenings)."""
    activity, followup, screening = "activity", "followup", "screening"
    return (
        kind_items(token, activity, {"mode": "guided", "themes": ["email", "sante", NAME],
                                     "autonomy": "autonome", "referral": "mediation_numerique",
                                     "duration_band": "30_59"}, 12 * scale)
        + kind_items(token, activity, {"mode": "counter", "themes": ["email"],
                                       "autonomy": "partiellement_autonome", "referral": NOTE,
                                       "duration_band": "30_59"}, 18 * scale)
        + kind_items(token, followup, {"frame": "2", "mode": "guided", "weeks_band": "5_12",
                                       "change": {"information": 1, "communication": 0},
                                       "takeup": {"aidants_connect": "yes"}}, 12 * scale)
        + kind_items(token, followup, {"frame": "2", "mode": "self", "weeks_band": "5_12",
                                       "change": {"information": 0, "communication": 0},
                                       "takeup": {"aidants_connect": "no_too_far"}}, 12 * scale)
        + kind_items(token, screening, {"orientation": "diagnostic_now"}, 12 * scale)
        + kind_items(token, screening, {"orientation": "mediator"}, 8 * scale))


@pytest.fixture
def make(tmp_path):
    """make(name, *parts) -> (app, logged-in client): a hub with one kiosk and one staff
    account, holding the records ``parts`` (functions of the kiosk's token) sent to it."""
    def build(name, *parts):
        app = make_hub(tmp_path / name, EXPORT_DIR=str(tmp_path / name / "exports"))
        _, token = new_device(app.config["DATABASE"])
        db = connect(app.config["DATABASE"])
        staff.add(db, "alice", PASSWORD, NOW)
        db.close()
        for part in parts:
            post(app, token, part(token))
        client = app.test_client()
        assert login(client).status_code == 303
        return app, client
    return build


def section_tables(page: str) -> dict:
    start = page.index('<section id="accompagnements"')
    return tables_of(page[start:page.index("</section>", start)])


def rows(table) -> dict:
    return {row[0]: [re.sub(r"[\u202f\xa0]", " ", cell) for cell in row[1:]]
            for row in table[1:]}


def test_the_section_counts_each_kind(make):
    app, client = make("hub", diagnostic_items, accompaniments)
    page = text(client.get("/"))
    assert '<a href="#accompagnements">Accompagnements</a>' in page
    found = section_tables(page)
    assert rows(found["accompagnements-effectifs"]) == {
        "Accompagnements enregistrés": ["30"], "Suivis": ["24"],
        "Repérages au guichet": ["20"]}
    assert rows(found["accompagnements-types"])["Diagnostic accompagné"][0] == "12"
    assert rows(found["accompagnements-types"])["Aide ponctuelle au guichet"][0] == "18"
    themes = rows(found["accompagnements-thematiques"])
    assert themes["E-mail"][0] == "30" and themes["Santé"][0] == "12"
    assert set(themes) == {"E-mail", "Santé"}  # nothing for the name sent as a theme
    assert rows(found["accompagnements-autonomie"])["Autonome"][0] == "12"
    referrals = rows(found["accompagnements-orientations"])
    assert referrals["Médiation numérique"][0] == "12"
    assert referrals["Pas d'orientation, ou non renseigné"][0] == "18"  # the note dropped
    assert rows(found["accompagnements-durees"])["De 30 à 59 minutes"][0] == "30"
    # Diagnostics by mode (the sample's are all self-service), moved here.
    assert rows(found["mode"])["En autonomie"][0] == "60"
    assert rows(found["suivis-modes"])["Accompagné"][0] == "12"
    assert rows(found["suivis-modes"])["En autonomie"][0] == "12"
    assert rows(found["suivis-delais"])["De 5 à 12 semaines"][0] == "24"
    progress = found["suivis-progres"]
    assert progress[0] == ["Domaine", "En recul", "Stable", "En progrès"]
    assert rows(progress)["Chercher des informations"] == ["0", "12", "12"]
    assert rows(progress)["Communiquer avec les autres"] == ["0", "24", "0"]
    assert rows(progress)["Se protéger sur internet"] == ["0", "0", "0"]
    takeup = found["suivis-recours"]
    assert takeup[0][:4] == ["Offre", "Oui, la personne y est allée", "Pas encore",
                             "Non : trop loin"]
    assert rows(takeup)["Faire vos démarches avec une personne de confiance"][:3] == [
        "12", "0", "12"]
    # 12 and 8: the 8 hidden, and the 12 with it (else it would be 20 - 12).
    orientation = rows(found["reperages-orientations"])
    assert orientation["Diagnostic complet tout de suite"][0] == "s"
    assert orientation["Vers un médiateur"][0] == "s"


def test_three_records_of_each_kind_are_hidden(make):
    def three(token):
        return (kind_items(token, "activity", {"mode": "guided", "themes": ["email"]}, 3)
                + kind_items(token, "followup", {"frame": "2", "change": {"information": 1},
                                                 "takeup": {"aidants_connect": "yes"}}, 3)
                + kind_items(token, "screening", {"orientation": "mediator"}, 3))
    _, client = make("hub", diagnostic_items, three)
    found = section_tables(text(client.get("/")))
    assert rows(found["accompagnements-effectifs"]) == {
        "Accompagnements enregistrés": ["s"], "Suivis": ["s"], "Repérages au guichet": ["s"]}
    assert rows(found["accompagnements-types"])["Diagnostic accompagné"][0] == "s"
    assert rows(found["accompagnements-thematiques"])["E-mail"][0] == "s"
    assert rows(found["suivis-progres"])["Chercher des informations"] == ["0", "0", "s"]
    offer = "Faire vos démarches avec une personne de confiance"
    assert rows(found["suivis-recours"])[offer][0] == "s"
    assert rows(found["reperages-orientations"])["Vers un médiateur"][0] == "s"
    shown = [cell for table in found.values() for row in table[1:] for cell in row[1:]
             if cell.strip().isdigit()]
    assert not [cell for cell in shown if 1 <= int(cell) <= 10]


def test_a_kind_without_records_says_so(make):
    def activity_only(token):
        return kind_items(token, "activity", {"mode": "counter", "themes": ["email"]}, 11)
    _, client = make("hub", diagnostic_items, activity_only)
    page = text(client.get("/"))
    assert "Aucun suivi sur cette période." in page
    assert "Aucun repérage au guichet sur cette période." in page
    assert "Aucun compte rendu d'accompagnement sur cette période." not in page
    assert rows(section_tables(page)["accompagnements-types"])[
        "Aide ponctuelle au guichet"][0] == "11"


def test_accompaniments_show_on_a_hub_without_diagnostics(make):
    app, client = make("hub", accompaniments)
    page = text(client.get("/"))
    assert "Aucun diagnostic reçu pour l'instant." in page
    assert 'name="version"' not in page  # no frame to choose: "" is none
    assert rows(section_tables(page)["accompagnements-effectifs"])[
        "Accompagnements enregistrés"] == ["30"]
    db = connect(app.config["DATABASE"])
    try:
        assert reports.frames(db, Window(NOW.date().replace(year=2025, month=1, day=1),
                                         NOW.date())) == []
    finally:
        db.close()


def test_the_period_and_the_epci_filter_the_section(make):
    def late(token):
        return kind_items(token, "screening", {"orientation": "mediator"}, 15, week="2026-W30")
    _, client = make("hub", diagnostic_items, accompaniments, late)
    effectifs = lambda query: rows(section_tables(text(client.get("/" + query)))[
        "accompagnements-effectifs"])["Repérages au guichet"]
    assert effectifs("") == ["35"]
    assert effectifs("?du=2026-W20&au=2026-W40") == ["15"]
    assert effectifs("?epci=200071496") == ["35"]      # the kiosk's own EPCI
    assert effectifs("?epci=200071140") == ["0"]       # another one
    assert effectifs("?epci=200071140&territoire=site") == ["0"]


def _figures(page: str) -> dict:
    """Every table of the page outside the Accompagnements and Impact sections, and the
    diagnostics by mode (moved into the first)."""
    outside = page
    for section in ("accompagnements", "impact"):
        start = outside.index(f'<section id="{section}"')
        outside = outside[:start] + outside[outside.index("</section>", start):]
    return {**tables_of(outside), "mode": section_tables(page)["mode"]}


def _export(app, folder) -> dict:
    result = app.test_cli_runner().invoke(args=["hub", "export", "--output", str(folder)])
    assert result.exit_code == 0, result.output
    files = {path.name: path.read_text(encoding="utf-8") for path in folder.iterdir()}
    package = json.loads(files.pop("datapackage.json"))
    package.pop("created")
    return {**files, "datapackage.json": package}


def test_other_kinds_leave_every_existing_figure_and_file_as_it_was(make, tmp_path):
    plain_app, plain = make("plain", diagnostic_items)
    mixed_app, mixed = make("mixed", diagnostic_items, accompaniments)
    for query in ("", "?epci=200071496", "?territoire=site&epci=200071496",
                  "?du=2026-W05&au=2026-W08"):
        before = _figures(text(plain.get("/" + query)))
        after = _figures(text(mixed.get("/" + query)))
        assert len(before) > 10 and before == after, query
    assert _export(plain_app, tmp_path / "plain-out") == _export(mixed_app, tmp_path / "mixed-out")


def test_no_name_note_or_code_reaches_the_hub_or_its_open_data(make, tmp_path):
    app, _ = make("hub", diagnostic_items, accompaniments)
    db = connect(app.config["DATABASE"])
    try:
        tables = [row[0] for row in db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table'")]
        cells = [str(value) for table in tables
                 for row in db.execute(f'SELECT * FROM "{table}"') for value in row]
        kinds = db.execute("SELECT COUNT(*) FROM records WHERE json_extract(payload, '$.kind') "
                           "IN ('activity', 'followup', 'screening')").fetchone()[0]
    finally:
        db.close()
    assert kinds == 74 and len(cells) > 1000
    files = _export(app, tmp_path / "out")
    everything = "\n".join(cells) + json.dumps(files, ensure_ascii=False)
    assert "mediation_numerique" in everything  # what is allowed does arrive
    for secret in SECRETS:
        assert secret not in everything, secret


def test_the_diagnostics_counts_leave_follow_ups_out(make):
    # Follow-ups share the diagnostics' frame: the figures and exports read past them.
    app, _ = make("hub", diagnostic_items, accompaniments)
    db = connect(app.config["DATABASE"])
    try:
        span = reports.Period("2026-W01", "2026-W52", frame="2")
        read = [*reports.counts_by_epci(db, "residence", span),
                *reports.counts_by_week(db, "residence", span)]
        followups = reports.kind_counts(db, "followup", span)
    finally:
        db.close()
    assert read and not [key for key in read if key[0].startswith("followup.")]
    assert followups[("followup.all", "", "*")] == 24


def test_every_code_of_the_vocabulary_has_french_words():
    from kiosk.hub import coop_labels
    from kiosk.mediation import coop
    from kiosk.sync import contract

    pairs = [(coop_labels.THEMES, coop.THEMES), (coop_labels.AUTONOMY, coop.AUTONOMY),
             (coop_labels.REFERRALS, coop.REFERRALS),
             (coop_labels.ACTIVITY_MODES, contract.ACTIVITY_MODES),
             (coop_labels.DURATION_BANDS, contract.DURATION_BANDS),
             (coop_labels.WEEKS_BANDS, contract.WEEKS_BANDS),
             (coop_labels.CHANGES, [str(c) for c in contract.CHANGES]),
             (coop_labels.TAKEUP, contract.TAKEUP),
             (coop_labels.ORIENTATIONS, contract.ORIENTATIONS)]
    for words, codes in pairs:
        assert list(words) == list(codes)
    assert coop_labels.THEMES["aide_aux_demarches_administratives"] == \
        "Aide aux démarches administratives"


def test_a_kiosk_s_records_received_count_every_kind(make):
    app, client = make("hub", diagnostic_items, accompaniments)
    listed = app.test_cli_runner().invoke(args=["hub", "device", "list"])
    assert listed.exit_code == 0 and re.search(r"\b134\s+active", listed.output)
    # The dashboard's per-site figure counts diagnostics only.
    assert rows(tables_of(text(client.get("/")))["par-site"])["APC Le Montet"] == ["60"]


def test_a_code_no_list_knows_still_counts_under_its_code():
    from kiosk.hub import accompaniments as acc

    seen = {("activity.theme", "email"), ("activity.theme", "nouvelle_thematique"),
            ("followup.change:software", "1"), ("followup.takeup:old_offer", "yes")}
    by_kind = acc.variables(seen, [("information", "Chercher des informations")],
                            [("aidants_connect", "Aidants Connect")])
    labels = {v.id: v.label for kind in by_kind.values() for v in kind}
    assert labels["activite_theme_email"] == "E-mail"
    assert labels["activite_theme_nouvelle_thematique"] == "nouvelle_thematique"
    assert "activite_theme_sante" not in labels          # no record has it
    assert labels["suivi_progres_information"] == "Chercher des informations"
    assert labels["suivi_progres_software"] == "software"
    assert labels["suivi_recours_old_offer"] == "old_offer"
    assert "suivi_recours_aidants_connect" not in labels  # proposed to nobody counted
