"""The Bourbon'Net bus's laptop: screen time and memory with eight tablets against one.

What it measures, and how (one run, one temporary database):

1. Starts the real kiosk (``kiosk init``, ``kiosk places import``, ``kiosk serve`` on
   waitress with its default 4 threads, as ``kiosk serve --host 0.0.0.0 --network``
   runs on the bus) on a free port.
2. The BASELINE: one tablet (one client, its own cookie jar) completes ``--diagnostics``
   diagnostics in a row (bench/kiosk_flow.py's resident: welcome to finish, options
   drawn with a fixed seed, about 10 % "I don't know").
3. EIGHT TABLETS: eight clients at once (threads), each completing as many diagnostics.
4. SCREEN TIME is what a resident waits between tapping "Suivant" and seeing the next
   screen: an answer's POST plus the GET of the page it leads to. Server RSS
   (``/proc/<pid>/status`` VmRSS) is read after each phase. Prints median and p95 screen
   time and RSS for both, and the eight/one ratios. A slow run does not fail the bench;
   a wrong status does (exit 1).

    .venv/bin/python bench/bus.py [--diagnostics 30] [--tablets 8] [--smoke]
"""
from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import threading
from pathlib import Path

from benchkit import Client, Failure, Latencies, percentile, run_main, run_workers
from kiosk_flow import QUESTIONNAIRE, SEED, diagnostic, exclusive_options, start_kiosk

THREADS = 4  # `kiosk serve`'s default


class ScreenTimes(Latencies):
    """Latencies that also pair each POST with the GET that follows it on the same
    client (thread): the time from "Suivant" to the next screen."""

    def __init__(self):
        super().__init__()
        self.waits: list[float] = []
        self._last = threading.local()

    def add(self, label: str, method: str, seconds: float) -> None:
        super().add(label, method, seconds)
        posted = getattr(self._last, "post", None)
        if method == "POST":
            self._last.post = seconds
        elif posted is not None:
            with self._lock:
                self.waits.append(posted + seconds)
            self._last.post = None


def phase(port: int, tablets: int, diagnostics: int, exclusive: dict) -> ScreenTimes:
    """``tablets`` clients at once, each completing ``diagnostics`` diagnostics."""
    stats, clients = ScreenTimes(), [Client(port) for _ in range(tablets)]

    def work(worker, job):
        diagnostic(clients[worker], random.Random(SEED * 7919 + job), stats, exclusive)

    try:
        errors = run_workers(tablets, work, tablets * diagnostics)
    finally:
        for client in clients:
            client.close()
    if errors:
        raise Failure(str(errors[0]))
    return stats


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--diagnostics", type=int, default=30,
                        help="diagnostics each tablet completes")
    parser.add_argument("--tablets", type=int, default=8, help="tablets at once")
    parser.add_argument("--smoke", action="store_true", help="quick run: 2 diagnostics each")
    args = parser.parse_args(argv)
    if args.smoke:
        args.diagnostics = 2
    exclusive = exclusive_options(QUESTIONNAIRE)
    with tempfile.TemporaryDirectory(prefix="kiosk-bus-bench-") as tmp:
        server = start_kiosk(Path(tmp), THREADS)
        try:
            server.start("/")
            phase(server.port, 1, 1, exclusive)             # warm-up, not counted
            figures = {}
            for tablets in (1, args.tablets):
                stats = phase(server.port, tablets, args.diagnostics, exclusive)
                if not server.alive():
                    raise Failure(f"kiosk serve died:\n{server.tail()}")
                figures[tablets] = (stats.waits, server.rss())
        finally:
            server.stop()
    print(f"Bourbon'Net bus: {args.diagnostics} diagnostics a tablet, "
          f"`kiosk serve` with {THREADS} threads")
    print(f"{'tablets':>8} {'screens':>8} {'median ms':>10} {'p95 ms':>8} {'RSS MB':>8}")
    rows = {}
    for tablets, (waits, rss) in figures.items():
        median, p95 = statistics.median(waits) * 1000, percentile(waits, 95)
        rows[tablets] = (median, p95, rss)
        print(f"{tablets:>8} {len(waits):>8} {median:>10.1f} {p95:>8.1f} "
              f"{rss if rss is not None else float('nan'):>8.1f}")
    (m1, p1, r1), (m8, p8, r8) = rows[1], rows[args.tablets]
    ratio = f"RSS x{r8 / r1:.2f}" if r1 and r8 else "RSS n/a"
    print(f"{args.tablets} tablets / 1: median x{m8 / m1:.2f}, p95 x{p8 / p1:.2f}, {ratio}")
    return 0


if __name__ == "__main__":
    run_main(main)
