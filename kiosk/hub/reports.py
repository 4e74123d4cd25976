"""The hub's read-side SQL, for the dashboard and the open data.

Every count comes from the tally and its two roll-ups (by site EPCI, by residence
EPCI), never from row-level records: the figures survive ``kiosk hub purge`` and cost
the same whatever the number of records. They read only the weeks of service
(kiosk.hub.weeks), whatever the counts hold. The write side is kiosk.hub.store.
"""
from __future__ import annotations

import contextlib
import json
from collections import Counter
from dataclasses import dataclass
from typing import Iterable

from . import stats
from .weeks import Window, unreadable

# The EPCI "axis": by the kiosk's EPCI (where the diagnostic was made) or the person's.
AXES = {"site": ("tally_site", "site_epci"), "residence": ("tally_residence", "residence_epci")}
# The diagnostics' dimensions: the other kinds' are "<kind>.<dimension>"
# (kiosk.hub.tally.kind_facts), and follow-ups share the diagnostics' frame. No
# diagnostic dimension holds a dot (its codes match contract.CODE).
DIAGNOSTICS_ONLY = "dimension NOT GLOB '*.*'"
# The crossings (kiosk.hub.crossings, "cross.…") outnumber the diagnostics' own counts:
# the diagnostics' are read in two ranges of the key that leave the crossings' block
# out (SQLite searches a range on the key) rather than by reading every row of the
# frame and dropping the crossings one by one, which took twice as long.
AROUND_CROSSINGS = ("dimension < 'cross.'", "dimension >= 'cross/'")


def _diagnostics_sql(select: str, table: str, where: str, group: str = "") -> str:
    """``select`` over the diagnostics' rows of ``table``: one query per range of
    AROUND_CROSSINGS (their parameters repeat: pass them twice), joined."""
    return " UNION ALL ".join(f"SELECT {select} FROM {table} WHERE {around} AND "
                              f"{DIAGNOSTICS_ONLY}{where}{group}" for around in AROUND_CROSSINGS)


@contextlib.contextmanager
def snapshot(db):
    """One read transaction: every query inside sees the same committed state, so the
    figures of one page add up even while kiosks are syncing."""
    db.conn.execute("BEGIN")
    try:
        yield db
    finally:
        db.conn.execute("ROLLBACK")


@dataclass(frozen=True)
class Period:
    """The weeks a page or an export reads: ``first``..``last`` (None: no week at all),
    less ``skip``, the stored weeks inside that text range that are not weeks of service
    (2025-W53 sorts between 2025-W52 and 2026-W01); and the one ``frame`` whose counts
    it reads (kiosk/sync/contract.py: two frames never add up)."""

    first: str | None
    last: str | None
    skip: tuple[str, ...] = ()
    frame: str | None = None

    def weeks(self) -> list[str]:
        """Every ISO week of the period, in order."""
        if not (self.first and self.last and self.first <= self.last):
            return []
        return stats.weeks_between(self.first, self.last)


def stored_weeks(db, frame: str) -> list[str]:
    """Every week the counts of ``frame`` hold, real or not (a few hundred rows of a
    roll-up)."""
    return [row[0] for row in db.execute("SELECT DISTINCT week FROM tally_site WHERE "
                                         "frame = ? AND dimension = 'all' AND value = ''",
                                         [frame])]


def frames(db, window: Window) -> list[str]:
    """The frames with a diagnostic in a week of service."""
    # The frame "" (records measured by no questionnaire) is never one to choose: the
    # frames are found from the first after it, each by one seek on the key (a
    # "frame != ''" condition read the whole roll-up).
    found, frame = [], ""
    while (frame := db.execute("SELECT MIN(frame) FROM tally_site WHERE frame > ?",
                               [frame]).fetchone()[0]) is not None:
        # Only diagnostics count as "all" (other kinds as "<kind>.all").
        if window.span(stored_weeks(db, frame)):
            found.append(frame)
    return found


def week_range(db, window: Window, frame: str) -> tuple[str, str] | None:
    """The first and last week of service with a diagnostic of ``frame`` (None when
    there is none). Weeks an older release let in (not real, before the service, in the
    future) are ignored: they would stretch the period over thousands of weeks, or past
    year 9999."""
    return window.span(stored_weeks(db, frame))


def readable(db, window: Window, first: str | None, last: str | None, frame: str) -> Period:
    """The weeks ``first``..``last`` of ``frame`` clipped to the window, minus the
    stored weeks in that range the window does not hold; an empty Period if either is
    None."""
    if not (first and last):
        return Period(None, None, frame=frame)
    first, last = window.clip(first, last)
    if first > last:
        return Period(None, None, frame=frame)
    return Period(first, last, tuple(unreadable(stored_weeks(db, frame), first, last, window)),
                  frame)


def _where(period: Period, epci_column: str | None = None,
           epci: str | None = None) -> tuple[str, list]:
    if period.frame is None:
        raise ValueError("a period reads the counts of one frame: none given")
    clauses = ["frame = ?", "week >= ?", "week <= ?"]
    params = [period.frame, period.first, period.last]
    if period.skip:
        clauses.append(f"week NOT IN ({', '.join('?' for _ in period.skip)})")
        params += period.skip
    if epci is not None:
        clauses.append(f"{epci_column} = ?")
        params.append(epci)
    return " AND " + " AND ".join(clauses), params


def counts_by_epci(db, axis: str, period: Period, epci: str | None = None) -> Counter:
    """(dimension, value, EPCI) -> diagnostics over the weeks of ``period``, the EPCI
    on ``axis`` ("site" or "residence"), optionally that one EPCI only."""
    if period.first is None:
        return Counter()
    table, column = AXES[axis]
    where, params = _where(period, column, epci)
    rows = db.execute(_diagnostics_sql(f"dimension, value, {column}, SUM(n)", table, where,
                                       f" GROUP BY dimension, value, {column}"),
                      [*params, *params])
    return Counter({(dimension, value, code): n for dimension, value, code, n in rows})


def counts_by_week(db, axis: str, period: Period) -> Counter:
    """(dimension, value, EPCI, week) -> diagnostics over the weeks of ``period``, the
    EPCI on ``axis``: the counts a publication is made from, week by week."""
    if period.first is None:
        return Counter()
    table, column = AXES[axis]
    where, params = _where(period)
    rows = db.execute(_diagnostics_sql(f"dimension, value, {column}, week, n", table, where),
                      [*params, *params])
    return Counter({(dimension, value, code, week): n for dimension, value, code, week, n in rows})


def weekly(db, axis: str, period: Period, epci: str | None = None,
           dimension: str = "all") -> Counter:
    """(week, EPCI, value) -> diagnostics for one dimension ("all" by default)."""
    if period.first is None:
        return Counter()
    table, column = AXES[axis]
    where, params = _where(period, column, epci)
    rows = db.execute(f"SELECT week, {column}, value, SUM(n) FROM {table} "
                      f"WHERE dimension = ?{where} GROUP BY week, {column}, value",
                      [dimension, *params])
    return Counter({(week, code, value): n for week, code, value, n in rows})


def kind_counts(db, kind: str, period: Period, epci: str | None = None) -> Counter:
    """(dimension, value, "*") -> records of another kind than a diagnostic (activity,
    follow-up, screening: their dimensions are named ``<kind>.``) over the weeks of
    ``period``, made at the kiosks of ``epci`` when given (these records carry no
    residence)."""
    return _prefixed(db, AXES["site"], kind, period, epci)


def cross_counts(db, axis: str, period: Period, epci: str | None = None) -> Counter:
    """(dimension, value, "*") -> the predefined crossings' counts (kiosk.hub.crossings,
    dimensions "cross.…") over the weeks of ``period``, of the people of ``epci`` on
    ``axis`` when given, as the diagnostics' counts are read."""
    return _prefixed(db, AXES[axis], "cross", period, epci)


def _prefixed(db, axis: tuple[str, str], prefix: str, period: Period,
              epci: str | None) -> Counter:
    """(dimension, value, "*") -> the counts of the dimensions ``<prefix>.…`` of the
    roll-up ``axis`` (table, EPCI column), all EPCIs together or ``epci``'s."""
    if period.first is None:
        return Counter()
    table, column = axis
    where, params = _where(period, column, epci)
    # A range on the key's second column: "/" is the character after ".".
    rows = db.execute(f"SELECT dimension, value, SUM(n) FROM {table} WHERE dimension > ? "
                      f"AND dimension < ?{where} GROUP BY dimension, value",
                      [f"{prefix}.", f"{prefix}/", *params])
    return Counter({(dimension, value, "*"): n for dimension, value, n in rows})


def by_device(db, period: Period) -> Counter:
    """(device id, site EPCI, residence EPCI) -> diagnostics over the weeks: the only
    query on the tally itself (the roll-ups have no device), on its "all" rows."""
    if period.first is None:
        return Counter()
    where, params = _where(period)
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


@dataclass(frozen=True)
class Health:
    """A kiosk's latest health report (kiosk/ops/health.py)."""
    reported_at: str
    version: str
    problems: int
    failing: tuple[str, ...]


def health(db) -> dict[int, Health]:
    """Each reporting kiosk's latest health report, by device id."""
    rows = db.execute("SELECT device_id, reported_at, version, problems, failing "
                      "FROM device_health")
    return {row[0]: Health(row[1], row[2], row[3], tuple(json.loads(row[4]))) for row in rows}


def latest_received(db) -> str | None:
    """When the hub last received a record (ISO, UTC), None before the first: the
    dashboard says how fresh its figures are."""
    return db.execute("SELECT MAX(last_record_at) FROM devices").fetchone()[0]


def devices(db) -> list[Device]:
    """Every kiosk the hub knows, revoked ones included (their counts still count)."""
    rows = db.execute("SELECT id, site, commune, COALESCE(epci, ''), last_seen_at, "
                      "revoked_at IS NOT NULL FROM devices ORDER BY site, id")
    return [Device(*row[:5], bool(row[5])) for row in rows]


def kind_weekly(db, kind: str, period: Period, dimensions: Iterable[str],
                epci: str | None = None) -> Counter:
    """(week, dimension, value) -> records of ``kind`` over the weeks of ``period``, for
    the ``dimensions`` named (``activity.mode``...), at the kiosks of ``epci`` when given:
    the impact section's months (kiosk.hub.impact)."""
    dimensions = list(dimensions)
    if period.first is None or not dimensions:
        return Counter()
    where, params = _where(period, "site_epci", epci)
    rows = db.execute(f"SELECT week, dimension, value, SUM(n) FROM tally_site WHERE dimension "
                      f"IN ({', '.join('?' for _ in dimensions)}){where} "
                      "GROUP BY week, dimension, value", [*dimensions, *params])
    return Counter({(week, dimension, value): n for week, dimension, value, n in rows})


def kind_weeks(db, kind: str, frame: str = "") -> list[str]:
    """Every week holding a record of ``kind`` in the counts of ``frame``, whatever the
    page's filters: when the hub began to receive that kind."""
    return [row[0] for row in db.execute(
        "SELECT DISTINCT week FROM tally_site WHERE dimension = ? AND frame = ?",
        [f"{kind}.all", frame])]
