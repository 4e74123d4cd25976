"""`kiosk backup`: a consistent copy of the live database, even while the kiosk writes,
readable by the service alone; and copies that keep the residents' rights: pruned with
the retention of answers and notes, and erased from at once when a person is."""
from __future__ import annotations

import os
import re
import sqlite3
import stat
import threading
import uuid
from datetime import datetime, timedelta, timezone

import pytest

from kiosk.ops import backup
from kiosk.storage import migrations, store
from kiosk.storage.db import connect, write_transaction
from tests.conftest import Resident
from tests.hubkit import make_hub
from tests.test_mediator_codes import self_service_code
from tests.test_mediator_pages import clock, kiosk, mediator  # noqa: F401 (fixtures)

NOW = datetime(2026, 12, 1, 3, 0, tzinfo=timezone.utc)
NAME = re.compile(r"^kiosk-\d{8}-\d{6}\.db$")


@pytest.fixture(autouse=True)
def deleted_rows_linger(monkeypatch):
    """SQLite as many builds ship it (Debian's zeroes deleted rows; most do not): a
    deleted row stays in the file's free pages until they are reused."""
    connect_ = sqlite3.connect

    def lingering(*args, **kwargs):
        conn = connect_(*args, **kwargs)
        conn.execute("PRAGMA secure_delete=OFF")
        return conn
    monkeypatch.setattr(sqlite3, "connect", lingering)


def policy(app, tmp_path, **config):
    app.config.update({"BACKUP_DIR": str(tmp_path / "backups"), **config})
    return backup.policy_of(app)


def query(path, sql):
    conn = sqlite3.connect(path)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def add_visit(app, marker: str, *, acknowledged: datetime | None = None,
              note_written: datetime | None = None) -> int:
    """A finished visit whose answer holds ``marker``; its record acknowledged by the
    hub at ``acknowledged`` (else waiting), a mediator's note written at ``note_written``."""
    db = connect(app.config["DATABASE"])
    try:
        visit = store.start_visit(db, uuid.uuid4().hex, "fr", "self", NOW - timedelta(days=60))
        store.save_answer(db, visit, "internet_ever", marker, NOW - timedelta(days=60))
        with write_transaction(db):
            result = db["results"].insert({
                "visit_id": visit, "questionnaire_id": "q", "questionnaire_version": "1",
                "finished_at": NOW.isoformat(), "complete": 1}).last_pk
            db["outbox"].insert({
                "id": uuid.uuid4().hex, "result_id": result, "created_at": NOW.isoformat(),
                "payload": "{}", "content_hash": "h",
                "state": "sent" if acknowledged else "pending",
                "acknowledged_at": acknowledged.isoformat() if acknowledged else None})
        if note_written:
            store.add_note(db, visit, "internet_ever", f"note {marker}", note_written,
                           mediator="Zoé Martin")
        return visit
    finally:
        db.close()


def test_backup_writes_a_private_consistent_copy_while_the_kiosk_writes(make_app, tmp_path):
    app = make_app()
    folder = tmp_path / "backups"
    stop, written = threading.Event(), []

    def writer():  # a visit and its answer in one transaction each, as fast as it goes
        db = connect(app.config["DATABASE"])
        n = 0
        while not stop.is_set():
            n += 1
            with write_transaction(db):
                visit = db["visits"].insert({"token": f"t{n}", "started_at": NOW.isoformat(),
                                             "language": "fr", "mode": "self",
                                             "status": "open"}).last_pk
                db["answers"].insert({"visit_id": visit, "screen_id": "internet_ever",
                                      "value": '"yes"', "answered_at": NOW.isoformat()})
            written.append(n)
        db.close()

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        while len(written) < 20:
            pass
        runner = app.test_cli_runner()
        outputs = [runner.invoke(args=["backup", "--to", str(folder)]) for _ in range(3)]
    finally:
        stop.set()
        thread.join()
    assert [o.exit_code for o in outputs] == [0, 0, 0], outputs[0].output
    made = sorted(folder.glob("kiosk-*.db"))
    assert len(made) == 3
    for copy in made:
        assert NAME.match(copy.name) or re.match(r"^kiosk-\d{8}-\d{6}-\d\.db$", copy.name)
        assert stat.S_IMODE(copy.stat().st_mode) == 0o600
        assert query(copy, "pragma integrity_check") == [("ok",)]
        # a copy is one file (no WAL beside it) and every visit in it is whole
        assert query(copy, "pragma journal_mode") == [("delete",)]
        visits = query(copy, "select count(*) from visits")[0][0]
        answers = query(copy, "select count(*) from answers")[0][0]
        assert 20 <= visits <= len(written) and answers == visits
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert "mode 0600" in outputs[0].output
    assert not list(folder.glob("*.part"))


def test_backup_defaults_to_the_configured_folder(make_app, tmp_path):
    app = make_app(BACKUP_DIR=str(tmp_path / "kept"))
    result = app.test_cli_runner().invoke(args=["backup"])
    assert result.exit_code == 0, result.output
    assert len(list((tmp_path / "kept").glob("kiosk-*.db"))) == 1


def test_copies_live_at_most_the_shortest_retention(make_app, tmp_path):
    app = make_app()
    # BACKUP_KEEP_DAYS 7, but answers are kept only 3 days after acknowledgement
    rules = policy(app, tmp_path, BACKUP_KEEP_DAYS=7, ANSWERS_RETENTION_DAYS=3)
    assert rules.keep_days == 3
    old = backup.make(rules, now=NOW - timedelta(days=4))
    recent = backup.make(rules, now=NOW - timedelta(days=2))
    deleted = backup.prune(rules, now=NOW)
    assert deleted == [old] and not old.exists() and recent.exists()
    assert policy(app, tmp_path, ANSWERS_RETENTION_DAYS=30, NOTES_RETENTION_DAYS=365,
                  BACKUP_KEEP_DAYS=7).keep_days == 7
    assert policy(app, tmp_path, NOTES_RETENTION_DAYS=5).keep_days == 5


def test_pre_migration_copies_are_pruned_like_backups(make_app, tmp_path):
    app = make_app()
    rules = policy(app, tmp_path)
    db = connect(app.config["DATABASE"])
    old = migrations.backup(db, "m099_x", now=NOW - timedelta(days=8))
    recent = migrations.backup(db, "m099_y", now=NOW - timedelta(days=6))
    db.close()
    backup.prune(rules, now=NOW)
    assert not old.exists() and recent.exists()


def test_copies_kept_are_purged_as_the_live_database_is(make_app, tmp_path):
    app = make_app()
    rules = policy(app, tmp_path, ANSWERS_RETENTION_DAYS=30, NOTES_RETENTION_DAYS=365)
    add_visit(app, "ACKED-LONG-AGO", acknowledged=NOW - timedelta(days=31),
              note_written=NOW - timedelta(days=366))
    add_visit(app, "ACKED-RECENTLY", acknowledged=NOW - timedelta(days=29),
              note_written=NOW - timedelta(days=364))
    copy = backup.make(rules, now=NOW - timedelta(hours=1))
    assert len(query(copy, "select * from answers")) == 2
    backup.prune(rules, now=NOW)
    assert query(copy, "select value from answers") == [('"ACKED-RECENTLY"',)]
    assert query(copy, "select text from mediator_notes") == [("note ACKED-RECENTLY",)]
    # and not in the file's free pages either
    data = copy.read_bytes()
    assert b"ACKED-LONG-AGO" not in data and b"ACKED-RECENTLY" in data


def test_stop_and_erase_reaches_the_backups(make_app, tmp_path):
    app = make_app()
    rules = policy(app, tmp_path)
    person = Resident(app.test_client())
    person.start()
    person.get("/q/internet_ever")
    person.post("/q/internet_ever", {"answer": "no"})
    other = add_visit(app, "SOMEONE-ELSE")
    copy = backup.make(rules)
    assert len(query(copy, "select * from visits")) == 2
    person.get("/erase")
    assert person.post("/erase").status_code == 303
    assert query(copy, "select id from visits") == [(other,)]
    assert query(copy, "select count(*) from answers") == [(1,)]


def test_an_erasure_by_follow_up_code_reaches_every_copy(kiosk, mediator, tmp_path):  # noqa: F811
    rules = policy(kiosk, tmp_path)
    code = self_service_code(kiosk)
    digits = code.replace(" ", "")
    kept = self_service_code(kiosk).replace(" ", "")
    db = connect(kiosk.config["DATABASE"])
    before_upgrade = migrations.backup(db, "m099_next")
    db.close()
    copy = backup.make(rules)
    for path in (copy, before_upgrade):
        assert digits.encode() in path.read_bytes()
    mediator.unlock()
    mediator.get("/mediateur/accompagnements")
    response = mediator.post("/mediateur/effacer", {"code": code, "confirm": "yes"})
    assert response.status_code == 200
    for path in (copy, before_upgrade):
        assert query(path, "select followup_code from results") == [(kept,)]
        assert digits.encode() not in path.read_bytes()  # no trace in free pages


def test_a_copy_an_erasure_cannot_reach_is_deleted(make_app, tmp_path):
    app = make_app()
    rules = policy(app, tmp_path)
    copy = backup.make(rules)
    broken = rules.folder / "kiosk-20261130-030000.db"
    broken.write_bytes(b"not a database at all" * 100)
    backup.forget_followup_code(rules, "1234567812345678")
    assert copy.exists() and not broken.exists()


def test_a_backup_folder_out_of_reach_never_stops_an_erasure(make_app, tmp_path, monkeypatch,
                                                            caplog):
    """A folder made by root by hand, a full disk: the person is erased from the live
    database and sees the welcome screen, never an error page; the log says which copy
    kept what (retention deletes it within KIOSK_BACKUP_KEEP_DAYS)."""
    app = make_app()
    rules = policy(app, tmp_path)
    backup.make(rules).write_bytes(b"a copy this process cannot open" * 100)
    person = Resident(app.test_client())
    person.start()

    def refused(path):
        raise PermissionError(13, "Permission denied", str(path))
    monkeypatch.setattr(backup, "_delete", refused)   # and cannot delete either
    person.get("/erase")
    assert person.post("/erase").status_code == 303
    assert query(app.config["DATABASE"], "select count(*) from visits") == [(0,)]
    assert "could not be erased from a backup" in caplog.text


def test_a_copy_never_holds_what_was_erased_before_it(make_app, tmp_path):
    app = make_app()
    rules = policy(app, tmp_path)
    visit = add_visit(app, "ERASED-BEFORE-THE-BACKUP")
    db = connect(app.config["DATABASE"])
    store.erase_visit(db, visit)
    db.close()
    copy = backup.make(rules)
    assert b"ERASED-BEFORE-THE-BACKUP" not in copy.read_bytes()


def test_hub_backup_copies_the_hubs_database(tmp_path):
    hub = make_hub(tmp_path / "hub", BACKUP_DIR=str(tmp_path / "hub-backups"))
    runner = hub.test_cli_runner()
    result = runner.invoke(args=["hub", "backup"])
    assert result.exit_code == 0, result.output
    (copy,) = (tmp_path / "hub-backups").glob("kiosk-*.db")
    assert stat.S_IMODE(copy.stat().st_mode) == 0o600
    assert ("devices",) in query(copy, "select name from sqlite_master where type='table'")
    refused = runner.invoke(args=["backup"])
    assert refused.exit_code != 0 and "kiosk hub backup" in refused.output


def test_a_kiosk_refuses_the_hubs_backup_command(make_app, tmp_path):
    result = make_app(BACKUP_DIR=str(tmp_path / "b")).test_cli_runner().invoke(
        args=["hub", "backup"])
    assert result.exit_code != 0 and "kiosk backup" in result.output
    assert not (tmp_path / "b").exists()


@pytest.mark.parametrize("name, taken", [
    ("kiosk-20261124-030000.db", datetime(2026, 11, 24, 3, tzinfo=timezone.utc)),
    ("kiosk.db.20261130-101500.before-m015_followup.bak",
     datetime(2026, 11, 30, 10, 15, tzinfo=timezone.utc)),
    ("kiosk.db.20261130-101500-2.before-m015_followup.bak",
     datetime(2026, 11, 30, 10, 15, tzinfo=timezone.utc)),
])
def test_a_copy_is_dated_by_its_name_not_by_its_last_rewrite(tmp_path, name, taken):
    path = tmp_path / name
    path.write_bytes(b"")
    os.utime(path, (0, 0))
    assert backup.taken_at(path) == taken
