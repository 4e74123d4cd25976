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


@migration
def h006_staff_sessions(db):
    # One row per staff login. The signed cookie carries only a random session id; the
    # row (kept by the id's SHA-256, so a copy of the database opens no session) is what
    # makes it valid, so logout, a disabled account or the session's age end it on the
    # server, whatever copy of the cookie a browser still holds.
    db["staff_sessions"].create({
        "id_hash": str, "staff_id": int, "address": str, "created_at": str,
        "last_seen_at": str, "ended_at": str,
    }, pk="id_hash", foreign_keys=[("staff_id", "staff", "id")],
        not_null={"staff_id", "created_at", "last_seen_at"})
    db["staff_sessions"].create_index(["staff_id"])
    # Login throttling counts failures per address as well as per name and address.
    db["login_failures"].create_index(["address", "at"])


@migration
def h007_wire_contract(db):
    # The frame (kiosk/sync/contract.py): what a count measures. A new questionnaire that
    # measures something else is a new frame, and counts of two frames must never be
    # added together, so the frame becomes a key of the tally and of both roll-ups.
    # Every count made so far is of frame "1" (records of version 1 name no frame).
    # SQLite cannot change a primary key: each table is rebuilt with the frame first.
    db.execute("CREATE TABLE tally_framed (frame TEXT NOT NULL, dimension TEXT NOT NULL, "
               "value TEXT NOT NULL, week TEXT NOT NULL, device_id INTEGER NOT NULL, "
               "site_epci TEXT NOT NULL, residence_epci TEXT NOT NULL, n INTEGER NOT NULL, "
               "PRIMARY KEY (frame, dimension, value, week, device_id, site_epci, "
               "residence_epci))")
    db.execute("INSERT INTO tally_framed SELECT '1', dimension, value, week, device_id, "
               "site_epci, residence_epci, n FROM tally")
    db.execute("DROP TABLE tally")
    db.execute("ALTER TABLE tally_framed RENAME TO tally")
    for table, epci in (("tally_site", "site_epci"), ("tally_residence", "residence_epci")):
        db.execute(f"CREATE TABLE {table}_framed (frame TEXT NOT NULL, dimension TEXT NOT NULL, "
                   f"value TEXT NOT NULL, {epci} TEXT NOT NULL, week TEXT NOT NULL, "
                   f"n INTEGER NOT NULL, PRIMARY KEY (frame, dimension, value, {epci}, week)) "
                   f"WITHOUT ROWID")
        db.execute(f"INSERT INTO {table}_framed SELECT '1', dimension, value, {epci}, week, n "
                   f"FROM {table}")
        db.execute(f"DROP TABLE {table}")
        db.execute(f"ALTER TABLE {table}_framed RENAME TO {table}")


@migration
def h009_records_per_device(db):
    # A record id was unique across the hub: a copy of one kiosk's records (readable on
    # a USB key) posted first through another kiosk's token took their ids, and the
    # genuine records were then refused as conflicts. Ids are now unique per device, and
    # a purged id is remembered with its device (NULL: purged before, any device).
    db.execute("CREATE TABLE records_per_device (device_id INTEGER NOT NULL "
               "REFERENCES devices(id), id TEXT NOT NULL, received_at TEXT NOT NULL, "
               "week TEXT NOT NULL, content_hash TEXT NOT NULL, payload TEXT NOT NULL, "
               "PRIMARY KEY (device_id, id))")
    db.execute("INSERT INTO records_per_device (device_id, id, received_at, week, "
               "content_hash, payload) SELECT device_id, id, received_at, week, "
               "content_hash, payload FROM records")
    db.execute("DROP TABLE records")
    db.execute("ALTER TABLE records_per_device RENAME TO records")
    db.execute("CREATE INDEX idx_records_received_at ON records (received_at)")
    db.execute("CREATE INDEX idx_records_id ON records (id)")  # the same id elsewhere
    db.execute("CREATE TABLE purged_per_device (device_id INTEGER, id TEXT NOT NULL)")
    db.execute("CREATE UNIQUE INDEX idx_purged_records_id_device "
               "ON purged_per_device (id, device_id)")
    db.execute("INSERT INTO purged_per_device (device_id, id) "
               "SELECT NULL, id FROM purged_records")
    db.execute("DROP TABLE purged_records")
    db.execute("ALTER TABLE purged_per_device RENAME TO purged_records")


@migration
def h010_publications_per_frame(db):
    # A publication is of one frame (kiosk/sync/contract.py), and a new export is audited
    # against the publications of its own frame only: two frames' counts never add up,
    # so no published sum links them. Every publication made so far is of frame "1"
    # (the only one that existed).
    db.execute("ALTER TABLE publications ADD COLUMN frame TEXT NOT NULL DEFAULT '1'")


@migration
def h011_mediators(db):
    # Mediators' accounts, managed on the hub and sent to the kiosks in a roster: a name
    # (unique whatever its case: it is typed on a kiosk), a structure, and a slow hash of
    # a personal unlock code, never the code. A disabled account stays, so that its name
    # is not given to someone else and the kiosks learn it is disabled.
    db.execute("CREATE TABLE mediators (id INTEGER PRIMARY KEY, "
               "name TEXT NOT NULL COLLATE NOCASE UNIQUE, structure TEXT NOT NULL, "
               "code_hash TEXT NOT NULL, created_at TEXT NOT NULL, code_set_at TEXT NOT NULL, "
               "disabled_at TEXT)")


@migration
def h012_roster_deliveries(db):
    # Which code of which mediator each kiosk received in its roster: a kiosk revoked
    # (stolen) held those hashes, which can be attacked offline, so their codes are
    # withdrawn until reset (kiosk hub device revoke).
    db.execute("CREATE TABLE roster_deliveries (device_id INTEGER NOT NULL "
               "REFERENCES devices (id), mediator_id INTEGER NOT NULL REFERENCES mediators (id), "
               "code_set_at TEXT NOT NULL, delivered_at TEXT NOT NULL, "
               "PRIMARY KEY (device_id, mediator_id))")


@migration
def h013_data_publications(db):
    # Places, offers and the bus's stops the Département publishes for every kiosk
    # (kiosk/hub/publish.py): each file as published, kept whole so that a kiosk can be
    # sent the latest of each kind, and the list shows what was published when.
    db.execute("CREATE TABLE data_publications (id INTEGER PRIMARY KEY, "
               "kind TEXT NOT NULL, name TEXT NOT NULL, content TEXT NOT NULL, "
               "sha256 TEXT NOT NULL, published_at TEXT NOT NULL)")
    db.execute("CREATE INDEX idx_data_publications_kind ON data_publications (kind, id)")


@migration
def h014_itinerant_devices(db):
    # A device that moves (the Bourbon'Net bus): its records are counted at the site
    # EPCI each carries (the day's stop, kiosk/web/bus.py), not at its registered
    # commune's. 0 for every kiosk registered before: they stay counted where they are.
    db["devices"].add_column("itinerant", int, not_null_default=0)


@migration
def h015_device_health(db):
    # Each kiosk's latest health report (kiosk/ops/health.py), sent with its syncs: its
    # version and `kiosk doctor`'s counts and failing checks' names, for "État des
    # bornes". One row per device, replaced by the next report.
    db.execute("CREATE TABLE device_health (device_id INTEGER PRIMARY KEY "
               "REFERENCES devices (id), reported_at TEXT NOT NULL, version TEXT NOT NULL, "
               "ok INTEGER NOT NULL, problems INTEGER NOT NULL, failing TEXT NOT NULL)")


@migration
def h016_device_last_record(db):
    # When each kiosk's latest record was stored, for the dashboard's "Dernière donnée
    # reçue le …" without reading the records (the page reads counts only); a sync with
    # nothing new leaves it. Filled from the records still kept.
    db["devices"].add_column("last_record_at", str)
    db.execute("UPDATE devices SET last_record_at = (SELECT MAX(received_at) FROM records "
               "WHERE records.device_id = devices.id)")


@migration
def h017_crossings(db):
    # The predefined crossings (kiosk/hub/crossings.py: age band x indicator, x need;
    # need x offer) are counted at ingestion from now on. Recount them from the records
    # the hub still holds; a period with records purged before this upgrade has
    # incomplete crossings, and the dashboard says they are not available for it
    # (their margins would not be the page's).
    import json
    from collections import Counter

    from . import store, tally

    devices = db.execute("SELECT id, COALESCE(epci, ''), itinerant FROM devices").fetchall()
    for device_id, epci, itinerant in devices:
        device = {"id": device_id, "epci": epci, "itinerant": itinerant}
        cursor = db.execute("SELECT payload FROM records WHERE device_id = ?", [device_id])
        while batch := cursor.fetchmany(5000):
            counts = tally.counts(device, [json.loads(payload) for (payload,) in batch])
            store.add_tally(db, Counter({key: n for key, n in counts.items()
                                         if key[0].startswith("cross.")}))
