"""The hub's security and data events: one JSON line each, no password or token in it."""
from __future__ import annotations

import json
import logging
import subprocess
from datetime import datetime, timezone

import pytest

from kiosk.storage.db import connect
from kiosk.hub import dashboard, events
from tests.hubkit import make_hub, make_kiosk, new_device, no_env_proxy  # noqa: F401
from tests.live import kiosk_command, server_env
from tests.sample_records import fill_outbox
from tests.test_hub_web import CSRF, text

PASSWORD = "une phrase de passe assez longue"
WRONG = "pas le bon mot de passe du tout"


@pytest.fixture
def lines(caplog, monkeypatch):
    """The event lines logged during the test, parsed (and their raw text)."""
    caplog.set_level(logging.INFO, logger=events.LOGGER.name)
    # Straight from the events logger, whether or not events.configure() ran before.
    monkeypatch.setattr(events.LOGGER, "propagate", False)
    events.LOGGER.addHandler(caplog.handler)
    yield lambda: [(json.loads(r.getMessage()), r.getMessage())
                   for r in caplog.records if r.name == events.LOGGER.name]
    events.LOGGER.removeHandler(caplog.handler)


def names(logged) -> list[str]:
    return [line["event"] for line, _ in logged]


def post_login(client, name, password):
    page = text(client.get("/connexion"))
    return client.post("/connexion", data={"csrf_token": CSRF.search(page).group(1),
                                           "name": name, "password": password})


def test_logins_logouts_and_throttles_are_logged_once_without_passwords(tmp_path, lines,
                                                                        monkeypatch):
    at = datetime.now(timezone.utc)
    monkeypatch.setattr(dashboard, "now", lambda: at)  # the throttle's delay stays 1 s
    hub = make_hub(tmp_path)
    runner = hub.test_cli_runner()
    assert runner.invoke(args=["hub", "staff", "add", "alice", "--password-stdin"],
                         input=PASSWORD + "\n").exit_code == 0
    client = hub.test_client()
    client.environ_base["REMOTE_ADDR"] = "198.51.100.7"
    assert post_login(client, "alice", WRONG).status_code == 401
    assert post_login(client, "mallory", PASSWORD).status_code == 401  # a password as name
    assert post_login(client, "alice", PASSWORD).status_code == 303
    token = CSRF.search(text(client.get("/"))).group(1)
    assert client.post("/deconnexion", data={"csrf_token": token}).status_code == 303
    for _ in range(5):
        post_login(client, "alice", WRONG)
    assert post_login(client, "alice", WRONG).status_code == 429
    assert runner.invoke(args=["hub", "staff", "disable", "alice"]).exit_code == 0

    logged = lines()
    assert names(logged) == ["staff_added", "login_failed", "login_failed", "login",
                             "logout", *["login_failed"] * 5, "login_throttled",
                             "staff_disabled"]
    first, unknown, success = (line for line, _ in logged[1:4])
    assert first == {"event": "login_failed", "at": first["at"], "name": "alice",
                     "address": "198.51.100.7", "known_name": True}
    assert unknown["name"] is None and unknown["known_name"] is False
    assert success["name"] == "alice" and success["address"] == "198.51.100.7"
    throttled = logged[-2][0]
    assert throttled["scope"] == "name" and throttled["retry_after"] == 1
    for _, raw in logged:
        assert PASSWORD not in raw and WRONG not in raw and "mallory" not in raw


def test_devices_and_imports_are_logged_without_tokens(tmp_path, lines):
    hub = make_hub(tmp_path / "hub")
    runner = hub.test_cli_runner()
    added = runner.invoke(args=["hub", "device", "add", "--site", "APC Le Montet",
                                "--commune", "03183"])
    assert added.exit_code == 0, added.output
    token = added.stdout.strip().splitlines()[-1]
    assert runner.invoke(args=["hub", "device", "revoke", "1"]).exit_code == 0

    _, bus_token = new_device(hub.config["DATABASE"], site="Bourbon'Net", commune="03190")
    kiosk = make_kiosk(tmp_path / "bus", HUB_TOKEN=bus_token, SITE_COMMUNE="03190")
    fill_outbox(connect(kiosk.config["DATABASE"]), 3, site_commune="03190")
    usb = tmp_path / "usb"
    usb.mkdir()
    assert kiosk.test_cli_runner().invoke(args=["sync", "--to-file", str(usb)]).exit_code == 0
    [records] = usb.glob("*.records.json")
    assert runner.invoke(args=["hub", "import", str(records)]).exit_code == 0
    records.write_text(records.read_text().replace('"week"', '"weeks"', 1))
    assert runner.invoke(args=["hub", "import", str(records)]).exit_code == 2

    logged = lines()
    assert names(logged) == ["device_added", "device_revoked", "import", "import_refused"]
    assert logged[0][0]["device"] == 1 and logged[0][0]["site"] == "APC Le Montet"
    imported = logged[2][0]
    assert imported["device"] == 2 and imported["stored"] == 3 and imported["file"] == records.name
    for _, raw in logged:
        assert token not in raw and bus_token not in raw
        assert token.split(".", 1)[1] not in raw


def test_the_hub_command_writes_events_to_stderr(tmp_path):
    """As deployed: `KIOSK_ROLE=hub kiosk hub ...` prints one JSON line per event."""
    env = server_env(tmp_path / "hub.db", tmp_path, ROLE="hub")
    for args in (["hub", "init"], ["hub", "staff", "add", "alice", "--password-stdin"]):
        done = subprocess.run(kiosk_command() + args, input=PASSWORD + "\n", env=env,
                              cwd=tmp_path, capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr
    [line] = [json.loads(raw) for raw in done.stderr.splitlines() if raw.startswith("{")]
    assert line["event"] == "staff_added" and line["name"] == "alice"
    assert PASSWORD not in done.stderr
