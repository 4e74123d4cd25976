"""The kiosk's side of weeks: "later" records stay pending, and a kiosk whose clock is
implausible says so and holds its records."""
from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest

from kiosk.sync import anonymise, cli as sync_cli
from kiosk.storage.db import connect
from kiosk.hub.stats import week_of
from tests.hubkit import (hub_counts, hub_in_thread, make_hub, make_kiosk, new_device,  # noqa: F401
                          no_env_proxy, outbox_states)
from tests.sample_records import fill_outbox

# two weeks ahead: still "later" if the week turns while the test runs
NEXT_WEEK = week_of(datetime.now(timezone.utc).date() + timedelta(days=14))


@pytest.fixture
def hub(tmp_path):
    app = make_hub(tmp_path / "hub")
    _, token = new_device(app.config["DATABASE"])
    with hub_in_thread(app) as url:
        yield app, url, token


def kiosk_with(tmp_path, url, token, count=3):
    kiosk = make_kiosk(tmp_path / "kiosk", HUB_URL=url, HUB_TOKEN=token)
    db = connect(kiosk.config["DATABASE"])
    ids = fill_outbox(db, count)
    db.close()
    return kiosk, ids


def test_a_record_of_a_week_after_the_hubs_stays_pending(tmp_path, hub):
    app, url, token = hub
    kiosk, ids = kiosk_with(tmp_path, url, token)
    db = connect(kiosk.config["DATABASE"])      # the kiosk's clock was a week ahead
    payload = dict(json.loads(db["outbox"].get(ids[0])["payload"]), week=NEXT_WEEK)
    db["outbox"].update(ids[0], {"payload": anonymise.canonical(payload),
                                 "content_hash": anonymise.content_hash(payload)})
    db.close()
    runner = kiosk.test_cli_runner()
    for _ in range(2):                          # sent again, never quarantined
        result = runner.invoke(args=["sync"])
        assert result.exit_code == 1, result.output
        assert "0 quarantined, 1 left for the next sync (1 dated after the hub's current " \
               "week)" in result.output
    assert outbox_states(kiosk.config["DATABASE"]) == {ids[0]: "pending", ids[1]: "sent",
                                                       ids[2]: "sent"}
    status = runner.invoke(args=["status"]).output
    assert "Pending:            1" in status and "Quarantined:        0" in status
    assert sorted(hub_counts(app.config["DATABASE"])["ids"]) == sorted(ids[1:])


def test_a_clock_before_the_release_holds_every_record(tmp_path, hub, monkeypatch):
    app, url, token = hub
    kiosk, ids = kiosk_with(tmp_path, url, token)
    monkeypatch.setattr(sync_cli, "_now", lambda: datetime(2000, 1, 1, tzinfo=timezone.utc))
    runner = kiosk.test_cli_runner()
    status = runner.invoke(args=["status"]).output
    assert "Clock:              IMPLAUSIBLE: the clock says 2000-01-01 00:00 UTC, before " \
           "this software was released (2026-11-30)" in status
    usb = runner.invoke(args=["sync", "--to-file", str(tmp_path / "usb")])
    assert usb.exit_code == 2 and not (tmp_path / "usb").exists()
    assert "clock implausible" in runner.invoke(args=["status"]).output   # the last error
    result = runner.invoke(args=["sync"])
    assert result.exit_code == 2 and "Nothing was sent" in result.output
    assert set(outbox_states(kiosk.config["DATABASE"]).values()) == {"pending"}
    assert hub_counts(app.config["DATABASE"])["ids"] == []
    assert "clock implausible" in runner.invoke(args=["status"]).output   # the last error


def test_a_clock_days_ahead_of_the_hubs_holds_until_it_is_set(tmp_path, hub, monkeypatch):
    app, url, token = hub
    kiosk, ids = kiosk_with(tmp_path, url, token)
    ahead = datetime.now(timezone.utc) + timedelta(days=3)
    monkeypatch.setattr(sync_cli, "_now", lambda: ahead)
    runner = kiosk.test_cli_runner()
    result = runner.invoke(args=["sync"])
    assert result.exit_code == 2, result.output
    assert "the kiosk's clock was 3 days ahead of the hub's" in result.output
    assert hub_counts(app.config["DATABASE"])["ids"] == []
    assert "IMPLAUSIBLE" in runner.invoke(args=["status"]).output
    monkeypatch.undo()                         # the clock is set right: the hub agrees
    result = runner.invoke(args=["sync"])
    assert result.exit_code == 0, result.output
    assert sorted(hub_counts(app.config["DATABASE"])["ids"]) == sorted(ids)
    assert "within a minute of the hub's" in runner.invoke(args=["status"]).output


def test_the_clock_rules():
    from kiosk.sync import clock

    now = datetime(2027, 3, 1, 12, tzinfo=timezone.utc)
    hub = clock.HubTime
    assert clock.problem(now, None) is None
    assert clock.problem(datetime(2026, 11, 29, tzinfo=timezone.utc), None)   # before release
    assert "decades" in clock.problem(datetime(9999, 1, 1, tzinfo=timezone.utc), None)
    agreed = hub(now - timedelta(days=90), now - timedelta(days=90, minutes=50), True)
    assert clock.problem(now, agreed) is None                  # 50 minutes: drift, not wrong
    off = hub(now - timedelta(days=90), now - timedelta(days=90) + timedelta(hours=2), True)
    assert "2 hours ahead of" in clock.problem(now, off)
    receipt = hub(now + timedelta(days=2), now, False)         # a receipt made "later"
    assert "went back" in clock.problem(now, receipt)
    assert clock.problem(now, hub(now + timedelta(minutes=30), now, False)) is None


def test_by_usb_a_later_record_awaits_its_week_and_a_late_record_is_taken(tmp_path):
    from kiosk.hub.stats import week_of as week

    hub = make_hub(tmp_path / "hub", HUB_SERVICE_START="2025-01-01")
    _, token = new_device(hub.config["DATABASE"])
    kiosk = make_kiosk(tmp_path / "bus", HUB_TOKEN=token)
    db = connect(kiosk.config["DATABASE"])
    ids = fill_outbox(db, 2)
    months_ago = week(datetime.now(timezone.utc).date() - timedelta(days=300))
    for rid, when in zip(ids, (NEXT_WEEK, months_ago)):
        payload = dict(json.loads(db["outbox"].get(rid)["payload"]), week=when)
        db["outbox"].update(rid, {"payload": anonymise.canonical(payload),
                                  "content_hash": anonymise.content_hash(payload)})
    db.close()
    runner, usb = kiosk.test_cli_runner(), tmp_path / "usb.json"
    assert runner.invoke(args=["sync", "--to-file", str(usb)]).exit_code == 0
    imported = hub.test_cli_runner().invoke(args=["hub", "import", str(usb)])
    assert imported.exit_code == 0 and "1 stored" in imported.output \
        and "1 later" in imported.output
    receipt = usb.with_name("usb.receipt.json")
    assert runner.invoke(args=["sync", "--receipt", str(receipt)]).exit_code == 0
    assert outbox_states(kiosk.config["DATABASE"]) == {ids[0]: "exported", ids[1]: "sent"}
    assert "Quarantined:        0" in runner.invoke(args=["status"]).output
