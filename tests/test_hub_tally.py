"""The hub's counts: what one record adds, and that the upsert accumulates."""
import random
from collections import Counter

from kiosk.storage import migrations
from kiosk.storage.db import connect, write_transaction
from kiosk.hub import schema, store, tally

DEVICE = {"id": 7, "epci": "200071082"}
ABANDONED = {"week": "2026-W48", "complete": False, "last_screen": "eadmin",
             "language": "ar", "residence_epci": None, "levels": {}, "indicators": {},
             "needs": ["basics"], "offers": []}
DONE = {"week": "2026-W48", "complete": True, "last_screen": None, "language": "fr",
        "residence_epci": "200071140", "levels": {"safety": 2},
        "indicators": {"insee2019_illectronism": False}, "needs": [], "offers": ["x"]}


def test_abandoned_diagnostic_counts_where_it_stopped_and_completed_one_does_not():
    assert ("last_screen", "eadmin") in tally.facts(ABANDONED)
    assert not any(dim == "last_screen" for dim, _ in tally.facts(DONE))
    assert ("indicator:insee2019_illectronism", "false") in tally.facts(DONE)
    assert ("level:safety", "2") in tally.facts(DONE)


def test_site_epci_comes_from_the_device_not_the_record():
    keys = tally.counts(DEVICE, [dict(DONE, site_epci="999999999")])
    assert {key[4] for key in keys} == {"200071082"}
    assert {key[5] for key in keys} == {"200071140"}


def test_counts_accumulate_across_batches():
    db = connect(":memory:")
    migrations.migrate(db, schema.MIGRATIONS)
    for batch in ([ABANDONED, DONE], [DONE]):
        with write_transaction(db):
            store.add_tally(db, tally.counts(DEVICE, batch))
    totals = {(r["dimension"], r["value"]): 0 for r in db["tally"].rows}
    for row in db["tally"].rows:
        totals[(row["dimension"], row["value"])] += row["n"]
    assert totals[("all", "")] == 3
    assert totals[("complete", "true")] == 2 and totals[("complete", "false")] == 1
    assert totals[("language", "fr")] == 2 and totals[("offer", "x")] == 2
    assert ("need", "basics") not in totals  # only the abandoned diagnostic had it


def test_an_abandoned_diagnostic_counts_no_outcome():
    # Scored on a few answers, it would count as illectronisme and as needs never shown.
    abandoned = dict(ABANDONED, levels={"safety": 0}, profile="discovering",
                     indicators={"insee2019_illectronism": True}, offers=["x"])
    dimensions = {dim.split(":")[0] for dim, _ in tally.facts(abandoned)}
    assert dimensions == {"all", "complete", "last_screen", "language", "mode", "age_band",
                          "situation"}


def sums(db, table, epci):
    total = Counter()
    for row in db.query(f"SELECT dimension, value, {epci} AS epci, week, n FROM {table}"):
        total[(row["dimension"], row["value"], row["epci"], row["week"])] += row["n"]
    return total


def tally_sums(db, epci):
    return sums(db, "tally", epci)


def random_payloads(rng, count):
    for _ in range(count):
        complete = rng.random() < 0.8
        yield dict(DONE if complete else ABANDONED, week=rng.choice(["2026-W01", "2026-W02"]),
                   residence_epci=rng.choice([None, "200071140", "200071082"]),
                   language=rng.choice(["fr", "ar"]))


def test_the_roll_ups_stay_equal_to_the_tally_summed():
    rng = random.Random(4)
    db = connect(":memory:")
    migrations.migrate(db, schema.MIGRATIONS)
    for device in ({"id": 1, "epci": "200071082"}, {"id": 2, "epci": "200071082"},
                   {"id": 3, "epci": None}):
        for _ in range(3):
            with write_transaction(db):
                store.add_tally(db, tally.counts(device, random_payloads(rng, 40)))
    assert sums(db, "tally_site", "site_epci") == tally_sums(db, "site_epci")
    assert sums(db, "tally_residence", "residence_epci") == tally_sums(db, "residence_epci")
    # Two devices of one EPCI fold into one roll-up row.
    assert db.execute("SELECT COUNT(*) FROM tally_site").fetchone()[0] < db["tally"].count


# The tally as the first release wrote it (no frame column yet).
RELEASE1_UPSERT = (
    "INSERT INTO tally (dimension, value, week, device_id, site_epci, residence_epci, n) "
    "VALUES (?, ?, ?, ?, ?, ?, ?)")


def test_the_roll_up_and_frame_migrations_count_a_tally_filled_before_them():
    db = connect(":memory:")
    shipped = [fn for fn in schema.MIGRATIONS if fn.__name__ < "h003"]
    migrations.migrate(db, shipped)
    with write_transaction(db):
        db.conn.executemany(RELEASE1_UPSERT, [
            key[:6] + (n,) for key, n in tally.counts(DEVICE, [ABANDONED, DONE, DONE]).items()])
    assert migrations.migrate(db, schema.MIGRATIONS)[0] == "h003_tally_rollups"
    assert sums(db, "tally_site", "site_epci") == tally_sums(db, "site_epci")
    assert sums(db, "tally_residence", "residence_epci")[("all", "", "200071140", "2026-W48")] == 2
    # h007: every count made before frames existed is of frame "1".
    for table in ("tally", "tally_site", "tally_residence"):
        assert {r[0] for r in db.execute(f"SELECT DISTINCT frame FROM {table}")} == {"1"}


def test_two_frames_never_add_up():
    db = connect(":memory:")
    migrations.migrate(db, schema.MIGRATIONS)
    with write_transaction(db):
        store.add_tally(db, tally.counts(DEVICE, [DONE, dict(DONE, frame="2")]))
    rows = db.execute("SELECT frame, n FROM tally_site WHERE dimension = 'all'").fetchall()
    assert sorted(rows) == [("1", 1), ("2", 1)]


def test_an_itinerant_device_is_counted_at_the_stop_its_record_carries():
    bus = dict(DEVICE, itinerant=1)
    keys = tally.counts(bus, [dict(DONE, site_epci="240300558"), dict(DONE, site_epci=None)])
    assert {key[4] for key in keys} == {"240300558", "200071082"}   # none: the device's
