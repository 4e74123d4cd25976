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
6. SPARSE QUARTER: a hub of 110 kiosks with about 2,000 records over 13 weeks (the
   hardest case for the audit: many small cells), where 8 publications of parts of
   the quarter are registered first (months, halves, overlapping periods, a month
   published again after late records); then the quarter itself is published with
   ``kiosk hub export --publish`` (a new process, audited against the 8). Prints its
   time against the dashboard's method on the same counts in this process (the
   baseline, same run), and how many cells each hides. Target: under 60 s.

    .venv/bin/python bench/hub_export.py [--records 1000000] [--repeat 3] [--smoke]
"""
from __future__ import annotations

import argparse
import csv
import re
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
from hubfill import FRAME, fill

from kiosk.config import DEFAULTS
from kiosk.storage.db import connect
from kiosk.hub import opendata, reports, stats, tables
from kiosk.hub.weeks import Window, service_start
from kiosk.hub.epci import load_epci
from kiosk.hub.suppression import is_sensitive
from kiosk.diagnostic.resources import load_questionnaire_files

ROOT = Path(__file__).resolve().parent.parent
TARGET_SECONDS = 10.0


def run_command(database: Path, folder: Path, *args: str) -> float:
    seconds, _ = run_export(database, folder, *args)
    return seconds


def run_export(database: Path, folder: Path, *args: str) -> tuple[float, str]:
    """``kiosk hub export`` as a new process, its files checked: (seconds, output)."""
    start = time.perf_counter()
    done = subprocess.run([kiosk(), "hub", "export", "--output", str(folder), *args],
                          env=hub_env(database), cwd=ROOT, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if done.returncode:
        raise Failure(f"kiosk hub export failed:\n{done.stdout}{done.stderr}")
    for name in (opendata.WEEKLY, opendata.BREAKDOWN, "datapackage.json"):
        if not (folder / name).is_file():
            raise Failure(f"kiosk hub export wrote no {name}")
    for name, column in ((opendata.WEEKLY, "diagnostics"), (opendata.BREAKDOWN, "effectif")):
        for row in opendata.read_csv(folder / name):
            if row[column] != "s" and is_sensitive(int(row[column])):
                raise Failure(f"{name}: a published count of {row[column]}")
    return seconds, done.stdout


def phases(database: Path, folder: Path) -> dict:
    """The export's work in this process, timed phase by phase."""
    names = load_epci(ROOT / "questionnaires" / "data" / "epci_03.csv")
    questionnaire = load_questionnaire_files(ROOT / "questionnaires" / "diagnostic.yaml",
                                             ROOT / "questionnaires" / "offers.yaml")
    timings = {}
    start = time.perf_counter()
    db = connect(database)
    window = Window(service_start(DEFAULTS["HUB_SERVICE_START"]), datetime.now(timezone.utc).date())
    with reports.snapshot(db):
        span = reports.readable(db, window, *reports.week_range(db, window, FRAME), FRAME)
        breakdown = reports.counts_by_epci(db, "residence", span)
        by_week = reports.counts_by_week(db, "residence", span)
        weekly = Counter({(w, s): n for (w, s, _), n in reports.weekly(db, "site", span).items()})
    first, last = span.first, span.last
    db.close()
    timings["read counts"] = time.perf_counter() - start
    start = time.perf_counter()
    layout = export_layout(span.weeks(), weekly, breakdown, names, questionnaire)
    snapshot = opendata.Snapshot(tuple(layout.weeks), weekly, by_week)
    outcome = opendata.build(snapshot, layout, protection=5)
    built = outcome.tables
    published = built.published(outcome.hidden)
    timings["build + suppress"] = time.perf_counter() - start
    start = time.perf_counter()
    opendata.write(folder, layout, published, names, first=first, last=last,
                   now=datetime.now(timezone.utc))
    timings["write files"] = time.perf_counter() - start
    timings["cells"], timings["hidden"] = len(published.values), len(published.hidden)
    timings["primary"] = sum(1 for n in published.values.values() if is_sensitive(n))
    return timings


def export_layout(weeks, weekly, breakdown, names, questionnaire) -> opendata.Layout:
    """The layout `kiosk hub export` makes of these counts (of FRAME)."""
    from kiosk.hub import frames
    from kiosk.hub.dashboard import language_name

    frame = frames.spec(FRAME)
    return opendata.Layout(
        weeks=weeks, frame=frame,
        site_columns=tables.epci_order({s for _, s in weekly} | set(names), names),
        residence_columns=tables.epci_order({r for *_, r in breakdown} | set(names) | {""}, names),
        variables=tables.variables(questionnaire, {(d, v) for d, v, _ in breakdown},
                                   language_name, frame))


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


def late_records(database: Path, week: str, count: int, seed: int = 7) -> None:
    """``count`` records of ``week`` arriving late (a USB file), as ingestion counts them."""
    import random

    from hubfill import EPCI, POOL, draw

    from kiosk.storage.db import write_transaction
    from kiosk.hub import store, tally

    rng = random.Random(seed)
    pool = [tally.facts(draw(rng)) for _ in range(min(POOL, 200))]
    increments = Counter()
    for _ in range(count):
        base = (week, 1, EPCI[0], rng.choice([EPCI[0], ""]), FRAME)
        for dimension, value in pool[rng.randrange(len(pool))]:
            increments[(dimension, value) + base] += 1
    db = connect(database)
    with write_transaction(db):
        store.add_tally(db, increments)
    db.close()


def dashboard_method(database: Path, first: str, last: str) -> tuple[float, int, int]:
    """The dashboard's method (elimination only) on the counts of one period, in this
    process: (seconds, cells, hidden)."""
    from kiosk.hub.suppression import protect

    names = load_epci(ROOT / "questionnaires" / "data" / "epci_03.csv")
    questionnaire = load_questionnaire_files(ROOT / "questionnaires" / "diagnostic.yaml",
                                             ROOT / "questionnaires" / "offers.yaml")
    start = time.perf_counter()
    db = connect(database)
    window = Window(service_start(DEFAULTS["HUB_SERVICE_START"]), datetime.now(timezone.utc).date())
    with reports.snapshot(db):
        span = reports.readable(db, window, first, last, FRAME)
        breakdown = reports.counts_by_epci(db, "residence", span)
        weekly = Counter({(w, s): n for (w, s, _), n
                          in reports.weekly(db, "site", span).items()})
    db.close()
    layout = export_layout(stats.weeks_between(first, last), weekly, breakdown, names,
                           questionnaire)
    built = opendata.linked_tables(layout, layout.weeks, weekly, breakdown)
    published = built.published(protect(built.values, built.sums))  # aliases counted
    return time.perf_counter() - start, len(published.values), len(published.hidden)


SUPPRESSED = re.compile(r"(\d+) of (\d+) cells suppressed \((\d+) to protect, (\d+) more")


def sparse_quarter(tmp: Path, smoke: bool) -> dict:
    """The audited publication of a sparse quarter after registered publications."""
    # A smaller run: 3 kiosks, 4 weeks, one registered publication.
    devices, records, week_count = (3, 1_200, 4) if smoke else (110, 2_000, 13)
    filled = fill(tmp / "sparse.db", records, devices=devices, week_count=week_count)
    weeks = stats.weeks_between(*filled["weeks"])
    late = weeks[min(5, len(weeks) - 1)]  # week 6's records arrive after its month was published
    plan = [(0, 3), (4, 7), (8, 12), ("late", 4, 7), (0, 5), (6, 12), (0, 7), (4, 12)]
    if smoke:
        plan = [(0, 1)]
    registered = []
    for step in plan:
        if step[0] == "late":
            late_records(tmp / "sparse.db", late, 6)
            step = step[1:]
        first, last = weeks[step[0]], weeks[step[1]]
        seconds, _ = run_export(tmp / "sparse.db", tmp / f"pub-{len(registered)}",
                                "--from", first, "--to", last, "--publish")
        registered.append((f"{first}..{last}", seconds))
    seconds, output = run_export(tmp / "sparse.db", tmp / "quarter", "--from", weeks[0],
                                 "--to", weeks[-1], "--publish")
    found = SUPPRESSED.search(output)
    if not found:
        raise Failure(f"unexpected output of kiosk hub export:\n{output}")
    hidden, cells, _, more = map(int, found.groups())
    base_seconds, base_cells, base_hidden = dashboard_method(tmp / "sparse.db", weeks[0], weeks[-1])
    return {"devices": devices, "records": filled["records"] + (6 if not smoke else 0),
            "weeks": f"{weeks[0]}..{weeks[-1]}", "registered": registered,
            "seconds": seconds, "cells": cells, "hidden": hidden, "beyond": more,
            "base_seconds": base_seconds, "base_hidden": base_hidden}


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
            sparse = None
            if not args.smoke:  # minutes on sparse data: tests/test_hub_audit.py covers the path
                print("publishing a sparse quarter after registered publications...",
                      file=sys.stderr, flush=True)
                sparse = sparse_quarter(tmp, args.smoke)
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
    if sparse is None:
        print("\nSPARSE QUARTER: not run by --smoke (it takes minutes)")
        return 0
    print(f"\nSPARSE QUARTER: {sparse['devices']} kiosks, {sparse['records']:,} records, "
          f"weeks {sparse['weeks']}; {len(sparse['registered'])} registered publications first ("
          + ", ".join(f"{period} {seconds:.1f} s" for period, seconds in sparse["registered"])
          + ")")
    print(f"`kiosk hub export --publish` of the quarter, audited against them (new process): "
          f"{sparse['seconds']:.2f} s; {sparse['hidden']} of {sparse['cells']} cells hidden")
    print(f"BASELINE dashboard's method on the same quarter, in process: "
          f"{sparse['base_seconds']:.2f} s, {sparse['base_hidden']} cells hidden; the audit "
          f"hides {sparse['hidden'] - sparse['base_hidden']} more; audited publication / "
          f"baseline = {sparse['seconds'] / max(sparse['base_seconds'], 1e-9):.0f}x")
    verdict = ("met" if sparse["seconds"] < 60 else
               f"MISSED by {sparse['seconds'] - 60:.1f} s")
    print(f"target: the audited quarter under 60 s: {verdict}"
          + (" (smoke run: indicative only)" if args.smoke else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
