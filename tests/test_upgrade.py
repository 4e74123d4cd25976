"""Upgrades in the field: a kiosk database of the first release upgraded (after a backup)
and synced; a newer kiosk against a first-release hub, and the reverse; a failed
migration leaves the database as it was.

tests/fixtures/kiosk-release1.db was made by the first release (see
make_kiosk_release1.py): eight diagnostics, five still pending, all schema version 1.
A first-release hub is simulated by the new hub with the release's own item schema
(tests/fixtures/release1-item-schema.json, taken from that release's openapi.py) and
no /api/v1/contract path.
"""
from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import fastjsonschema
import pytest

from kiosk.sync import contract, protocol
from kiosk import create_app
from kiosk.storage import migrations, store
from kiosk.storage.db import connect
from kiosk.hub import ingest
from tests.hubkit import (FAST_RETRIES, hub_counts, hub_in_thread, make_hub,  # noqa: F401
                          new_device, no_env_proxy, outbox_states)
from tests.sample_records import fill_outbox

FIXTURES = Path(__file__).parent / "fixtures"
RELEASE1_PENDING = 5


def release1_kiosk(folder: Path, **config):
    """A kiosk app on a copy of the first release's database (not migrated yet)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "kiosk.db"
    shutil.copy(FIXTURES / "kiosk-release1.db", path)
    return create_app({"TESTING": True, "DATABASE": str(path), "SECRET_KEY": "test-secret",
                       "SITE_COMMUNE": "03183", **FAST_RETRIES, **config})


def release1_pending_rows() -> list[dict]:
    """The fixture's pending outbox rows, as the first release froze them."""
    old = sqlite3.connect(f"file:{FIXTURES / 'kiosk-release1.db'}?mode=ro", uri=True)
    old.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in old.execute("select id, payload, content_hash from outbox "
                                             "where state = 'pending'")]
    finally:
        old.close()


def run(app, *args):
    return app.test_cli_runner().invoke(args=list(args))


def pending_ids(database) -> set[str]:
    return {rid for rid, state in outbox_states(database).items() if state == "pending"}


class Release1Hub:
    """WSGI middleware: /api/v1/contract does not exist (JSON 404, as that release's
    API errors were), and acknowledgements advertise nothing."""

    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        if environ.get("PATH_INFO") == "/api/v1/contract":
            body = json.dumps({"api": protocol.API, "error": "Not Found"}).encode()
            start_response("404 NOT FOUND", [("Content-Type", "application/json"),
                                             ("Content-Length", str(len(body)))])
            return [body]
        return self.app(environ, start_response)


@pytest.fixture
def release1_hub(tmp_path, monkeypatch):
    """(hub app, token) of a hub that behaves as the first release: it validates items
    with that release's schema and advertises no versions."""
    hub = make_hub(tmp_path / "hub")
    _, token = new_device(hub.config["DATABASE"])
    item = json.loads((FIXTURES / "release1-item-schema.json").read_text())
    monkeypatch.setattr(ingest, "_check_item", fastjsonschema.compile(item))
    monkeypatch.setattr(contract, "advertisement", lambda: None)
    hub.wsgi_app = Release1Hub(hub.wsgi_app)
    return hub, token


def test_a_release1_kiosk_database_is_backed_up_upgraded_and_its_pending_records_synced(
        tmp_path):
    hub = make_hub(tmp_path / "hub")
    _, token = new_device(hub.config["DATABASE"])
    with hub_in_thread(hub) as url:
        kiosk = release1_kiosk(tmp_path / "kiosk", HUB_URL=url, HUB_TOKEN=token)
        database = kiosk.config["DATABASE"]
        before = pending_ids(database)
        assert len(before) == RELEASE1_PENDING
        assert run(kiosk, "status").exit_code != 0          # the database needs `kiosk init`
        upgraded = run(kiosk, "init")
        assert upgraded.exit_code == 0, upgraded.output
        assert "m005_clock" in upgraded.output and "m007_wire_contract" in upgraded.output
        # named after the first migration the release lacks
        [backup] = Path(database).parent.glob("kiosk.db.*.before-m005_clock.bak")
        assert f"Backup: {backup}" in upgraded.output
        copy = sqlite3.connect(backup)                    # the release's database, intact
        assert [r[0] for r in copy.execute("select name from _migrations order by name")] \
            == ["m001_visits_answers", "m002_results_scores_outbox", "m003_places",
                "m004_outbox_states_sync_log"]
        assert copy.execute("select count(*) from outbox where state = 'pending'"
                            ).fetchone()[0] == RELEASE1_PENDING
        copy.close()
        synced = run(kiosk, "sync")
    assert synced.exit_code == 0, synced.output
    held = hub_counts(hub.config["DATABASE"])
    assert set(held["ids"]) == before and held["tally_all"] == RELEASE1_PENDING
    assert pending_ids(database) == set()
    assert "Quarantined:        0" in run(kiosk, "status").output
    db = connect(hub.config["DATABASE"])
    assert db.execute("select frame, sum(n) from tally_site where dimension = 'all' "
                      "group by frame").fetchall() == [("1", RELEASE1_PENDING)]
    db.close()


def test_a_newer_kiosk_keeps_what_an_older_hub_cannot_take_pending(tmp_path, release1_hub,
                                                                   monkeypatch):
    hub, token = release1_hub
    with hub_in_thread(hub) as url:
        kiosk = release1_kiosk(tmp_path / "kiosk", HUB_URL=url, HUB_TOKEN=token)
        database = kiosk.config["DATABASE"]
        old = pending_ids(database)
        assert run(kiosk, "init").exit_code == 0
        new = set(fill_outbox(connect(database), 3, seed=11, site_commune="03183"))
        synced = run(kiosk, "sync")
        assert synced.exit_code == 0, synced.output
        assert "3 wait for the hub to be upgraded" in synced.output
        assert set(hub_counts(hub.config["DATABASE"])["ids"]) == old  # version 1 only
        assert pending_ids(database) == new
        status = run(kiosk, "status").output
        assert "Waiting for a hub upgrade: 3" in status and "Quarantined:        0" in status

        # The hub is upgraded: the records that waited go, and nothing was lost.
        monkeypatch.undo()
        hub.wsgi_app = hub.wsgi_app.app
        again = run(kiosk, "sync")
    assert again.exit_code == 0, again.output
    held = hub_counts(hub.config["DATABASE"])
    assert set(held["ids"]) == old | new and held["tally_all"] == 8
    assert "Waiting for a hub upgrade: 0" in run(kiosk, "status").output


def test_a_usb_file_to_an_older_hub_quarantines_nothing(tmp_path, release1_hub):
    hub, token = release1_hub
    kiosk = release1_kiosk(tmp_path / "kiosk", HUB_TOKEN=token)
    database = kiosk.config["DATABASE"]
    assert run(kiosk, "init").exit_code == 0
    old = pending_ids(database)
    new = set(fill_outbox(connect(database), 3, seed=11, site_commune="03183"))
    usb = tmp_path / "usb"
    usb.mkdir()
    # Never heard from its hub: the kiosk writes every record...
    assert "8 records written" in run(kiosk, "sync", "--to-file", str(usb / "f.json")).output
    imported = run(hub, "hub", "import", str(usb / "f.json"))
    assert "5 stored" in imported.output and "3 invalid" in imported.output
    applied = run(kiosk, "sync", "--receipt", str(usb / "f.receipt.json"))
    # ...and the refusals of the versions that hub does not know are not quarantines.
    assert "5 records acknowledged, 0 quarantined, 3 still unsent" in applied.output
    assert {rid for rid, s in outbox_states(database).items() if s != "sent"} == new
    assert "Waiting for a hub upgrade: 3" in run(kiosk, "status").output
    # Now it knows: the next file carries only what that hub takes, as that hub takes it
    # (its schema refuses any key it does not know, a MAC included).
    db = connect(database)
    db.execute("update outbox set state = 'pending' where id = ?", [sorted(old)[0]])
    db.close()
    assert "1 records written" in run(kiosk, "sync", "--to-file", str(usb / "g.json")).output
    [item] = json.loads((usb / "g.json").read_text())["records"]
    assert set(item) == {"id", "content_hash", "payload"}
    assert "1 already" in run(hub, "hub", "import", str(usb / "g.json")).output


def test_a_first_release_record_posted_to_the_new_hub_is_stored(tmp_path):
    hub = make_hub(tmp_path / "hub")
    _, token = new_device(hub.config["DATABASE"])
    rows = release1_pending_rows()
    answer = hub.test_client().post("/api/v1/records", data=protocol.batch_body(rows),
                                    content_type="application/json",
                                    headers={"Authorization": f"Bearer {token}"})
    assert [r["status"] for r in answer.json["results"]] == ["stored"] * RELEASE1_PENDING
    assert answer.json["accepts"]["diagnostic"] == [1, 2, 3]
    db = connect(hub.config["DATABASE"])
    assert db.execute("select frame, sum(n) from tally where dimension = 'all' "
                      "group by frame").fetchall() == [("1", RELEASE1_PENDING)]
    db.close()


def test_a_failing_migration_rolls_back_and_leaves_a_backup(tmp_path):
    path = tmp_path / "kiosk.db"
    shutil.copy(FIXTURES / "kiosk-release1.db", path)

    def m999_breaks_halfway(db):
        db["new_table"].create({"id": int}, pk="id")
        db["outbox"].add_column("extra", str)
        db.execute("update outbox set state = 'gone'")
        raise RuntimeError("disk on fire")

    db = connect(path)
    with pytest.raises(RuntimeError):
        migrations.migrate(db, migrations.MIGRATIONS + [m999_breaks_halfway])
    assert "new_table" not in db.table_names()
    assert "extra" not in db["outbox"].columns_dict
    assert store.outbox_counts(db)["pending"] == RELEASE1_PENDING    # still usable
    assert "m999_breaks_halfway" not in {r["name"] for r in db["_migrations"].rows}
    assert len(list(tmp_path.glob("kiosk.db.*.before-m*.bak"))) == 1
    db.close()


def test_an_empty_database_needs_no_backup(tmp_path):
    db = connect(tmp_path / "fresh.db")
    migrations.migrate(db)
    db.close()
    assert list(tmp_path.glob("*.bak")) == []


def test_hub_init_backs_up_a_hub_database_before_migrating_it(tmp_path):
    from kiosk.hub import schema

    path = tmp_path / "hub.db"
    db = connect(path)
    migrations.migrate(db, [fn for fn in schema.MIGRATIONS if fn.__name__ < "h005"])
    db.close()
    hub = create_app({"TESTING": True, "ROLE": "hub", "DATABASE": str(path),
                      "SECRET_KEY": "test-secret"})
    upgraded = run(hub, "hub", "init")
    assert upgraded.exit_code == 0, upgraded.output
    [backup] = tmp_path.glob("hub.db.*.before-h*.bak")
    assert f"Backup: {backup}" in upgraded.output
    assert "Backup" not in run(hub, "hub", "init").output   # nothing pending, no copy
    assert len(list(tmp_path.glob("*.bak"))) == 1


def test_a_first_release_usb_file_imports_into_the_new_hub(tmp_path):
    hub = make_hub(tmp_path / "hub")
    _, token = new_device(hub.config["DATABASE"])
    rows = release1_pending_rows()
    # The first release's file layout, with the fields it carried then.
    document = protocol.sign({"format": "kiosk-records/1", "device": 1,
                              "created_at": "2026-05-04T09:00:00+00:00", "site_code": "X",
                              "site_commune": "03183",
                              "records": [protocol.item(r) for r in rows]},
                             protocol.token_hash(token))
    path = tmp_path / "old.records.json"
    path.write_text(json.dumps(document))
    imported = run(hub, "hub", "import", str(path))
    assert f"{RELEASE1_PENDING} stored, 0 already, 0 conflict, 0 invalid" in imported.output
    receipt = json.loads(path.with_name("old.records.receipt.json").read_text())
    # What a first-release kiosk checks of a receipt still holds (it ignores `accepts`).
    assert protocol.read_receipt(receipt, token) == {r["id"]: ("stored", None) for r in rows}


def test_no_migration_runs_when_the_backup_cannot_be_written(tmp_path):
    # A file name so long that the copy's name goes past the file system's limit of 255:
    # the copy fails for real, as on a full disk.
    path = tmp_path / ("k" * 220 + ".db")
    shutil.copy(FIXTURES / "kiosk-release1.db", path)
    kiosk = create_app({"TESTING": True, "DATABASE": str(path), "SECRET_KEY": "t"})
    result = run(kiosk, "init")
    assert result.exit_code == 1 and "could not copy the database" in result.output
    assert "nothing was changed" in result.output
    db = connect(path)
    assert migrations.pending(db)[0] == "m005_clock"     # still the release's
    db.close()
    assert list(tmp_path.glob("*.bak")) == []
