"""All the hub's write-side SQL (devices, records, counts). The kiosk's is in kiosk.store."""
from __future__ import annotations

from collections import Counter

TALLY_UPSERT = (
    "INSERT INTO tally (dimension, value, week, device_id, site_epci, residence_epci, n) "
    "VALUES (?, ?, ?, ?, ?, ?, ?) "
    "ON CONFLICT (dimension, value, week, device_id, site_epci, residence_epci) "
    "DO UPDATE SET n = n + excluded.n")


def add_tally(db, increments: Counter) -> None:
    """Add ``increments`` (from kiosk.hub.tally.counts) to the counts; call it inside the
    transaction that stores the records counted, so both commit or neither does."""
    db.conn.executemany(TALLY_UPSERT, [key + (n,) for key, n in increments.items() if n])
