"""Ordered, named schema migrations, recorded in the ``_migrations`` table.

Add a migration by appending a new ``@migration`` function; never edit one that has
shipped, since kiosks in the field have already applied it.
"""
from __future__ import annotations

import contextlib
import sqlite3
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

from .db import write_transaction

MIGRATIONS = []


class WrongDatabase(Exception):
    """The database belongs to the other role (a hub's file given to a kiosk, or the
    reverse): nothing is changed."""


class BackupFailed(Exception):
    """The copy made before migrating could not be written: no migration ran."""


def migration(fn):
    """Register ``fn`` as the next migration."""
    MIGRATIONS.append(fn)
    return fn


@migration
def m001_visits_answers(db):
    db["visits"].create({
        "id": int, "token": str, "started_at": str, "language": str, "mode": str,
        "status": str,
    }, pk="id", not_null={"started_at", "status"})
    db["visits"].create_index(["token"], unique=True)
    db["visits"].create_index(["status"])
    db["answers"].create({
        "visit_id": int, "screen_id": str, "value": str, "answered_at": str,
    }, pk=("visit_id", "screen_id"), foreign_keys=[("visit_id", "visits", "id")],
        not_null={"value", "answered_at"})


@migration
def m002_results_scores_outbox(db):
    db["results"].create({
        "id": int, "visit_id": int, "questionnaire_id": str, "questionnaire_version": str,
        "finished_at": str, "complete": int, "last_screen": str, "language": str,
        "mode": str, "age_band": str, "commune": str, "situation": str, "profile": str,
        "points": int, "indicators": str, "needs": str, "offers": str,
    }, pk="id", foreign_keys=[("visit_id", "visits", "id")],
        not_null={"questionnaire_id", "questionnaire_version", "finished_at", "complete"})
    db["results"].create_index(["visit_id"], unique=True)
    db["scores"].create({
        "result_id": int, "area": str, "level": int, "activities_done": int,
    }, pk=("result_id", "area"), foreign_keys=[("result_id", "results", "id")])
    # The outbox holds the anonymised payload frozen at completion, sent as it is.
    db["outbox"].create({
        "id": str, "result_id": int, "created_at": str, "payload": str,
        "content_hash": str, "state": str,
    }, pk="id", foreign_keys=[("result_id", "results", "id")],
        not_null={"payload", "content_hash", "state", "created_at"})
    db["outbox"].create_index(["state"])


@migration
def m003_places(db):
    db["places"].create({
        "id": str, "nom": str, "commune": str, "code_postal": str, "code_insee": str,
        "adresse": str, "latitude": float, "longitude": float, "horaires": str,
        "telephone": str, "services": str, "programmes": str, "data": str,
        "imported_at": str,
    }, pk="id")


@migration
def m004_outbox_states_sync_log(db):
    # Outbox states: pending (never acknowledged), exported (written to a USB file,
    # awaiting the hub's receipt; still sent by a network sync), sent (acknowledged by
    # the hub), quarantined (refused by the hub as a conflict or invalid: never retried).
    for column in ("acknowledged_at", "exported_at", "quarantined_at", "quarantine_reason"):
        db["outbox"].add_column(column, str)
    db["outbox"].create_index(["state", "acknowledged_at"])
    # One row per sync attempt (network, file export, receipt), for `kiosk status`.
    db["sync_log"].create({
        "id": int, "at": str, "channel": str, "outcome": str, "delivered": int,
        "quarantined": int, "left": int, "detail": str,
    }, pk="id", not_null={"at", "channel", "outcome"})
    db["sync_log"].create_index(["outcome", "at"])


@migration
def m005_clock(db):
    # The latest time the hub told this kiosk, per channel: "network" (the Date of an
    # answer, with the kiosk's clock at that moment) and "receipt" (a USB receipt's
    # import time). `kiosk sync` and `kiosk status` judge the kiosk's clock by it
    # (kiosk/sync/clock.py).
    db["hub_clock"].create({"channel": str, "hub_time": str, "kiosk_time": str},
                           pk="channel", not_null={"hub_time", "kiosk_time"})


@migration
def m007_wire_contract(db):
    # What the hub said it accepts (kiosk/sync/contract.py), learned from GET /api/v1/contract
    # or a USB receipt: `kiosk sync` sends only those record versions, `kiosk status`
    # counts the others as waiting for a hub upgrade. One row; absent until learned.
    db["hub_contract"].create({"id": int, "accepts": str, "learned_at": str, "source": str},
                              pk="id", not_null={"accepts", "learned_at", "source"})


@migration
def m008_shown_levels(db):
    # The level an area is shown at (kiosk/diagnostic/scoring.py: done only with help
    # reads at most "Les bases"), beside the level the person reported. Results stored
    # before have none: they are shown as they were, at their reported level.
    db["scores"].add_column("shown_level", int)


@migration
def m009_roster(db):
    # The mediators' roster the hub signed for this kiosk (kiosk/sync/roster.py), the
    # newest received by network or USB receipt: one row, absent until the first.
    db["roster"].create({"id": int, "issued_at": str, "received_at": str, "source": str,
                         "body": str}, pk="id",
                        not_null={"issued_at", "received_at", "source", "body"})


@migration
def m010_local_mediators(db):
    # Mediators added on a kiosk that has no hub (`kiosk mediator add`): the same fields
    # as a roster's entry, the code only as its scrypt hash; a name is unique whatever
    # its case (it is typed on the kiosk).
    db.execute("CREATE TABLE local_mediators (id INTEGER PRIMARY KEY, "
               "name TEXT NOT NULL COLLATE NOCASE UNIQUE, structure TEXT NOT NULL, "
               "code_hash TEXT NOT NULL, created_at TEXT NOT NULL)")


@migration
def m011_unlock_failures(db):
    # Wrong mediator codes typed on this kiosk, for the growing delay between tries
    # (kiosk/mediation/unlock.py): only when, never the name or the code typed.
    db["unlock_failures"].create({"at": str}, not_null={"at"})


@migration
def m012_guided_visits(db):
    # Who ran a guided diagnostic (kiosk/web/mediator.py), for "Mes accompagnements" on
    # this kiosk only: NULL for self-service. Never in a record, never sent.
    db["visits"].add_column("mediator", str)


@migration
def m013_observations_notes(db):
    # A guided diagnostic (kiosk/diagnostic/visit.py): what the mediator observed of each
    # activity, in La Coop's autonomy levels (item "" for a practical task), and their
    # free-text notes. Both stay on the kiosk: no record, file or export carries them;
    # notes are deleted after KIOSK_NOTES_RETENTION_DAYS (`kiosk purge`). A note may
    # outlive its visit's id (visit_id NULL: kept for the mediator until its retention).
    db.execute("CREATE TABLE observations (visit_id INTEGER NOT NULL, "
               "screen_id TEXT NOT NULL, item TEXT NOT NULL, level TEXT NOT NULL, "
               "PRIMARY KEY (visit_id, screen_id, item))")
    db.execute("CREATE TABLE mediator_notes (id INTEGER PRIMARY KEY, visit_id INTEGER, "
               "screen_id TEXT NOT NULL, text TEXT NOT NULL, written_at TEXT NOT NULL, "
               "mediator TEXT NOT NULL)")
    db.execute("CREATE INDEX mediator_notes_written_at ON mediator_notes (written_at)")
    db.execute("CREATE INDEX mediator_notes_visit ON mediator_notes (visit_id)")


@migration
def m014_activity_records(db):
    # A mediator's activity records (kiosk/mediation/cra.py): La Coop's fields as JSON,
    # the mediator's name (their own list and export) and free-text notes, which never
    # leave the kiosk and are deleted NOTES_RETENTION_DAYS after they were written.
    # visit_id: the guided diagnostic it follows, if any; erasing that visit (the
    # resident's right to erasure) unlinks the record, which holds nothing of the person
    # but La Coop's anonymous fields.
    db.execute("CREATE TABLE activity_records (id INTEGER PRIMARY KEY, "
               "visit_id INTEGER REFERENCES visits(id) ON DELETE SET NULL, "
               "mediator TEXT NOT NULL, kind TEXT NOT NULL, mode TEXT NOT NULL, "
               "date TEXT NOT NULL, fields TEXT NOT NULL, notes TEXT, "
               "created_at TEXT NOT NULL)")
    db["activity_records"].create_index(["mediator", "date"])
    # one record per guided diagnostic (NULLs, records without one, are not equal)
    db["activity_records"].create_index(["visit_id"], unique=True)


@migration
def m015_followup(db):
    # Follow-up codes (kiosk/diagnostic/followup.py). A complete result keeps the code it
    # gave, so that "Mes accompagnements" can erase a person's data by it; a visit
    # started from a code keeps what that code carried (JSON: week, levels by area,
    # offers) and what the person said of the offers proposed then (JSON: offer ->
    # take-up, kiosk.sync.contract.TAKEUP). None of it ever enters the outbox.
    db["results"].add_column("followup_code", str)
    db["results"].create_index(["followup_code"])
    db["visits"].add_column("followup", str)
    db["visits"].add_column("takeup", str)


@migration
def m016_day_stop(db):
    # The Bourbon'Net bus's stop of the day (kiosk/web/bus.py): the INSEE code of the
    # commune the bus stands in and the local day it was set for. One row; a stop set on
    # an earlier day no longer applies (records fall back to KIOSK_SITE_COMMUNE).
    db["day_stop"].create({"id": int, "code_insee": str, "day": str, "set_at": str},
                          pk="id", not_null={"code_insee", "day", "set_at"})


def migrate(db, migrations: list | None = None, *,
            report: Callable[[Path], None] = lambda path: None) -> list[str]:
    """Apply the migrations not yet applied; return their names.

    ``migrations`` defaults to the kiosk's; the hub passes its own list. A database
    holding only the other list's migrations raises :class:`WrongDatabase`. Before the
    first one, a database that already holds data is copied beside itself
    (:func:`backup`; ``report`` is told where): a migration that fails rolls back on
    its own, and one that succeeds but proves wrong can still be undone from the copy.
    """
    migrations = MIGRATIONS if migrations is None else migrations
    if "_migrations" not in db.table_names():
        db["_migrations"].create({"name": str, "applied_at": str}, pk="name")
    done = {row["name"] for row in db["_migrations"].rows}
    if done and not done & {fn.__name__ for fn in migrations}:
        # Every migration it had is of the other family: a kiosk's tables must never be
        # added to the hub's file, nor the reverse.
        other = "kiosk hub init" if migrations is MIGRATIONS else "kiosk init"
        raise WrongDatabase(f"this database belongs to the other role (its set-up is "
                            f"`{other}`); nothing was changed")
    todo = [fn.__name__ for fn in migrations if fn.__name__ not in done]
    if todo and done:  # a new, empty database has nothing to lose
        copy = backup(db, todo[0])
        if copy is not None:
            report(copy)
    applied = []
    for fn in migrations:
        if fn.__name__ in done:
            continue
        with write_transaction(db):
            fn(db)
            db["_migrations"].insert({"name": fn.__name__,
                                      "applied_at": datetime.now(timezone.utc).isoformat()})
        applied.append(fn.__name__)
    return applied


def backup(db, before: str, now: datetime | None = None) -> Path | None:
    """Copy the database to ``<file>.<UTC time>.before-<migration>.bak`` beside it, with
    SQLite's online backup API (a consistent copy even while a kiosk page writes);
    None for an in-memory database. Raises BackupFailed when the copy cannot be made (a
    full disk): then no migration runs."""
    file = next((row[2] for row in db.conn.execute("PRAGMA database_list")
                 if row[1] == "main"), "")
    if not file:
        return None
    stamp = (now or datetime.now(timezone.utc)).strftime("%Y%m%d-%H%M%S")
    source = Path(file)
    target = source.with_name(f"{source.name}.{stamp}.before-{before}.bak")
    try:
        serial = 1
        while target.exists():  # two upgrades within a second keep both copies
            serial += 1
            target = source.with_name(f"{source.name}.{stamp}-{serial}.before-{before}.bak")
        copy = sqlite3.connect(target)
        try:
            db.conn.backup(copy)
        finally:
            copy.close()
    except (OSError, sqlite3.Error) as exc:
        with contextlib.suppress(OSError):
            target.unlink(missing_ok=True)  # never leave half a copy that looks whole
        raise BackupFailed(f"could not copy the database to {target} before migrating "
                           f"({exc}); nothing was changed") from None
    return target


def pending(db, migrations: list | None = None) -> list[str]:
    """Names of migrations not yet applied (empty when the database is current)."""
    migrations = MIGRATIONS if migrations is None else migrations
    if "_migrations" not in db.table_names():
        return [fn.__name__ for fn in migrations]
    done = {row["name"] for row in db["_migrations"].rows}
    return [fn.__name__ for fn in migrations if fn.__name__ not in done]
