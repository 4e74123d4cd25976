"""The mediators' roster reaches each kiosk: by `kiosk sync`, or by a USB receipt."""
from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest
from werkzeug.security import check_password_hash

from kiosk.storage import store
from kiosk.storage.db import connect
from kiosk.sync import protocol, roster
from tests.hubkit import (hub_in_thread, make_hub, make_kiosk, new_device,  # noqa: F401
                          no_env_proxy)
from tests.sample_records import fill_outbox

NOW = datetime(2026, 11, 30, 10, tzinfo=timezone.utc)


def run(app, *args):
    return app.test_cli_runner().invoke(args=list(args))


def code_in(output: str) -> str:
    line = next(line for line in output.splitlines() if line.startswith("Unlock code of"))
    return line.rsplit(": ", 1)[1].replace(" ", "")


@pytest.fixture
def hub(tmp_path):
    app = make_hub(tmp_path / "hub")
    device, token = new_device(app.config["DATABASE"])
    return app, device, token


def held(kiosk) -> dict | None:
    db = connect(kiosk.config["DATABASE"])
    try:
        return store.roster(db)
    finally:
        db.close()


def unlocks(kiosk, name, code) -> bool:
    from kiosk.mediation import unlock

    db = connect(kiosk.config["DATABASE"])
    try:
        unlock.unlock(db, name, code, datetime.now(timezone.utc), max_age_days=30)
        return True
    except unlock.Refused:
        return False
    finally:
        db.close()


def test_each_sync_brings_the_roster_and_a_disabled_mediator_is_said_so(tmp_path, hub):
    app, _, token = hub
    code = code_in(run(app, "hub", "mediator", "add", "Amina Benali", "--structure",
                       "France Services de Cérilly").output)
    with hub_in_thread(app) as url:
        kiosk = make_kiosk(tmp_path / "kiosk", HUB_URL=url, HUB_TOKEN=token)
        fill_outbox(connect(kiosk.config["DATABASE"]), 3)
        first = run(kiosk, "sync")
        assert first.exit_code == 0, first.output
        assert "Mediators' roster: updated." in first.output
        listed = run(kiosk, "mediator", "list").output
        assert "received by network" in listed
        assert "  Amina Benali\tFrance Services de Cérilly\tactive" in listed
        (entry,) = held(kiosk)["mediators"]
        assert check_password_hash(entry["code_hash"], code)
        assert unlocks(kiosk, "Amina Benali", code)
        # disabled on the hub: the kiosk knows at its next sync, with nothing to try
        run(app, "hub", "mediator", "disable", "Amina Benali")
        assert unlocks(kiosk, "Amina Benali", code)   # not synced yet
        assert "Mediators' roster: updated." in run(kiosk, "sync").output
        assert not unlocks(kiosk, "Amina Benali", code)
    assert "  Amina Benali\tFrance Services de Cérilly\tdisabled" in \
        run(kiosk, "mediator", "list").output
    (entry,) = held(kiosk)["mediators"]
    assert entry["active"] is False and entry["code_hash"] == ""


def test_a_kiosk_with_no_network_gets_the_roster_with_its_usb_receipt(tmp_path, hub):
    app, _, token = hub
    run(app, "hub", "mediator", "add", "Paul Girard", "--structure", "Bus Bourbon'Net")
    kiosk = make_kiosk(tmp_path / "bus", HUB_TOKEN=token)
    fill_outbox(connect(kiosk.config["DATABASE"]), 2)
    usb = tmp_path / "usb"
    usb.mkdir()
    assert "No roster from the hub yet" in run(kiosk, "mediator", "list").output
    assert run(kiosk, "sync", "--to-file", str(usb / "f.json")).exit_code == 0
    assert run(app, "hub", "import", str(usb / "f.json")).exit_code == 0
    receipt = usb / "f.receipt.json"
    # altered on the key: the whole receipt is refused, and nothing changes
    altered = json.loads(receipt.read_text())
    altered["roster"]["body"]["mediators"][0]["name"] = "Quelqu'un d'autre"
    (usb / "altered.json").write_text(json.dumps(altered))
    refused = run(kiosk, "sync", "--receipt", str(usb / "altered.json"))
    assert refused.exit_code == 2 and held(kiosk) is None
    applied = run(kiosk, "sync", "--receipt", str(receipt))
    assert applied.exit_code == 0, applied.output
    listed = run(kiosk, "mediator", "list").output
    assert "received by receipt" in listed and "  Paul Girard\tBus Bourbon'Net\tactive" in listed


def roster_message(token, names, issued_at):
    body = {"mediators": [{"name": n, "structure": "S", "active": True, "code_hash": "h"}
                          for n in names]}
    return protocol.hub_message(protocol.device_of_token(token), "roster", body,
                                protocol.token_hash(token), issued_at=issued_at.isoformat())


def test_only_a_newer_roster_for_this_kiosk_replaces_the_one_held(tmp_path, hub):
    _, _, token = hub
    kiosk = make_kiosk(tmp_path / "kiosk", HUB_TOKEN=token)
    db = connect(kiosk.config["DATABASE"])
    try:
        assert roster.accept(db, roster_message(token, ["A"], NOW), token, NOW, "network")
        # a receipt carried on a key for a week is older: the roster held stays
        week_old = roster_message(token, ["Old"], NOW - timedelta(days=7))
        assert not roster.accept(db, week_old, token, NOW, "receipt")
        assert [m["name"] for m in store.roster(db)["mediators"]] == ["A"]
        # another kiosk's, altered, or of a layout this kiosk does not know: refused
        other = "9.secret-of-device-9-xxxxxxxx"
        altered = roster_message(token, ["B"], NOW + timedelta(hours=1))
        altered["body"]["mediators"][0]["active"] = False
        newer_layout = protocol.hub_message(
            protocol.device_of_token(token), "roster", {"mediators": []},
            protocol.token_hash(token), issued_at=NOW.isoformat(), version=2)
        malformed = protocol.hub_message(
            protocol.device_of_token(token), "roster", {"mediators": [{"name": 3}]},
            protocol.token_hash(token), issued_at=NOW.isoformat())
        for document in (roster_message(other, ["B"], NOW + timedelta(hours=1)), altered,
                         newer_layout, malformed):
            with pytest.raises(protocol.BadFile):
                roster.accept(db, document, token, NOW, "network")
        assert [m["name"] for m in store.roster(db)["mediators"]] == ["A"]
    finally:
        db.close()


def test_a_kiosk_without_a_hub_adds_its_mediators_itself(tmp_path):
    kiosk = make_kiosk(tmp_path / "kiosk")
    added = run(kiosk, "mediator", "add", "Zoé Martin", "--structure", "Médiathèque")
    assert added.exit_code == 0, added.output
    code = code_in(added.output)
    assert len(code) == 8
    listed = run(kiosk, "mediator", "list").output
    assert "Added on this kiosk:\n  Zoé Martin\tMédiathèque\tactive" in listed
    assert code not in listed
    db = connect(kiosk.config["DATABASE"])
    try:
        (entry,) = store.local_mediators(db)
    finally:
        db.close()
    assert check_password_hash(entry["code_hash"], code)
    again = run(kiosk, "mediator", "add", "zoé martin", "--structure", "Ailleurs")
    assert again.exit_code == 1 and "already added here" in again.output
    assert run(kiosk, "mediator", "add", " ", "--structure", "S").exit_code == 1
