"""All the hub's write-side SQL (devices, records, counts). The kiosk's is in kiosk.store."""
from __future__ import annotations

from collections import Counter

TALLY_UPSERT = (
    "INSERT INTO tally (dimension, value, week, device_id, site_epci, residence_epci, n) "
    "VALUES (?, ?, ?, ?, ?, ?, ?) "
    "ON CONFLICT (dimension, value, week, device_id, site_epci, residence_epci) "
    "DO UPDATE SET n = n + excluded.n")
ROLLUP_UPSERT = (
    "INSERT INTO {table} (dimension, value, {epci}, week, n) VALUES (?, ?, ?, ?, ?) "
    "ON CONFLICT (dimension, value, {epci}, week) DO UPDATE SET n = n + excluded.n")
SITE_UPSERT = ROLLUP_UPSERT.format(table="tally_site", epci="site_epci")
RESIDENCE_UPSERT = ROLLUP_UPSERT.format(table="tally_residence", epci="residence_epci")


def add_tally(db, increments: Counter) -> None:
    """Add ``increments`` (from kiosk.hub.tally.counts) to the counts and to their two
    roll-ups (by site EPCI, by residence EPCI); call it inside the transaction that
    stores the records counted, so all commit or none does."""
    site, residence = Counter(), Counter()
    for (dimension, value, week, _device, site_epci, residence_epci), n in increments.items():
        site[(dimension, value, site_epci, week)] += n
        residence[(dimension, value, residence_epci, week)] += n
    # In key order: each upsert lands next to the previous one in the B-tree, which
    # spares SQLite most of its page reads on a large batch.
    for sql, counts in ((TALLY_UPSERT, increments), (SITE_UPSERT, site),
                        (RESIDENCE_UPSERT, residence)):
        db.conn.executemany(sql, [key + (n,) for key, n in sorted(counts.items()) if n])
