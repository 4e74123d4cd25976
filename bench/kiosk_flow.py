"""Kiosk flow benchmark: the real server, complete diagnostics, and a baseline in the same run.

What it measures, and how:

1. Starts the real kiosk (``kiosk init``, ``kiosk places import``, ``kiosk serve`` on
   waitress) on a temporary database and a free port; START-UP is the time from
   launching ``kiosk serve`` to its first 200 on ``/``; server RSS is read from
   ``/proc/<pid>/status`` (VmRSS) right then and again after all diagnostics.
2. One warm-up diagnostic (first option everywhere, so every screen is shown) measures
   the BYTES of each question screen: its HTML plus the CSS and JS it references
   (uncompressed); pictograms are fetched and listed apart (cached by the browser).
3. N diagnostics from C concurrent clients (threads, one cookie jar each): welcome,
   start, notice, every question (GET then POST; options drawn with a fixed seed, ~10 %
   "I don't know"), result, finish. Every status is checked: a wrong one exits 1.
4. The BASELINE (bench/baseline_app.py: a minimal Flask app on waitress, same thread
   count) serves a page of the median question-screen size and does one sqlite-utils
   insert per POST with the kiosk's pragmas; C clients send as many GET+POST pairs as
   the kiosk run answered questions.
5. Prints median and p95 latency per screen (ms), kiosk/baseline ratios, diagnostics
   per second, and whether each target is met. A missed target does not fail the run.
6. PERSONAS (bench/personas.py): three residents (78 and never online; 45, smartphone,
   help with procedures; 25 and at ease) walk the flow: question screens and pages seen,
   minutes at 12 s a screen, the profile and first step shown, and the weight of the
   result page (HTML + CSS + JS).

    .venv/bin/python bench/kiosk_flow.py [--diagnostics 1000] [--clients 4] [--smoke]

bench/benchkit.py holds the HTTP client, server processes and statistics;
bench/flow_report.py prints the report.
"""
from __future__ import annotations

import argparse
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

from benchkit import (CSRF, CSS_JS, FIRST_QUESTION, HOW, NONE_OF_THESE, OPTION, Client, Failure,
                      Latencies, Server, activities_form, expect, free_port, run_workers)
from flow_report import report
from personas import print_report, walk_all

ROOT = Path(__file__).resolve().parent.parent
QUESTIONNAIRE = ROOT / "questionnaires" / "diagnostic.yaml"
PLACES = ROOT / "questionnaires" / "data" / "lieux_03.csv"
COMMUNES = ["Moulins", "Vichy", "Montluçon", "Yzeure", "Cusset", "Gannat", "Commentry"]
IDK_RATE = 0.1
SEED = 2026

IMAGE = re.compile(r'<img [^>]*src="(/static/img/[^"]+)"')


def exclusive_options(path: Path) -> dict[str, set[str]]:
    """Option ids that must stand alone (``exclusive: true``), per multiple-choice screen."""
    screens = yaml.safe_load(path.read_text(encoding="utf-8"))["screens"]
    return {s["id"]: {o["id"] for o in s.get("options", []) if o.get("exclusive")}
            for s in screens if s.get("type") == "multiple"}


def token(page: str, what: str) -> str:
    """The page's CSRF token (a Failure if the form has none)."""
    match = CSRF.search(page)
    if not match:
        raise Failure(f"{what}: no csrf_token in the page")
    return match.group(1)


def choose(rng: random.Random, screen_id: str, page: str, exclusive: dict, warmup: bool) -> dict:
    """The form fields for one answer, read from the screen's own inputs."""
    if not warmup and rng.random() < IDK_RATE:
        return {"idk": "1"}
    if 'name="query"' in page:  # the commune screen
        return {"query": COMMUNES[0] if warmup else rng.choice(COMMUNES)}
    inputs = OPTION.findall(page)
    if not inputs:
        raise Failure(f"GET /q/{screen_id}: no answer options in the page")
    values = [value for _, value in inputs]
    hows = sorted(set(HOW.findall(page)))
    if hows:  # an activities screen: items ticked, each with how it was done
        items = [v for v in values if v != NONE_OF_THESE]
        if warmup:
            return activities_form({items[0]: "alone"})
        if rng.random() < 0.2:
            return activities_form({})
        picked = rng.sample(items, rng.randint(1, len(items)))
        return activities_form({item: rng.choice(hows) for item in picked})
    if warmup:
        return {"answer": values[0]}
    if inputs[0][0] == "checkbox":
        alone = exclusive.get(screen_id, set())
        combinable = [v for v in values if v not in alone]
        if alone and (rng.random() < 0.2 or not combinable):
            return {"answer": rng.choice(sorted(alone))}
        return {"answer": rng.sample(combinable, rng.randint(1, len(combinable)))}
    return {"answer": rng.choice(values)}


def diagnostic(client: Client, rng: random.Random, stats: Latencies, exclusive: dict,
               pages: dict | None = None) -> int:
    """One resident from welcome to finish; returns the number of questions answered.

    With ``pages`` (the warm-up), answers the first option everywhere and keeps each
    question screen's HTML in ``pages``.
    """
    client.cookies.clear()  # a new person at the kiosk

    def call(method, path, label, status, form=None):
        response = client.request(method, path, form)
        stats.add(label, method, response.seconds)
        return expect(response, status, f"{method} {path}")

    page = call("GET", "/", "welcome", 200).text()
    if call("POST", "/start", "start", 303, {"csrf_token": token(page, "GET /")}).path != "/notice":
        raise Failure("POST /start did not lead to /notice")
    match = FIRST_QUESTION.search(call("GET", "/notice", "notice", 200).text())
    path = match.group(1) if match else "/q/internet_ever"
    for answered in range(1, 100):
        screen_id = path.rsplit("/", 1)[-1]
        page = call("GET", path, screen_id, 200).text()
        if pages is not None:
            pages[screen_id] = page
        form = {"csrf_token": token(page, f"GET {path}"),
                **choose(rng, screen_id, page, exclusive, warmup=pages is not None)}
        path = call("POST", path, screen_id, 303, form).path
        if path == "/result":
            break
        if not path.startswith("/q/"):
            raise Failure(f"POST /q/{screen_id} redirected to {path!r}")
    else:
        raise Failure("the questionnaire never ended")
    page = call("GET", "/result", "result", 200).text()
    if call("POST", "/finish", "finish", 303, {"csrf_token": token(page, "GET /result")}).path != "/":
        raise Failure("POST /finish did not lead back to /")
    return answered


def fetch_assets(port: int, pages: dict) -> dict:
    """Bytes of the CSS+JS the question screens reference, and of each pictogram."""
    client, sizes = Client(port), {"css_js": {}, "images": {}}
    try:
        for page in pages.values():
            for css, js in CSS_JS.findall(page):
                sizes["css_js"].setdefault(css or js, None)
            for src in IMAGE.findall(page):
                sizes["images"].setdefault(src, None)
        for kind in sizes.values():
            for url in kind:
                kind[url] = len(expect(client.request("GET", url), 200, f"GET {url}").body)
    finally:
        client.close()
    return sizes


def start_kiosk(tmp: Path, threads: int) -> Server:
    """Run ``kiosk init`` and ``kiosk places import``; return ``kiosk serve``, not started."""
    kiosk = Path(sys.executable).with_name("kiosk")
    if not kiosk.exists():
        kiosk = ROOT / ".venv" / "bin" / "kiosk"
    env = {"KIOSK_DATABASE": str(tmp / "kiosk.db"), "KIOSK_SECRET_KEY": "bench"}
    for argv in ([str(kiosk), "init"], [str(kiosk), "places", "import", str(PLACES)]):
        done = subprocess.run(argv, env={**os.environ, **env}, cwd=ROOT,
                              capture_output=True, text=True)
        if done.returncode != 0:
            raise Failure(f"kiosk {' '.join(argv[1:])} failed:\n{done.stdout}{done.stderr}")
    port = free_port()
    return Server("kiosk serve", [str(kiosk), "serve", "--port", str(port),
                                  "--threads", str(threads)], env, ROOT, tmp / "kiosk.log", port)


def run_kiosk(server: Server, args, exclusive: dict) -> dict:
    """Start-up, warm-up diagnostic, then N diagnostics from C clients; the figures."""
    figures = {"startup": server.start("/"), "rss_start": server.rss()}
    pages, warm = {}, Client(server.port)
    try:
        diagnostic(warm, random.Random(SEED), Latencies(), exclusive, pages)
    finally:
        warm.close()
    figures["pages"] = {sid: len(page.encode()) for sid, page in pages.items()}
    figures["assets"] = fetch_assets(server.port, pages)
    stats, clients = Latencies(), [Client(server.port) for _ in range(args.clients)]
    answered, done = [0] * args.clients, [0] * args.clients

    def work(worker, job):
        try:
            answered[worker] += diagnostic(clients[worker], random.Random(SEED * 100_003 + job),
                                           stats, exclusive)
        except Failure as failure:
            raise Failure(f"diagnostic #{job} ({sum(done)} completed so far): {failure}") from None
        done[worker] += 1
        finished = sum(done)
        if args.diagnostics >= 100 and finished % (args.diagnostics // 10) == 0:
            print(f"  {finished}/{args.diagnostics} diagnostics, {time.perf_counter() - start:.0f} s",
                  file=sys.stderr, flush=True)

    start = time.perf_counter()
    try:
        errors = run_workers(args.clients, work, args.diagnostics)
    finally:
        for client in clients:
            client.close()
    figures["seconds"] = time.perf_counter() - start
    if errors:
        raise errors[0]
    if not server.alive():
        raise Failure(f"kiosk serve died:\n{server.tail()}")
    figures.update(stats=stats, questions=sum(answered), rss_end=server.rss())
    return figures


def run_baseline(tmp: Path, args, size: int, pairs: int) -> dict:
    """The baseline app: a few warm-up pairs, then ``pairs`` GET+POST pairs from C clients."""
    port = free_port()
    server = Server("baseline", [sys.executable, str(ROOT / "bench" / "baseline_app.py"),
                                 "--port", str(port), "--size", str(size), "--database",
                                 str(tmp / "baseline.db"), "--threads", str(args.threads)],
                    {}, ROOT, tmp / "baseline.log", port)
    stats, clients = Latencies(), [Client(port) for _ in range(args.clients)]

    def work(worker, job, record=stats):
        client = clients[worker]
        page = expect(client.request("GET", "/page"), 200, "baseline GET /page")
        if len(page.body) != size:
            raise Failure(f"baseline page is {len(page.body)} bytes, not {size}")
        hit = expect(client.request("POST", "/hit", {"answer": f"a{job % 4}", "csrf_token": "x" * 90}),
                     303, "baseline POST /hit")
        record.add("page", "GET", page.seconds)
        record.add("page", "POST", hit.seconds)

    try:
        figures = {"startup": server.start("/page")}
        errors = run_workers(args.clients, lambda w, j: work(w, j, Latencies()), 20 * args.clients)
        start = time.perf_counter()
        errors = errors or run_workers(args.clients, work, pairs)
        figures.update(seconds=time.perf_counter() - start, stats=stats, rss=server.rss())
    finally:
        for client in clients:
            client.close()
        server.stop()
    if errors:
        raise Failure(f"{errors[0]}\n--- baseline log ---\n{server.tail()}") from errors[0]
    return figures


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="Kiosk flow benchmark against a minimal baseline.")
    parser.add_argument("--diagnostics", type=int, default=1000, help="complete diagnostics to run")
    parser.add_argument("--clients", type=int, default=4, help="concurrent clients")
    parser.add_argument("--threads", type=int, default=4, help="waitress threads of both servers")
    parser.add_argument("--smoke", action="store_true", help="quick run: 20 diagnostics, 2 clients")
    args = parser.parse_args(argv)
    if args.smoke:
        args.diagnostics, args.clients = 20, 2
    exclusive = exclusive_options(QUESTIONNAIRE)
    with tempfile.TemporaryDirectory(prefix="kiosk-bench-") as tmp:
        tmp, server = Path(tmp), None
        try:
            server = start_kiosk(tmp, args.threads)
            kiosk = run_kiosk(server, args, exclusive)
            walked = walk_all(server.port)
            server.stop()
            server = None  # from here on, a failure is the baseline's
            size = round(statistics.median(kiosk["pages"].values()))
            pairs = kiosk["stats"].count("POST", kiosk["pages"])
            base = run_baseline(tmp, args, size, pairs)
            base["size"] = size
        except (Failure, OSError) as failure:
            print(f"FAILED: {failure!s}", file=sys.stderr)
            if server is not None:
                server.stop()
                print(f"--- kiosk serve log (last lines) ---\n{server.tail()}", file=sys.stderr)
            return 1
        finally:
            if server is not None:
                server.stop()
    report(args, kiosk, base)
    print_report(walked)
    return 0


if __name__ == "__main__":
    sys.exit(main())
