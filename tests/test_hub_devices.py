"""`kiosk hub init`, `device add/list/revoke` and `purge` through Click's runner."""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

from kiosk import create_app
from kiosk.storage.db import connect
from kiosk.sync.protocol import token_hash
from tests.hubkit import hub_counts, hub_in_thread, make_hub, make_kiosk, no_env_proxy  # noqa: F401
from tests.sample_records import fill_outbox


def hub_app(tmp_path):
    return create_app({"TESTING": True, "ROLE": "hub", "DATABASE": str(tmp_path / "hub.db"),
                       "SECRET_KEY": "t"})


def test_hub_init_then_device_add_prints_a_token_kept_only_as_its_hash(tmp_path):
    runner = hub_app(tmp_path).test_cli_runner()
    assert "applied h001" in runner.invoke(args=["hub", "init"]).output
    assert "already up to date" in runner.invoke(args=["hub", "init"]).output
    added = runner.invoke(args=["hub", "device", "add", "--site", "APC Le Montet",
                                "--commune", "03183"])
    assert added.exit_code == 0, added.output
    token = added.stdout.strip().splitlines()[-1]
    assert re.fullmatch(r"1\.[A-Za-z0-9_-]{40,}", token)
    device = connect(tmp_path / "hub.db")["devices"].get(1)
    assert device["token_hash"] == token_hash(token) and token not in str(device)
    assert device["epci"] == "200071496"        # Le Montet's EPCI, from the communes file
    listing = runner.invoke(args=["hub", "device", "list"]).output
    assert "APC Le Montet" in listing and "never" in listing and "active" in listing


def test_device_add_refuses_a_commune_outside_the_allier(tmp_path):
    runner = hub_app(tmp_path).test_cli_runner()
    runner.invoke(args=["hub", "init"])
    result = runner.invoke(args=["hub", "device", "add", "--site", "X", "--commune", "75056"])
    assert result.exit_code == 1 and "75056" in result.output
    assert connect(tmp_path / "hub.db")["devices"].count == 0


def test_a_revoked_device_can_no_longer_sync(tmp_path):
    hub = make_hub(tmp_path / "hub")
    runner = hub.test_cli_runner()
    token = runner.invoke(args=["hub", "device", "add", "--site", "Bus",
                                "--commune", "03190"]).stdout.strip().splitlines()[-1]
    with hub_in_thread(hub) as url:
        kiosk = make_kiosk(tmp_path / "kiosk", HUB_URL=url, HUB_TOKEN=token)
        fill_outbox(connect(kiosk.config["DATABASE"]), 3)
        assert kiosk.test_cli_runner().invoke(args=["sync"]).exit_code == 0
        assert runner.invoke(args=["hub", "device", "revoke", "1"]).exit_code == 0
        assert "revoked" in runner.invoke(args=["hub", "device", "list"]).output
        fill_outbox(connect(kiosk.config["DATABASE"]), 2, seed=5)
        refused = kiosk.test_cli_runner().invoke(args=["sync"])
    assert refused.exit_code == 2 and "refused" in refused.output
    assert len(hub_counts(hub.config["DATABASE"])["ids"]) == 3
    assert runner.invoke(args=["hub", "device", "revoke", "1"]).exit_code == 1


def test_hub_commands_refuse_a_kiosk_configuration(tmp_path):
    app = create_app({"TESTING": True, "DATABASE": str(tmp_path / "k.db"), "SECRET_KEY": "t"})
    result = app.test_cli_runner().invoke(args=["hub", "init"])
    assert result.exit_code == 1 and "KIOSK_ROLE=hub" in result.output
    assert not (tmp_path / "k.db").exists()


def test_hub_purge_deletes_old_rows_and_keeps_the_counts(tmp_path):
    hub = make_hub(tmp_path / "hub")
    runner = hub.test_cli_runner()
    token = runner.invoke(args=["hub", "device", "add", "--site", "S",
                                "--commune", "03183"]).stdout.strip().splitlines()[-1]
    with hub_in_thread(hub) as url:
        kiosk = make_kiosk(tmp_path / "kiosk", HUB_URL=url, HUB_TOKEN=token)
        fill_outbox(connect(kiosk.config["DATABASE"]), 6)
        assert kiosk.test_cli_runner().invoke(args=["sync"]).exit_code == 0
    db = connect(hub.config["DATABASE"])
    old = (datetime.now(timezone.utc) - timedelta(days=500)).isoformat()
    db.execute("update records set received_at = ? where rowid in "
               "(select rowid from records limit 4)", [old])
    db.close()
    before = hub_counts(hub.config["DATABASE"])
    result = runner.invoke(args=["hub", "purge"])          # default: 400 days
    assert result.exit_code == 0 and result.output.startswith("4 records")
    after = hub_counts(hub.config["DATABASE"])
    assert len(after["ids"]) == 2 and after["tally_all"] == before["tally_all"] == 6
    assert runner.invoke(args=["hub", "purge", "--days", "0"]).output.startswith("2 records")
    assert hub_counts(hub.config["DATABASE"])["tally_all"] == 6
