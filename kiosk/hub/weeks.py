"""Which ISO weeks the hub takes in, and which it shows. Pure functions, no Flask, no SQL.

A record's week comes from the kiosk's clock, so it can be anything the pattern allows:
a week its year does not have (2025-W53), one before the service began (0001-W01) or
one far ahead (9999-W52). The hub takes in only real ISO weeks of its *window*, from
the configured start of service (``KIOSK_HUB_SERVICE_START``) to its own current
week, and the dashboard and open data read only the weeks of that window, whatever an
older release let into the counts.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from datetime import date, timedelta
from typing import Iterable

from ..sync.protocol import INVALID, LATER
from .stats import week_of, week_start

# A week up to a year ahead of the hub's is answered "later": the kiosk's clock is a
# little ahead, or the hub's behind, and time will settle it. Beyond, no clock fault of
# the hub's is plausible: the record was frozen by a kiosk whose clock was wrong, its
# week will not come in any useful time, so it is refused for good (quarantined, and
# visible in `kiosk status`) instead of being resent at every sync for ever.
HORIZON = timedelta(days=366)


def service_start(value) -> date:
    """``KIOSK_HUB_SERVICE_START`` as a date (an ISO date, e.g. 2025-01-01)."""
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise ValueError(f"KIOSK_HUB_SERVICE_START is not an ISO date (e.g. 2025-01-01): "
                         f"{value!r}") from None


_WEEK = re.compile(r"[0-9]{4}-W[0-9]{2}")


def real(week: str) -> bool:
    """True for a week written ``YYYY-Www`` that its ISO year has."""
    if not isinstance(week, str) or not _WEEK.fullmatch(week):
        return False
    try:
        date.fromisocalendar(int(week[:4]), int(week[6:]), 1)
    except ValueError:
        return False
    return True


@dataclass(frozen=True)
class Window:
    """The weeks from the start of service to the hub's current week (``today``)."""

    start: date
    today: date

    def __post_init__(self):
        if self.today < self.start:
            raise ValueError(f"the hub's clock says {self.today}, before the start of service "
                             f"({self.start}, KIOSK_HUB_SERVICE_START): set the clock")

    @cached_property
    def first(self) -> str:
        return week_of(self.start)

    @cached_property
    def last(self) -> str:
        return week_of(self.today)

    def holds(self, week: str) -> bool:
        """True for a real ISO week within the window."""
        return real(week) and self.first <= week <= self.last

    def verdict(self, week: str) -> tuple[str, str] | None:
        """None when a record of ``week`` may be stored; else (status, reason): LATER
        for a week after the hub's (kept by the kiosk, sent again), INVALID for good."""
        if not real(week):
            return INVALID, f"{week!r} is not an ISO week (its year has no such week)"
        if week < self.first:
            return INVALID, (f"week {week} is before the start of service ({self.start}, "
                             f"week {self.first})")
        if week <= self.last:
            return None
        if week_start(week) > self.today + HORIZON:
            return INVALID, (f"week {week} is more than a year after the hub's current week "
                             f"({self.last}): the kiosk's clock was wrong when it was made")
        return LATER, (f"week {week} is after the hub's current week ({self.last}): "
                       "sent again at a later sync")

    def clip(self, first: str | None, last: str | None) -> tuple[str, str]:
        """The weeks ``first``..``last`` (None: unbounded) within the window."""
        return max(first or self.first, self.first), min(last or self.last, self.last)

    def span(self, stored: Iterable[str]) -> tuple[str, str] | None:
        """The first and last of the ``stored`` weeks in the window (None if none is)."""
        inside = sorted(week for week in stored if self.holds(week))
        return (inside[0], inside[-1]) if inside else None


def unreadable(stored: Iterable[str], first: str, last: str, window: Window) -> list[str]:
    """The ``stored`` weeks a query on the text range ``first``..``last`` would take in
    although the window does not hold them (2025-W53 sorts between 2025-W52 and
    2026-W01): the figures leave them out by name."""
    return sorted(week for week in stored
                  if first <= week <= last and not window.holds(week))
