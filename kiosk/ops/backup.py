"""Backups of the live database, and how they keep the residents' rights.

A copy is made with ``VACUUM INTO``: one read transaction, so it is consistent while the
server writes (WAL lets both go on), and it holds only live rows. The online backup API
would also copy the free pages, where rows deleted since (an erasure, a purge) linger
until SQLite reuses them. A copy is written as ``.part`` and renamed when whole, mode
0600 from creation, in a folder of mode 0700.

A copy holds personal data (answers, results with their follow-up codes, mediators'
notes), so it must not become the place where that data outlives its rights:

- retention: every ``kiosk backup`` also prunes. A copy older than
  min(BACKUP_KEEP_DAYS, ANSWERS_RETENTION_DAYS, NOTES_RETENTION_DAYS) is deleted, and the
  purges of `kiosk purge` are applied again inside each copy kept. A copy never holds an
  answer or a note past its retention by more than the time to the next daily backup.
- erasure: the resident's "stop and erase" and an erasure by follow-up code apply at
  once to every copy (:func:`forget_visit`, :func:`forget_followup_code`); a copy the
  erasure cannot be applied to (unreadable, locked, an old schema) is deleted. So a
  restore never brings an erased person back.

Inside a copy, rows are deleted with ``secure_delete`` on: overwritten with zeros, not
left in free pages (ten times faster than a VACUUM of every copy, while a mediator waits).

The pre-migration copies ``kiosk init`` leaves beside the database
(``kiosk.db.<time>.before-<migration>.bak``) hold the same data: the same rules apply
to them.
"""
from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import re
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

import sqlite_utils

LOG = logging.getLogger(__name__)

PREFIX = "kiosk-"
SUFFIX = ".db"
STAMP = "%Y%m%d-%H%M%S"
LOCK = ".lock"
# kiosk.storage.migrations.backup's names: <file>.<time>[-n].before-<migration>.bak
MIGRATION_COPY = re.compile(r"\.(\d{8}-\d{6})(?:-\d+)?\.before-[^.]+\.bak$")


@dataclass(frozen=True)
class Policy:
    """Where copies go and how long they may live (from the configuration)."""

    folder: Path
    database: Path
    keep_days: int
    answers_days: int | None  # None: a hub (no raw answers, no notes)
    notes_days: int | None
    records_days: int | None = None  # the hub's row-level records

    @classmethod
    def from_config(cls, config, instance_path: str, folder: str | Path | None = None
                    ) -> "Policy":
        """The policy of this app: a kiosk's, or with KIOSK_ROLE=hub, the hub's."""
        folder = Path(folder or config.get("BACKUP_DIR") or Path(instance_path, "backups"))
        keep = int(config.get("BACKUP_KEEP_DAYS") or 0)
        if config.get("ROLE") == "hub":
            records = int(config["HUB_RECORDS_RETENTION_DAYS"])
            return cls(folder, Path(config["DATABASE"]), min(keep, records), None, None,
                       records)
        answers, notes = int(config["ANSWERS_RETENTION_DAYS"]), int(config["NOTES_RETENTION_DAYS"])
        return cls(folder, Path(config["DATABASE"]), min(keep, answers, notes), answers, notes)


def _now() -> datetime:
    return datetime.now(timezone.utc)


def policy_of(app, folder: str | Path | None = None) -> Policy:
    """The backup policy of a Flask app."""
    return Policy.from_config(app.config, app.instance_path, folder)


@contextlib.contextmanager
def _locked(folder: Path):
    """One writer of the backup folder at a time: an erasure waits for a copy being
    made (else the copy, begun before the erasure, would keep what it erased)."""
    if not folder.is_dir():  # no backup made yet: nothing to wait for
        yield
        return
    with open(folder / LOCK, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def make(policy: Policy, now: datetime | None = None) -> Path:
    """Copy the live database into the backup folder; the copy's path. Raises OSError or
    sqlite3.Error (nothing is left behind then)."""
    now = now or _now()
    policy.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(policy.folder, 0o700)
    with _locked(policy.folder):
        target = policy.folder / f"{PREFIX}{now.strftime(STAMP)}{SUFFIX}"
        serial = 1
        while target.exists():  # two copies within a second keep both
            serial += 1
            target = policy.folder / f"{PREFIX}{now.strftime(STAMP)}-{serial}{SUFFIX}"
        part = target.with_name(target.name + ".part")
        try:
            # VACUUM INTO accepts an empty file: made here, so it is 0600 from the start
            os.close(os.open(part, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
            source = sqlite3.connect(f"file:{policy.database}?mode=ro", uri=True, timeout=15)
            try:
                source.execute("VACUUM INTO ?", [str(part)])
            finally:
                source.close()
            _standalone(part)
            os.replace(part, target)
        except BaseException:
            part.unlink(missing_ok=True)
            raise
    return target


def _standalone(path: Path) -> None:
    """A copy in rollback-journal mode: one file, no -wal or -shm beside it to forget."""
    copy = sqlite3.connect(path)
    try:
        copy.execute("PRAGMA journal_mode=DELETE")
    finally:
        copy.close()


def copies(policy: Policy) -> list[Path]:
    """Every copy holding the live data: the backups and the pre-migration copies."""
    found = sorted(policy.folder.glob(f"{PREFIX}*{SUFFIX}")) if policy.folder.is_dir() else []
    db = policy.database
    found += sorted(db.parent.glob(f"{db.name}.*.before-*.bak"))
    return found


def taken_at(path: Path) -> datetime:
    """When a copy was made: the time in its name, else the file's modification time."""
    match = MIGRATION_COPY.search(path.name)
    stamp = match.group(1) if match else path.name.removeprefix(PREFIX)
    try:
        return datetime.strptime(stamp[:15], STAMP).replace(tzinfo=timezone.utc)
    except ValueError:
        return datetime.fromtimestamp(path.stat().st_mtime, timezone.utc)


def _delete(path: Path) -> None:
    for extra in ("", "-journal", "-wal", "-shm"):
        Path(str(path) + extra).unlink(missing_ok=True)


def _rewrite(path: Path, change) -> None:
    """Apply ``change(db)`` to a copy, deleted rows overwritten with zeros (secure_delete:
    a deleted row must not linger in the file's free pages, and it costs far less than a
    VACUUM of every copy while a mediator waits); a copy where that fails is deleted."""
    try:
        # no WAL (a copy is one file), and no implicit transactions: the store's
        # functions open their own (kiosk.storage.db.write_transaction)
        # mode=rw: a copy deleted meanwhile is not made again, empty
        db = sqlite_utils.Database(sqlite3.connect(f"file:{path}?mode=rw", uri=True,
                                                   timeout=15, isolation_level=None))
        try:
            db.conn.execute("PRAGMA journal_mode=DELETE")
            db.conn.execute("PRAGMA secure_delete=ON")
            change(db)
        finally:
            db.close()
    except (OSError, sqlite3.Error):
        _delete(path)


def _purge(policy: Policy, now: datetime):
    """The retention purges of the live database, for a copy (its schema may be older)."""
    from ..storage import store
    from ..storage.db import write_transaction

    def change(db) -> None:
        tables = set(db.table_names())
        if policy.records_days is not None and "records" in tables:
            from ..hub.store import purge_records

            with write_transaction(db):
                purge_records(db, now - timedelta(days=policy.records_days))
        if policy.answers_days is not None and {"answers", "results", "outbox"} <= tables:
            store.purge_answers(db, now - timedelta(days=policy.answers_days))
        if policy.notes_days is not None and {"mediator_notes", "activity_records"} <= tables:
            store.purge_notes(db, now - timedelta(days=policy.notes_days))
    return change


def prune(policy: Policy, now: datetime | None = None, keep: Path | None = None) -> list[Path]:
    """Delete the copies older than the policy allows and purge the others as the live
    database is purged; the paths deleted. ``keep`` (the copy just made) always stays."""
    now = now or _now()
    deleted = []
    with _locked(policy.folder):
        for path in copies(policy):
            if path != keep and now - taken_at(path) > timedelta(days=policy.keep_days):
                _delete(path)
                deleted.append(path)
            else:
                _rewrite(path, _purge(policy, now))
                if not path.exists():
                    deleted.append(path)
    return deleted


def _forget(policy: Policy, change) -> None:
    """Apply an erasure to every copy, as far as the disk lets it. The person is already
    erased from the live database: a copy out of reach (a folder made by root by hand, a
    full disk) must not turn that into an error page; it is logged, and retention deletes
    the copy within KIOSK_BACKUP_KEEP_DAYS."""
    try:
        if not copies(policy):
            return
        with _locked(policy.folder):
            for path in copies(policy):
                try:
                    _rewrite(path, change)
                except OSError:
                    LOG.exception("a person erased here could not be erased from a backup: %s", path)
    except OSError:
        LOG.exception("a person erased here could not be erased from a backup: folder %s",
                      policy.folder)


def forget_visit(policy: Policy, visit_id: int, started_at: str) -> None:
    """Erase a visit from every copy (the resident's "stop and erase"). A copy is a
    snapshot of the same database, so the visit has the same id there; its start time
    makes sure it is the same visit."""
    from ..storage import store

    def change(db):
        row = db.execute("select started_at from visits where id = ?", [visit_id]).fetchone()
        if row is not None and row[0] == started_at:
            store.erase_visit(db, visit_id)
    _forget(policy, change)


def forget_followup_code(policy: Policy, code_digits: str) -> None:
    """Erase from every copy the visit whose result gave this follow-up code (the
    erasure a mediator makes at /mediateur/accompagnements)."""
    from ..storage import store

    _forget(policy, lambda db: store.erase_by_followup_code(db, code_digits))
