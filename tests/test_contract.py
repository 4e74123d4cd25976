"""The wire contract is defined once (kiosk/sync/contract.py): the allow-list, the hub's
schemas, the vocabularies and the tally dimensions agree with it; a version once
accepted stays accepted; the hub -> kiosk message envelope is signed."""
from __future__ import annotations

import json
from datetime import date

import fastjsonschema
import pytest

from kiosk.sync import anonymise, contract, protocol
from kiosk import paths
from kiosk.diagnostic.record import vocabulary
from kiosk.hub import crossings, ingest, openapi, tally
from kiosk.hub.weeks import Window
from kiosk.diagnostic.resources import load_questionnaire_files
from tests.sample_records import make_records

# Every week the sample records may carry: these tests are about fields, not weeks.
ANY_WEEK = Window(date(2000, 1, 1), date(2099, 12, 31))

# The first release's allow-list, written out: version 1 may never change.
RELEASE1_FIELDS = (
    "schema_version", "questionnaire_id", "questionnaire_version", "site_epci",
    "residence_epci", "week", "mode", "language", "age_band", "situation", "levels",
    "indicators", "profile", "needs", "offers", "complete", "last_screen",
)


def test_every_version_ever_accepted_stays_accepted():
    assert contract.allowed_fields("diagnostic", 1) == RELEASE1_FIELDS
    assert set(contract.ACCEPTED["diagnostic"]) >= {1, 2}
    assert contract.LEGACY == {"diagnostic": (1,)}
    assert contract.CURRENT["diagnostic"] in contract.ACCEPTED["diagnostic"]


def test_the_allow_list_and_the_hub_schema_are_the_contract():
    for kind, versions in contract.ACCEPTED.items():
        for version in versions:
            schema = openapi.PAYLOADS[openapi.payload_ref(kind, version)]
            assert schema["additionalProperties"] is False
            assert tuple(schema["required"]) == contract.allowed_fields(kind, version)
            assert tuple(schema["properties"]) == contract.allowed_fields(kind, version)
    assert anonymise.ALLOWED_FIELDS == contract.allowed_fields("diagnostic")
    assert anonymise.ALLOWED_FIELDS[:3] == ("kind", "schema_version", "frame")


def test_what_the_kiosk_freezes_the_hub_takes_and_counts_by_the_same_fields():
    records = [r for _, _, r in make_records(40, seed=5)]
    payloads = [json.loads(r.outbox["payload"]) for r in records]
    check = fastjsonschema.compile(openapi.item_schema(
        contract.payload_schema("diagnostic", contract.CURRENT["diagnostic"])))
    for record, payload in zip(records, payloads):
        check({"id": record.outbox["id"], "payload": payload})
        assert ingest.prepare({"id": record.outbox["id"], "payload": payload}, ANY_WEEK)[1] is None
    # Every dimension counted is a field of the contract, and every counted field shows up;
    # the hub's own crossings (kiosk.hub.crossings) cross two of those fields.
    facts = [dim for p in payloads for dim, _ in tally.facts(p)]
    counted = {dim.split(":")[0] for dim in facts if not dim.startswith(crossings.PREFIX)}
    fields = {f.count for f in contract.fields() if f.count}
    assert counted == fields | {"all", "complete"}
    crossed = {dim.removeprefix(crossings.PREFIX) for dim in facts
               if dim.startswith(crossings.PREFIX)}
    # "age_band:indicator:<id>": the dimension names before any code
    assert crossed == {"age_band", "age_band:indicator:dsi_at_least_basic",
                       "age_band:indicator:insee2021_illectronism", "age_band:need", "need:offer"}
    assert {part for dim in crossed for part in dim.split(":")[:2]} <= fields


def test_every_vocabulary_the_contract_names_comes_from_the_questionnaire():
    q = load_questionnaire_files(paths.QUESTIONNAIRES / "diagnostic.yaml",
                                 paths.QUESTIONNAIRES / "offers.yaml")
    vocab = vocabulary(q, ["fr", "ar"])
    named = {f.vocabulary for f in contract.fields() if f.vocabulary}
    assert named <= set(vocab)
    assert vocab["mode"] == set(contract.MODES) == {"self", "guided"}


def test_a_version_the_hub_does_not_know_is_refused_by_name():
    payload = dict(anonymise_payload(), schema_version=99)
    row, why = ingest.prepare({"id": "00000000-0000-4000-8000-000000000000",
                               "payload": payload}, ANY_WEEK)
    assert row is None and why[0] == "invalid" and "version 99" in why[1]


def anonymise_payload():
    return json.loads(make_records(1, seed=2)[0][2].outbox["payload"])


def test_what_a_hub_advertises_is_read_safely():
    assert contract.accepts({"diagnostic": [1, 2], "screening": [1]}) == {
        "diagnostic": (1, 2), "screening": (1,)}
    for nonsense in (None, [], {"diagnostic": "1"}, {"diagnostic": [True]}):
        assert contract.accepts(nonsense) == {"diagnostic": (1,)}
    assert not contract.takes_mac(contract.LEGACY) and not contract.takes_mac(None)
    assert not contract.takes_mac({"diagnostic": [1]})
    assert contract.takes_mac(contract.ACCEPTED)
    assert contract.is_accepted({"schema_version": 1}, contract.LEGACY)
    assert not contract.is_accepted({"kind": "diagnostic", "schema_version": 2},
                                    contract.LEGACY)


TOKEN = "4.the-token-of-device-four-xxxxxxxxxx"
ROSTER = {"mediators": [{"code": "m1", "name": "Camille"}]}


def test_a_hub_message_is_read_only_by_its_kiosk_unaltered():
    message = protocol.hub_message(4, "roster", ROSTER, protocol.token_hash(TOKEN),
                                   issued_at="2026-11-30T10:00:00+00:00")
    assert message["format"] == "kiosk-hub-message/1" and message["version"] == 1
    read = protocol.read_hub_message(message, TOKEN, {"roster": [1]})
    assert read["body"] == ROSTER and read["kind"] == "roster"
    altered = dict(message, body={"mediators": []})
    other = "5.the-token-of-device-five-xxxxxxxxxx"
    forged = protocol.hub_message(4, "roster", ROSTER, protocol.token_hash(other),
                                  issued_at="2026-11-30T10:00:00+00:00")
    for document, token, understood in [(altered, TOKEN, {"roster": [1]}),
                                        (message, other, {"roster": [1]}),
                                        (forged, TOKEN, {"roster": [1]}),
                                        (message, TOKEN, {"roster": [2]}),
                                        ({"format": "x"}, TOKEN, {"roster": [1]})]:
        with pytest.raises(protocol.BadFile):
            protocol.read_hub_message(document, token, understood)


def test_a_mediators_record_keeps_only_its_fields_and_vocabulary():
    from kiosk.sync.anonymise import anonymise_kind

    payload = anonymise_kind("activity", {
        "mode": "guided", "themes": ["email", "Mme Dupont, 12 rue des Lilas"],
        "autonomy": "autonome", "referral": "aide_sociale", "duration_band": "30_59",
        "notes": "Mme Dupont a du mal avec sa banque", "mediator": "Émilie Martin",
    }, site_epci="200071082", week="2026-W48")
    assert payload == {"kind": "activity", "schema_version": 1, "site_epci": "200071082",
                       "week": "2026-W48", "mode": "guided", "duration_band": "30_59",
                       "themes": ["email"], "autonomy": "autonome", "referral": "aide_sociale"}
    ingest_check = fastjsonschema.compile(openapi.item_schema(
        contract.payload_schema("activity", 1)))
    ingest_check({"id": "00000000-0000-4000-8000-000000000001", "payload": payload})
    assert ("activity.theme", "email") in tally.facts(payload)
    assert all(dim.startswith("activity.") for dim, _ in tally.facts(payload))
    assert contract.frame_of(payload) == ""


def test_a_follow_up_says_what_changed_never_the_levels():
    from kiosk.sync.anonymise import anonymise_kind

    payload = anonymise_kind("followup", {
        "frame": "2", "mode": "self", "weeks_band": "5_12",
        "change": {"communicate": 1, "e_administration": 0, "nope": 1, "safety": 2},
        "takeup": {"france_services": "no_too_far", "x": "yes"},
        "levels": {"communicate": 2}, "code": "1234 5678 9012 3456",
    }, site_epci=None, week="2026-W48",
        vocabulary={"areas": {"communicate", "e_administration", "safety"},
                    "offers": {"france_services"}})
    assert payload["change"] == {"communicate": 1, "e_administration": 0}
    assert payload["takeup"] == {"france_services": "no_too_far"}
    assert set(payload) == set(contract.allowed_fields("followup"))
    assert ("followup.change:communicate", "1") in tally.facts(payload)
