"""Mediators' accounts, managed once on the hub (with their SQL).

Conseillers numériques, France Services agents, the Bourbon'Net team and the managers of
the agences postales work in several places: their accounts are made once, on the hub,
for every kiosk, which fetches them in a *roster* at each sync (:func:`roster`: name,
structure, hash of the code, active or not). Each has a personal unlock code, printed
once when the account is made or its code reset: only a slow hash of it is stored
(werkzeug's scrypt), because a roster travels to kiosks that may be stolen, and its
hashes of short codes can then be attacked offline (kiosk.mediation.codes). So the hub
remembers which code each kiosk received, and revoking a kiosk withdraws those codes
(:func:`withdraw_codes`) until each is reset: a withdrawn code has no hash, and matches
nothing.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ..mediation.codes import MAX_NAME, MAX_STRUCTURE, clean_text, hash_code, new_code
from ..storage.db import write_transaction
from ..sync.roster import KIND as ROSTER_KIND, VERSION as ROSTER_VERSION

WITHDRAWN = ""  # the code_hash of a code withdrawn: no code matches it


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
    has_code: bool = True  # False once withdrawn (a kiosk that held it was revoked)


_COLUMNS = ("id, name, structure, disabled_at IS NULL, created_at, code_set_at, "
            f"code_hash != '{WITHDRAWN}'")


def _mediator(row) -> Mediator:
    return Mediator(row[0], row[1], row[2], bool(row[3]), row[4], row[5], bool(row[6]))


def add(db, name: str, structure: str, now: datetime) -> tuple[Mediator, str]:
    """Make an account; returns it and its code, to be shown once. MediatorError if the
    name is taken (whatever its case) or a field is empty or too long."""
    name = clean_text(name, "name", MAX_NAME, MediatorError)
    structure = clean_text(structure, "structure", MAX_STRUCTURE, MediatorError)
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
    row = db.execute(f"SELECT {_COLUMNS} FROM mediators WHERE name = ?",
                     (" ".join(name.split()),)).fetchone()
    return _mediator(row) if row else None


def all_mediators(db) -> list[Mediator]:
    """Every account, active ones first, then by name."""
    return [_mediator(row) for row in db.execute(
        f"SELECT {_COLUMNS} FROM mediators ORDER BY disabled_at IS NOT NULL, name")]


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


def roster(db, device_id: int, now: datetime) -> dict:
    """The roster body for the kiosk ``device_id``: every account, the disabled ones
    without a hash (a kiosk must know they are disabled, not be able to try them). Notes
    which code the kiosk now holds, in the same transaction."""
    with write_transaction(db):
        rows = db.conn.execute("SELECT id, name, structure, code_hash, code_set_at, "
                               "disabled_at IS NULL FROM mediators ORDER BY name").fetchall()
        db.conn.executemany(
            "INSERT INTO roster_deliveries (device_id, mediator_id, code_set_at, delivered_at) "
            "VALUES (?, ?, ?, ?) ON CONFLICT (device_id, mediator_id) DO UPDATE SET "
            "code_set_at = excluded.code_set_at, delivered_at = excluded.delivered_at",
            [(device_id, r[0], r[4], now.isoformat()) for r in rows if r[5] and r[3]])
    return {"mediators": [{"name": r[1], "structure": r[2], "active": bool(r[5]),
                           "code_hash": r[3] if r[5] else WITHDRAWN} for r in rows]}


def withdraw_codes(db, device_id: int) -> list[str]:
    """Withdraw every active code the kiosk ``device_id`` received in a roster (it is
    being revoked: its copy of their hashes may be attacked offline); the names whose
    code must now be reset. Call inside the revocation's write transaction."""
    held = [row[0] for row in db.conn.execute(
        "SELECT m.name FROM mediators m JOIN roster_deliveries d ON d.mediator_id = m.id "
        "WHERE d.device_id = ? AND d.code_set_at = m.code_set_at AND m.disabled_at IS NULL "
        "AND m.code_hash != ? ORDER BY m.name", (device_id, WITHDRAWN))]
    db.conn.executemany("UPDATE mediators SET code_hash = ? WHERE name = ?",
                        [(WITHDRAWN, name) for name in held])
    return held
