"""A whole diagnostic with no network at all: run by test_offline.py inside a network
namespace of its own (``unshare --net``), where only the loopback interface exists.

It checks that the namespace really has no route, starts `kiosk serve` as deployed, walks
the short diagnostic in Chromium to the result and its printable sheet, and prints one
JSON line: what the pages asked for beyond 127.0.0.1, which requests failed, and what the
resident saw. Nothing here asserts: the test reads the line and decides.
"""
from __future__ import annotations

import errno
import json
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from playwright.sync_api import sync_playwright  # noqa: E402

from tests.browser import steps  # noqa: E402
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, is_local  # noqa: E402
from tests.live import start_server  # noqa: E402


def outside_reachable() -> str:
    """How a connection to a public address ends here (ENETUNREACH: no route at all)."""
    subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(5)
        try:
            sock.connect(("192.0.2.1", 80))   # TEST-NET-1: never a real host
        except OSError as exc:
            return errno.errorcode.get(exc.errno, str(exc))
    return "connected"


def main() -> None:
    report = {"outside": outside_reachable(),
              "routes": subprocess.run(["ip", "route"], capture_output=True,
                                       text=True).stdout.strip()}
    offsite, failed = [], []
    with tempfile.TemporaryDirectory() as folder:
        server = start_server(Path(folder) / "kiosk")
        live = next(server)
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM,
                                                     args=CHROMIUM_ARGS)
                context = browser.new_context(base_url=live.url)
                context.on("request", lambda request: None if is_local(request.url)
                           else offsite.append(request.url))
                context.on("requestfailed", lambda request: failed.append(
                    f"{request.url} {request.failure}"))
                page = context.new_page()
                began = time.monotonic()
                steps.complete_never(page)
                report["result_heading"] = steps.heading(page).inner_text()
                page.goto("/result/print")
                report["sheet_title"] = page.title()
                report["seconds"] = round(time.monotonic() - began, 1)
                browser.close()
        finally:
            next(server, None)
    report["offsite"], report["failed"] = offsite, failed
    print(json.dumps(report))


if __name__ == "__main__":
    main()
