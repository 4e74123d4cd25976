"""Unlocking the kiosk's mediator space with a name and a personal code.

The mediators a kiosk knows are the hub's roster (kiosk.sync.roster) and those added on
the kiosk itself. The name is typed (never listed for anyone to see) and compared
whatever its case and spaces; the code is typed on the on-screen keypad, in any script's
digits. Whatever is wrong (unknown name, disabled mediator, withdrawn or wrong code) is
refused the same way, after the same slow hash, so a stranger learns nothing of who
exists.

Wrong codes bring a growing wait, never a lockout: after :data:`ALLOWANCE` wrong codes,
each try waits :data:`FIRST_DELAY` seconds, doubling, at most :data:`MAX_DELAY`. The
count is the kiosk's (anyone at its screen is the same person to it), so a stranger can
make a mediator wait a minute at worst, never lock them out. A right code clears it.

A roster not refreshed for ``max_age_days`` (sync or USB receipt) no longer unlocks: a
mediator disabled on the hub since would still be in it. Mediators added on the kiosk
(a kiosk with no hub) do not expire.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from werkzeug.security import check_password_hash

from .. import throttle
from ..storage import store
from .codes import hash_code, read_digits

ALLOWANCE = 3
FIRST_DELAY = 2  # seconds
MAX_DELAY = 60
WINDOW = timedelta(hours=1)  # wrong codes older than this are forgotten
# Checked when no mediator matches, so that an unknown name takes as long as a wrong code.
_DUMMY_HASH = hash_code("not a code: only for timing")


@dataclass(frozen=True)
class Mediator:
    """Who unlocked: their name and structure, and where the kiosk knows them from."""

    name: str
    structure: str
    source: str  # "roster" or "local"


class Refused(Exception):
    """``reason``: "wrong" (name or code), "wait" (``wait`` seconds before a new try) or
    "stale_roster" (the roster is older than allowed: sync the kiosk)."""

    def __init__(self, reason: str, wait: int = 0):
        super().__init__(reason)
        self.reason, self.wait = reason, wait


def key(name: str) -> str:
    """A name as compared: case, accents' case and spaces do not matter."""
    return " ".join(name.split()).casefold()


def wait_seconds(failures: list[str], now: datetime) -> int:
    """Seconds before the next try may be checked, given the wrong codes' times."""
    return throttle.wait_seconds(failures, ALLOWANCE, FIRST_DELAY, MAX_DELAY, now)


def roster_is_fresh(roster: dict | None, now: datetime, max_age_days: int) -> bool:
    """Whether the roster held was received less than ``max_age_days`` ago."""
    return roster is not None and (
        now - datetime.fromisoformat(roster["received_at"]) <= timedelta(days=max_age_days))


def unlock(db, name: str, code: str, now: datetime, *, max_age_days: int) -> Mediator:
    """The mediator whose name and code these are; raises :class:`Refused`."""
    wait = wait_seconds(store.unlock_failures(db, now - WINDOW), now)
    if wait:
        raise Refused("wait", wait)
    wanted = key(name)
    roster = store.roster(db)
    fresh = roster_is_fresh(roster, now, max_age_days)
    known = [(entry, "local") for entry in store.local_mediators(db)]
    if fresh:
        known += [(entry, "roster") for entry in roster["mediators"]]
    found = next(((entry, source) for entry, source in known
                  if key(entry["name"]) == wanted and entry["active"] and entry["code_hash"]),
                 None)
    stored = found[0]["code_hash"] if found else _DUMMY_HASH
    # a code with anything but digits and separators in it is checked as no code
    right = check_password_hash(stored, read_digits(code) or "") and found is not None
    if right:
        store.clear_unlock_failures(db)
        entry, source = found
        return Mediator(entry["name"], entry["structure"], source)
    if roster is not None and not fresh and found is None:
        # the name may be in the old roster: say what to do, not whether it is
        raise Refused("stale_roster")
    store.add_unlock_failure(db, now)
    raise Refused("wrong", wait_seconds(store.unlock_failures(db, now - WINDOW), now))
