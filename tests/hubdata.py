"""Hub test data: devices and records counted the way ingestion counts them
(kiosk.hub.tally.counts + kiosk.hub.store.add_tally), without the records API."""
from __future__ import annotations

import random
from datetime import datetime, timezone

from kiosk.storage import migrations
from kiosk.storage.db import connect, write_transaction
from kiosk.hub import schema, store, tally

MOULINS, MONTLUCON, VICHY = "200071140", "200071082", "200071363"
AREAS = ("information", "communication", "problem_solving", "software", "safety")


def new_hub_db(path):
    """A hub database with every hub migration applied."""
    db = connect(path)
    migrations.migrate(db, schema.MIGRATIONS)
    return db


def add_device(db, site: str, epci: str, *, commune="03190", last_seen: str | None = None,
               revoked: bool = False) -> dict:
    with write_transaction(db):
        cursor = db.conn.execute(
            "INSERT INTO devices (site, commune, epci, token_hash, created_at, last_seen_at, "
            "revoked_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (site, commune, epci, f"hash-{site}-{random.random()}",
             datetime(2026, 1, 1, tzinfo=timezone.utc).isoformat(), last_seen,
             "2026-02-01T00:00:00+00:00" if revoked else None))
    return {"id": cursor.lastrowid, "epci": epci}


def payload(week="2026-W05", *, complete=True, residence=MOULINS, illectronism=False,
            language="fr", needs=(), offers=("digital_advisor",), last_screen=None,
            level=1, age_band="60-74") -> dict:
    """A record as a kiosk sends it (only the fields the tally reads matter)."""
    return {
        "schema_version": 1, "questionnaire_id": "diagnostic-allier",
        "questionnaire_version": "2026.1", "site_epci": None, "residence_epci": residence,
        "week": week, "mode": "self", "language": language, "age_band": age_band,
        "situation": "retired", "levels": {a: level for a in AREAS} if complete else {},
        "indicators": {"insee2019_illectronism": illectronism,
                       "insee2021_illectronism": illectronism,
                       "dsi_at_least_basic": not illectronism} if complete else {},
        "profile": "first_steps" if complete else None, "needs": list(needs),
        "offers": list(offers) if complete else [], "complete": complete,
        "last_screen": None if complete else (last_screen or "eadmin"),
    }


def receive(db, device: dict, payloads) -> None:
    """Count ``payloads`` as received from ``device``, as ingestion does."""
    with write_transaction(db):
        store.add_tally(db, tally.counts(device, list(payloads)))


def many(count: int, **fields) -> list[dict]:
    return [payload(**fields) for _ in range(count)]
