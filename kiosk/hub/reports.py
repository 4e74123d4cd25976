"""The hub's read-side SQL, for the dashboard and the open data.

Every count comes from the tally and its two roll-ups (by site EPCI, by residence
EPCI), never from row-level records: the figures survive ``kiosk hub purge`` and cost
the same whatever the number of records. The write side is kiosk.hub.store.
"""
from __future__ import annotations

import contextlib
from collections import Counter
from dataclasses import dataclass

# The EPCI "axis": by the kiosk's EPCI (where the diagnostic was made) or the person's.
AXES = {"site": ("tally_site", "site_epci"), "residence": ("tally_residence", "residence_epci")}


@contextlib.contextmanager
def snapshot(db):
    """One read transaction: every query inside sees the same committed state, so the
    figures of one page add up even while kiosks are syncing."""
    db.conn.execute("BEGIN")
    try:
        yield db
    finally:
        db.conn.execute("ROLLBACK")


def _where(first: str | None, last: str | None, epci_column: str | None = None,
           epci: str | None = None) -> tuple[str, list]:
    clauses, params = [], []
    if first:
        clauses.append("week >= ?")
        params.append(first)
    if last:
        clauses.append("week <= ?")
        params.append(last)
    if epci is not None:
        clauses.append(f"{epci_column} = ?")
        params.append(epci)
    return (" AND " + " AND ".join(clauses)) if clauses else "", params


def week_range(db) -> tuple[str, str] | None:
    """The first and last ISO week with a diagnostic (None when the tally is empty)."""
    row = db.execute("SELECT MIN(week), MAX(week) FROM tally_site "
                     "WHERE dimension = 'all' AND value = ''").fetchone()
    return (row[0], row[1]) if row[0] else None


def counts_by_epci(db, axis: str, first: str | None = None, last: str | None = None,
                   epci: str | None = None) -> Counter:
    """(dimension, value, EPCI) -> diagnostics over the weeks ``first``..``last``,
    the EPCI on ``axis`` ("site" or "residence"), optionally that one EPCI only."""
    table, column = AXES[axis]
    where, params = _where(first, last, column, epci)
    rows = db.execute(f"SELECT dimension, value, {column}, SUM(n) FROM {table} "
                      f"WHERE 1 = 1{where} GROUP BY dimension, value, {column}", params)
    return Counter({(dimension, value, code): n for dimension, value, code, n in rows})


def counts_by_week(db, axis: str, first: str | None = None, last: str | None = None) -> Counter:
    """(dimension, value, EPCI, week) -> diagnostics over the weeks ``first``..``last``,
    the EPCI on ``axis``: the counts a publication is made from, week by week."""
    table, column = AXES[axis]
    where, params = _where(first, last)
    rows = db.execute(f"SELECT dimension, value, {column}, week, n FROM {table} "
                      f"WHERE 1 = 1{where}", params)
    return Counter({(dimension, value, code, week): n for dimension, value, code, week, n in rows})


def weekly(db, axis: str, first: str | None = None, last: str | None = None,
           epci: str | None = None, dimension: str = "all") -> Counter:
    """(week, EPCI, value) -> diagnostics for one dimension ("all" by default)."""
    table, column = AXES[axis]
    where, params = _where(first, last, column, epci)
    rows = db.execute(f"SELECT week, {column}, value, SUM(n) FROM {table} "
                      f"WHERE dimension = ?{where} GROUP BY week, {column}, value",
                      [dimension, *params])
    return Counter({(week, code, value): n for week, code, value, n in rows})


def by_device(db, first: str | None = None, last: str | None = None) -> Counter:
    """(device id, site EPCI, residence EPCI) -> diagnostics over the weeks: the only
    query on the tally itself (the roll-ups have no device), on its "all" rows."""
    where, params = _where(first, last)
    rows = db.execute("SELECT device_id, site_epci, residence_epci, SUM(n) FROM tally "
                      f"WHERE dimension = 'all' AND value = ''{where} "
                      "GROUP BY device_id, site_epci, residence_epci", params)
    return Counter({(device, site, residence): n for device, site, residence, n in rows})


@dataclass(frozen=True)
class Device:
    id: int
    site: str
    commune: str
    epci: str
    last_seen_at: str | None
    revoked: bool


def devices(db) -> list[Device]:
    """Every kiosk the hub knows, revoked ones included (their counts still count)."""
    rows = db.execute("SELECT id, site, commune, COALESCE(epci, ''), last_seen_at, "
                      "revoked_at IS NOT NULL FROM devices ORDER BY site, id")
    return [Device(*row[:5], bool(row[5])) for row in rows]
