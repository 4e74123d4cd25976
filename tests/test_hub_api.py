"""The records API: one status per item, the site from the token, refusals store nothing."""
from __future__ import annotations

import json
import uuid
from datetime import date, datetime, timedelta, timezone

import pytest

from kiosk.sync import anonymise, protocol
from kiosk.storage.db import connect, write_transaction
from kiosk.hub import store as hub_store
from tests.hubkit import hub_counts, make_hub, new_device
from tests.sample_records import make_records

URL = "/api/v1/records"


@pytest.fixture
def hub(tmp_path):
    app = make_hub(tmp_path / "hub", HUB_MAX_BATCH_RECORDS=50, HUB_MAX_BATCH_BYTES=64 * 1024)
    device_id, token = new_device(app.config["DATABASE"])
    return app, token


# The token new_device gives the hub's first device.
TOKEN1 = "1.secret-of-device-1-xxxxxxxx"


def items(count, seed=1, token=TOKEN1):
    """Records as a kiosk holding ``token`` sends them (bound by their MAC)."""
    device, key = protocol.device_of_token(token), protocol.token_hash(token)
    return [{"id": r.outbox["id"], "content_hash": r.outbox["content_hash"],
             "mac": protocol.record_mac(device, r.outbox["id"], r.outbox["content_hash"], key),
             "payload": json.loads(r.outbox["payload"])}
            for _, _, r in make_records(count, seed=seed)]


def post(app, body, token=None, raw=None):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    data = raw if raw is not None else json.dumps(body)
    return app.test_client().post(URL, data=data, headers=headers,
                                  content_type="application/json")


def test_each_item_gets_its_own_status(hub):
    app, token = hub
    batch = items(3)
    first = post(app, {"records": batch}, token)
    assert first.status_code == 200
    assert [r["status"] for r in first.json["results"]] == ["stored"] * 3

    other = "uk" if batch[1]["payload"]["language"] == "ar" else "ar"  # (a real change)
    altered = dict(batch[1], payload=dict(batch[1]["payload"], language=other))
    altered["content_hash"] = anonymise.content_hash(altered["payload"])
    # The same kiosk, with its own key: a conflict (another kiosk's copy is invalid).
    altered["mac"] = protocol.record_mac(1, altered["id"], altered["content_hash"],
                                         protocol.token_hash(TOKEN1))
    broken = dict(batch[2], payload=dict(batch[2]["payload"], week="last week"))
    free_text = dict(items(1, seed=9)[0])
    free_text["payload"] = dict(free_text["payload"], comment="Mme Dupont, 3 rue des Lilas")
    bit_rot = dict(items(1, seed=8)[0])
    bit_rot["payload"] = dict(bit_rot["payload"], complete=not bit_rot["payload"]["complete"])
    second = post(app, {"records": [batch[0], altered, broken, free_text, bit_rot]}, token)
    results = second.json["results"]
    assert [r["status"] for r in results] == ["already", "conflict", "invalid", "invalid",
                                              "invalid"]
    assert [r["index"] for r in results] == [0, 1, 2, 3, 4]
    assert "week" in results[2]["reason"]
    assert "comment" in results[3]["reason"] or "additional" in results[3]["reason"]
    assert "content_hash" in results[4]["reason"]
    assert second.json["counts"] == {"stored": 0, "already": 1, "conflict": 1, "invalid": 3,
                                    "later": 0}
    held = hub_counts(app.config["DATABASE"])
    assert len(held["ids"]) == 3 and held["tally_all"] == 3
    assert held["hashes"][batch[1]["id"]] == batch[1]["content_hash"]  # the original stays


def test_the_same_id_twice_in_one_batch_is_stored_once(hub):
    app, token = hub
    batch = items(2)
    answer = post(app, {"records": [batch[0], batch[1], batch[0]]}, token)
    assert [r["status"] for r in answer.json["results"]] == ["stored", "stored", "already"]
    assert hub_counts(app.config["DATABASE"])["tally_all"] == 2


def test_the_site_comes_from_the_token_never_from_the_body(hub):
    app, token = hub
    record = items(1)[0]
    record["payload"]["site_epci"] = "200071140"   # another EPCI claimed in the body
    record["content_hash"] = anonymise.content_hash(record["payload"])
    assert post(app, {"records": [record]}, token).json["results"][0]["status"] == "stored"
    db = connect(app.config["DATABASE"])
    sites = {row[0] for row in db.execute("select distinct site_epci from tally")}
    device = db["devices"].get(1)
    assert sites == {"200071496"} and device["records_received"] == 1
    assert device["last_seen_at"] is not None


def nothing_stored(app):
    db = connect(app.config["DATABASE"])
    try:
        return (db["records"].count, db["tally"].count,
                db["devices"].get(1)["last_seen_at"]) == (0, 0, None)
    finally:
        db.close()


@pytest.mark.parametrize("header", [None, "Bearer 1.wrong-secret", "Basic dXNlcjpwYXNz",
                                    "Bearer "])
def test_a_bad_token_is_401_and_stores_nothing(hub, header):
    app, _ = hub
    headers = {"Authorization": header} if header else {}
    answer = app.test_client().post(URL, json={"records": items(2)}, headers=headers)
    assert answer.status_code == 401 and answer.json["error"]
    assert answer.headers["WWW-Authenticate"].startswith("Bearer")
    assert nothing_stored(app)


def test_a_revoked_token_is_401_and_stores_nothing(hub):
    app, token = hub
    db = connect(app.config["DATABASE"])
    with write_transaction(db):
        hub_store.revoke_device(db, 1, datetime.now(timezone.utc))
    db.close()
    assert post(app, {"records": items(2)}, token).status_code == 401
    assert nothing_stored(app)


def test_oversize_is_413_and_stores_nothing(hub):
    app, token = hub
    too_many = post(app, {"records": items(51)}, token)
    assert too_many.status_code == 413 and "50" in too_many.json["error"]
    padded = {"records": items(2), "padding": "x" * 70_000}
    too_big = post(app, padded, token)
    assert too_big.status_code == 413 and too_big.is_json
    assert nothing_stored(app)


@pytest.mark.parametrize("raw", ['{"records": [', "not json", "[]", '{"records": []}',
                                 '{"records": {}}', '{"records": [1], "extra": 2}', "null",
                                 "[" * 20_000 + "]" * 20_000, b"\xff\xfe{}"])
def test_malformed_is_400_and_stores_nothing(hub, raw):
    app, token = hub
    answer = post(app, None, token, raw=raw)
    assert answer.status_code == 400 and answer.is_json and answer.json["error"]
    assert nothing_stored(app)


def test_items_that_are_not_records_are_invalid_one_by_one(hub):
    app, token = hub
    good = items(1)[0]
    answer = post(app, {"records": [1, "x", {"id": "not-a-uuid", "payload": {}}, good]}, token)
    assert answer.status_code == 200
    assert [r["status"] for r in answer.json["results"]] == ["invalid"] * 3 + ["stored"]
    assert answer.json["results"][2]["id"] == "not-a-uuid"


def test_a_purged_record_sent_again_is_not_counted_twice(hub):
    app, token = hub
    batch = items(4)
    post(app, {"records": batch}, token)
    db = connect(app.config["DATABASE"])
    with write_transaction(db):
        purged = hub_store.purge_records(db, datetime.now(timezone.utc) + timedelta(days=1))
    db.close()
    assert purged == 4
    again = post(app, {"records": batch}, token)
    assert [r["status"] for r in again.json["results"]] == ["already"] * 4
    held = hub_counts(app.config["DATABASE"])
    assert held["ids"] == [] and held["tally_all"] == 4


def test_api_errors_are_json(hub):
    app, _ = hub
    client = app.test_client()
    assert client.get(URL).status_code == 405 and client.get(URL).is_json
    missing = client.get("/api/v1/nothing")
    assert missing.status_code == 404 and missing.json["api"] == "kiosk-hub/1"


def test_the_openapi_document_describes_the_api(hub):
    app, _ = hub
    doc = app.test_client().get("/api/v1/openapi.json").json
    assert doc["openapi"].startswith("3.1")
    post_op = doc["paths"]["/api/v1/records"]["post"]
    assert set(post_op["responses"]) == {"200", "400", "401", "413", "503"}
    assert doc["components"]["schemas"]["Batch"]["properties"]["records"]["maxItems"] == 50
    # The payload of the version kiosks write today is exactly the allow-list.
    assert set(doc["components"]["schemas"]["Payload_diagnostic_3"]["required"]) \
        == set(anonymise.ALLOWED_FIELDS)
    assert doc["paths"]["/api/v1/contract"]["get"]["security"] == []


def test_a_kiosk_record_is_valid_for_the_hub():
    from kiosk.hub.ingest import prepare
    from kiosk.hub.weeks import Window

    window = Window(date(2025, 1, 1), date(2026, 11, 30))
    for item in items(30, seed=3):
        row, why = prepare(item, window)
        assert why is None and row[0] == item["id"] and row[2] == item["content_hash"]
    assert prepare({"id": str(uuid.uuid4()), "payload": {}}, window)[0] is None


def test_hub_pages_outside_the_api_keep_their_own_error_handling(hub):
    app, _ = hub
    missing = app.test_client().get("/nothing-here")
    assert missing.status_code == 404 and not missing.is_json
