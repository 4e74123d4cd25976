"""The printed report of bench/kiosk_flow.py: latency table, figures, targets met or missed."""
from __future__ import annotations

import statistics

from benchkit import percentile

TARGET_RATIO, TARGET_KB, TARGET_RSS_MB, TARGET_START_S = 1.5, 30, 100, 2.0
TARGET_DIAGNOSTICS = 1000  # the RSS target is stated for this many diagnostics


def fmt(value, unit="", digits=1) -> str:
    """A number for the table, '-' when there is none."""
    return "-" if value is None else f"{value:.{digits}f}{unit}"


def latency_table(args, kiosk: dict, base: dict) -> dict:
    """Print median/p95 per screen and method; return {(screen, method): ratio}."""
    k, b = kiosk["stats"], base["stats"]
    base_median = {m: percentile(b.get("page", m), 50) for m in ("GET", "POST")}
    rows = ["welcome", "start", "notice", *kiosk["pages"], "result", "finish"]
    head = (f"{'screen':<16}{'n':>6}{'GET med':>9}{'p95':>8}{'POST med':>10}{'p95':>8}"
            f"{'GET x':>8}{'POST x':>8}")
    print(f"\nLatency per screen, ms ({args.diagnostics} diagnostics, {args.clients} clients, "
          f"{args.threads} server threads; x = kiosk median / baseline median)")
    print(f"{head}\n{'-' * len(head)}")
    ratios = {}
    for label in rows + ["BASELINE"]:
        samples = {m: (b.get("page", m) if label == "BASELINE" else k.get(label, m))
                   for m in ("GET", "POST")}
        cells = []
        for method, values in samples.items():
            cells += [fmt(percentile(values, 50)), fmt(percentile(values, 95))]
            if values and label != "BASELINE":
                ratios[(label, method)] = percentile(values, 50) / base_median[method]
        count = max(len(v) for v in samples.values())
        print(f"{label:<16}{count:>6}{cells[0]:>9}{cells[1]:>8}{cells[2]:>10}{cells[3]:>8}"
              f"{fmt(ratios.get((label, 'GET')), 'x', 2):>8}"
              f"{fmt(ratios.get((label, 'POST')), 'x', 2):>8}")
    return ratios


def figures(args, kiosk: dict, base: dict) -> float:
    """Print throughput, bytes, RSS and start-up; return the largest screen's KB."""
    pairs = len(base["stats"].get("page", "GET"))
    print(f"\nDiagnostics per second: {args.diagnostics / kiosk['seconds']:.2f} "
          f"({args.diagnostics} in {kiosk['seconds']:.1f} s, "
          f"{kiosk['questions'] / args.diagnostics:.1f} questions each); "
          f"baseline: {pairs / base['seconds']:.1f} GET+POST pairs/s ({pairs} pairs)")
    sizes, css_js = kiosk["pages"], kiosk["assets"]["css_js"]
    biggest = max(sizes, key=sizes.get)
    total_kb = (sizes[biggest] + sum(css_js.values())) / 1024
    print(f"Question screen bytes: HTML median {statistics.median(sizes.values()):.0f}, "
          f"max {sizes[biggest]} ({biggest}); + "
          + " + ".join(f"{url} {n}" for url, n in css_js.items())
          + f" = {total_kb:.1f} KB at most (baseline page: {base['size']} bytes)")
    images = kiosk["assets"]["images"]
    print(f"Pictograms (cached apart, {sum(images.values())} bytes in all): "
          + ", ".join(f"{url.rsplit('/', 1)[-1]} {n}" for url, n in images.items()))
    print(f"Server RSS: {fmt(kiosk['rss_start'], ' MB')} at start, "
          f"{fmt(kiosk['rss_end'], ' MB')} after the run (baseline after its run: "
          f"{fmt(base['rss'], ' MB')})")
    print(f"Start-up: {kiosk['startup']:.2f} s from launching `kiosk serve` to the first 200 "
          f"on / (baseline: {base['startup']:.2f} s)")
    return total_kb


def targets(args, kiosk: dict, ratios: dict, total_kb: float) -> None:
    """Print each target as met or MISSED (informative only: never fails the run)."""
    def verdict(ok, text):
        print(f"  [{'met' if ok else 'MISSED'}] {text}")

    print("\nTargets (informative: a miss does not fail the run)")
    over = sorted((r, label, m) for (label, m), r in ratios.items() if r > TARGET_RATIO)
    worst = ", ".join(f"{m} {label} {r:.2f}x" for r, label, m in reversed(over[-4:]))
    verdict(not over, f"median per screen <= {TARGET_RATIO}x baseline: "
            + (f"over on {len(over)}/{len(ratios)} screen requests; worst: {worst}" if over
               else f"all {len(ratios)} screen requests within"))
    verdict(total_kb <= TARGET_KB,
            f"question screen HTML+CSS+JS <= {TARGET_KB} KB: {total_kb:.1f} KB")
    rss = kiosk["rss_end"]
    note = ("" if args.diagnostics >= TARGET_DIAGNOSTICS else
            f" (target stated for {TARGET_DIAGNOSTICS:,} diagnostics; this run: {args.diagnostics})")
    verdict(rss is not None and rss <= TARGET_RSS_MB,
            f"RSS <= {TARGET_RSS_MB} MB after the run: {fmt(rss, ' MB')}{note}")
    verdict(kiosk["startup"] <= TARGET_START_S,
            f"serve answering within {TARGET_START_S:.0f} s: {kiosk['startup']:.2f} s")


def report(args, kiosk: dict, base: dict) -> None:
    """Print the whole report."""
    ratios = latency_table(args, kiosk, base)
    total_kb = figures(args, kiosk, base)
    targets(args, kiosk, ratios, total_kb)
