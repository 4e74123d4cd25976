"""Statistics for the hub: shares with their confidence interval, ISO weeks, silence.
Pure functions, no Flask, no SQL.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

# The normal quantile for a two-sided 95 % interval.
Z95 = 1.959963984540054

_WEEK = re.compile(r"(\d{4})-[Ww](\d{1,2})")


@dataclass(frozen=True)
class Share:
    """``k`` out of ``n``, with a 95 % Wilson interval."""

    k: int
    n: int
    value: float
    low: float
    high: float


def wilson(k: int, n: int, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval for ``k`` successes out of ``n``.

    Chosen over the usual p ± z·sqrt(p(1-p)/n): that one collapses to a zero-width
    interval at 0 % or 100 % and leaves [0, 1] for small samples, both of which happen
    on a week or an EPCI with few diagnostics.
    """
    if n <= 0 or not 0 <= k <= n:
        raise ValueError(f"need 0 <= k <= n and n > 0, got k={k}, n={n}")
    p = k / n
    z2 = z * z
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / (1 + z2 / n)
    # Clamp rounding noise only: the interval is within [0, 1] mathematically.
    return max(0.0, centre - half), min(1.0, centre + half)


def share(k: int, n: int) -> Share:
    """``k`` out of ``n`` as a Share (``n`` must be positive)."""
    low, high = wilson(k, n)
    return Share(k, n, k / n, low, high)


# --- ISO weeks --------------------------------------------------------------------------

def parse_week(text: str) -> str:
    """``2026-W05`` (also ``2026-w5``) normalised; ValueError for anything else, or a
    week the year does not have (W53 exists only in some years)."""
    match = _WEEK.fullmatch(text.strip()) if text else None
    if not match:
        raise ValueError(f"not an ISO week (expected e.g. 2026-W05): {text!r}")
    year, week = int(match.group(1)), int(match.group(2))
    try:
        date.fromisocalendar(year, week, 1)
    except ValueError:
        raise ValueError(f"{year} has no ISO week {week}") from None
    return f"{year:04d}-W{week:02d}"


def week_start(week: str) -> date:
    """The Monday of an ISO week."""
    year, number = week.split("-W")
    return date.fromisocalendar(int(year), int(number), 1)


def week_end(week: str) -> date:
    """The Sunday of an ISO week."""
    return week_start(week) + timedelta(days=6)


def week_of(day: date) -> str:
    """The ISO week a day falls in."""
    year, week, _ = day.isocalendar()
    return f"{year:04d}-W{week:02d}"


def weeks_between(first: str, last: str) -> list[str]:
    """Every ISO week from ``first`` to ``last`` inclusive (empty if ``last`` is before)."""
    day, end = week_start(first), week_start(last)
    weeks = []
    while day <= end:
        weeks.append(week_of(day))
        day += timedelta(days=7)
    return weeks


# --- Kiosk health -----------------------------------------------------------------------

# How far ahead of the hub's clock a stored time may be before it counts as unknown: a
# clock corrected by minutes or hours changes no count of days.
CLOCK_TOLERANCE = timedelta(days=1)


def days_since(moment: str | None, now: datetime) -> int | None:
    """Whole days from the ISO timestamp ``moment`` to ``now`` (None if never, or if
    ``moment`` is more than a day in the future: stamped before the hub's clock was set
    back, it no longer says how long ago it was)."""
    if not moment:
        return None
    then = datetime.fromisoformat(moment)
    if then.tzinfo is None:
        then = then.replace(tzinfo=timezone.utc)
    if then - now > CLOCK_TOLERANCE:
        return None
    return max(0, (now - then).days)


def is_silent(last_seen: str | None, now: datetime, days: int) -> bool:
    """A kiosk is silent when it has not synced for ``days`` days, or never has, or its
    last sync is of unknown age (the next sync stamps it again with the right time)."""
    elapsed = days_since(last_seen, now)
    return elapsed is None or elapsed >= days
