"""The hub database's migrations (its own list, run by the same runner as the kiosk's).

Row-level records are kept for a limited time (``kiosk hub purge``); the ``tally`` table
holds the counts the dashboard and open data read. It is updated in the same transaction
as the records it counts, so it is always consistent with what was acknowledged and it
outlives the purge of raw rows.
"""
from __future__ import annotations

MIGRATIONS = []


def migration(fn):
    """Register ``fn`` as the hub's next migration."""
    MIGRATIONS.append(fn)
    return fn


@migration
def h001_devices_records_tally(db):
    # A device is one kiosk PC (or the bus). Its site and commune come from here, never
    # from a record's body; only the token's SHA-256 is stored.
    db["devices"].create({
        "id": int, "site": str, "commune": str, "epci": str, "token_hash": str,
        "created_at": str, "revoked_at": str, "last_seen_at": str,
        "records_received": int,
    }, pk="id", not_null={"site", "commune", "token_hash", "created_at"},
        defaults={"records_received": 0})
    db["devices"].create_index(["token_hash"], unique=True)
    # One row per record, by the id the kiosk gave it (a UUIDv4).
    db["records"].create({
        "id": str, "device_id": int, "received_at": str, "week": str,
        "content_hash": str, "payload": str,
    }, pk="id", foreign_keys=[("device_id", "devices", "id")],
        not_null={"device_id", "received_at", "week", "content_hash", "payload"})
    db["records"].create_index(["received_at"])
    # Counts: one row per (week, device, site EPCI, residence EPCI, dimension, value).
    # ``dimension`` is e.g. "all", "complete", "last_screen", "language", "mode",
    # "age_band", "situation", "profile", "level:<area>", "indicator:<id>", "need",
    # "offer"; ``value`` is the value as text ("" for an unknown/None value).
    db["tally"].create({
        "week": str, "device_id": int, "site_epci": str, "residence_epci": str,
        "dimension": str, "value": str, "n": int,
    }, pk=("dimension", "value", "week", "device_id", "site_epci", "residence_epci"),
        not_null={"week", "device_id", "site_epci", "residence_epci", "dimension", "value",
                  "n"})
    db["tally"].create_index(["week"])


@migration
def h002_staff(db):
    # Dashboard accounts: werkzeug password hashes; failed logins for throttling.
    db["staff"].create({
        "id": int, "name": str, "password_hash": str, "created_at": str,
        "disabled_at": str,
    }, pk="id", not_null={"name", "password_hash", "created_at"})
    db["staff"].create_index(["name"], unique=True)
    db["login_failures"].create({
        "name": str, "address": str, "at": str,
    }, not_null={"name", "at"})
    db["login_failures"].create_index(["name", "at"])


@migration
def h003_tally_rollups(db):
    # The tally keeps one row per device and residence EPCI: about 1.4 rows per record
    # at a million records, too many to sum at each dashboard view. These two roll-ups
    # (by site EPCI, by residence EPCI; no device) are what the dashboard and the open
    # data sum: ~70,000 rows each at a million records. kiosk.hub.store.add_tally keeps
    # them in step with the tally in the same transaction; WITHOUT ROWID keeps each row
    # in key order, so a sum per (dimension, value) reads them in one pass.
    for table, epci in (("tally_site", "site_epci"), ("tally_residence", "residence_epci")):
        db.execute(f"CREATE TABLE {table} (dimension TEXT NOT NULL, value TEXT NOT NULL, "
                   f"{epci} TEXT NOT NULL, week TEXT NOT NULL, n INTEGER NOT NULL, "
                   f"PRIMARY KEY (dimension, value, {epci}, week)) WITHOUT ROWID")
        db.execute(f"INSERT INTO {table} (dimension, value, {epci}, week, n) "
                   f"SELECT dimension, value, {epci}, week, SUM(n) FROM tally "
                   f"GROUP BY dimension, value, {epci}, week")
    # Nothing reads the tally by week alone any more (the roll-ups serve the periods;
    # the tally is read by its primary key): one index less for every upsert.
    db.execute("DROP INDEX IF EXISTS idx_tally_week")


@migration
def h004_purged_records(db):
    # Ids of records deleted by `kiosk hub purge`. A kiosk may send one again later (a
    # lost receipt, an old USB file): its id alone tells the hub it was already counted,
    # so the tally never counts it twice. A random UUID reveals nothing about anyone.
    db["purged_records"].create({"id": str}, pk="id")


@migration
def h005_publications(db):
    # The publication register (`kiosk hub export --publish`): each publication's period,
    # the value it wrote for every cell (NULL where it wrote "s"), and the counts it was
    # made from, week by week. A new publication is audited together with these: what it
    # publishes must not give away, by subtraction, a value one of them hid, even when
    # late records changed the counts of a period published before.
    db["publications"].create({
        "id": int, "published_at": str, "first_week": str, "last_week": str,
        "folder": str, "cells": int, "hidden": int,
    }, pk="id", not_null={"published_at", "first_week", "last_week", "cells", "hidden"})
    db["publication_cells"].create({
        "publication_id": int, "cell": str, "value": int,
    }, pk=("publication_id", "cell"), foreign_keys=[("publication_id", "publications", "id")],
        not_null={"publication_id", "cell"})
    db["publication_counts"].create({
        "publication_id": int, "axis": str, "dimension": str, "value": str, "epci": str,
        "week": str, "n": int,
    }, pk=("publication_id", "axis", "dimension", "value", "epci", "week"),
        foreign_keys=[("publication_id", "publications", "id")],
        not_null={"publication_id", "axis", "dimension", "value", "epci", "week", "n"})
