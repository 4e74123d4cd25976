"""The mediator's activity record (compte rendu d'activité): prefilled from a guided
diagnostic, made at the counter or for a workshop, refused when absurd, queued for the
hub anonymised, and never reachable by anyone but the mediator who wrote it."""
from __future__ import annotations

import json
import re
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import fastjsonschema
import pytest
from werkzeug.datastructures import MultiDict

from kiosk.mediation import coop, cra
from kiosk.storage import store
from kiosk.sync import contract, usbkey
from kiosk.web import activity_record

EMILIE = {"name": "Émilie Martin", "structure": "France Services Moulins", "source": "local"}
KARIM = {"name": "Karim Benali", "structure": "Bourbon'Net", "source": "roster"}
TODAY = date(2026, 11, 24)
NOTE = "Mme Dupont, 12 rue des Lilas, rappeler lundi"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')

# A never-user with a smartphone and a tablet, 45-59, looking for work.
NEVER_USER = {"internet_ever": {"answer": "no"}, "devices": {"answer": ["smartphone", "tablet"]},
              "age_band": {"answer": "45-59"}, "situation": {"answer": "job_seeker"}}


def unlock(client, who=EMILIE):
    with client.session_transaction() as session:
        session["mediator"] = dict(who)


def guided_visit(db, resident, started="2026-11-24T10:00:00+00:00",
                 finished="2026-11-24T10:31:10+00:00") -> int:
    """A diagnostic finished at the kiosk, made a guided one of 31 min 10 s."""
    resident.complete(NEVER_USER)
    visit_id = db.execute("select max(id) from visits").fetchone()[0]
    db.execute("update visits set mode = 'guided', started_at = ? where id = ?",
               [started, visit_id])
    db.execute("update results set finished_at = ? where visit_id = ?", [finished, visit_id])
    db.conn.commit()
    return visit_id


def form(**values) -> MultiDict:
    base = {"date": "2026-11-20", "duree": "30", "type_lieu": "lieu_activite",
            "thematiques": ["email"], "notes": ""}
    base.update(values)
    return MultiDict([(k, v) for k, vs in base.items()
                      for v in (vs if isinstance(vs, list) else [vs])])


def post(client, url, data, who=EMILIE):
    unlock(client, who)
    # the session's CSRF token, from a form every mediator may open
    page = client.get("/mediateur/compte-rendu/guichet").get_data(as_text=True)
    return client.post(url, data={**data, "csrf_token": CSRF.search(page).group(1)})


def outbox(db) -> list[dict]:
    return [json.loads(row["payload"]) for row in db.query(
        "select payload from outbox where result_id is null")]


# --- prefilled from a guided diagnostic ---------------------------------------------

def test_a_finished_guided_diagnostic_prefills_the_record(db, resident):
    visit_id = guided_visit(db, resident)
    record = cra.prefill(store.finished_guided_visit(db, visit_id),
                         store.result_for_visit(db, visit_id), store.answers(db, visit_id),
                         datetime(2026, 11, 24, 11, tzinfo=timezone.utc))
    assert record.mode == "guided" and record.type == "individuel"
    assert record.date == date(2026, 11, 24)
    assert record.duree == 45                     # 31 min 10 s, rounded up to La Coop's 45
    assert record.type_lieu == "lieu_activite"
    assert record.materiel == ("telephone", "tablette")
    # never used internet: the basics and safety; looking for work: employment
    assert record.thematiques == ("diagnostic_numerique", "prendre_en_main_du_materiel",
                                  "insertion_professionnelle", "securite_numerique")
    assert record.autonomie == "entierement_accompagne"   # no area at the top level
    assert record.oriente_vers_structure and record.structure_de_redirection == "mediation_numerique"
    assert (record.tranche_age, record.statut_social, record.genre) == \
        ("quarante_cinquante_neuf", "sans_emploi", "non_communique")


def test_the_page_shows_the_prefilled_record(client, db, resident):
    visit_id = guided_visit(db, resident)
    unlock(client)
    page = client.get(f"/mediateur/compte-rendu/diagnostic/{visit_id}").get_data(as_text=True)
    assert 'name="date" value="2026-11-24"' in page
    assert re.search(r'value="45" checked', page)
    for theme in ("diagnostic_numerique", "prendre_en_main_du_materiel",
                  "insertion_professionnelle", "securite_numerique"):
        assert re.search(rf'name="thematiques" value="{theme}" checked', page)
    assert re.search(r'name="autonomie" value="entierement_accompagne" checked', page)
    assert "<legend>" in page and 'role="alert"' in page


@pytest.mark.parametrize("minutes, offered", [
    (0.2, 15), (15, 15), (15.1, 30), (44, 45), (61, 90), (120, 120), (121.5, 122),
    (5000, 1439)])
def test_durations_round_up_to_what_la_coop_offers(minutes, offered):
    assert cra.offered_duration(minutes) == offered


@pytest.mark.parametrize("levels, autonomy", [
    ({"information": 2, "safety": 2}, "autonome"),
    ({"information": 2, "safety": 1}, "partiellement_autonome"),
    ({"information": 1, "safety": 0}, "entierement_accompagne"),
    ({}, None)])
def test_autonomy_comes_from_the_levels(levels, autonomy):
    assert cra.autonomy_of(levels) == autonomy


def test_the_mappings_give_only_la_coop_values_for_the_questionnaires_ids(app):
    from kiosk.diagnostic.resources import questionnaire_for

    questionnaire = questionnaire_for(app)
    assert set(cra.THEME_OF_NEED) <= {n.id for n in questionnaire.needs}
    assert set(cra.THEME_OF_NEED.values()) <= set(coop.THEMES)
    offers = {o.id for o in questionnaire.offers}
    assert set(cra.STRUCTURE_OF_OFFER) <= offers
    assert offers - set(cra.STRUCTURE_OF_OFFER) == {"go_further", "help_others"}
    assert set(cra.STRUCTURE_OF_OFFER.values()) <= set(coop.REFERRALS)
    devices = {o.id for o in questionnaire.screen(cra.DEVICES_SCREEN).options}
    assert set(cra.EQUIPMENT_OF_DEVICE) == devices - {"none"}
    assert set(cra.AGE_BAND_OF) <= {o.id for o in questionnaire.screen("age_band").options}


def test_every_value_has_a_french_label():
    labels = activity_record.LABELS
    assert set(labels["thematiques"]) == set(coop.THEMES)
    assert list(activity_record.DIGITAL_THEMES) == list(coop.DIGITAL_THEMES)
    assert set(labels["type_lieu"]) == set(coop.PLACE_TYPES)
    assert set(labels["materiel"]) == set(coop.EQUIPMENT)
    assert set(labels["autonomie"]) == set(coop.AUTONOMY)
    assert set(labels["structure_de_redirection"]) == {"", *coop.REFERRALS}
    assert set(labels["niveau"]) == set(coop.WORKSHOP_LEVELS)


# --- refusals -----------------------------------------------------------------------

@pytest.mark.parametrize("values, message", [
    ({"thematiques": []}, cra.NO_THEME),
    ({"date": "2026-11-25"}, cra.FUTURE_DATE),
    ({"date": "2024-12-31"}, cra.OLD_DATE),
    ({"date": "1926-11-24"}, cra.OLD_DATE),
    ({"date": "24/11/2026"}, cra.BAD_DATE),
    ({"duree": "autre", "duree_autre": "0"}, cra.BAD_DURATION),
    ({"duree": "autre", "duree_autre": "1440"}, cra.BAD_DURATION),
    ({"duree": "autre", "duree_autre": "une heure"}, cra.NO_DURATION),
    ({"duree": ""}, cra.NO_DURATION),
    ({"notes": "x" * 2001}, cra.LONG_NOTES),
])
def test_an_absurd_record_is_refused_with_a_message(values, message):
    with pytest.raises(cra.CraError) as refused:
        cra.read_form(form(**values), TODAY, "counter")
    assert refused.value.message == message and refused.value.status == 422


@pytest.mark.parametrize("participants", ["0", "201", "", "-3", "douze"])
def test_a_workshop_needs_between_1_and_200_participants(participants):
    with pytest.raises(cra.CraError) as refused:
        cra.read_form(form(participants=participants), TODAY, "workshop")
    assert refused.value.message == cra.BAD_PARTICIPANTS


def test_limits_themselves_are_accepted():
    record = cra.read_form(form(date="2025-01-01", duree="autre", duree_autre="1439",
                                notes="x" * 2000, participants="200"), TODAY, "workshop")
    assert (record.duree, record.participants, record.type) == (1439, 200, "collectif")
    assert cra.read_form(form(date=TODAY.isoformat()), TODAY, "counter").date == TODAY


@pytest.mark.parametrize("values", [
    {"thematiques": ["email", "astrologie"]}, {"type_lieu": "chez_moi"},
    {"materiel": ["minitel"]}, {"autonomie": "un_peu"},
    {"structure_de_redirection": "mairie"}, {"duree": "17"}])
def test_a_value_outside_la_coops_vocabulary_is_a_tampered_form(values, client):
    with pytest.raises(cra.CraError) as refused:
        cra.read_form(form(**values), TODAY, "counter")
    assert refused.value.status == 400
    response = post(client, "/mediateur/compte-rendu/guichet",
                    {**form(**values).to_dict(flat=False)})
    assert response.status_code == 400


def test_a_refused_form_comes_back_with_the_message_and_the_values(client, db):
    response = post(client, "/mediateur/compte-rendu/guichet",
                    {"date": (date.today() + timedelta(days=3)).isoformat(), "duree": "45",
                     "type_lieu": "domicile", "thematiques": ["email", "logement"],
                     "notes": "à revoir"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert re.search(r'role="alert"[^>]*>Cette date est dans le futur', page)
    assert re.search(r'name="thematiques" value="logement" checked', page)
    assert re.search(r'name="type_lieu" value="domicile" checked', page)
    assert ">à revoir</textarea>" in page
    assert db["activity_records"].count == 0 and outbox(db) == []


# --- access -------------------------------------------------------------------------

def test_a_forged_or_self_service_visit_id_is_404(client, db, resident):
    resident.complete(NEVER_USER)   # self-service, not guided
    self_id = db.execute("select max(id) from visits").fetchone()[0]
    unlock(client)
    for visit_id in (self_id, 9999):
        assert client.get(f"/mediateur/compte-rendu/diagnostic/{visit_id}").status_code == 404
        assert post(client, f"/mediateur/compte-rendu/diagnostic/{visit_id}",
                    form().to_dict(flat=False)).status_code == 404
    assert db["activity_records"].count == 0


def test_an_unfinished_guided_visit_is_404(client, db, resident):
    resident.start()
    visit_id = db.execute("select max(id) from visits").fetchone()[0]
    db.execute("update visits set mode = 'guided' where id = ?", [visit_id])
    db.conn.commit()
    unlock(client)
    assert client.get(f"/mediateur/compte-rendu/diagnostic/{visit_id}").status_code == 404


def test_pages_refuse_anyone_not_unlocked(make_app):
    client = make_app(WTF_CSRF_ENABLED=False).test_client()
    for path in ("guichet", "atelier", "diagnostic/1", "export", "1"):
        response = client.get(f"/mediateur/compte-rendu/{path}")
        assert response.status_code == 303 and response.location == "/mediateur", path
        if path != "1":
            assert client.post(f"/mediateur/compte-rendu/{path}").status_code == 403, path


def test_another_mediators_record_is_404(client, db):
    response = post(client, "/mediateur/compte-rendu/guichet", form().to_dict(flat=False))
    location = response.location
    unlock(client, KARIM)
    assert client.get(location).status_code == 404
    assert client.get("/mediateur/compte-rendu/9999").status_code == 404
    unlock(client, EMILIE)
    assert client.get(location).status_code == 200


# --- saved and queued ---------------------------------------------------------------

def test_saving_queues_one_anonymised_record_for_the_hub(client, db, resident):
    visit_id = guided_visit(db, resident)
    url = f"/mediateur/compte-rendu/diagnostic/{visit_id}"
    data = form(date=date.today().isoformat(), duree="45", materiel=["telephone"],
                thematiques=["diagnostic_numerique", "email"], autonomie="partiellement_autonome",
                structure_de_redirection="aide_sociale", notes=NOTE).to_dict(flat=False)
    response = post(client, url, data)
    assert response.status_code == 303
    confirmation = client.get(response.location).get_data(as_text=True)
    assert "Compte rendu enregistré" in confirmation and 'href="/mediateur/accueil"' in confirmation
    assert post(client, url, data).status_code == 303   # a second submit: no second record
    [payload] = outbox(db)
    assert set(payload) == set(contract.allowed_fields("activity"))
    assert payload == {"kind": "activity", "schema_version": 1, "site_epci": "200071140",
                       "week": payload["week"], "mode": "guided", "duration_band": "30_59",
                       "themes": ["diagnostic_numerique", "email"],
                       "autonomy": "partiellement_autonome", "referral": "aide_sociale"}
    fastjsonschema.compile(contract.payload_schema("activity", 1))(payload)   # the hub's check
    text = json.dumps(payload, ensure_ascii=False)
    assert "Dupont" not in text and "Émilie" not in text and "Martin" not in text
    [row] = store.activity_records(db, mediator="émilie martin")
    assert row["visit_id"] == visit_id and row["notes"] == NOTE
    assert row["fields"]["tranche_age"] == "quarante_cinquante_neuf"   # from the diagnostic


def test_a_workshop_is_counted_without_names(client, db):
    response = post(client, "/mediateur/compte-rendu/atelier",
                    form(participants="12", niveau="debutant", titre_atelier="Le courriel",
                         duree="120").to_dict(flat=False))
    assert response.status_code == 303
    [row] = store.activity_records(db)
    assert (row["kind"], row["mode"], row["fields"]["participants"]) == ("collectif", "workshop", 12)
    [payload] = outbox(db)
    assert (payload["mode"], payload["duration_band"], payload["autonomy"]) == \
        ("workshop", "120_plus", None)
    assert "courriel" not in json.dumps(payload)
    fastjsonschema.compile(contract.payload_schema("activity", 1))(payload)


def test_notes_are_deleted_after_the_retention_period(db):
    old = datetime(2025, 1, 10, tzinfo=timezone.utc)
    record = cra.read_form(form(notes=NOTE), TODAY, "counter")
    for moment in (old, old + timedelta(days=300)):
        store.add_activity_record(db, visit_id=None, mediator="Émilie Martin", kind="individuel",
                                  mode="counter", day="2025-01-10", fields=record.fields(),
                                  notes=NOTE, payload={"kind": "activity"}, now=moment)
    assert store.purge_notes(db, old + timedelta(days=1)) == 1
    assert [row["notes"] for row in store.activity_records(db)] == [None, NOTE]


# --- the mediator's own export on a USB key -----------------------------------------

@pytest.fixture
def media(tmp_path, monkeypatch):
    """A stand-in for /media with a folder ``usb`` in it; whether a key is mounted there
    is up to the test."""
    root = tmp_path / "media"
    (root / "usb").mkdir(parents=True)
    monkeypatch.setattr(usbkey, "REMOVABLE_ROOTS", (str(root),))
    return root


def test_the_export_writes_the_mediators_own_records_on_the_key(client, db, media, monkeypatch):
    post(client, "/mediateur/compte-rendu/guichet", form(notes=NOTE).to_dict(flat=False))
    post(client, "/mediateur/compte-rendu/guichet", form().to_dict(flat=False), who=KARIM)
    monkeypatch.setattr(usbkey, "is_mount", lambda path: path == media / "usb")
    response = post(client, "/mediateur/compte-rendu/export", {})
    page = response.get_data(as_text=True)
    [written] = list((media / "usb").glob("comptes-rendus-*.csv"))
    assert response.status_code == 200 and str(written) in page
    lines = written.read_text(encoding="utf-8-sig").splitlines()
    assert len(lines) == 2 and NOTE in lines[1]   # hers only, with her notes
    assert "Émilie" not in written.name


def test_the_export_says_so_when_no_key_is_plugged_in(client, media):
    response = post(client, "/mediateur/compte-rendu/export", {})
    assert response.status_code == 409
    assert re.search(r'role="alert"[^>]*>Aucune clé USB', response.get_data(as_text=True))
    assert list((media / "usb").iterdir()) == []


def test_erasing_the_visit_unlinks_its_record(client, db, resident):
    visit_id = guided_visit(db, resident)
    post(client, f"/mediateur/compte-rendu/diagnostic/{visit_id}",
         form(date=date.today().isoformat()).to_dict(flat=False))
    store.erase_visit(db, visit_id)
    [row] = store.activity_records(db)
    assert row["visit_id"] is None and len(outbox(db)) == 1


def test_a_key_that_cannot_be_written_is_said_so(client, monkeypatch):
    """sysfs never lets anyone create a file, root included: a key that refuses writes."""
    kernel = Path("/sys/kernel")
    monkeypatch.setattr(usbkey, "REMOVABLE_ROOTS", ("/sys",))
    monkeypatch.setattr(usbkey, "is_mount", lambda path: Path(path) == kernel)
    response = post(client, "/mediateur/compte-rendu/export", {})
    assert response.status_code == 409
    assert re.search(r'role="alert"[^>]*>La clé USB n\'a pas pu être écrite',
                     response.get_data(as_text=True))
    assert not list(kernel.glob("comptes-rendus-*"))
