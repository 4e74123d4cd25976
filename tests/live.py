"""A real `kiosk serve` (waitress) on a free port, on a fresh database, for tests that
need the whole server: browser tests and reliability tests (killed processes)."""
from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
START_TIMEOUT = 30  # seconds for `kiosk serve` to answer
# A strong key, as a real server needs (a hub refuses a short or published one).
SERVER_KEY = secrets.token_urlsafe(48)


@dataclass
class LiveServer:
    url: str
    database: Path
    log: Path
    process: subprocess.Popen = field(repr=False)


def kiosk_command() -> list[str]:
    """The `kiosk` console script beside this Python, else the same entry point via -c."""
    script = Path(sys.executable).with_name("kiosk")
    if script.is_file() and os.access(script, os.X_OK):
        return [str(script)]
    return [sys.executable, "-c", "from kiosk.cli import main; main()"]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_env(database: Path, folder: Path, **settings) -> dict:
    """The environment of the kiosk commands: none of the caller's KIOSK_* settings."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("KIOSK_")}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    env.update({
        "KIOSK_DATABASE": str(database),
        "KIOSK_SECRET_KEY": SERVER_KEY,
        "KIOSK_LANGUAGES": "fr",
        "KIOSK_SITE_COMMUNE": "03190",
        "KIOSK_EXPORT_DIR": str(folder / "exports"),
    })
    env.update({f"KIOSK_{key}": str(value) for key, value in settings.items()})
    return env


def wait_until_up(url: str, process: subprocess.Popen, log: Path, path: str = "/") -> None:
    """Return once ``url + path`` answers 200; fail the test if the server exits first."""
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # never a proxy
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"`kiosk serve` exited with {process.returncode}:\n{log.read_text()}")
        try:
            with opener.open(url + path, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.1)
    pytest.fail(f"`kiosk serve` did not answer on {url} within {START_TIMEOUT} s:\n"
                f"{log.read_text()}")


def start_server(folder: Path, **settings):
    """Init a database, import the places, serve; yields the LiveServer, then stops it."""
    folder.mkdir(parents=True, exist_ok=True)
    database = folder / "kiosk.db"
    env = server_env(database, folder, **settings)
    kiosk = kiosk_command()
    places = REPO / "questionnaires" / "data" / "lieux_03.csv"
    for args in (["init"], ["places", "import", str(places)]):
        done = subprocess.run(kiosk + args, cwd=folder, env=env, capture_output=True,
                              text=True, timeout=60)
        assert done.returncode == 0, f"kiosk {' '.join(args)}:\n{done.stdout}{done.stderr}"
    process, url, log = serve(folder, env, free_port())
    try:
        yield LiveServer(url=url, database=database, log=log, process=process)
    finally:
        stop(process)


def serve(folder: Path, env: dict, port: int, *, log_name: str = "serve.log",
          ready_path: str = "/", threads: int = 4) -> tuple[subprocess.Popen, str, Path]:
    """Start `kiosk serve` on 127.0.0.1:``port`` and wait until it answers."""
    log = folder / log_name
    with open(log, "w") as out:
        process = subprocess.Popen(
            kiosk_command() + ["serve", "--host", "127.0.0.1", "--port", str(port),
                               "--threads", str(threads)],
            cwd=folder, env=env, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(url, process, log, ready_path)
    except BaseException:
        stop(process)
        raise
    return process, url, log


def stop(process: subprocess.Popen) -> None:
    """Stop a server politely, then firmly."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


class HttpResident:
    """A resident's browser without a browser: cookies, CSRF tokens, redirects followed."""

    def __init__(self, url: str):
        import http.cookiejar
        import re

        self.url, self.jar = url, http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.ProxyHandler({}),
                                                  urllib.request.HTTPCookieProcessor(self.jar))
        self.csrf = re.compile(r'name="csrf_token" value="([^"]+)"')
        self.page, self.path = "", "/"

    def get(self, path: str) -> str:
        return self._open(urllib.request.Request(self.url + path))

    def post(self, path: str, data: dict) -> str:
        from urllib.parse import urlencode

        data = dict(data, csrf_token=self.csrf.search(self.page).group(1))
        body = urlencode(data, doseq=True).encode()
        return self._open(urllib.request.Request(self.url + path, data=body, method="POST"))

    def _open(self, request) -> str:
        with self.opener.open(request, timeout=30) as response:
            self.page = response.read().decode("utf-8")
            self.path = response.geturl()[len(self.url):]
        return self.page

    def answer_until(self, answers: dict, stop_at: str | None = None) -> None:
        """Answer screen after screen ("I don't know" by default) until the result,
        or until the screen ``stop_at`` is shown."""
        for _ in range(40):
            if self.path.endswith("/result") or self.path.rsplit("/", 1)[-1] == stop_at:
                return
            screen = self.path.rsplit("/", 1)[-1]
            self.post(self.path, answers.get(screen, {"idk": "1"}))
        raise AssertionError("the questionnaire never ended")
