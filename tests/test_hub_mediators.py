"""`kiosk hub mediator ...`: accounts made once on the hub, with a code shown once."""
from __future__ import annotations

import json
import logging
import re

import pytest
from werkzeug.security import check_password_hash

from kiosk import create_app
from kiosk.mediation import codes
from kiosk.storage.db import connect
from tests import hubdata as h

CODE = re.compile(r"Unlock code of '[^']+': (\d{4}) (\d{4})\n")


@pytest.fixture
def hub(tmp_path):
    h.new_hub_db(tmp_path / "hub.db").close()
    return create_app({"TESTING": True, "ROLE": "hub", "DATABASE": str(tmp_path / "hub.db"),
                       "SECRET_KEY": "t", "EXPORT_DIR": str(tmp_path / "exports")})


def run(hub, *args):
    return hub.test_cli_runner().invoke(args=["hub", "mediator", *args])


def rows(hub):
    db = connect(hub.config["DATABASE"])
    try:
        return [dict(r) for r in db.query("SELECT * FROM mediators ORDER BY id")]
    finally:
        db.close()


def code_of(result) -> str:
    return "".join(CODE.search(result.output).groups())


def test_add_prints_the_code_once_and_stores_only_a_slow_hash(hub, caplog):
    caplog.set_level(logging.INFO, "kiosk.hub.events")
    result = run(hub, "add", "Amina Benali", "--structure", "France Services de Cérilly")
    assert result.exit_code == 0, result.output
    code = code_of(result)
    assert len(code) == codes.CODE_DIGITS == 8
    (row,) = rows(hub)
    assert row["name"] == "Amina Benali" and row["structure"] == "France Services de Cérilly"
    assert code not in json.dumps(row)
    assert row["code_hash"].startswith("scrypt:")
    assert check_password_hash(row["code_hash"], code)
    assert not check_password_hash(row["code_hash"], f"{(int(code) + 1) % 10**8:08d}")
    # the list never shows a code, nor its hash; the log neither
    listed = run(hub, "list")
    assert "Amina Benali\tFrance Services de Cérilly\tactive" in listed.output
    assert code not in listed.output and "scrypt" not in listed.output
    assert code not in caplog.text and "scrypt" not in caplog.text
    assert '"event": "mediator_added"' in caplog.text


def test_codes_are_random_not_the_same_twice(hub):
    first = code_of(run(hub, "add", "A", "--structure", "S"))
    second = code_of(run(hub, "add", "B", "--structure", "S"))
    assert first != second


@pytest.mark.parametrize("name,structure,message", [
    ("amina  BENALI", "Ailleurs", "already exists"),   # a name is typed on a kiosk: no case
    ("   ", "S", "the name is empty"),
    ("Zoé", " ", "the structure is empty"),
    ("x" * 81, "S", "longer than 80"),
])
def test_a_name_taken_whatever_its_case_or_an_empty_field_is_refused(hub, name, structure,
                                                                     message):
    assert run(hub, "add", "Amina Benali", "--structure", "S").exit_code == 0
    result = run(hub, "add", name, "--structure", structure)
    assert result.exit_code == 1 and message in result.output
    assert len(rows(hub)) == 1


def test_reset_code_replaces_the_hash_and_prints_a_new_code(hub):
    old = code_of(run(hub, "add", "Amina Benali", "--structure", "S"))
    result = run(hub, "reset-code", "amina benali")
    assert result.exit_code == 0, result.output
    new = code_of(result)
    (row,) = rows(hub)
    assert check_password_hash(row["code_hash"], new)
    assert not check_password_hash(row["code_hash"], old)


def test_disable_keeps_the_account_and_refuses_a_new_code(hub):
    run(hub, "add", "Amina Benali", "--structure", "S")
    assert run(hub, "disable", "Amina Benali").exit_code == 0
    assert "Amina Benali\tS\tdisabled" in run(hub, "list").output
    assert rows(hub)[0]["disabled_at"]
    again = run(hub, "disable", "Amina Benali")
    assert again.exit_code == 1 and "no active mediator" in again.output
    reset = run(hub, "reset-code", "Amina Benali")
    assert reset.exit_code == 1 and "no active mediator" in reset.output
    # the name stays taken: a kiosk must never mistake someone else for them
    assert run(hub, "add", "Amina Benali", "--structure", "S").exit_code == 1


def test_an_unknown_name_is_said(hub):
    for command in ("disable", "reset-code"):
        result = run(hub, command, "Personne")
        assert result.exit_code == 1 and "no active mediator named 'Personne'" in result.output


# --- the roster: fetched by each kiosk, signed for it; a revoked kiosk's codes withdrawn ---

def fetch_roster(hub, token):
    return hub.test_client().get("/api/v1/roster", headers={"Authorization": f"Bearer {token}"})


def test_a_kiosk_fetches_the_roster_signed_for_it_alone(hub):
    from kiosk.sync import protocol
    from tests.hubkit import new_device

    code = code_of(run(hub, "add", "Amina Benali", "--structure", "France Services"))
    run(hub, "add", "Paul Girard", "--structure", "Bus Bourbon'Net")
    run(hub, "disable", "Paul Girard")
    _, token = new_device(hub.config["DATABASE"])
    _, other = new_device(hub.config["DATABASE"], site="APC Cérilly", commune="03048")
    answer = fetch_roster(hub, token)
    assert answer.status_code == 200
    message = protocol.read_hub_message(answer.json, token, {"roster": [1]})
    amina, paul = message["body"]["mediators"]
    assert (amina["name"], amina["structure"], amina["active"]) == (
        "Amina Benali", "France Services", True)
    assert check_password_hash(amina["code_hash"], code) and code not in json.dumps(answer.json)
    # a disabled mediator is said disabled, with nothing to try a code against
    assert (paul["name"], paul["active"], paul["code_hash"]) == ("Paul Girard", False, "")
    # another kiosk cannot pass it off as its own, and no token gets nothing
    with pytest.raises(protocol.BadFile):
        protocol.read_hub_message(answer.json, other, {"roster": [1]})
    assert fetch_roster(hub, "1.not-a-token").status_code == 401


def test_revoking_a_kiosk_withdraws_the_codes_its_roster_held(hub):
    from tests.hubkit import new_device

    run(hub, "add", "Amina Benali", "--structure", "S")
    run(hub, "add", "Zoé Martin", "--structure", "S")
    device, token = new_device(hub.config["DATABASE"])
    assert fetch_roster(hub, token).status_code == 200
    run(hub, "add", "Louis Petit", "--structure", "S")        # made after: never sent there
    zoe = code_of(run(hub, "reset-code", "Zoé Martin"))        # reset after: the kiosk has
    result = hub.test_cli_runner().invoke(args=["hub", "device", "revoke", str(device)])
    assert result.exit_code == 0, result.output
    assert "Its roster held the codes of 1 mediator(s)" in result.output
    assert "  Amina Benali" in result.output and "Zoé" not in result.output
    by_name = {row["name"]: row for row in rows(hub)}
    assert by_name["Amina Benali"]["code_hash"] == ""           # matches no code at all
    assert check_password_hash(by_name["Zoé Martin"]["code_hash"], zoe)
    assert by_name["Louis Petit"]["code_hash"].startswith("scrypt:")
    listed = run(hub, "list").output
    assert "Amina Benali\tS\tactive, code withdrawn: reset it" in listed
    # a new code makes the account whole again
    new = code_of(run(hub, "reset-code", "Amina Benali"))
    assert check_password_hash(rows(hub)[0]["code_hash"], new)
    assert "Amina Benali\tS\tactive\t" in run(hub, "list").output
