"""Staff accounts of the dashboard: hashed passwords, throttled logins (with their SQL).

Passwords are hashed with werkzeug's scrypt. Throttling slows guessing without locking
the real person out: failures are counted per (name, address) and per address, over a
window (``KIOSK_HUB_LOGIN_WINDOW_SECONDS``). Past an allowance (``attempts`` for one name
from one address, four times as many for one address across names), each further try
must wait a delay that doubles with every failure, up to 15 minutes; a try during the
wait is refused without checking the password. Nothing is counted per name alone: an
attacker's failures from one address never delay the same name from another address,
so nobody can lock a colleague out. Behind a reverse proxy, the address is the client's
(kiosk.hub.address), so colleagues behind one proxy are not counted together.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from werkzeug.security import check_password_hash, generate_password_hash

from ..db import write_transaction

MIN_PASSWORD_LENGTH = 12
ADDRESS_FACTOR = 4
FIRST_DELAY = 1  # seconds, once the allowance is used up; doubles with each failure
MAX_DELAY = 15 * 60
# Checked when the name is unknown, so that a wrong name takes as long as a wrong
# password and the timing does not tell which names exist.
_DUMMY_HASH = generate_password_hash("not a real password, only for timing")


class StaffError(ValueError):
    """A staff account cannot be created or changed as asked."""


@dataclass(frozen=True)
class Staff:
    id: int
    name: str


@dataclass(frozen=True)
class Login:
    """The outcome of a login attempt: ``staff`` on success, else throttled or not."""

    staff: Staff | None
    retry_after: int = 0  # seconds; > 0 when throttled
    scope: str = ""  # what is throttled: "name" (this name from this address) or "address"

    @property
    def throttled(self) -> bool:
        return self.retry_after > 0


def check_password(password: str) -> None:
    """StaffError unless the password is acceptable."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise StaffError(f"the password needs at least {MIN_PASSWORD_LENGTH} characters")


def add(db, name: str, password: str, now: datetime) -> Staff:
    """Create an account; StaffError if the name is taken or the password too short."""
    name = name.strip()
    if not name:
        raise StaffError("the name is empty")
    check_password(password)
    with write_transaction(db):
        cursor = db.conn.execute(
            "INSERT INTO staff (name, password_hash, created_at) VALUES (?, ?, ?) "
            "ON CONFLICT (name) DO NOTHING",
            (name, generate_password_hash(password, method="scrypt"), now.isoformat()))
        if cursor.rowcount == 0:
            raise StaffError(f"a staff account named {name!r} already exists")
    return Staff(cursor.lastrowid, name)


def disable(db, name: str, now: datetime) -> bool:
    """Disable an account (its sessions end at their next page); False if unknown."""
    with write_transaction(db):
        cursor = db.conn.execute("UPDATE staff SET disabled_at = ? WHERE name = ? "
                                 "AND disabled_at IS NULL", (now.isoformat(), name.strip()))
    return cursor.rowcount == 1


def active(db, staff_id: int) -> Staff | None:
    """The account if it exists and is not disabled."""
    row = db.execute("SELECT id, name FROM staff WHERE id = ? AND disabled_at IS NULL",
                     (staff_id,)).fetchone()
    return Staff(*row) if row else None


def delay(failures: list[str], allowance: int, now: datetime) -> int:
    """Seconds to wait before the next try, given the ``failures`` (ISO times, ascending,
    within the window) of one key: none within the allowance, then FIRST_DELAY after the
    last failure, doubling with each further one, at most MAX_DELAY."""
    over = len(failures) - allowance
    if over < 0:
        return 0
    wait = min(MAX_DELAY, FIRST_DELAY * 2 ** min(over, 20))
    ready = datetime.fromisoformat(failures[-1]) + timedelta(seconds=wait)
    return max(0, math.ceil((ready - now).total_seconds()))


def login(db, name: str, password: str, address: str, now: datetime, *,
          attempts: int, window: int) -> Login:
    """Check a login, counting failures; a throttled try is refused unchecked.

    The try is recorded as a failure in the same write transaction as the check, and
    removed if the password is right: parallel tries cannot all pass one check.
    """
    name = name.strip()
    start = (now - timedelta(seconds=window)).isoformat()
    with write_transaction(db):
        execute = db.conn.execute
        execute("DELETE FROM login_failures WHERE at <= ?", (start,))
        pair = [row[0] for row in execute(
            "SELECT at FROM login_failures WHERE name = ? AND address = ? AND at > ? "
            "ORDER BY at", (name, address, start))]
        from_address = [row[0] for row in execute(
            "SELECT at FROM login_failures WHERE address = ? AND at > ? ORDER BY at",
            (address, start))]
        waits = {"name": delay(pair, attempts, now),
                 "address": delay(from_address, attempts * ADDRESS_FACTOR, now)}
        scope = max(waits, key=waits.get)
        if not waits[scope]:
            execute("INSERT INTO login_failures (name, address, at) VALUES (?, ?, ?)",
                    (name, address, now.isoformat()))
    if waits[scope]:
        return Login(None, retry_after=waits[scope], scope=scope)
    row = db.execute("SELECT id, name, password_hash FROM staff WHERE name = ? "
                     "AND disabled_at IS NULL", (name,)).fetchone()
    if check_password_hash(row[2] if row else _DUMMY_HASH, password) and row:
        with write_transaction(db):
            db.conn.execute("DELETE FROM login_failures WHERE name = ? AND address = ?",
                            (name, address))
        return Login(Staff(row[0], row[1]))
    return Login(None)
