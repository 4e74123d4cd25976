"""Unlocking the mediator space: name and code, growing waits, an old roster refused."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from kiosk.mediation import unlock
from kiosk.mediation.codes import hash_code
from kiosk.storage import store
from kiosk.storage.db import connect
from kiosk.storage.migrations import migrate

NOW = datetime(2026, 11, 30, 10, tzinfo=timezone.utc)
AMINA, PAUL, ZOE = "12345678", "87654321", "11112222"


@pytest.fixture
def db(tmp_path):
    database = connect(tmp_path / "kiosk.db")
    migrate(database)
    store.save_roster(database, NOW.isoformat(), {"mediators": [
        {"name": "Amina Benali", "structure": "France Services", "active": True,
         "code_hash": hash_code(AMINA)},
        {"name": "Paul Girard", "structure": "Bus", "active": False, "code_hash": ""},
        {"name": "Émilie Roux", "structure": "APC", "active": True, "code_hash": ""},
    ]}, NOW, "network")
    store.add_local_mediator(database, "Zoé Martin", "Médiathèque", hash_code(ZOE), NOW)
    yield database
    database.close()


def attempt(db, name, code, at=NOW, max_age_days=30):
    return unlock.unlock(db, name, code, at, max_age_days=max_age_days)


def test_a_mediator_unlocks_with_their_name_typed_any_way_and_their_code(db):
    assert attempt(db, "  amina   BENALI ", AMINA) == unlock.Mediator(
        "Amina Benali", "France Services", "roster")
    # digits of another script, grouped as printed
    assert attempt(db, "Amina Benali", "۱۲۳۴ ۵۶۷۸").name == "Amina Benali"
    assert attempt(db, "zoé martin", ZOE).source == "local"


@pytest.mark.parametrize("name,code", [
    ("Amina Benali", "12345679"),   # a wrong code
    ("Personne", AMINA),            # an unknown name
    ("Paul Girard", PAUL),          # disabled on the hub
    ("émilie roux", "00000000"),    # code withdrawn (a kiosk that held it was stolen)
])
def test_anything_wrong_is_refused_the_same_way(db, name, code):
    with pytest.raises(unlock.Refused) as refused:
        attempt(db, name, code)
    assert refused.value.reason == "wrong" and refused.value.wait == 0


def test_wrong_codes_bring_a_growing_wait_never_a_lockout(db):
    at = NOW
    waits = []
    for _ in range(9):
        last = at
        with pytest.raises(unlock.Refused) as refused:
            attempt(db, "Amina Benali", "00000000", at)
        waits.append(refused.value.wait)
        at += timedelta(seconds=refused.value.wait)  # the person waits as told
    assert waits == [0, 0, 2, 4, 8, 16, 32, 60, 60]
    # a try during the wait is not even checked, the right code included
    with pytest.raises(unlock.Refused) as early:
        attempt(db, "Amina Benali", AMINA, last + timedelta(seconds=10))
    assert early.value.reason == "wait" and early.value.wait == 50
    # at most a minute after the last try, the mediator gets in, and the count is cleared
    assert attempt(db, "Amina Benali", AMINA, last + timedelta(seconds=60)).name == "Amina Benali"
    with pytest.raises(unlock.Refused) as fresh_start:
        attempt(db, "Amina Benali", "00000000", last + timedelta(seconds=61))
    assert fresh_start.value.wait == 0


def test_a_roster_not_refreshed_for_too_long_no_longer_unlocks(db):
    later = NOW + timedelta(days=31)
    for name, code in (("Amina Benali", AMINA), ("Personne", "00000000")):
        with pytest.raises(unlock.Refused) as refused:
            attempt(db, name, code, later)
        assert refused.value.reason == "stale_roster"
    # the mediators added on the kiosk do not expire; a longer setting lets Amina in
    assert attempt(db, "Zoé Martin", ZOE, later).name == "Zoé Martin"
    assert attempt(db, "Amina Benali", AMINA, later, max_age_days=60).name == "Amina Benali"


def test_nothing_of_the_name_or_code_typed_is_kept(db):
    with pytest.raises(unlock.Refused):
        attempt(db, "Amina Benali", "99998888")
    rows = [tuple(r) for r in db.execute("select * from unlock_failures")]
    assert rows == [(NOW.isoformat(),)]
