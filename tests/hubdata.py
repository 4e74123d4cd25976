"""Hub test data: devices and records counted the way ingestion counts them
(kiosk.hub.tally.counts + kiosk.hub.store.add_tally), without the records API."""
from __future__ import annotations

import random
from datetime import datetime, timezone

from kiosk.storage import migrations
from kiosk.storage.db import connect, write_transaction
from kiosk.hub import schema, store, tally

MOULINS, MONTLUCON, VICHY = "200071140", "200071082", "200071363"
# The areas of each frame (kiosk/sync/contract.py): "2" is questionnaire 2026.3's.
AREAS = {"1": ("information", "communication", "problem_solving", "software", "safety"),
         "2": ("information", "communication", "content", "safety", "problem_solving")}
# Ages each frame-2 indicator is given for (the others have no flag at all).
DSI_BANDS = {"16-29", "30-44", "45-59", "60-74"}
INSEE_BANDS = DSI_BANDS | {"75+"}


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
            level=1, age_band="60-74", frame="2", strict_illectronism=None,
            strict_level=None) -> dict:
    """A record as a kiosk sends it (only the fields the tally reads matter): of frame
    "2" (version 3, questionnaire 2026.3) by default, or of frame "1" (version 1, the
    questionnaires up to 2026.2). Frame 2's strict figures default to the headline ones;
    its indicators are given only for the ages they compare with."""
    common = {"questionnaire_id": "diagnostic-allier", "site_epci": None,
              "residence_epci": residence, "week": week, "mode": "self",
              "language": language, "age_band": age_band, "situation": "retired",
              "profile": "first_steps" if complete else None, "needs": list(needs),
              "offers": list(offers) if complete else [], "complete": complete}
    if frame == "1":
        return {"schema_version": 1, "questionnaire_version": "2026.1", **common,
                "levels": {a: level for a in AREAS["1"]} if complete else {},
                "indicators": {"insee2019_illectronism": illectronism,
                               "insee2021_illectronism": illectronism,
                               "dsi_at_least_basic": not illectronism} if complete else {},
                "last_screen": None if complete else (last_screen or "eadmin")}
    strict = illectronism if strict_illectronism is None else strict_illectronism
    flags = {}
    if complete and age_band in INSEE_BANDS:
        flags.update(insee2021_illectronism=illectronism, insee2021_illectronism_strict=strict,
                     insee2019_illectronism_approx=illectronism,
                     insee2019_illectronism_approx_strict=strict)
    if complete and age_band in DSI_BANDS:
        flags.update(dsi_at_least_basic=not illectronism, dsi_at_least_basic_strict=not strict)
    strict_level = level if strict_level is None else strict_level
    return {"kind": "diagnostic", "schema_version": 3, "frame": frame,
            "questionnaire_version": "2026.3", **common,
            "levels": {a: level for a in AREAS["2"]} if complete else {},
            "indicators": flags,
            "last_screen": None if complete else (last_screen or "procedures"),
            "levels_strict": {a: strict_level for a in AREAS["2"]} if complete else {}}


def receive(db, device: dict, payloads) -> None:
    """Count ``payloads`` as received from ``device``, as ingestion does."""
    with write_transaction(db):
        store.add_tally(db, tally.counts(device, list(payloads)))


def many(count: int, **fields) -> list[dict]:
    return [payload(**fields) for _ in range(count)]
