"""Mediators' accounts, managed once on the hub (with their SQL).

Conseillers numériques, France Services agents, the Bourbon'Net team and the managers of
the agences postales work in several places: their accounts are made once, on the hub,
for every kiosk (the mediators' issue sends them to the kiosks in a roster: name,
structure, hash of the code, active or not). Each has a personal unlock code, printed
once when the account is made or its code reset: only a slow hash of it is stored
(werkzeug's scrypt), because a roster will travel to kiosks that may be stolen, and its
hashes of short codes can then be attacked offline.

The code has :data:`CODE_DIGITS` digits (the issue asks six or more): typed on a kiosk's
on-screen keypad, with a hash that costs tens of milliseconds, 10**8 codes take months of
one computer's time to try, which leaves the Département time to reset the codes a stolen
kiosk held.
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from werkzeug.security import generate_password_hash

from ..storage.db import write_transaction

CODE_DIGITS = 8
MAX_NAME = 80
MAX_STRUCTURE = 120


class MediatorError(ValueError):
    """A mediator account cannot be made or changed as asked."""


@dataclass(frozen=True)
class Mediator:
    id: int
    name: str
    structure: str
    active: bool
    created_at: str
    code_set_at: str


def new_code() -> str:
    """A random unlock code of CODE_DIGITS digits (leading zeros kept)."""
    return f"{secrets.randbelow(10 ** CODE_DIGITS):0{CODE_DIGITS}d}"


def hash_code(code: str) -> str:
    """The slow hash stored for ``code`` (and sent in the roster)."""
    return generate_password_hash(code, method="scrypt")


def _clean(value: str, what: str, longest: int) -> str:
    value = " ".join(value.split())
    if not value:
        raise MediatorError(f"the {what} is empty")
    if len(value) > longest:
        raise MediatorError(f"the {what} is longer than {longest} characters")
    return value


def add(db, name: str, structure: str, now: datetime) -> tuple[Mediator, str]:
    """Make an account; returns it and its code, to be shown once. MediatorError if the
    name is taken (whatever its case) or a field is empty or too long."""
    name = _clean(name, "name", MAX_NAME)
    structure = _clean(structure, "structure", MAX_STRUCTURE)
    code = new_code()
    with write_transaction(db):
        cursor = db.conn.execute(
            "INSERT INTO mediators (name, structure, code_hash, created_at, code_set_at) "
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT (name) DO NOTHING",
            (name, structure, hash_code(code), now.isoformat(), now.isoformat()))
        if cursor.rowcount == 0:
            raise MediatorError(f"a mediator named {name!r} already exists")
    return get(db, name), code


def get(db, name: str) -> Mediator | None:
    """The account named ``name`` (whatever its case), or None."""
    row = db.execute("SELECT id, name, structure, disabled_at IS NULL, created_at, "
                     "code_set_at FROM mediators WHERE name = ?",
                     (" ".join(name.split()),)).fetchone()
    return Mediator(row[0], row[1], row[2], bool(row[3]), row[4], row[5]) if row else None


def all_mediators(db) -> list[Mediator]:
    """Every account, active ones first, then by name."""
    return [Mediator(r[0], r[1], r[2], bool(r[3]), r[4], r[5]) for r in db.execute(
        "SELECT id, name, structure, disabled_at IS NULL, created_at, code_set_at "
        "FROM mediators ORDER BY disabled_at IS NOT NULL, name")]


def disable(db, name: str, now: datetime) -> bool:
    """Disable an active account; False if there is none of that name."""
    with write_transaction(db):
        cursor = db.conn.execute("UPDATE mediators SET disabled_at = ? WHERE name = ? AND "
                                 "disabled_at IS NULL",
                                 (now.isoformat(), " ".join(name.split())))
    return cursor.rowcount == 1


def reset_code(db, name: str, now: datetime) -> str:
    """Give an active account a new code; returns the code, to be shown once.
    MediatorError if there is no active account of that name."""
    code = new_code()
    with write_transaction(db):
        cursor = db.conn.execute(
            "UPDATE mediators SET code_hash = ?, code_set_at = ? WHERE name = ? AND "
            "disabled_at IS NULL", (hash_code(code), now.isoformat(), " ".join(name.split())))
    if cursor.rowcount != 1:
        raise MediatorError(f"no active mediator named {name!r}")
    return code
