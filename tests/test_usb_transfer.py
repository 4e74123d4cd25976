"""Records by USB key: `kiosk sync --to-file`, `kiosk hub import`, `kiosk sync --receipt`."""
from __future__ import annotations

import json
import re

import pytest

from kiosk.sync import protocol, client as sync
from kiosk.storage.db import connect
from tests.hubkit import (hub_counts, hub_in_thread, make_hub, make_kiosk, new_device,  # noqa: F401
                          no_env_proxy, outbox_states)
from tests.sample_records import fill_outbox


@pytest.fixture
def pair(tmp_path):
    """A hub with one device, and the bus's kiosk holding that device's token, offline."""
    hub = make_hub(tmp_path / "hub")
    _, token = new_device(hub.config["DATABASE"], site="Bourbon'Net", commune="03190",
                          epci="200071140")
    kiosk = make_kiosk(tmp_path / "bus", HUB_TOKEN=token, SITE_CODE="BUS-1",
                       SITE_COMMUNE="03190")
    ids = fill_outbox(connect(kiosk.config["DATABASE"]), 12, site_commune="03190")
    usb = tmp_path / "usb"
    usb.mkdir()  # the key, plugged in (`kiosk sync --to-file` never creates a folder)
    return hub, kiosk, ids, usb


def run(app, *args):
    return app.test_cli_runner().invoke(args=list(args))


def test_the_same_usb_file_imported_twice_stores_each_record_once(pair):
    hub, kiosk, ids, usb = pair
    written = run(kiosk, "sync", "--to-file", str(usb))
    assert written.exit_code == 0 and "12 records written" in written.output
    [records_file] = usb.glob("kiosk-1-*.records.json")
    assert set(outbox_states(kiosk.config["DATABASE"]).values()) == {"exported"}
    assert "Awaiting receipt:   12" in run(kiosk, "status").output

    first = run(hub, "hub", "import", str(records_file))
    assert first.exit_code == 0 and "12 stored" in first.output
    second = run(hub, "hub", "import", str(records_file), "--receipt", str(usb / "again.json"))
    assert second.exit_code == 0 and "0 stored" in second.output and "12 already" in second.output
    held = hub_counts(hub.config["DATABASE"])
    assert sorted(held["ids"]) == sorted(ids) and held["tally_all"] == 12
    assert held["received"] == {1: 12}

    receipt = records_file.with_name(records_file.name.removesuffix(".json") + ".receipt.json")
    applied = run(kiosk, "sync", "--receipt", str(receipt))
    assert applied.exit_code == 0 and "12 records acknowledged" in applied.output
    assert set(outbox_states(kiosk.config["DATABASE"]).values()) == {"sent"}
    again = run(kiosk, "sync", "--receipt", str(usb / "again.json"))   # harmless twice
    assert again.exit_code == 0 and "0 records acknowledged" in again.output
    status = run(kiosk, "status").output
    assert "Awaiting receipt:   0" in status and "receipt applied" in status


def test_exported_records_are_sent_again_by_a_network_sync(pair):
    hub, kiosk, ids, usb = pair
    run(kiosk, "sync", "--to-file", str(usb / "f.json"))
    run(hub, "hub", "import", str(usb / "f.json"))              # the receipt is lost
    with hub_in_thread(hub) as url:
        kiosk.config["HUB_URL"] = url
        result = run(kiosk, "sync")
    assert result.exit_code == 0 and "12 sent" in result.output
    held = hub_counts(hub.config["DATABASE"])
    assert len(held["ids"]) == 12 and held["tally_all"] == 12   # deduplicated by the hub
    assert set(outbox_states(kiosk.config["DATABASE"]).values()) == {"sent"}


def test_a_file_altered_on_the_way_is_refused_and_stores_nothing(pair):
    hub, kiosk, ids, usb = pair
    run(kiosk, "sync", "--to-file", str(usb / "f.json"))
    document = json.loads((usb / "f.json").read_text("utf-8"))
    document["records"][0]["payload"]["language"] = "ar"
    document["device"] = 1
    (usb / "f.json").write_text(json.dumps(document), "utf-8")
    result = run(hub, "hub", "import", str(usb / "f.json"))
    assert result.exit_code == 2 and "signature" in result.output
    assert hub_counts(hub.config["DATABASE"])["ids"] == []
    assert not (usb / "f.receipt.json").exists()


def test_a_file_from_a_revoked_device_is_refused(pair):
    hub, kiosk, ids, usb = pair
    run(kiosk, "sync", "--to-file", str(usb / "f.json"))
    run(hub, "hub", "device", "revoke", "1")
    result = run(hub, "hub", "import", str(usb / "f.json"))
    assert result.exit_code == 2 and "revoked" in result.output
    assert hub_counts(hub.config["DATABASE"])["ids"] == []


def test_a_broken_file_says_where(pair):
    hub, kiosk, ids, usb = pair
    (usb / "f.json").write_text('{"format": "kiosk-records/1",\n "device": 1,\n oops}', "utf-8")
    result = run(hub, "hub", "import", str(usb / "f.json"))
    assert result.exit_code == 1 and f"{usb / 'f.json'}:3:" in result.output


def test_a_receipt_for_another_kiosk_changes_nothing(pair, tmp_path):
    hub, kiosk, ids, usb = pair
    _, other_token = new_device(hub.config["DATABASE"], site="Other", commune="03183")
    other = make_kiosk(tmp_path / "other", HUB_TOKEN=other_token)
    fill_outbox(connect(other.config["DATABASE"]), 2, seed=4)
    run(other, "sync", "--to-file", str(usb / "other.json"))
    run(hub, "hub", "import", str(usb / "other.json"))
    result = run(kiosk, "sync", "--receipt", str(usb / "other.receipt.json"))
    assert result.exit_code == 2 and "not this kiosk" in result.output
    assert set(outbox_states(kiosk.config["DATABASE"]).values()) == {"pending"}


@pytest.mark.parametrize("content, status", [(b"\xff\xfe\x00\xd8", 1),
                                             (b"[" * 20_000 + b"]" * 20_000, 2),
                                             (b'{"format": "kiosk-records/1"}', 2)])
def test_a_file_that_is_no_records_file_is_refused_cleanly(pair, content, status):
    hub, kiosk, ids, usb = pair
    (usb / "f.json").write_bytes(content)
    result = run(hub, "hub", "import", str(usb / "f.json"))
    assert result.exit_code == status and isinstance(result.exception, SystemExit)
    assert hub_counts(hub.config["DATABASE"])["ids"] == []


def test_the_records_file_carries_exactly_what_the_api_receives(pair):
    hub, kiosk, ids, usb = pair
    run(kiosk, "sync", "--to-file", str(usb / "f.json"))
    document = json.loads((usb / "f.json").read_text())
    # The health report (version and kiosk doctor's counts) is all it adds: no site, no
    # commune, no time.
    assert set(document) == {"format", "device", "records", "health", "signature"}
    assert set(document["health"]) == {"version", "ok", "problems", "failing"}
    # What a network sync of the same kiosk posts to the records API, byte for byte.
    posted = []

    def get(settings, path):
        return sync.Answer(200, "application/json", json.dumps(
            {"api": protocol.API, "accepts": {"diagnostic": [1, 2, 3]}}).encode(), None)

    def post(settings, body):
        posted.extend(json.loads(body)["records"])
        raise ConnectionResetError("kept pending")

    db = connect(kiosk.config["DATABASE"])
    sync.run(db, sync.Settings.from_config({**kiosk.config, "HUB_URL": "https://hub.test"}),
             post=post, get=get, sleep=lambda s: None)
    db.close()
    assert document["format"] == "kiosk-records/1" and document["device"] == 1
    assert document["records"] == posted[:12] and len(document["records"]) == 12
    assert {key for item in document["records"] for key in item} \
        == {"id", "content_hash", "mac", "payload"}
    text = (usb / "f.json").read_text()
    for secret in ("BUS-1", "03190", "site_code", "site_commune", "created_at"):
        assert secret not in text                      # no site code, no commune
    assert not re.search(r"\d{4}-\d\d-\d\dT\d\d:\d\d", text)   # no exact time at all


def test_a_usb_only_site_syncs_quietly_and_purges_after_its_receipt(tmp_path):
    """The bus or a post office without network: the hourly `kiosk sync` has no hub to
    reach and must not fail every hour; its `kiosk purge` still deletes the answers a USB
    receipt acknowledged, once their retention is over."""
    hub = make_hub(tmp_path / "hub")
    _, token = new_device(hub.config["DATABASE"], site="Bourbon'Net", commune="03190",
                          epci="200071140")
    kiosk = make_kiosk(tmp_path / "bus", HUB_TOKEN=token, HUB_URL="")
    db = connect(kiosk.config["DATABASE"])
    fill_outbox(db, 3, with_answers=True)
    answers = db["answers"].count
    hourly = run(kiosk, "sync")
    assert hourly.exit_code == 0, hourly.output
    assert "no hub" in hourly.output.lower() and "--to-file" in hourly.output
    assert sorted(outbox_states(kiosk.config["DATABASE"]).values()) == ["pending"] * 3
    usb = tmp_path / "usb"
    usb.mkdir()
    assert run(kiosk, "sync", "--to-file", str(usb)).exit_code == 0
    (records_file,) = usb.glob("*.records.json")
    assert run(hub, "hub", "import", str(records_file)).exit_code == 0
    (receipt,) = usb.glob("*.receipt.json")
    assert run(kiosk, "sync", "--receipt", str(receipt)).exit_code == 0
    assert run(kiosk, "purge", "--days", "0").output.startswith(f"{answers} answers deleted")
    assert db["answers"].count == 0 and db["results"].count == 3


def test_a_malformed_hub_address_still_stops_the_sync(tmp_path):
    kiosk = make_kiosk(tmp_path / "k", HUB_TOKEN="1.abc", HUB_URL="hub.example.fr")
    result = run(kiosk, "sync")
    assert result.exit_code == 2 and "KIOSK_HUB_URL" in result.output


def test_the_bus_reports_its_health_by_usb_key_and_a_bad_report_is_left_out(pair, tmp_path):
    """A USB-only kiosk never reaches the hub's health endpoint: its records file carries
    the report, which the hub keeps as it keeps a network one."""
    hub, kiosk, ids, usb = pair
    run(kiosk, "sync", "--to-file", str(usb / "f.json"))
    imported = run(hub, "hub", "import", str(usb / "f.json"))
    assert "Health report: stored." in imported.output
    db = connect(hub.config["DATABASE"])
    version, failing = db.execute("select version, failing from device_health").fetchone()
    from kiosk.ops.health import app_version
    assert version == app_version() and isinstance(json.loads(failing), list)
    # A report outside the allow-list (a free-text field) never gets in; the records do.
    fill_outbox(connect(kiosk.config["DATABASE"]), 2, site_commune="03190")
    run(kiosk, "sync", "--to-file", str(usb / "g.json"))
    document = json.loads((usb / "g.json").read_text())
    document["health"]["note"] = "Mme Dupont, 12 rue des Lilas"
    token = kiosk.config["HUB_TOKEN"]
    forged = protocol.sign(document, protocol.token_hash(token))
    (usb / "g.json").write_text(json.dumps(forged))
    again = run(hub, "hub", "import", str(usb / "g.json"))
    assert "2 stored" in again.output and "Health report: left out" in again.output
    assert "Dupont" not in json.dumps(db.execute("select * from device_health").fetchall())
    db.close()
