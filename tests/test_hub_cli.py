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
