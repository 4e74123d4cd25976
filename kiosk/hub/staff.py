"""Staff accounts of the dashboard: hashed passwords, throttled logins (with their SQL).

Passwords are hashed with werkzeug's scrypt. After ``attempts`` failed logins for one
name within ``window`` seconds, that name is refused (even with the right password)
until the oldest of those failures leaves the window; one address gets four times as
many tries (several staff may share the Département's address), so guessing across
many names is throttled too.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from werkzeug.security import check_password_hash, generate_password_hash

from ..db import write_transaction

MIN_PASSWORD_LENGTH = 12
ADDRESS_FACTOR = 4
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


def _retry_after(times: list[str], limit: int, now: datetime, window: int) -> int:
    """Seconds until fewer than ``limit`` of ``times`` (ISO, ascending, all within the
    window) remain in it: when the oldest that keeps the count at ``limit`` leaves."""
    if len(times) < limit:
        return 0
    frees_at = datetime.fromisoformat(times[len(times) - limit]) + timedelta(seconds=window)
    return max(1, int((frees_at - now).total_seconds()) + 1)


def login(db, name: str, password: str, address: str, now: datetime, *,
          attempts: int, window: int) -> Login:
    """Check a login, counting failures; a throttled name or address is not checked."""
    name = name.strip()
    start = (now - timedelta(seconds=window)).isoformat()
    by_name = [row[0] for row in db.execute(
        "SELECT at FROM login_failures WHERE name = ? AND at > ? ORDER BY at", (name, start))]
    by_address = [row[0] for row in db.execute(
        "SELECT at FROM login_failures WHERE address = ? AND at > ? ORDER BY at",
        (address, start))]
    wait = max(_retry_after(by_name, attempts, now, window),
               _retry_after(by_address, attempts * ADDRESS_FACTOR, now, window))
    if wait:
        return Login(None, retry_after=wait)
    row = db.execute("SELECT id, name, password_hash FROM staff WHERE name = ? "
                     "AND disabled_at IS NULL", (name,)).fetchone()
    if check_password_hash(row[2] if row else _DUMMY_HASH, password) and row:
        with write_transaction(db):
            db.conn.execute("DELETE FROM login_failures WHERE name = ?", (name,))
        return Login(Staff(row[0], row[1]))
    with write_transaction(db):
        db.conn.execute("DELETE FROM login_failures WHERE at <= ?", (start,))
        db.conn.execute("INSERT INTO login_failures (name, address, at) VALUES (?, ?, ?)",
                        (name, address, now.isoformat()))
    return Login(None)
