"""Reliability: kiosk -> fault-injecting proxy -> a real hub process.

Whatever goes wrong on the way (a lost answer after the hub committed, a 500, a captive
portal, a batch delivered twice, a connection cut mid-body either way, the hub killed
and restarted mid-batch), the hub ends up holding exactly the records the kiosk made,
each once (in its records AND in its counts), and nothing stays pending.
"""
from __future__ import annotations

import json
import subprocess

import pytest

from kiosk.sync import anonymise
from kiosk.storage.db import connect
from tests.faultproxy import FaultProxy
from tests.hubkit import (HubProcess, hub_counts, hub_in_thread, make_hub, make_kiosk,  # noqa: F401
                          new_device, no_env_proxy, outbox_states)
from tests.live import kiosk_command, server_env
from tests.sample_records import fill_outbox

FAULTS = ["drop_after_commit", "error_500", "portal", "duplicate", "cut_request",
          "cut_response", "restart"]


@pytest.fixture
def hub(tmp_path):
    process = HubProcess(tmp_path / "hub")
    process.start()
    yield process
    process.stop()


def kiosk_with_records(folder, hub_url, token, count, seed=1, **config):
    config = {"SYNC_BATCH_SIZE": 5, **config}
    app = make_kiosk(folder, HUB_URL=hub_url, HUB_TOKEN=token, **config)
    db = connect(app.config["DATABASE"])
    ids = fill_outbox(db, count, seed=seed)
    db.close()
    return app, ids


def sync(app, *args):
    return app.test_cli_runner().invoke(args=["sync", *args])


def test_every_fault_then_the_hub_holds_each_record_exactly_once(tmp_path, hub):
    _, token = new_device(hub.database)
    # Each fault hits a request; a "pass" between them lets batches through, so faults
    # fall on first deliveries and on retries alike.
    script = [step for fault in FAULTS for step in (fault, "pass")]
    proxy = FaultProxy(hub.port, script, restart=hub.restart)
    try:
        app, ids = kiosk_with_records(tmp_path / "kiosk", proxy.url, token, 40)
        result = sync(app)
    finally:
        proxy.close()
    assert result.exit_code == 0, result.output
    assert sorted(set(proxy.fired)) == sorted(FAULTS + ["pass"])  # every fault happened
    assert hub.starts == 2                                         # the hub was restarted
    held = hub_counts(hub.database)
    assert sorted(held["ids"]) == sorted(ids)                      # exactly the kiosk's set
    assert held["tally_all"] == 40                                 # counted once each
    assert held["received"] == {1: 40}
    assert set(outbox_states(app.config["DATABASE"]).values()) == {"sent"}
    # The batch delivered twice at once reached the hub twice: each record was stored by
    # one delivery and answered "already" by the other.
    twice = [json.loads(answer.partition(b"\r\n\r\n")[2])
             for fault, answer in proxy.hub_answers if fault == "duplicate"]
    assert len(twice) == 2
    for rid in {r["id"] for r in twice[0]["results"]}:
        assert sorted(r["status"] for ack in twice for r in ack["results"]
                      if r["id"] == rid) in (["already", "already"], ["already", "stored"])


@pytest.mark.parametrize("fault", ["portal", "error_500", "cut_response"])
def test_a_hub_that_never_acknowledges_leaves_everything_pending(tmp_path, fault):
    hub_app = make_hub(tmp_path / "hub")
    database = hub_app.config["DATABASE"]
    _, token = new_device(database)
    with hub_in_thread(hub_app) as url:          # no restart here: a thread is enough
        proxy = FaultProxy(int(url.rsplit(":", 1)[1]), [fault] * 100)
        try:
            app, ids = kiosk_with_records(tmp_path / "kiosk", proxy.url, token, 12,
                                          SYNC_ATTEMPTS=3)
            result = sync(app)
        finally:
            proxy.close()
    assert result.exit_code == 1
    # the hub's time asked (kiosk/sync/clock.py), then the contract asked three times, then stop
    assert proxy.requests == 4
    assert set(outbox_states(app.config["DATABASE"]).values()) == {"pending"}
    status = app.test_cli_runner().invoke(args=["status"])
    assert "Pending:            12" in status.output
    assert "Last error:" in status.output and "after 3 attempts" in status.output
    if fault == "portal":
        assert hub_counts(database)["ids"] == []       # the portal page stored nothing


def test_a_record_altered_after_it_was_sent_is_quarantined_alone(tmp_path, hub):
    _, token = new_device(hub.database)
    # The clock and contract questions pass; every batch is then lost after the hub
    # committed.
    proxy = FaultProxy(hub.port, ["pass", "pass"] + ["drop_after_commit"] * 100)
    try:
        app, ids = kiosk_with_records(tmp_path / "kiosk", proxy.url, token, 20,
                                      SYNC_ATTEMPTS=1, SYNC_BATCH_SIZE=20)
        assert sync(app).exit_code == 1            # the hub stored all; the kiosk never heard
    finally:
        proxy.close()
    assert len(hub_counts(hub.database)["ids"]) == 20
    altered = ids[7]
    db = connect(app.config["DATABASE"])
    payload = json.loads(db["outbox"].get(altered)["payload"])
    payload["language"] = "ar" if payload["language"] != "ar" else "fr"
    db.execute("update outbox set payload = ?, content_hash = ? where id = ?",
               [anonymise.canonical(payload), anonymise.content_hash(payload), altered])
    db.close()

    app.config.update(HUB_URL=hub.url, SYNC_BATCH_SIZE=5)
    result = sync(app)
    assert result.exit_code == 0, result.output
    states = outbox_states(app.config["DATABASE"])
    assert [rid for rid, state in states.items() if state == "quarantined"] == [altered]
    assert sum(state == "sent" for state in states.values()) == 19
    held = hub_counts(hub.database)
    assert held["tally_all"] == 20                 # the conflict was not counted again
    status = app.test_cli_runner().invoke(args=["status"]).output
    assert "Quarantined:        1" in status and f"{altered}" in status and "conflict" in status
    again = sync(app)                              # quarantined: never sent again
    assert again.exit_code == 0 and "0 sent, 0 quarantined, 0 left" in again.output


def test_two_kiosks_syncing_at_once(tmp_path, hub):
    kiosks = []
    for n, (commune, epci) in enumerate([("03183", "200071496"), ("03310", "200071363")]):
        device, token = new_device(hub.database, site=f"site {n}", commune=commune, epci=epci)
        folder = tmp_path / f"kiosk{n}"
        app, ids = kiosk_with_records(folder, hub.url, token, 30, seed=n + 10,
                                      SITE_COMMUNE=commune)
        kiosks.append((device, epci, app, ids))
    runs = [subprocess.Popen(kiosk_command() + ["sync"], cwd=tmp_path, text=True,
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                             env=server_env(app.config["DATABASE"], tmp_path,
                                            HUB_URL=hub.url, HUB_TOKEN=app.config["HUB_TOKEN"],
                                            SYNC_BATCH_SIZE=5, SITE_COMMUNE=app.config["SITE_COMMUNE"],
                                            SYNC_RETRY_BASE=0.001, SYNC_RETRY_CEILING=0.005))
            for _, _, app, _ in kiosks]
    outputs = [run.communicate(timeout=120)[0] for run in runs]
    assert [run.returncode for run in runs] == [0, 0], outputs
    held = hub_counts(hub.database)
    assert sorted(held["ids"]) == sorted(kiosks[0][3] + kiosks[1][3])
    assert held["received"] == {kiosks[0][0]: 30, kiosks[1][0]: 30}
    db = connect(hub.database)
    per_site = dict(db.execute("select site_epci, sum(n) from tally where dimension = 'all' "
                               "group by site_epci").fetchall())
    db.close()
    assert per_site == {"200071496": 30, "200071363": 30}  # each site from its own token
