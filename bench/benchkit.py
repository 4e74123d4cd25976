"""Small tools shared by the benchmarks: a browser-like HTTP client, server processes,
latency statistics. Standard library only (the servers themselves run in the venv).
"""
from __future__ import annotations

import http.client
import math
import os
import re
import socket
import subprocess
import sys
import threading
import time
from collections import defaultdict
from dataclasses import dataclass
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit


# What the kiosk's pages hold, read by the benches that walk them.
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
OPTION = re.compile(r'<input type="(radio|checkbox)" name="answer" value="([^"]+)"')
FIRST_QUESTION = re.compile(r'href="(/q/[^"]+)"')
# An activities screen: each item's "how" (alone, helped, done_for_me), once ticked.
HOW = re.compile(r'<input type="radio" name="how-[^"]+" value="([^"]+)"')
NONE_OF_THESE = "_none"  # an activities screen's "Rien de tout cela"
CSS_JS = re.compile(r'<link rel="stylesheet" href="([^"]+)"|<script src="([^"]+)"')


def activities_form(done: dict) -> dict:
    """The form of an activities screen: ``done`` maps each item ticked to how it was
    done; none ticked sends "Rien de tout cela"."""
    if not done:
        return {"answer": [NONE_OF_THESE]}
    return {"answer": list(done), **{f"how-{item}": how for item, how in done.items()}}


class Failure(Exception):
    """Something functionally broke (wrong status, server died): the bench exits 1."""


def run_main(main) -> None:
    """Run a bench's ``main`` and exit with its status; a :class:`Failure` or a server
    process that failed prints why and exits 1."""
    try:
        sys.exit(main())
    except (Failure, subprocess.SubprocessError) as exc:
        print(f"FAILED: {exc}", file=sys.stderr)
        sys.exit(1)


@dataclass
class Response:
    status: int
    location: str | None
    body: bytes
    seconds: float

    @property
    def path(self) -> str:
        """The path of the Location header ('' when there is none)."""
        return urlsplit(self.location).path if self.location else ""

    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


class Client:
    """One browser: a keep-alive connection to 127.0.0.1:port and its own cookie jar."""

    def __init__(self, port: int):
        self.port = port
        self.conn: http.client.HTTPConnection | None = None
        self.cookies: dict[str, str] = {}

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    def request(self, method: str, path: str, form: dict | None = None) -> Response:
        """Send one request (redirects are NOT followed) and time it up to the last byte."""
        headers = {}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        for attempt in (1, 2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            start = time.perf_counter()
            try:
                self.conn.request(method, path, body, headers)
                raw = self.conn.getresponse()
                data = raw.read()
            except (http.client.RemoteDisconnected, ConnectionError) as exc:
                self.close()  # the server closed a kept-alive connection: retry once
                if attempt == 2:
                    raise Failure(f"{method} {path}: connection failed ({exc!r})") from exc
                continue
            seconds = time.perf_counter() - start
            self._keep_cookies(raw)
            if raw.will_close:
                self.close()
            return Response(raw.status, raw.getheader("Location"), data, seconds)
        raise AssertionError("unreachable")

    def _keep_cookies(self, raw) -> None:
        for header in raw.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                if morsel.value == "" or morsel["max-age"] == "0":
                    self.cookies.pop(name, None)  # the server deleted it
                else:
                    self.cookies[name] = morsel.value


def expect(response: Response, status: int, what: str) -> Response:
    """Raise Failure unless ``response`` has ``status``."""
    if response.status != status:
        snippet = response.text()[:300].replace("\n", " ")
        raise Failure(f"{what}: expected {status}, got {response.status} "
                      f"(Location={response.location!r}) {snippet}")
    return response


class Latencies:
    """Seconds per (label, method), thread-safe; reported in ms."""

    def __init__(self):
        self._lock = threading.Lock()
        self.samples: dict[tuple[str, str], list[float]] = defaultdict(list)

    def add(self, label: str, method: str, seconds: float) -> None:
        with self._lock:
            self.samples[(label, method)].append(seconds)

    def get(self, label: str, method: str) -> list[float]:
        return self.samples.get((label, method), [])

    def count(self, method: str, labels) -> int:
        return sum(len(self.get(label, method)) for label in labels)


def percentile(values, pct: float) -> float | None:
    """Nearest-rank percentile in ms (None for no values)."""
    if not values:
        return None
    ordered = sorted(values)
    return 1000 * ordered[max(0, math.ceil(pct / 100 * len(ordered)) - 1)]


def free_port() -> int:
    """A TCP port free right now on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def rss_mb(pid: int) -> float | None:
    """Resident memory of a process in MB (VmRSS), None if unreadable."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


class Server:
    """A server subprocess: started, timed until its first 200 on ``probe``, stopped."""

    def __init__(self, name: str, argv: list[str], env: dict, cwd: Path, log: Path, port: int):
        self.name, self.argv, self.env, self.cwd = name, argv, env, cwd
        self.log, self.port = log, port
        self.proc: subprocess.Popen | None = None
        self.startup_seconds: float | None = None

    def start(self, probe: str = "/", timeout: float = 30.0) -> float:
        """Launch the process; return the seconds until ``probe`` first answers 200."""
        with open(self.log, "wb") as log:
            start = time.perf_counter()
            self.proc = subprocess.Popen(self.argv, env={**os.environ, **self.env}, cwd=self.cwd,
                                         stdout=log, stderr=subprocess.STDOUT)
        while time.perf_counter() - start < timeout:
            if self.proc.poll() is not None:
                raise Failure(f"{self.name} exited with {self.proc.returncode}:\n{self.tail()}")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                conn.request("GET", probe)
                status = conn.getresponse().status
                conn.close()
                if status == 200:
                    self.startup_seconds = time.perf_counter() - start
                    return self.startup_seconds
                raise Failure(f"{self.name}: GET {probe} answered {status}:\n{self.tail()}")
            except (ConnectionError, OSError):
                time.sleep(0.01)
        raise Failure(f"{self.name} did not answer within {timeout} s:\n{self.tail()}")

    def rss(self) -> float | None:
        return rss_mb(self.proc.pid) if self.proc else None

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def tail(self, lines: int = 20) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def stop(self) -> None:
        """Terminate (then kill) the process we started, if it still runs."""
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(5)


def run_workers(count: int, work, jobs: int) -> list[BaseException]:
    """Run ``work(worker_index, job_index)`` for ``jobs`` jobs on ``count`` threads.

    Stops handing out jobs at the first exception; returns the exceptions raised.
    """
    lock, errors = threading.Lock(), []
    next_job = iter(range(jobs))

    def loop(worker: int) -> None:
        while True:
            with lock:
                if errors:
                    return
                job = next(next_job, None)
            if job is None:
                return
            try:
                work(worker, job)
            except BaseException as exc:  # noqa: BLE001 - reported by the caller
                with lock:
                    errors.append(exc)
                return

    threads = [threading.Thread(target=loop, args=(i,), daemon=True) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors
