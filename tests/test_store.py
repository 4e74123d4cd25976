"""The store under concurrent writers, as with several waitress threads and a sync."""
from __future__ import annotations

import threading
from datetime import datetime, timezone

from kiosk.storage import store
from kiosk.storage.db import connect
from kiosk.storage.migrations import migrate, pending


def test_concurrent_visits_never_hit_database_is_locked(tmp_path):
    path = tmp_path / "k.db"
    migrate(connect(path))
    errors, now = [], datetime.now(timezone.utc)

    def resident(n):
        db = connect(path)
        try:
            for i in range(40):
                visit = store.start_visit(db, f"t{n}-{i}", "fr", "self", now)
                store.save_answer(db, visit, "last_use", "3m", now)
                store.save_answer(db, visit, "devices", ["tablet"], now)
        except Exception as exc:  # noqa: BLE001 - any failure is the finding
            errors.append(repr(exc))
        finally:
            db.close()

    threads = [threading.Thread(target=resident, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    db = connect(path)
    assert db["visits"].count == 240 and db["answers"].count == 480


def test_migrations_are_recorded_and_applied_once(tmp_path):
    db = connect(tmp_path / "k.db")
    assert pending(db)
    first = migrate(db)
    assert first and pending(db) == [] and migrate(db) == []
    assert [r["name"] for r in db["_migrations"].rows] == first


def test_pragmas(tmp_path):
    db = connect(tmp_path / "k.db")
    assert db.execute("pragma journal_mode").fetchone()[0] == "wal"
    assert db.execute("pragma synchronous").fetchone()[0] == 2  # FULL
    assert db.execute("pragma foreign_keys").fetchone()[0] == 1


def test_a_record_of_another_kind_waits_in_the_outbox_like_a_diagnostic(tmp_path):
    from datetime import datetime, timezone

    from kiosk.storage.db import connect
    from kiosk.storage.migrations import migrate
    from kiosk.storage import store
    from kiosk.sync.anonymise import anonymise_kind

    db = connect(str(tmp_path / "k.db"))
    migrate(db)
    payload = anonymise_kind("screening", {"orientation": "mediator"}, site_epci="200071082",
                             week="2026-W48")
    rid = store.queue_record(db, payload, datetime(2026, 11, 30, tzinfo=timezone.utc))
    [row] = store.unsent_records(db)
    assert row["id"] == rid and row["state"] == "pending"
    assert '"orientation":"mediator"' in row["payload"]
