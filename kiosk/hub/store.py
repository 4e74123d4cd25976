"""All the hub's write-side SQL (devices, records, counts). The kiosk's is in kiosk.storage.store."""
from __future__ import annotations

import json
from collections import Counter

TALLY_UPSERT = (
    "INSERT INTO tally (dimension, value, week, device_id, site_epci, residence_epci, frame, "
    "n) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
    "ON CONFLICT (frame, dimension, value, week, device_id, site_epci, residence_epci) "
    "DO UPDATE SET n = n + excluded.n")
ROLLUP_UPSERT = (
    "INSERT INTO {table} (frame, dimension, value, {epci}, week, n) VALUES (?, ?, ?, ?, ?, ?) "
    "ON CONFLICT (frame, dimension, value, {epci}, week) DO UPDATE SET n = n + excluded.n")
SITE_UPSERT = ROLLUP_UPSERT.format(table="tally_site", epci="site_epci")
RESIDENCE_UPSERT = ROLLUP_UPSERT.format(table="tally_residence", epci="residence_epci")


def add_tally(db, increments: Counter) -> None:
    """Add ``increments`` (from kiosk.hub.tally.counts) to the counts and to their two
    roll-ups (by site EPCI, by residence EPCI); call it inside the transaction that
    stores the records counted, so all commit or none does."""
    site, residence = Counter(), Counter()
    for (dimension, value, week, _device, site_epci, residence_epci, frame), n \
            in increments.items():
        site[(frame, dimension, value, site_epci, week)] += n
        residence[(frame, dimension, value, residence_epci, week)] += n
    # In key order: each upsert lands next to the previous one in the B-tree, which
    # spares SQLite most of its page reads on a large batch.
    for sql, counts in ((TALLY_UPSERT, increments), (SITE_UPSERT, site),
                        (RESIDENCE_UPSERT, residence)):
        db.conn.executemany(sql, [key + (n,) for key, n in sorted(counts.items()) if n])


# --- devices ------------------------------------------------------------------------

def add_device(db, *, site: str, commune: str, epci: str | None, make_token, now,
               itinerant: bool = False) -> tuple[int, str]:
    """Register a device (``itinerant``: it moves, and its records are counted at the
    site EPCI they carry); ``make_token(device_id)`` makes its token, of which only the
    SHA-256 is kept. Returns (device id, token)."""
    from ..sync.protocol import token_hash

    placeholder = "pending:" + now.isoformat() + site  # unique until the real hash is set
    row = db.execute("insert into devices (site, commune, epci, token_hash, created_at, "
                     "records_received, itinerant) values (?, ?, ?, ?, ?, 0, ?)",
                     [site, commune, epci, placeholder, now.isoformat(), int(itinerant)])
    device_id = row.lastrowid
    token = make_token(device_id)
    db.execute("update devices set token_hash = ? where id = ?", [token_hash(token), device_id])
    return device_id, token


def devices(db) -> list[dict]:
    """Every device, oldest first."""
    return list(db.query("select id, site, commune, epci, created_at, revoked_at, "
                         "last_seen_at, records_received from devices order by id"))


def active_device_by_token_hash(db, hashed: str):
    """The device holding this token hash, unless revoked; else None."""
    rows = list(db.query("select * from devices where token_hash = ? and revoked_at is null",
                         [hashed]))
    return rows[0] if rows else None


def device_by_id(db, device_id: int):
    """The device with this id (revoked or not), or None."""
    rows = list(db.query("select * from devices where id = ?", [device_id]))
    return rows[0] if rows else None


def replace_device_token(db, device_id: int, make_token) -> str | None:
    """Give a device (revoked or not) a new token for the same identity: the old token
    stops working at once, the records and counts stay the device's. Returns the new
    token (only its SHA-256 is kept), or None when there is no such device."""
    from ..sync.protocol import token_hash

    if device_by_id(db, device_id) is None:
        return None
    token = make_token(device_id)
    db.execute("update devices set token_hash = ?, revoked_at = null where id = ?",
               [token_hash(token), device_id])
    return token


def revoke_device(db, device_id: int, now) -> bool:
    """Revoke a device's token; False when there is no such active device."""
    return db.execute("update devices set revoked_at = ? where id = ? and revoked_at is null",
                      [now.isoformat(), device_id]).rowcount == 1


def touch_device(db, device_id: int, now, received: int) -> None:
    """A device was heard from: last seen now, ``received`` more records stored (their
    time kept as its latest record's when there is any)."""
    db.execute("update devices set last_seen_at = ?, records_received = records_received + ?, "
               "last_record_at = CASE WHEN ? > 0 THEN ? ELSE last_record_at END where id = ?",
               [now.isoformat(), received, received, now.isoformat(), device_id])


def save_health(db, device_id: int, report: dict, now) -> None:
    """Keep a device's latest health report (kiosk.ops.health.parse made it safe)."""
    db.execute("INSERT INTO device_health (device_id, reported_at, version, ok, problems, "
               "failing) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (device_id) DO UPDATE SET "
               "reported_at = excluded.reported_at, version = excluded.version, "
               "ok = excluded.ok, problems = excluded.problems, failing = excluded.failing",
               [device_id, now.isoformat(), report["version"], report["ok"],
                report["problems"], json.dumps(report["failing"])])


# --- records ------------------------------------------------------------------------

# One atomic statement per record: the UNIQUE (device, id) (and the ids already purged)
# decide, never a read followed by a write. Ids are unique per device (h009): another
# device's copy of an id can never take it from the device that made it.
INSERT_RECORD = (
    "INSERT INTO records (id, device_id, received_at, week, content_hash, payload) "
    "SELECT ?, ?, ?, ?, ?, ? WHERE NOT EXISTS (SELECT 1 FROM purged_records WHERE id = ? "
    "AND (device_id = ? OR device_id IS NULL)) "
    "ON CONFLICT (device_id, id) DO NOTHING")


def insert_records(db, device_id: int, rows: list[tuple], now) -> tuple[list[str], dict]:
    """Store ``rows`` of (id, week, content_hash, canonical payload) for ``device_id``;
    call inside a write transaction. Returns the status per row: "stored", "already"
    (same hash, or purged since) or "conflict" (same id, other content, this device);
    and ``{id: other device}`` for stored ids another device also holds."""
    from ..sync.protocol import ALREADY, CONFLICT, STORED

    stamp = now.isoformat()
    execute = db.conn.execute
    statuses, shared = [], {}
    for rid, week, digest, payload in rows:
        if execute(INSERT_RECORD, (rid, device_id, stamp, week, digest, payload, rid,
                                   device_id)).rowcount:
            statuses.append(STORED)
            other = execute("SELECT device_id FROM records WHERE id = ? AND device_id != ?",
                            (rid, device_id)).fetchone()
            if other:
                shared[rid] = other[0]
            continue
        held = execute("SELECT content_hash FROM records WHERE device_id = ? AND id = ?",
                       (device_id, rid)).fetchone()
        statuses.append(ALREADY if held is None or held[0] == digest else CONFLICT)
    return statuses, shared


def purge_records(db, received_before) -> int:
    """Delete row-level records received before that moment, keeping their ids so a
    later resend is recognised; the tally is untouched. Call inside a write transaction."""
    cutoff = received_before.isoformat()
    db.execute("INSERT OR IGNORE INTO purged_records (device_id, id) "
               "SELECT device_id, id FROM records WHERE received_at < ?", [cutoff])
    return db.execute("DELETE FROM records WHERE received_at < ?", [cutoff]).rowcount


def count_records(db) -> int:
    """Row-level records held."""
    return db.execute("SELECT count(*) FROM records").fetchone()[0]


# --- the publication register -----------------------------------------------------------

def register_publication(db, *, now, frame: str, first: str, last: str, folder: str,
                         cells: dict, weekly: Counter, breakdown: Counter) -> int:
    """Record a publication of ``frame``: ``cells`` maps each cell's key (a tuple of text) to the
    value written, None where it was hidden; ``weekly`` ((week, site EPCI) -> n) and
    ``breakdown`` ((dimension, value, residence EPCI, week) -> n) are the counts it was
    made from. Call inside a write transaction. Returns its id."""
    import json

    hidden = sum(1 for value in cells.values() if value is None)
    publication = db.execute(
        "INSERT INTO publications (published_at, frame, first_week, last_week, folder, cells, "
        "hidden) VALUES (?, ?, ?, ?, ?, ?, ?)",
        [now.isoformat(), frame, first, last, folder, len(cells), hidden]).lastrowid
    db.conn.executemany("INSERT INTO publication_cells (publication_id, cell, value) "
                        "VALUES (?, ?, ?)",
                        [(publication, json.dumps(list(key), ensure_ascii=False), value)
                         for key, value in cells.items()])
    rows = [(publication, "site", "all", "", site, week, n)
            for (week, site), n in weekly.items() if n]
    rows += [(publication, "residence", dimension, value, epci, week, n)
             for (dimension, value, epci, week), n in breakdown.items() if n]
    db.conn.executemany("INSERT INTO publication_counts (publication_id, axis, dimension, "
                        "value, epci, week, n) VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
    return publication


def registered_publications(db, frame: str) -> list[dict]:
    """Every registered publication of ``frame``, oldest first: id, published_at, first_week,
    last_week, folder, ``hidden`` (the keys of the cells it hid), ``tables`` (the
    first items of its cells' keys), ``weekly`` and
    ``breakdown`` (the counts it was made from, as given to register_publication)."""
    import json

    found = []
    for row in db.query("SELECT * FROM publications WHERE frame = ? ORDER BY id", [frame]):
        row["hidden"] = frozenset(
            tuple(json.loads(cell)) for (cell,) in db.execute(
                "SELECT cell FROM publication_cells WHERE publication_id = ? "
                "AND value IS NULL", [row["id"]]))
        # The tables it wrote (a cell key's first item): a file added since was not.
        row["tables"] = {name for (name,) in db.execute(
            "SELECT DISTINCT json_extract(cell, '$[0]') FROM publication_cells "
            "WHERE publication_id = ?", [row["id"]])}
        row["weekly"], row["breakdown"] = Counter(), Counter()
        for axis, dimension, value, epci, week, n in db.execute(
                "SELECT axis, dimension, value, epci, week, n FROM publication_counts "
                "WHERE publication_id = ?", [row["id"]]):
            if axis == "site":
                row["weekly"][(week, epci)] = n
            else:
                row["breakdown"][(dimension, value, epci, week)] = n
        found.append(row)
    return found
