"""A mediator's free-text notes never leave the kiosk, and go after their retention."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from kiosk.diagnostic.resources import get_communes, get_questionnaire
from kiosk.diagnostic.visit import VisitService
from kiosk.storage import store
from kiosk.storage.db import connect
from kiosk.sync import cli as sync_cli
from tests.test_guided_observations import run_guided

NOTE = "Mme Dupont, code 1234"
# Not "1234" alone: a record's hex hashes and ids may hold those digits by chance.
SECRETS = ("Dupont", "code 1234")


def test_a_note_reaches_no_outbox_record_no_usb_file_and_no_export(make_app, tmp_path):
    app = make_app(HUB_TOKEN="7.secret-of-device-7-xxxxxxxx", SITE_CODE="MOULINS-1")
    on_every_kind = {"act_information": {"note": NOTE, "observed-info_news": "autonome"},
                     "task_phishing": {"note": NOTE, "observed": "autonome"},
                     "reading": {"note": NOTE}}
    run_guided(app.test_client(), on_every_kind)
    db = connect(app.config["DATABASE"])
    # The note is on the kiosk, for the mediator (else this test could not fail) ...
    assert [n["text"] for n in db["mediator_notes"].rows] == [NOTE] * 3
    assert {n["mediator"] for n in db["mediator_notes"].rows} == {"Émilie Martin"}
    # ... and in no record queued for the hub,
    payloads = [row["payload"] for row in db["outbox"].rows]
    assert len(payloads) == 1
    db.close()
    runner = app.test_cli_runner()
    # no USB file,
    usb = tmp_path / "usb"
    usb.mkdir()
    written = runner.invoke(args=["sync", "--to-file", str(usb)])
    assert written.exit_code == 0, written.output
    # and no CSV export.
    exported = runner.invoke(args=["export", "--output", str(tmp_path / "results.csv")])
    assert exported.exit_code == 0 and "1 results written" in exported.output
    files = [*usb.iterdir(), tmp_path / "results.csv"]
    assert len(files) == 2
    texts = payloads + [path.read_bytes().decode("utf-8") for path in files]
    for text in texts:
        for secret in SECRETS:
            assert secret not in text


def note_at(db, when: str, text: str) -> None:
    store.add_note(db, None, "act_information", text, datetime.fromisoformat(when),
                   "Émilie Martin")


def test_purge_notes_deletes_only_those_written_before(db):
    note_at(db, "2025-11-30T23:59:59+00:00", "old")
    note_at(db, "2025-12-01T00:00:00+00:00", "on the day")
    note_at(db, "2026-06-01T09:30:00+00:00", "recent")
    assert store.purge_notes(db, datetime(2025, 12, 1, tzinfo=timezone.utc)) == 1
    assert [n["text"] for n in store.notes(db)] == ["on the day", "recent"]
    assert store.purge_notes(db, datetime(2025, 12, 1, tzinfo=timezone.utc)) == 0


@pytest.mark.parametrize("days,left", [(None, ["kept"]), ("30", [])])
def test_kiosk_purge_deletes_notes_older_than_the_retention(make_app, monkeypatch,
                                                            days, left):
    config = {} if days is None else {"NOTES_RETENTION_DAYS": days}
    app = make_app(**config)
    db = connect(app.config["DATABASE"])
    # 2026-12-01 12:00 UTC, 365 days (the default) after 2025-12-01 12:00.
    note_at(db, "2025-12-01T11:59:00+00:00", "too old")
    note_at(db, "2025-12-01T12:01:00+00:00", "kept")
    monkeypatch.setattr(sync_cli, "_now",
                        lambda: datetime(2026, 12, 1, 12, 0, tzinfo=timezone.utc))
    result = app.test_cli_runner().invoke(args=["purge"])
    assert result.exit_code == 0, result.output
    deleted = 1 if days is None else 2
    kept = 365 if days is None else 30
    assert f"{deleted} mediator notes deleted (kept {kept} days)." in result.output
    assert [n["text"] for n in store.notes(db)] == left
    db.close()


def test_a_guided_visit_starting_purges_old_notes_a_self_service_one_does_not(app, db):
    note_at(db, "2025-01-02T07:59:00+00:00", "old")  # 365 days and 1 minute before
    note_at(db, "2025-01-02T08:01:00+00:00", "recent")
    with app.app_context():
        service = VisitService(db, get_questionnaire(), get_communes(),
                               clock=lambda: datetime(2026, 1, 2, 8, 0, tzinfo=timezone.utc),
                               site_commune="03190", languages=["fr"],
                               notes_retention=timedelta(days=365))
        service.start("self-token", "fr", "self")
        assert len(store.notes(db)) == 2
        service.start("guided-token", "ar", "guided")
    assert [n["text"] for n in store.notes(db)] == ["recent"]
    assert store.visit_by_token(db, "guided-token")["mode"] == "guided"


def test_the_mediator_pages_service_purges_with_the_configured_retention(make_app):
    from kiosk.web import resident

    app = make_app(NOTES_RETENTION_DAYS="2")
    db = connect(app.config["DATABASE"])
    now = datetime.now(timezone.utc)
    store.add_note(db, None, "reading", "three days old", now - timedelta(days=3), "É. M.")
    store.add_note(db, None, "reading", "one day old", now - timedelta(days=1), "É. M.")
    with app.test_request_context():
        resident.guided_service().start("guided-token", "fr", "guided")
    assert [n["text"] for n in store.notes(db)] == ["one day old"]
    db.close()
