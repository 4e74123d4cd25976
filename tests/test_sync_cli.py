"""`kiosk sync`, `kiosk status`, `kiosk purge` against a hub served in a thread."""
from __future__ import annotations

import json
import random
from datetime import datetime, timedelta, timezone

import pytest

from kiosk.sync import protocol, client as sync
from kiosk.storage.db import connect
from tests.hubkit import (hub_counts, hub_in_thread, make_hub, make_kiosk, new_device,  # noqa: F401
                          no_env_proxy, outbox_states)
from tests.sample_records import fill_outbox


@pytest.fixture
def hub(tmp_path):
    app = make_hub(tmp_path / "hub", HUB_MAX_BATCH_RECORDS=8)
    _, token = new_device(app.config["DATABASE"])
    with hub_in_thread(app) as url:
        yield app, url, token


def test_sync_sends_everything_in_batches_and_says_so(tmp_path, hub):
    app, url, token = hub
    kiosk = make_kiosk(tmp_path / "kiosk", HUB_URL=url, HUB_TOKEN=token, SYNC_BATCH_SIZE=4)
    ids = fill_outbox(connect(kiosk.config["DATABASE"]), 10)
    result = kiosk.test_cli_runner().invoke(args=["sync"])
    assert result.exit_code == 0, result.output
    assert "10 sent, 0 quarantined, 0 left" in result.output and "Sending" in result.output
    assert sorted(hub_counts(app.config["DATABASE"])["ids"]) == sorted(ids)
    status = kiosk.test_cli_runner().invoke(args=["status"]).output
    assert "Pending:            0" in status and "Sent:               10" in status
    assert "10 sent over the network" in status and "Last error:         never" in status


def test_status_shows_the_newest_error_even_after_the_clock_was_set_back(tmp_path):
    from kiosk.storage import store

    kiosk = make_kiosk(tmp_path / "kiosk")
    db = connect(kiosk.config["DATABASE"])
    before = datetime(2026, 6, 1, 12, tzinfo=timezone.utc)
    store.log_sync(db, before, "network", "error", detail="HTTP 503")
    store.log_sync(db, before - timedelta(days=1), "network", "error",  # the clock set back
                   detail="HTTP 200 with text/html, not the hub's JSON (a captive portal?)")
    db.close()
    status = kiosk.test_cli_runner().invoke(args=["status"]).output
    assert "Last error:         2026-05-31 12:00:00 UTC, HTTP 200 with text/html" in status


def test_a_batch_too_large_for_the_hub_is_split(tmp_path, hub):
    app, url, token = hub                      # the hub takes at most 8 records
    kiosk = make_kiosk(tmp_path / "kiosk", HUB_URL=url, HUB_TOKEN=token, SYNC_BATCH_SIZE=20)
    fill_outbox(connect(kiosk.config["DATABASE"]), 20)
    result = kiosk.test_cli_runner().invoke(args=["sync"])
    assert result.exit_code == 0, result.output
    assert hub_counts(app.config["DATABASE"])["tally_all"] == 20


@pytest.mark.parametrize("config, message", [
    ({"HUB_URL": "ftp://hub.example"}, "KIOSK_HUB_URL"),
    ({"HUB_TOKEN": ""}, "KIOSK_HUB_TOKEN"),
    ({"HUB_TOKEN": "no-device-part"}, "KIOSK_HUB_TOKEN"),
    ({"SYNC_ATTEMPTS": 0}, "KIOSK_SYNC_"),
    ({"SYNC_RETRY_BASE": "soon"}, "KIOSK_SYNC_"),
])
def test_a_misconfigured_kiosk_exits_2_and_sends_nothing(tmp_path, hub, config, message):
    app, url, token = hub
    kiosk = make_kiosk(tmp_path / "kiosk", **{"HUB_URL": url, "HUB_TOKEN": token, **config})
    fill_outbox(connect(kiosk.config["DATABASE"]), 2)
    result = kiosk.test_cli_runner().invoke(args=["sync"])
    assert result.exit_code == 2 and message in result.output
    assert hub_counts(app.config["DATABASE"])["ids"] == []


def test_a_refused_token_exits_2_and_leaves_records_pending(tmp_path, hub):
    app, url, token = hub
    kiosk = make_kiosk(tmp_path / "kiosk", HUB_URL=url, HUB_TOKEN="1.not-the-token")
    fill_outbox(connect(kiosk.config["DATABASE"]), 3)
    result = kiosk.test_cli_runner().invoke(args=["sync"])
    assert result.exit_code == 2 and "refused" in result.output
    assert set(outbox_states(kiosk.config["DATABASE"]).values()) == {"pending"}
    assert "HTTP 401" in kiosk.test_cli_runner().invoke(args=["status"]).output


def test_an_unreachable_hub_exits_1_after_the_configured_attempts(tmp_path):
    from tests.live import free_port

    kiosk = make_kiosk(tmp_path / "kiosk", HUB_URL=f"http://127.0.0.1:{free_port()}",
                       HUB_TOKEN="1.abc", SYNC_ATTEMPTS=3)
    fill_outbox(connect(kiosk.config["DATABASE"]), 2)
    result = kiosk.test_cli_runner().invoke(args=["sync"])
    assert result.exit_code == 1 and "after 3 attempts" in result.output
    assert "2 left for the next sync" in result.output


def test_backoff_grows_to_the_ceiling_with_jitter():
    rng = random.Random(4)
    waits = [[sync.backoff(n, 0.5, 8.0, rng) for n in range(8)] for _ in range(50)]
    for n in range(8):
        cap = min(8.0, 0.5 * 2 ** n)
        column = [w[n] for w in waits]
        assert all(cap / 2 <= w <= cap for w in column)   # between half and all of it
        assert len(set(column)) == 50                     # jitter: never in step
    assert max(w[7] for w in waits) <= 8.0 and min(w[7] for w in waits) >= 4.0


def test_retries_wait_with_backoff_between_attempts(tmp_path):
    kiosk = make_kiosk(tmp_path / "kiosk", HUB_URL="http://hub.invalid", HUB_TOKEN="1.abc",
                       SYNC_ATTEMPTS=4, SYNC_RETRY_BASE=1.0, SYNC_RETRY_CEILING=3.0)
    db = connect(kiosk.config["DATABASE"])
    fill_outbox(db, 1)
    slept = []

    def failing_post(settings, body):
        raise ConnectionRefusedError("no route")
    outcome = sync.run(db, sync.Settings.from_config(kiosk.config), post=failing_post,
                       sleep=slept.append, rng=random.Random(1))
    assert outcome.exit_status == 1 and len(slept) == 3          # none after the last try
    assert 0.5 <= slept[0] <= 1 and 1 <= slept[1] <= 2 and 1.5 <= slept[2] <= 3


def test_a_portal_page_is_not_an_acknowledgement():
    portal = b"<html><body>Connectez-vous au Wi-Fi</body></html>"
    for content_type, body in [("text/html", portal), ("application/json", b'{"ok": true}'),
                               ("application/json", b"<html>")]:
        with pytest.raises(protocol.NotAnAcknowledgement):
            protocol.parse_acknowledgement(200, content_type, body, ["a"])
    ack = json.dumps({"api": protocol.API, "results": [
        {"id": "a", "status": "stored"}, {"id": "zz", "status": "stored"},
        {"id": "b", "status": "conflict", "reason": "same id"}]}).encode()
    assert protocol.parse_acknowledgement(200, "application/json", ack, ["a", "b", "c"]) == {
        "a": ("stored", None), "b": ("conflict", "same id")}  # "zz" never sent; "c" unsaid


def test_purge_deletes_answers_only_long_after_the_acknowledgement(tmp_path, hub):
    app, url, token = hub
    kiosk = make_kiosk(tmp_path / "kiosk", HUB_URL=url, HUB_TOKEN=token)
    db = connect(kiosk.config["DATABASE"])
    fill_outbox(db, 4, with_answers=True)
    answers = db["answers"].count
    runner = kiosk.test_cli_runner()
    assert runner.invoke(args=["purge", "--days", "0"]).output.startswith("0 answers")
    assert runner.invoke(args=["sync"]).exit_code == 0
    assert runner.invoke(args=["purge"]).output.startswith("0 answers")   # 30 days not over
    old = (datetime.now(timezone.utc) - timedelta(days=31)).isoformat()
    first = db.execute("select id from outbox order by id limit 1").fetchone()[0]
    db.execute("update outbox set acknowledged_at = ? where id = ?", [old, first])
    result = runner.invoke(args=["purge"])
    purged = int(result.output.split()[0])
    assert 0 < purged < answers and db["answers"].count == answers - purged
    assert db["results"].count == 4 and db["scores"].count == 20       # scores kept
