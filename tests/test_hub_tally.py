"""The hub's counts: what one record adds, and that the upsert accumulates."""
from kiosk import migrations
from kiosk.db import connect, write_transaction
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
    assert totals[("language", "fr")] == 2 and totals[("need", "basics")] == 1
