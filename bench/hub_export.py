"""Open-data export benchmark: `kiosk hub export` over a million records, and a baseline
in the same run.

What it measures, and how:

1. Fills a hub database with the counts of N records (bench/hubfill.py, as for the
   dashboard bench).
2. Runs ``KIOSK_ROLE=hub kiosk hub export`` as a user would (a new process: Python
   start-up, the app, reading the counts, suppression, writing), REPEAT times; checks
   the files are there and that no published count is from 1 to 10.
3. Times the same work in this process, phase by phase: reading the counts, building
   and suppressing the linked tables (kiosk.hub.opendata.build), writing the files.
4. BASELINE, same run: the raw tally written to a CSV file as it is (``SELECT *`` and
   ``csv.writer``, no aggregation, no suppression) -- the least an export of these
   counts could cost.
5. Prints the wall times, the phases, the ratio to the baseline, the size of the
   export, and whether the target (under 10 s at a million records) is met. A missed
   target does not fail the run.

    .venv/bin/python bench/hub_export.py [--records 1000000] [--repeat 3] [--smoke]
"""
from __future__ import annotations

import argparse
import csv
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path

from benchkit import Failure
from hub_dashboard import hub_env, kiosk
from hubfill import fill

from kiosk.config import DEFAULTS
from kiosk.db import connect
from kiosk.hub import opendata, reports, tables
from kiosk.hub.weeks import Window, service_start
from kiosk.hub.epci import load_epci
from kiosk.hub.suppression import is_sensitive
from kiosk.resources import load_questionnaire_files

ROOT = Path(__file__).resolve().parent.parent
TARGET_SECONDS = 10.0


def run_command(database: Path, folder: Path) -> float:
    start = time.perf_counter()
    done = subprocess.run([kiosk(), "hub", "export", "--output", str(folder)],
                          env=hub_env(database), cwd=ROOT, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if done.returncode:
        raise Failure(f"kiosk hub export failed:\n{done.stdout}{done.stderr}")
    for name in (opendata.WEEKLY, opendata.BREAKDOWN, "datapackage.json"):
        if not (folder / name).is_file():
            raise Failure(f"kiosk hub export wrote no {name}")
    for name, column in ((opendata.WEEKLY, "diagnostics"), (opendata.BREAKDOWN, "effectif")):
        with open(folder / name, encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                if row[column] != "s" and is_sensitive(int(row[column])):
                    raise Failure(f"{name}: a published count of {row[column]}")
    return seconds


def phases(database: Path, folder: Path) -> dict:
    """The export's work in this process, timed phase by phase."""
    names = load_epci(ROOT / "questionnaires" / "data" / "epci_03.csv")
    questionnaire = load_questionnaire_files(ROOT / "questionnaires" / "diagnostic.yaml",
                                             ROOT / "questionnaires" / "offers.yaml")
    from kiosk.hub.dashboard import language_name

    timings = {}
    start = time.perf_counter()
    db = connect(database)
    window = Window(service_start(DEFAULTS["HUB_SERVICE_START"]), datetime.now(timezone.utc).date())
    with reports.snapshot(db):
        span = reports.readable(db, window, *reports.week_range(db, window))
        breakdown = reports.counts_by_epci(db, "residence", span)
        weekly = Counter({(w, s): n for (w, s, _), n in reports.weekly(db, "site", span).items()})
    first, last = span.first, span.last
    db.close()
    timings["read counts"] = time.perf_counter() - start
    start = time.perf_counter()
    layout = opendata.Layout(
        weeks=span.weeks(),
        site_columns=tables.epci_order({s for _, s in weekly} | set(names), names),
        residence_columns=tables.epci_order({r for *_, r in breakdown} | set(names) | {""}, names),
        variables=tables.variables(questionnaire, {(d, v) for d, v, _ in breakdown}, language_name))
    built, published = opendata.build(weekly, breakdown, layout)
    timings["build + suppress"] = time.perf_counter() - start
    start = time.perf_counter()
    opendata.write(folder, layout, published, names, first=first, last=last,
                   now=datetime.now(timezone.utc))
    timings["write files"] = time.perf_counter() - start
    timings["cells"], timings["hidden"] = len(built.values), len(published.hidden)
    timings["primary"] = sum(1 for n in built.values.values() if is_sensitive(n))
    return timings


def baseline(database: Path, path: Path) -> float:
    """The raw tally to CSV, as it is."""
    start = time.perf_counter()
    conn = sqlite3.connect(database)
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        cursor = conn.execute("SELECT * FROM tally")
        writer.writerow([column[0] for column in cursor.description])
        writer.writerows(cursor)
    conn.close()
    return time.perf_counter() - start


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="Open-data export benchmark against a baseline.")
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3, help="runs of the command")
    parser.add_argument("--smoke", action="store_true",
                        help="quick run: 3,000 records from 6 kiosks over 8 weeks")
    args = parser.parse_args(argv)
    shape = {"devices": 6, "week_count": 8} if args.smoke else {}
    if args.smoke:
        args.records, args.repeat = 3_000, 1
    with tempfile.TemporaryDirectory(prefix="hub-export-bench-") as tmp:
        tmp = Path(tmp)
        try:
            print(f"filling a hub with {args.records:,} records...", file=sys.stderr, flush=True)
            filled = fill(tmp / "hub.db", args.records, **shape)
            runs = [run_command(tmp / "hub.db", tmp / f"out-{i}") for i in range(args.repeat)]
            timings = phases(tmp / "hub.db", tmp / "in-process")
            bases = [baseline(tmp / "hub.db", tmp / f"tally-{i}.csv") for i in range(args.repeat)]
            size = sum(p.stat().st_size for p in (tmp / "out-0").iterdir())
        except (Failure, OSError) as failure:
            print(f"FAILED: {failure!s}", file=sys.stderr)
            return 1
    wall, base = statistics.median(runs), statistics.median(bases)
    print(f"\nOpen-data export of {filled['records']:,} records ({filled['tally_rows']:,} tally rows, "
          f"weeks {filled['weeks'][0]} to {filled['weeks'][1]}; filled in {filled['seconds']:.1f} s)")
    print(f"`kiosk hub export` (new process, {len(runs)} runs): median {wall:.2f} s, "
          f"max {max(runs):.2f} s; {size / 1024:.0f} KB written")
    print("in process: " + ", ".join(f"{k} {timings[k]:.2f} s"
                                     for k in ("read counts", "build + suppress", "write files")))
    print(f"cells {timings['cells']:,}, suppressed {timings['hidden']:,} "
          f"({timings['primary']:,} of 1 to 10 people)")
    print(f"BASELINE raw tally to CSV: median {base:.2f} s; export / baseline = {wall / base:.2f}x")
    verdict = "met" if max(runs) < TARGET_SECONDS else f"MISSED by {max(runs) - TARGET_SECONDS:.1f} s"
    print(f"target: export under {TARGET_SECONDS:.0f} s at 1,000,000 records (slowest here "
          f"{max(runs):.2f} s): {verdict}"
          + ("" if filled["records"] >= 1_000_000 else " (smaller run: indicative only)"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
