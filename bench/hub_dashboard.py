"""Hub dashboard benchmark: the page over a million records, and baselines in the same run.

What it measures, and how:

1. Fills a hub database with the counts of N records (bench/hubfill.py: 30 kiosks in
   the 12 EPCI, 60 ISO weeks, the real tally.facts and add_tally; its planted pattern,
   so the reach, trend and impact sections have their figures: one under-reached EPCI,
   illectronisme falling, guided diagnostics and 3 mediators' records per 100), makes a staff account
   with ``kiosk hub staff add --password-stdin`` and starts ``KIOSK_ROLE=hub kiosk serve``
   (waitress) on a free port.
2. Logs in like a browser (CSRF token, session cookie), then GETs the dashboard for four
   filters (all of the Allier; one EPCI by residence; one EPCI by kiosk; a 13-week
   period) and the printable A4 summary, REPEAT times each; the very first GET is
   reported apart (cold caches). Every response must be a 200 with the page's heading.
3. BASELINES, same run, same machine:
   - a page of the same size from a minimal Flask app on the same server
     (bench/baseline_app.py): what the framework and the server cost alone;
   - the naive sum: ``SELECT dimension, value, SUM(n) FROM tally GROUP BY ...`` over the
     same database, what one figure of the page would cost without the roll-ups.
4. Prints median, p95 and max latency per filter, the ratios, and whether the target
   (under 0.5 s at a million records) is met. A missed target does not fail the run.

    .venv/bin/python bench/hub_dashboard.py [--records 1000000] [--repeat 10] [--smoke]
"""
from __future__ import annotations

import argparse
import os
import re
import secrets
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchkit import Client, Failure, Server, expect, free_port, percentile
from hubfill import fill

ROOT = Path(__file__).resolve().parent.parent
TARGET_SECONDS = 0.5
PASSWORD = "bench password long enough"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
# label -> (path, the page's heading)
DASHBOARD, SUMMARY = "<h1>Tableau de bord", "<h1>Le diagnostic numérique dans l"
FILTERS = {
    "all of the Allier": ("/", DASHBOARD),
    "EPCI of residence": ("/?epci=200071140&territoire=residence", DASHBOARD),
    "EPCI of the kiosk": ("/?epci=200071082&territoire=site", DASHBOARD),
    "13-week period": ("/?du=2025-W49&au=2026-W09", DASHBOARD),
    "A4 summary": ("/synthese", SUMMARY),
}


def kiosk() -> str:
    script = Path(sys.executable).with_name("kiosk")
    return str(script if script.exists() else ROOT / ".venv" / "bin" / "kiosk")


def hub_env(database: Path) -> dict:
    env = {key: value for key, value in os.environ.items() if not key.startswith("KIOSK_")}
    env.update(KIOSK_ROLE="hub", KIOSK_DATABASE=str(database),
               KIOSK_SECRET_KEY=secrets.token_urlsafe(48))  # a hub refuses a weak key
    return env


def log_in(client: Client) -> None:
    page = expect(client.request("GET", "/connexion"), 200, "login page").text()
    response = client.request("POST", "/connexion", {"csrf_token": CSRF.search(page).group(1),
                                                      "name": "bench", "password": PASSWORD})
    expect(response, 303, "login")


def measure_dashboard(tmp: Path, database: Path, repeat: int) -> dict:
    added = subprocess.run([kiosk(), "hub", "staff", "add", "bench", "--password-stdin"],
                           input=PASSWORD + "\n", env=hub_env(database), cwd=ROOT,
                           capture_output=True, text=True)
    if added.returncode:
        raise Failure(f"kiosk hub staff add failed:\n{added.stderr}")
    port = free_port()
    server = Server("hub serve", [kiosk(), "serve", "--port", str(port)], hub_env(database),
                    ROOT, tmp / "hub.log", port)
    figures = {"samples": {}, "sizes": {}}
    try:
        figures["startup"] = server.start("/connexion")
        client = Client(port)
        log_in(client)
        for index, (label, (path, heading)) in enumerate(FILTERS.items()):
            samples = []
            for attempt in range(repeat + (1 if index == 0 else 0)):
                response = expect(client.request("GET", path), 200, f"dashboard {label}")
                if heading not in response.text():
                    raise Failure(f"dashboard {label}: no heading {heading!r}")
                if index == 0 and attempt == 0:
                    figures["cold"] = response.seconds
                    continue
                samples.append(response.seconds)
            figures["samples"][label] = samples
            figures["sizes"][label] = len(response.body)
        figures["rss"] = server.rss()
        client.close()
    finally:
        server.stop()
    return figures


def measure_baseline_page(tmp: Path, size: int, repeat: int) -> list[float]:
    port = free_port()
    server = Server("baseline", [sys.executable, str(ROOT / "bench" / "baseline_app.py"),
                                 "--port", str(port), "--size", str(size),
                                 "--database", str(tmp / "baseline.db")],
                    {"PYTHONPATH": str(ROOT)}, ROOT, tmp / "baseline.log", port)
    try:
        server.start("/page")
        client = Client(port)
        samples = [expect(client.request("GET", "/page"), 200, "baseline page").seconds
                   for _ in range(repeat * len(FILTERS))]
        client.close()
    finally:
        server.stop()
    return samples


def naive_sum(database: Path, repeat: int) -> list[float]:
    """Seconds to sum the raw tally per (dimension, value): the page's main figure
    without the roll-ups."""
    conn = sqlite3.connect(database)
    samples = []
    for _ in range(max(2, repeat // 3)):
        start = time.perf_counter()
        conn.execute("SELECT dimension, value, SUM(n) FROM tally GROUP BY dimension, value").fetchall()
        samples.append(time.perf_counter() - start)
    conn.close()
    return samples


def ms(seconds) -> str:
    return "-" if seconds is None else f"{seconds * 1000:.0f}"


def report(args, filled: dict, dash: dict, page: list[float], naive: list[float]) -> None:
    base = statistics.median(page)
    print(f"\nHub dashboard over {filled['records']:,} records "
          f"and {filled['mediator_records']:,} mediators' records "
          f"({filled['tally_rows']:,} tally rows; roll-ups {filled['site_rows']:,} by kiosk EPCI, "
          f"{filled['residence_rows']:,} by residence EPCI; weeks {filled['weeks'][0]} to "
          f"{filled['weeks'][1]}; filled in {filled['seconds']:.1f} s)")
    print(f"hub start-up {dash['startup']:.2f} s, RSS {dash['rss'] or 0:.0f} MB, "
          f"first (cold) page {ms(dash['cold'])} ms")
    head = f"{'filter':<20}{'n':>4}{'median ms':>11}{'p95':>7}{'max':>7}{'KB':>6}{'x page':>8}"
    print(f"{head}\n{'-' * len(head)}")
    worst = 0.0
    for label, samples in dash["samples"].items():
        median = statistics.median(samples)
        worst = max(worst, max(samples))
        print(f"{label:<20}{len(samples):>4}{ms(median):>11}{ms(percentile(samples, 95) / 1000):>7}"
              f"{ms(max(samples)):>7}{dash['sizes'][label] / 1024:>6.0f}{median / base:>8.1f}")
    print(f"{'BASELINE page':<20}{len(page):>4}{ms(base):>11}{ms(percentile(page, 95) / 1000):>7}"
          f"{ms(max(page)):>7}{dash['sizes']['all of the Allier'] / 1024:>6.0f}{1:>8.1f}")
    all_median = statistics.median(dash["samples"]["all of the Allier"])
    print(f"naive SUM over the raw tally: median {ms(statistics.median(naive))} ms "
          f"= {statistics.median(naive) / all_median:.1f}x the whole page with the roll-ups")
    verdict = "met" if worst < TARGET_SECONDS else f"MISSED by {ms(worst - TARGET_SECONDS)} ms"
    print(f"target: every dashboard page under {TARGET_SECONDS} s at 1,000,000 records "
          f"(slowest here {ms(worst)} ms, cold {ms(dash['cold'])} ms): {verdict}"
          + ("" if filled["records"] >= 1_000_000 else " (smaller run: indicative only)"))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="Hub dashboard benchmark against baselines.")
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=10, help="GETs per filter")
    parser.add_argument("--smoke", action="store_true",
                        help="quick run: 3,000 records from 6 kiosks over 8 weeks")
    args = parser.parse_args(argv)
    shape = {"devices": 6, "week_count": 8} if args.smoke else {}
    if args.smoke:
        args.records, args.repeat = 3_000, 2
    with tempfile.TemporaryDirectory(prefix="hub-bench-") as tmp:
        tmp = Path(tmp)
        try:
            print(f"filling a hub with {args.records:,} records...", file=sys.stderr, flush=True)
            filled = fill(tmp / "hub.db", args.records, planted=True, **shape)
            dash = measure_dashboard(tmp, tmp / "hub.db", args.repeat)
            page = measure_baseline_page(tmp, dash["sizes"]["all of the Allier"], args.repeat)
            naive = naive_sum(tmp / "hub.db", args.repeat)
        except (Failure, OSError) as failure:
            print(f"FAILED: {failure!s}", file=sys.stderr)
            return 1
    report(args, filled, dash, page, naive)
    return 0


if __name__ == "__main__":
    sys.exit(main())
