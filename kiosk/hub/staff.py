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

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from werkzeug.security import check_password_hash, generate_password_hash

from .. import throttle
from ..storage.db import write_transaction

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
    known: bool = False  # the name is an active account (for the log: others are not named)

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
    """Disable an account and end its open sessions; False if unknown."""
    with write_transaction(db):
        cursor = db.conn.execute("UPDATE staff SET disabled_at = ? WHERE name = ? "
                                 "AND disabled_at IS NULL", (now.isoformat(), name.strip()))
        _end_sessions(db, name, now)
    return cursor.rowcount == 1


@dataclass(frozen=True)
class Account:
    """A staff account as `kiosk hub staff list` shows it (never its password hash)."""

    name: str
    active: bool
    created_at: str
    last_login: str | None


def accounts(db) -> list[Account]:
    """Every account, active ones first, then by name, with its last login."""
    return [Account(row[0], bool(row[1]), row[2], row[3]) for row in db.execute(
        "SELECT s.name, s.disabled_at IS NULL, s.created_at, MAX(ss.created_at) "
        "FROM staff s LEFT JOIN staff_sessions ss ON ss.staff_id = s.id "
        "GROUP BY s.id ORDER BY s.disabled_at IS NOT NULL, s.name")]


def set_password(db, name: str, password: str, now: datetime) -> bool:
    """Give the account ``name`` (active or not) a new password and end its open
    sessions (whoever knew the old one is logged out); False if there is no such
    account. StaffError if the password is too short."""
    check_password(password)
    with write_transaction(db):
        cursor = db.conn.execute(
            "UPDATE staff SET password_hash = ? WHERE name = ?",
            (generate_password_hash(password, method="scrypt"), name.strip()))
        _end_sessions(db, name, now)
    return cursor.rowcount == 1


def enable(db, name: str) -> bool:
    """Let a disabled account log in again (with the password it had: change it with
    :func:`set_password` if needed); False if there is no disabled account of that name."""
    with write_transaction(db):
        cursor = db.conn.execute("UPDATE staff SET disabled_at = NULL WHERE name = ? "
                                 "AND disabled_at IS NOT NULL", (name.strip(),))
    return cursor.rowcount == 1


def _end_sessions(db, name: str, now: datetime) -> None:
    db.conn.execute("UPDATE staff_sessions SET ended_at = ? WHERE ended_at IS NULL AND "
                    "staff_id = (SELECT id FROM staff WHERE name = ?)",
                    (now.isoformat(), name.strip()))


def delay(failures: list[str], allowance: int, now: datetime) -> int:
    """Seconds to wait before the next try, given the ``failures`` (ISO times, ascending,
    within the window) of one key: none within the allowance, then FIRST_DELAY after the
    last failure, doubling with each further one, at most MAX_DELAY."""
    return throttle.wait_seconds(failures, allowance, FIRST_DELAY, MAX_DELAY, now)


def login(db, name: str, password: str, address: str, now: datetime, *,
          attempts: int, window: int) -> Login:
    """Check a login, counting failures; a throttled try is refused unchecked.

    The try is recorded as a failure in the same write transaction as the check, and
    removed if the password is right: parallel tries cannot all pass one check.
    """
    name = name.strip()
    start = (now - timedelta(seconds=window)).isoformat()
    row = db.execute("SELECT id, name, password_hash FROM staff WHERE name = ? "
                     "AND disabled_at IS NULL", (name,)).fetchone()
    with write_transaction(db):
        execute = db.conn.execute
        execute("DELETE FROM login_failures WHERE at <= ?", (start,))
        pair = [r[0] for r in execute(
            "SELECT at FROM login_failures WHERE name = ? AND address = ? AND at > ? "
            "ORDER BY at", (name, address, start))]
        from_address = [r[0] for r in execute(
            "SELECT at FROM login_failures WHERE address = ? AND at > ? ORDER BY at",
            (address, start))]
        waits = {"name": delay(pair, attempts, now),
                 "address": delay(from_address, attempts * ADDRESS_FACTOR, now)}
        scope = max(waits, key=waits.get)
        if not waits[scope]:
            execute("INSERT INTO login_failures (name, address, at) VALUES (?, ?, ?)",
                    (name, address, now.isoformat()))
    if waits[scope]:
        return Login(None, retry_after=waits[scope], scope=scope, known=row is not None)
    if check_password_hash(row[2] if row else _DUMMY_HASH, password) and row:
        with write_transaction(db):
            db.conn.execute("DELETE FROM login_failures WHERE name = ? AND address = ?",
                            (name, address))
        return Login(Staff(row[0], row[1]), known=True)
    return Login(None, known=row is not None)


# --- Sessions -----------------------------------------------------------------------------

TOUCH_SECONDS = 60  # last_seen_at is written at most once a minute per session
CLOCK_SLACK = timedelta(minutes=5)
KEEP_ENDED = timedelta(days=90)  # ended and expired sessions kept this long, for audit


def _session_hash(session_id: str) -> str:
    return hashlib.sha256(session_id.encode("utf-8")).hexdigest()


def open_session(db, staff_id: int, address: str, now: datetime) -> str:
    """Start a session for ``staff_id``; returns its random id (for the signed cookie)."""
    session_id = secrets.token_urlsafe(32)
    with write_transaction(db):
        db.conn.execute("DELETE FROM staff_sessions WHERE created_at < ?",
                        ((now - KEEP_ENDED).isoformat(),))
        db.conn.execute("INSERT INTO staff_sessions (id_hash, staff_id, address, created_at, "
                        "last_seen_at) VALUES (?, ?, ?, ?, ?)",
                        (_session_hash(session_id), staff_id, address, now.isoformat(),
                         now.isoformat()))
    return session_id


def session_staff(db, session_id: str, now: datetime, hours: float) -> Staff | None:
    """The account of an open session, or None (then the session is ended, if it was
    open): unknown, logged out, account disabled, older than ``hours``, or started in
    the future (the clock stepped back: ending it errs on the safe side)."""
    key = _session_hash(session_id)
    row = db.execute("SELECT s.staff_id, st.name, s.created_at, s.last_seen_at, "
                     "st.disabled_at FROM staff_sessions s JOIN staff st ON st.id = s.staff_id "
                     "WHERE s.id_hash = ? AND s.ended_at IS NULL", (key,)).fetchone()
    if row is None:
        return None
    age = now - datetime.fromisoformat(row[2])
    if row[4] or age > timedelta(hours=hours) or age < -CLOCK_SLACK:
        end_session(db, session_id, now)
        return None
    if abs(now - datetime.fromisoformat(row[3])) > timedelta(seconds=TOUCH_SECONDS):
        with write_transaction(db):
            db.conn.execute("UPDATE staff_sessions SET last_seen_at = ? WHERE id_hash = ?",
                            (now.isoformat(), key))
    return Staff(row[0], row[1])


def end_session(db, session_id: str, now: datetime) -> None:
    """End a session on the server (logout): its cookie opens nothing any more."""
    with write_transaction(db):
        db.conn.execute("UPDATE staff_sessions SET ended_at = ? WHERE id_hash = ? "
                        "AND ended_at IS NULL", (now.isoformat(), _session_hash(session_id)))
