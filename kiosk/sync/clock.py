"""Is the kiosk's clock plausible? Pure functions, no Flask, no SQL.

A record's week is frozen from the kiosk's clock when the diagnostic ends. A PC whose
battery died wakes up in 2000 (or 1970), a hand-set clock can be a year off, and the
hub then refuses the records (a week before the service) or, worse, counts them in the
wrong quarter. So `kiosk sync` compares the clock with what it can trust, and holds the
records (sends nothing, exit 2) while the clock is implausible; `kiosk status` says why.

What is trusted, and why:

- this release's date: no clock can be before the day the software on it was released
  (a dead battery's clock always is), nor decades after it;
- the hub's clock, read from the ``Date`` header of its answer when ``kiosk sync`` asks
  it first: a server keeps its time (NTP). The kiosk's clock must agree with it within
  ``TOLERANCE``, and must never be before a time the hub has already told it (the
  ``Date`` of the last answer, the ``imported_at`` of the last USB receipt);
- not the kiosk's own past: a kiosk may stay unused for months (the bus in winter),
  so "far after the newest record" says nothing, and a record frozen by a clock that
  was ahead would otherwise hold the kiosk long after its clock was set right.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

# The day this release was made: update it with each release (an old date only weakens
# the check, it never holds a kiosk whose clock is right).
RELEASED = datetime(2026, 11, 30, tzinfo=timezone.utc)
# No kiosk PC, nor this release, will be in service this long: a clock beyond is broken.
LIFETIME = timedelta(days=20 * 366)
# More than this from the hub's clock is not drift: a wrong time zone or date was set,
# and records near the end of a week are counted in the next one (or the previous).
TOLERANCE = timedelta(hours=1)


@dataclass(frozen=True)
class HubTime:
    """What the hub's clock said (``hub``), and the kiosk's at that moment (``kiosk``),
    when ``measured`` is True (an answer to a request); else ``kiosk`` is only when the
    kiosk learnt it (a USB receipt's import time, read days later)."""

    hub: datetime
    kiosk: datetime
    measured: bool


def _span(delta: timedelta) -> str:
    seconds = abs(delta.total_seconds())
    if seconds < 60:
        return "a minute"
    if seconds >= 2 * 86400:
        return f"{seconds / 86400:.0f} days"
    if seconds >= 7200:
        return f"{seconds / 3600:.0f} hours"
    return f"{seconds / 60:.0f} minutes"


def _at(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


def problem(now: datetime, latest: HubTime | None) -> str | None:
    """Why the clock reading ``now`` is implausible, or None if it is plausible.

    ``latest`` is the most recent word from the hub (the newest ``hub`` time), if any.
    """
    if now < RELEASED:
        return (f"the clock says {_at(now)}, before this software was released "
                f"({RELEASED:%Y-%m-%d})")
    if now > RELEASED + LIFETIME:
        return f"the clock says {_at(now)}, decades after this software was released"
    if latest is None:
        return None
    offset = latest.kiosk - latest.hub
    if latest.measured and abs(offset) > TOLERANCE:
        side = "ahead of" if offset > timedelta(0) else "behind"
        return (f"at the last contact ({_at(latest.hub)}) the kiosk's clock was "
                f"{_span(offset)} {side} the hub's")
    if now < latest.hub - TOLERANCE:
        return (f"the clock says {_at(now)}, but the hub's clock already said "
                f"{_at(latest.hub)}: the clock went back")
    return None


def describe(now: datetime, latest: HubTime | None) -> str:
    """One line for `kiosk status`."""
    why = problem(now, latest)
    if why:
        return (f"IMPLAUSIBLE: {why}. `kiosk sync` holds the records until the clock is "
                "set (e.g. `timedatectl set-ntp true`)")
    if latest is None or not latest.measured:
        return f"{_at(now)} on this kiosk (not yet compared with the hub's)"
    return (f"{_at(now)}; within {_span(latest.kiosk - latest.hub)} of the hub's at the "
            f"last contact ({_at(latest.hub)})")
