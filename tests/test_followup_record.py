"""The follow-up record a diagnostic started from a code leaves for the hub, and what no
outbox payload may ever hold: the earlier levels, the earlier week, the code."""
from __future__ import annotations

import json
import sqlite3
from datetime import datetime, timezone

import pytest

from kiosk.diagnostic.record import Record, changes, weeks_band
from kiosk.storage import store
from kiosk.storage.db import connect
from kiosk.sync.contract import allowed_fields
from tests.conftest import Resident
from tests.followupkit import FIRST, LATER, follow_up, set_clock, shown_code
from tests.test_resident_flow import CONFIDENT


@pytest.mark.parametrize("later, band", [
    ("2026-W01", "lt5"), ("2026-W05", "lt5"),        # 0 and 4 weeks
    ("2026-W06", "5_12"), ("2026-W13", "5_12"),      # 5 and 12
    ("2026-W14", "13_26"), ("2026-W27", "13_26"),    # 13 and 26
    ("2026-W28", "27_52"), ("2026-W53", "27_52"),    # 27 and 52 (2026 has 53 weeks)
    ("2027-W01", "53_plus"), ("2029-W10", "53_plus"),
])
def test_weeks_elapsed_fall_in_the_contract_bands(later, band):
    assert weeks_band("2026-W01", later) == band


def test_weeks_bands_count_across_the_new_year():
    assert weeks_band("2025-W50", "2026-W02") == "lt5"    # 2025 has 52 weeks: 2 + 2 = 4
    assert weeks_band("2026-W50", "2027-W02") == "5_12"   # 2026 has 53: 3 + 2 = 5
    assert weeks_band("2026-W49", "2026-W48") == "lt5"    # a clock set back counts as none


def test_changes_are_the_sign_of_the_difference_per_area():
    assert changes({"a": 0, "b": 1, "c": 2, "d": 0, "gone": 1},
                   {"a": 2, "b": 1, "c": 0, "d": 1, "new": 2}) == {
        "a": 1, "b": 0, "c": -1, "d": 1}


def followed_up(make_app, monkeypatch, takeup=None):
    """A diagnostic on one kiosk at FIRST, then its follow-up on another at LATER: the
    two apps and the first code."""
    set_clock(monkeypatch, FIRST)
    first = make_app()
    person = Resident(first.test_client())
    person.complete({"internet_ever": {"answer": "no"}})
    code = shown_code(person.get("/result").get_data(as_text=True))
    set_clock(monkeypatch, LATER)
    other = make_app()
    follow_up(Resident(other.test_client()), code, takeup, answers=CONFIDENT, how="alone")
    return first, other, code


def outbox(app) -> list[dict]:
    db = connect(app.config["DATABASE"])
    try:
        return [dict(row, payload=json.loads(row["payload"]))
                for row in db.query("select * from outbox order by rowid")]
    finally:
        db.close()


def test_a_follow_up_leaves_a_record_with_only_the_contract_fields(make_app, monkeypatch):
    _, other, _ = followed_up(make_app, monkeypatch,
                              {"takeup-collective_workshops": "no_too_far",
                               "takeup-safety_awareness": "not_yet"})
    diagnostic, followup = outbox(other)
    assert diagnostic["payload"]["kind"] == "diagnostic"
    assert followup["result_id"] == diagnostic["result_id"] is not None
    assert followup["state"] == "pending"
    assert tuple(followup["payload"]) == tuple(sorted(allowed_fields("followup")))
    assert followup["payload"] == {
        "kind": "followup", "schema_version": 1, "frame": "2", "site_epci": "200071140",
        "week": "2027-W09", "mode": "self", "weeks_band": "13_26",
        "change": {"information": 1, "communication": 1, "content": 1, "safety": 1,
                   "problem_solving": 1},
        "takeup": {"collective_workshops": "no_too_far", "safety_awareness": "not_yet"}}


def test_no_earlier_levels_week_or_code_in_any_outbox_payload(make_app, monkeypatch):
    first, other, code = followed_up(make_app, monkeypatch)
    payloads = [row["payload"] for app in (first, other) for row in outbox(app)]
    assert [p["kind"] for p in payloads] == ["diagnostic", "diagnostic", "followup"]
    digits = code.replace(" ", "")
    later_code = connect(other.config["DATABASE"]).execute(
        "select followup_code from results").fetchone()[0]
    for payload in payloads:
        text = json.dumps(payload)
        assert digits not in text and later_code not in text
        assert not any(part in text for part in code.split())
    later = payloads[2]
    assert "2026-W49" not in json.dumps(later)          # the earlier week
    assert "levels" not in later and "followup" not in later
    # the diagnostic's own record is the same as any other's: nothing of the earlier one
    assert set(payloads[1]) == set(payloads[0])
    assert payloads[1]["levels"] == {"information": 2, "communication": 2, "content": 2,
                                     "safety": 2, "problem_solving": 2}


def test_a_diagnostic_not_started_from_a_code_leaves_no_follow_up_record(make_app,
                                                                        monkeypatch):
    set_clock(monkeypatch, FIRST)
    app = make_app()
    Resident(app.test_client()).complete({"internet_ever": {"answer": "no"}})
    assert [row["payload"]["kind"] for row in outbox(app)] == ["diagnostic"]


def test_an_abandoned_follow_up_leaves_neither_code_nor_follow_up_record(make_app,
                                                                         monkeypatch):
    set_clock(monkeypatch, FIRST)
    first = make_app()
    person = Resident(first.test_client())
    person.complete({"internet_ever": {"answer": "no"}})
    code = shown_code(person.get("/result").get_data(as_text=True))
    other = make_app()
    person = Resident(other.test_client())
    person.get("/suivi")
    person.post("/suivi", {"code": code})
    person.answer("internet_ever", {"answer": "no"})
    person.get("/timeout")
    assert [row["payload"]["kind"] for row in outbox(other)] == ["diagnostic"]
    assert outbox(other)[0]["payload"]["complete"] is False
    assert connect(other.config["DATABASE"]).execute(
        "select followup_code from results").fetchone()[0] is None


def test_the_follow_up_record_is_stored_with_the_diagnostic_or_not_at_all(make_app,
                                                                        monkeypatch):
    first, other, _ = followed_up(make_app, monkeypatch)
    db = connect(first.config["DATABASE"])
    now = datetime(2026, 12, 1, tzinfo=timezone.utc)
    visit_id = store.start_visit(db, "token", "fr", "self", now)
    row = outbox(first)[0]
    broken = Record({"questionnaire_id": "q", "questionnaire_version": "1",
                     "finished_at": now.isoformat(), "complete": 1, "indicators": {},
                     "needs": [], "offers": []},
                    [], {"id": "new", "created_at": now.isoformat(), "payload": "{}",
                         "content_hash": "x", "state": "pending"},
                    ({"id": row["id"], "created_at": now.isoformat(), "payload": "{}",
                      "content_hash": "y", "state": "pending"},))  # an id already taken
    with pytest.raises(sqlite3.IntegrityError):
        store.complete_visit(db, visit_id, broken)
    assert db["results"].count == 1 and db["outbox"].count == 1
    assert db.execute("select status from visits where id = ?",
                      [visit_id]).fetchone()[0] == "active"


def test_erasure_by_code_deletes_the_visit_and_all_it_left(make_app, monkeypatch):
    first, other, code = followed_up(make_app, monkeypatch)
    db = connect(other.config["DATABASE"])
    later_code = db.execute("select followup_code from results").fetchone()[0]
    assert store.erase_by_followup_code(db, code.replace(" ", "")) is False  # not made here
    assert store.erase_by_followup_code(db, later_code) is True
    for table in ("visits", "answers", "results", "scores", "outbox"):
        assert db[table].count == 0, table
    assert store.erase_by_followup_code(db, later_code) is False
    first_db = connect(first.config["DATABASE"])
    assert store.erase_by_followup_code(first_db, code.replace(" ", "")) is True
    assert first_db["results"].count == 0
