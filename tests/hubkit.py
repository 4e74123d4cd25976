"""Helpers for kiosk <-> hub tests: a hub on a fresh database, its devices, a hub served
in a thread (fast) or as a real `kiosk serve` process (one that can be killed)."""
from __future__ import annotations

import contextlib
import signal
import subprocess
import threading
from datetime import datetime, timezone
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from kiosk import create_app
from kiosk.storage import migrations
from kiosk.storage.db import connect, write_transaction
from kiosk.hub import schema
from kiosk.hub import store as hub_store
from tests.live import free_port, kiosk_command, serve, server_env, stop

# Retries in milliseconds: the tests exercise the backoff without waiting for it.
FAST_RETRIES = {"SYNC_RETRY_BASE": 0.001, "SYNC_RETRY_CEILING": 0.005, "SYNC_ATTEMPTS": 8}


def make_hub(folder: Path, **config):
    """A hub app on a fresh, migrated database in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "hub.db"
    db = connect(path)
    migrations.migrate(db, schema.MIGRATIONS)
    db.close()
    settings = {"TESTING": True, "ROLE": "hub", "DATABASE": str(path),
                "SECRET_KEY": "test-secret"}
    settings.update(config)
    return create_app(settings)


def new_device(database, site: str = "APC Le Montet", commune: str = "03183",
               epci: str = "200071496") -> tuple[int, str]:
    """Register a device directly in a hub database; returns (id, token)."""
    db = connect(database)
    with write_transaction(db):
        device = hub_store.add_device(db, site=site, commune=commune, epci=epci,
                                      make_token=lambda i: f"{i}.secret-of-device-{i}-xxxxxxxx",
                                      now=datetime.now(timezone.utc))
    db.close()
    return device


def make_kiosk(folder: Path, **config):
    """A kiosk app on a fresh, migrated database in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "kiosk.db"
    db = connect(path)
    migrations.migrate(db)
    db.close()
    settings = {"TESTING": True, "DATABASE": str(path), "SECRET_KEY": "test-secret",
                "SITE_COMMUNE": "03183", **FAST_RETRIES}
    settings.update(config)
    return create_app(settings)


def hub_counts(database) -> dict:
    """What a hub holds: record ids, the tally's total of diagnostics, per-device totals."""
    db = connect(database)
    try:
        return {
            "ids": [r[0] for r in db.execute("select id from records")],
            "tally_all": db.execute("select coalesce(sum(n), 0) from tally "
                                    "where dimension = 'all'").fetchone()[0],
            "received": {r[0]: r[1] for r in db.execute(
                "select id, records_received from devices")},
            "hashes": {r[0]: r[1] for r in db.execute("select id, content_hash from records")},
        }
    finally:
        db.close()


def outbox_states(database) -> dict[str, str]:
    """``id -> state`` of a kiosk's outbox."""
    db = connect(database)
    try:
        return {r[0]: r[1] for r in db.execute("select id, state from outbox")}
    finally:
        db.close()


@contextlib.contextmanager
def hub_in_thread(app):
    """Serve ``app`` on a free port in a thread (a real HTTP server, in this process)."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)


class HubProcess:
    """The hub as deployed (`KIOSK_ROLE=hub kiosk serve`), which a test can kill and
    start again on the same port and database."""

    def __init__(self, folder: Path):
        folder.mkdir(parents=True, exist_ok=True)
        self.folder, self.database = folder, folder / "hub.db"
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = server_env(self.database, folder, ROLE="hub")
        self.process: subprocess.Popen | None = None
        self.starts = 0
        done = subprocess.run(kiosk_command() + ["hub", "init"], cwd=folder, env=self.env,
                              capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stdout + done.stderr

    def start(self) -> None:
        self.process, _, _ = serve(self.folder, self.env, self.port,
                                   log_name=f"hub-{self.starts}.log",
                                   ready_path="/api/v1/openapi.json")
        self.starts += 1

    def kill(self) -> None:
        """SIGKILL: no shutdown, no flush, as a power cut."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def restart(self) -> None:
        self.kill()
        self.start()

    def stop(self) -> None:
        if self.process is not None:
            stop(self.process)


@pytest.fixture(autouse=True)
def no_env_proxy(monkeypatch):
    """The kiosk honours http(s)_proxy like any client; these tests talk to 127.0.0.1
    only, so a proxy set on the test machine must not come between."""
    for name in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "all_proxy",
                 "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
