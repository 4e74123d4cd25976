"""`kiosk hub staff ...` and the hub commands' guard on the database."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from kiosk import create_app
from kiosk.storage.db import connect
from kiosk.hub import staff
from tests import hubdata as h

PASSWORD = "une phrase de passe assez longue"


@pytest.fixture
def hub(tmp_path):
    h.new_hub_db(tmp_path / "hub.db").close()
    return create_app({"TESTING": True, "ROLE": "hub", "DATABASE": str(tmp_path / "hub.db"),
                       "SECRET_KEY": "t", "EXPORT_DIR": str(tmp_path / "exports")})


def can_login(app, name, password) -> bool:
    db = connect(app.config["DATABASE"])
    try:
        return staff.login(db, name, password, "127.0.0.1", datetime.now(timezone.utc),
                           attempts=5, window=900).staff is not None
    finally:
        db.close()


def test_staff_add_asks_the_password_twice(hub):
    runner = hub.test_cli_runner()
    result = runner.invoke(args=["hub", "staff", "add", "alice"], input=f"{PASSWORD}\n{PASSWORD}\n")
    assert result.exit_code == 0, result.output
    assert "created" in result.output and PASSWORD not in result.output
    assert can_login(hub, "alice", PASSWORD)
    mismatch = runner.invoke(args=["hub", "staff", "add", "bob"],
                             input=f"{PASSWORD}\nautre chose encore\n{PASSWORD}\n{PASSWORD}\n")
    assert "do not match" in mismatch.output and mismatch.exit_code == 0


def test_staff_add_reads_the_password_from_stdin(hub):
    result = hub.test_cli_runner().invoke(
        args=["hub", "staff", "add", "alice", "--password-stdin"], input=PASSWORD + "\n")
    assert result.exit_code == 0, result.output
    assert can_login(hub, "alice", PASSWORD)


@pytest.mark.parametrize("name, password, message", [
    ("alice", "court", "at least 12 characters"),
    ("   ", PASSWORD, "the name is empty"),
])
def test_staff_add_refuses_bad_input(hub, name, password, message):
    result = hub.test_cli_runner().invoke(
        args=["hub", "staff", "add", name, "--password-stdin"], input=password + "\n")
    assert result.exit_code == 1 and message in result.output


def test_staff_add_refuses_a_taken_name(hub):
    runner = hub.test_cli_runner()
    args = ["hub", "staff", "add", "alice", "--password-stdin"]
    assert runner.invoke(args=args, input=PASSWORD + "\n").exit_code == 0
    again = runner.invoke(args=args, input="un autre mot de passe long\n")
    assert again.exit_code == 1 and "already exists" in again.output
    assert can_login(hub, "alice", PASSWORD)


def test_staff_disable(hub):
    runner = hub.test_cli_runner()
    runner.invoke(args=["hub", "staff", "add", "alice", "--password-stdin"], input=PASSWORD + "\n")
    assert runner.invoke(args=["hub", "staff", "disable", "alice"]).exit_code == 0
    assert not can_login(hub, "alice", PASSWORD)
    again = runner.invoke(args=["hub", "staff", "disable", "alice"])
    assert again.exit_code == 1 and "no active staff account" in again.output


NEW_PASSWORD = "une autre phrase tout aussi longue"


def add_alice(runner):
    added = runner.invoke(args=["hub", "staff", "add", "alice", "--password-stdin"],
                          input=PASSWORD + "\n")
    assert added.exit_code == 0, added.output


def test_staff_passwd_keeps_the_account_and_ends_its_sessions(hub):
    runner = hub.test_cli_runner()
    add_alice(runner)
    db = connect(hub.config["DATABASE"])
    session = staff.open_session(db, 1, "127.0.0.1", datetime.now(timezone.utc))
    db.close()
    changed = runner.invoke(args=["hub", "staff", "passwd", "alice"],
                            input=f"{NEW_PASSWORD}\n{NEW_PASSWORD}\n")
    assert changed.exit_code == 0 and "open sessions are ended" in changed.output
    assert can_login(hub, "alice", NEW_PASSWORD) and not can_login(hub, "alice", PASSWORD)
    db = connect(hub.config["DATABASE"])
    assert staff.session_staff(db, session, datetime.now(timezone.utc), 8) is None
    db.close()
    short = runner.invoke(args=["hub", "staff", "passwd", "alice", "--password-stdin"],
                          input="court\n")
    assert short.exit_code == 1 and "at least 12 characters" in short.output
    assert can_login(hub, "alice", NEW_PASSWORD)
    unknown = runner.invoke(args=["hub", "staff", "passwd", "bob", "--password-stdin"],
                            input=NEW_PASSWORD + "\n")
    assert unknown.exit_code == 1 and "no staff account named 'bob'" in unknown.output


def test_staff_enable_lets_a_disabled_account_back_in(hub):
    runner = hub.test_cli_runner()
    add_alice(runner)
    runner.invoke(args=["hub", "staff", "disable", "alice"])
    assert not can_login(hub, "alice", PASSWORD)
    assert runner.invoke(args=["hub", "staff", "enable", "alice"]).exit_code == 0
    assert can_login(hub, "alice", PASSWORD)
    again = runner.invoke(args=["hub", "staff", "enable", "alice"])
    assert again.exit_code == 1 and "no disabled staff account" in again.output


def test_staff_list_shows_accounts_never_their_passwords(hub):
    runner = hub.test_cli_runner()
    assert "No staff account yet" in runner.invoke(args=["hub", "staff", "list"]).output
    add_alice(runner)
    runner.invoke(args=["hub", "staff", "add", "bob", "--password-stdin"], input=PASSWORD + "\n")
    runner.invoke(args=["hub", "staff", "disable", "bob"])
    assert can_login(hub, "alice", PASSWORD)
    db = connect(hub.config["DATABASE"])
    staff.open_session(db, 1, "127.0.0.1", datetime(2026, 11, 30, 9, 15, tzinfo=timezone.utc))
    db.close()
    listed = runner.invoke(args=["hub", "staff", "list"]).output.splitlines()
    assert listed[0].split()[:2] == ["alice", "active"] and "last login 2026-11-30 09:15" \
        in listed[0]
    assert listed[1].split()[:2] == ["bob", "disabled"] and "last login never" in listed[1]
    assert "scrypt" not in "\n".join(listed) and PASSWORD not in "\n".join(listed)


def test_hub_commands_need_an_initialised_hub_database(tmp_path):
    app = create_app({"TESTING": True, "ROLE": "hub", "DATABASE": str(tmp_path / "none.db"),
                      "SECRET_KEY": "t"})
    for args in (["hub", "export"], ["hub", "staff", "disable", "alice"]):
        result = app.test_cli_runner().invoke(args=args)
        assert result.exit_code == 1 and "kiosk hub init" in result.output


def test_export_refuses_a_reversed_period(hub):
    result = hub.test_cli_runner().invoke(
        args=["hub", "export", "--from", "2026-W10", "--to", "2026-W02"])
    assert result.exit_code == 2 and "--from is after --to" in result.output
    bad = hub.test_cli_runner().invoke(args=["hub", "export", "--from", "mars"])
    assert bad.exit_code == 2 and "not an ISO week" in bad.output


def test_export_of_an_empty_hub_writes_empty_tables(hub, tmp_path):
    result = hub.test_cli_runner().invoke(args=["hub", "export", "-o", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out" / "datapackage.json").is_file()
    assert "0 of " in result.output
