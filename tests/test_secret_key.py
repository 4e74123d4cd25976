"""The secret key: a hub refuses a known, placeholder or short one; a kiosk makes its own."""
from __future__ import annotations

import re
import stat
import subprocess
import sys
import time
import urllib.error
import urllib.request
from datetime import datetime, timezone

import pytest

from kiosk import create_app
from kiosk.storage import secretkey
from kiosk.config import DEV_SECRET_KEY
from kiosk.hub import staff
from tests import hubdata as h
from tests.live import REPO, free_port, kiosk_command, server_env, stop

HOW_TO = "python3 -c 'import secrets; print(secrets.token_urlsafe(48))'"
STRONG = "q3Jx9LwZ0vTt7bYk2MhR8sNf5cPd1GaE4uWy6iKo"  # 40 random characters


def example_keys() -> list[str]:
    """Every KIOSK_SECRET_KEY value shown in deploy/kiosk.env.example (commented or not)."""
    text = (REPO / "deploy" / "kiosk.env.example").read_text("utf-8")
    return re.findall(r"^#?\s*KIOSK_SECRET_KEY=(.*)$", text, re.MULTILINE)


def hub_app(tmp_path, **config):
    h.new_hub_db(tmp_path / "hub.db").close()
    return create_app({"TESTING": True, "ROLE": "hub", "DATABASE": str(tmp_path / "hub.db"),
                       "SECRET_KEY_FILE": str(tmp_path / "no_key_file"), **config})


@pytest.mark.parametrize("key", [
    DEV_SECRET_KEY, "change-me", "", "test", "bench",
    "please-change-me-to-a-long-random-value",        # a placeholder, long enough
    "<paste the generated key here>",
    "0123456789abcdefABCDEF0123456789abcde"[:31],       # 31 characters: one too few
    "ab" * 20,                                          # 40 characters, 2 distinct
])
def test_weak_keys_are_named(key):
    assert secretkey.problem(key) is not None


def test_the_example_files_placeholder_is_refused():
    keys = example_keys()
    assert keys
    for key in keys:
        assert secretkey.problem(key.strip()) is not None


@pytest.mark.parametrize("key", [
    "0123456789abcdefABCDEF0123456789"[:32],            # 32 characters: just enough
    STRONG,
])
def test_strong_keys_pass(key):
    assert secretkey.problem(key) is None


def test_generated_keys_pass():
    import secrets
    assert all(secretkey.problem(secrets.token_urlsafe(48)) is None for _ in range(200))


@pytest.mark.parametrize("key", [DEV_SECRET_KEY, "change-me", "test", "x" * 40,
                                 "a-secret-of-the-departement-de-l-allier"])
def test_a_hub_refuses_to_serve_with_a_weak_key(tmp_path, key, monkeypatch):
    import waitress

    monkeypatch.setattr(waitress, "serve", lambda *a, **k: pytest.fail("it served"))
    result = hub_app(tmp_path, SECRET_KEY=key).test_cli_runner().invoke(args=["serve"])
    assert result.exit_code == 1
    assert HOW_TO in result.output and "forge a cookie" in result.output
    assert "KIOSK_SECRET_KEY" in result.output


def test_a_kiosk_without_logins_only_warns(make_app):
    fatal, message = secretkey.serving_check(make_app(SECRET_KEY="test"))
    assert not fatal and message.startswith("Warning:")
    assert secretkey.serving_check(make_app(SECRET_KEY=STRONG)) == (False, None)


def test_any_app_that_declares_logins_is_held_to_it(make_app):
    app = make_app(SECRET_KEY="test")
    secretkey.require_strong(app, "mediators' pages")
    fatal, message = secretkey.serving_check(app)
    assert fatal and "mediators' pages" in message


def test_a_hub_started_with_the_development_key_cannot_be_entered(tmp_path):
    """As deployed: `KIOSK_ROLE=hub kiosk serve` with the public default key. It must not
    start; if it did, a cookie forged with that key would open the dashboard."""
    db = h.new_hub_db(tmp_path / "hub.db")
    alice = staff.add(db, "alice", "une phrase de passe assez longue", datetime.now(timezone.utc))
    db.close()
    port = free_port()
    env = server_env(tmp_path / "hub.db", tmp_path, ROLE="hub", SECRET_KEY=DEV_SECRET_KEY,
                     SECRET_KEY_FILE=tmp_path / "no_key_file")
    log = tmp_path / "serve.log"
    with open(log, "w") as out:
        process = subprocess.Popen(kiosk_command() + ["serve", "--port", str(port)], cwd=tmp_path,
                                   env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 30
        while process.poll() is None and time.monotonic() < deadline:
            try:
                forged = forged_cookie(alice.id)
                request = urllib.request.Request(f"http://127.0.0.1:{port}/",
                                                 headers={"Cookie": f"session={forged}"})
                opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
                with opener.open(request, timeout=5) as response:
                    page = response.read().decode()
                assert "Connecté : alice" not in page, "a forged cookie opened the dashboard"
            except urllib.error.URLError:
                time.sleep(0.2)
        assert process.poll() == 1, log.read_text()
    finally:
        stop(process)
    assert HOW_TO in log.read_text()


def forged_cookie(staff_id: int) -> str:
    """The cookie an attacker signs with the published key (the session's old shape)."""
    app = create_app({"TESTING": True, "ROLE": "hub", "SECRET_KEY": DEV_SECRET_KEY})
    serializer = app.session_interface.get_signing_serializer(app)
    return serializer.dumps({"hub_staff": staff_id,
                             "hub_since": datetime.now(timezone.utc).isoformat()})


def test_kiosk_init_makes_a_key_that_the_next_start_reads(tmp_path):
    key_file = tmp_path / "instance" / "secret_key"
    settings = {"TESTING": True, "DATABASE": str(tmp_path / "k.db"),
                "SECRET_KEY_FILE": str(key_file)}
    app = create_app(settings)
    assert app.secret_key == DEV_SECRET_KEY
    result = app.test_cli_runner().invoke(args=["init"])
    assert result.exit_code == 0, result.output
    assert "Secret key generated" in result.output
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    key = key_file.read_text().strip()
    assert secretkey.problem(key) is None
    assert create_app(settings).secret_key == key
    again = create_app(settings).test_cli_runner().invoke(args=["init"])
    assert "Secret key generated" not in again.output and key_file.read_text().strip() == key


def test_a_configured_key_wins_and_no_file_is_written(tmp_path):
    key_file = tmp_path / "secret_key"
    app = create_app({"TESTING": True, "DATABASE": str(tmp_path / "k.db"),
                      "SECRET_KEY_FILE": str(key_file), "SECRET_KEY": STRONG})
    assert app.test_cli_runner().invoke(args=["init"]).exit_code == 0
    assert not key_file.exists() and app.secret_key == STRONG


def test_make_run_path_gets_a_generated_key(tmp_path):
    """`kiosk init` then the server, from the environment alone, with no key set (an empty
    `KIOSK_SECRET_KEY=` line too): the server runs with the generated key."""
    key_file = tmp_path / "secret_key"
    env = server_env(tmp_path / "kiosk.db", tmp_path, SECRET_KEY_FILE=key_file)
    env["KIOSK_SECRET_KEY"] = ""
    done = subprocess.run(kiosk_command() + ["init"], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    read = subprocess.run(
        [sys.executable, "-c", "from kiosk import create_app; print(create_app().secret_key)"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60)
    assert read.stdout.strip() == key_file.read_text().strip()


def test_the_instance_folder_is_never_committed():
    ignored = (REPO / ".gitignore").read_text().split()
    assert "instance/" in ignored
