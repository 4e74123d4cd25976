"""Records belong to the device that made them: another kiosk's copy (off a USB key)
never takes their ids, and a replaced kiosk PC keeps its records counted once."""
from __future__ import annotations

import json

import pytest

from kiosk.sync import anonymise, protocol
from kiosk.storage.db import connect
from kiosk.hub import events
from tests.hubkit import (hub_counts, hub_in_thread, make_hub, make_kiosk, new_device,  # noqa: F401
                          no_env_proxy, outbox_states)
from tests.sample_records import fill_outbox


def run(app, *args):
    return app.test_cli_runner().invoke(args=list(args))


@pytest.fixture
def bus_and_other(tmp_path):
    """A hub with the bus (device 1, 12 records written to its USB file) and a post
    office kiosk (device 2) whose token an attacker holds."""
    hub = make_hub(tmp_path / "hub")
    _, bus_token = new_device(hub.config["DATABASE"], site="Bus", commune="03190",
                              epci="200071140")
    _, other_token = new_device(hub.config["DATABASE"], site="APC Le Montet")
    bus = make_kiosk(tmp_path / "bus", HUB_TOKEN=bus_token, SITE_COMMUNE="03190")
    ids = fill_outbox(connect(bus.config["DATABASE"]), 12, site_commune="03190")
    usb = tmp_path / "usb"
    usb.mkdir()
    assert run(bus, "sync", "--to-file", str(usb / "bus.json")).exit_code == 0
    return hub, bus, set(ids), other_token, usb / "bus.json"


def altered_copy(records_file):
    """The attack: the bus's records, altered, hashes made to match again."""
    items = json.loads(records_file.read_text())["records"]
    copies = []
    for item in items:
        payload = dict(item["payload"], language="ar")
        copies.append(dict(item, payload=payload,
                           content_hash=anonymise.content_hash(payload)))
    return copies


def post(hub, records, token):
    return hub.test_client().post("/api/v1/records", json={"records": records},
                                  headers={"Authorization": f"Bearer {token}"})


def per_device(database) -> dict[int, int]:
    db = connect(database)
    try:
        return dict(db.execute("select device_id, sum(n) from tally where dimension = 'all' "
                               "group by device_id").fetchall())
    finally:
        db.close()


def import_genuine(hub, bus, records_file, ids):
    """The genuine file imported, its receipt applied: every record the bus's own."""
    imported = run(hub, "hub", "import", str(records_file))
    assert imported.exit_code == 0 and "12 stored, 0 already, 0 conflict, 0 invalid" \
        in imported.output, imported.output
    receipt = records_file.with_name("bus.receipt.json")
    applied = run(bus, "sync", "--receipt", str(receipt))
    assert "12 records acknowledged, 0 quarantined" in applied.output
    assert set(outbox_states(bus.config["DATABASE"]).values()) == {"sent"}


def test_an_altered_copy_posted_with_another_token_takes_nothing(bus_and_other, monkeypatch):
    hub, bus, ids, other_token, records_file = bus_and_other
    logged = []
    monkeypatch.setattr(events, "log", lambda event, **fields: logged.append((event, fields)))
    attack = post(hub, altered_copy(records_file), other_token)
    assert ("records_not_bound_to_device", {"device": 2, "records": 12}) in logged
    assert attack.status_code == 200
    # Bound to the bus by their MACs: invalid for the kiosk that posted them, and only there.
    assert {r["status"] for r in attack.json["results"]} == {"invalid"}
    assert "MAC" in attack.json["results"][0]["reason"]
    import_genuine(hub, bus, records_file, ids)
    held = hub_counts(hub.config["DATABASE"])
    assert set(held["ids"]) == ids and held["tally_all"] == 12
    assert per_device(hub.config["DATABASE"]) == {1: 12}


def test_a_copy_stripped_of_its_macs_takes_nothing_either(bus_and_other):
    hub, bus, ids, other_token, records_file = bus_and_other
    stripped = [{k: v for k, v in item.items() if k != "mac"} for item in
                altered_copy(records_file)]
    attack = post(hub, stripped, other_token)
    assert {r["status"] for r in attack.json["results"]} == {"invalid"}
    import_genuine(hub, bus, records_file, ids)
    assert per_device(hub.config["DATABASE"]) == {1: 12}


def test_a_copy_bound_with_the_attackers_own_key_never_harms_the_genuine_records(
        bus_and_other, monkeypatch):
    hub, bus, ids, other_token, records_file = bus_and_other
    logged = []
    monkeypatch.setattr(events, "log", lambda event, **fields: logged.append((event, fields)))
    key = protocol.token_hash(other_token)
    forged = [dict(item, mac=protocol.record_mac(2, item["id"], item["content_hash"], key))
              for item in altered_copy(records_file)]
    attack = post(hub, forged, other_token)
    # The attacker's own kiosk vouches for them: they are its records, counted as its own.
    assert {r["status"] for r in attack.json["results"]} == {"stored"}
    import_genuine(hub, bus, records_file, ids)   # ...and the bus's are all stored too
    assert per_device(hub.config["DATABASE"]) == {1: 12, 2: 12}
    # Twelve UUIDs on two devices never happen by chance: the administrator is told.
    assert ("record_ids_on_two_devices", {"device": 1, "records": 12,
                                          "other_devices": [2]}) in logged


def test_a_replaced_kiosk_pc_keeps_its_records_counted_once(tmp_path):
    hub = make_hub(tmp_path / "hub")
    runner = hub.test_cli_runner()
    _, old_token = new_device(hub.config["DATABASE"], site="APC Le Montet")
    with hub_in_thread(hub) as url:
        kiosk = make_kiosk(tmp_path / "kiosk", HUB_URL=url, HUB_TOKEN=old_token)
        database = kiosk.config["DATABASE"]
        fill_outbox(connect(database), 6)
        assert run(kiosk, "sync").exit_code == 0
        fill_outbox(connect(database), 3, seed=5)        # made before the PC failed
        replaced = runner.invoke(args=["hub", "device", "replace", "1"])
        assert replaced.exit_code == 0, replaced.output
        new_token = replaced.stdout.strip().splitlines()[-1]
        assert new_token != old_token and new_token.startswith("1.")
        assert run(kiosk, "sync").exit_code == 2          # the old token is refused
        # The new PC, set up from a copy of the old one's database, with the new token;
        # it even resends what the hub already had.
        db = connect(database)
        db.execute("update outbox set state = 'pending'")
        db.close()
        kiosk.config["HUB_TOKEN"] = new_token
        synced = run(kiosk, "sync")
    assert synced.exit_code == 0, synced.output
    assert "9 sent, 0 quarantined" in synced.output
    held = hub_counts(hub.config["DATABASE"])
    assert len(held["ids"]) == 9 and held["tally_all"] == 9 and held["received"] == {1: 9}
    listing = runner.invoke(args=["hub", "device", "list"]).output
    assert listing.count("APC Le Montet") == 1 and "active" in listing
    assert runner.invoke(args=["hub", "device", "replace", "7"]).exit_code == 1
