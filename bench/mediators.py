"""Mediators' benchmark: what a roster adds to a sync, and what a guided screen costs.

What it measures, and how (one run, temporary databases, the project's pragmas):

1. ROSTER SYNC. The real hub (``KIOSK_ROLE=hub kiosk serve``, waitress) on a free port,
   holding M mediators (inserted directly with one real scrypt hash: setup, not timed).
   A kiosk database with N records pending; ``kiosk.sync.client.run`` (what ``kiosk
   sync`` runs: contract, records, then the roster) sends them. The BASELINE is the same
   sync against a hub with no mediator (its roster is an empty list). Each is repeated
   (``--rounds``) on fresh databases, interleaved, the best kept. Also timed: the roster
   fetch alone (``kiosk.sync.roster.refresh``: GET, signature check, storage), and the
   size of the signed roster.
2. GUIDED SCREEN. In process (Flask's test client, no HTTP), a kiosk with a mediator
   unlocked: the activities screen of the questionnaire's first area, GET then POST with
   the same ticks, in a guided visit (with the mediator's observation of every item and
   a note) against the same screen in a self-service visit (the BASELINE). Median of
   ``--screens`` pairs each, interleaved. Reports milliseconds, the ratio, and the bytes
   of each page.

    .venv/bin/python bench/mediators.py [--records 2000] [--mediators 300] [--smoke]
"""
from __future__ import annotations

import argparse
import gc
import os
import re
import secrets
import statistics
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

from benchkit import Failure, Server, activities_form, free_port, run_main

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kiosk.mediation.codes import hash_code  # noqa: E402
from kiosk.storage import migrations  # noqa: E402
from kiosk.storage.db import connect, write_transaction  # noqa: E402
from kiosk.hub import schema  # noqa: E402
from kiosk.hub import store as hub_store  # noqa: E402
from tests.sample_records import make_records  # noqa: E402

NOW = datetime(2026, 6, 1, tzinfo=timezone.utc)


def hub_database(path: Path, mediators: int) -> str:
    """A fresh hub database with one device and ``mediators`` accounts; the token."""
    db = connect(path)
    migrations.migrate(db, schema.MIGRATIONS)
    code_hash = hash_code("12345678")
    with write_transaction(db):
        _, token = hub_store.add_device(db, site="Bench", commune="03190", epci="200071140",
                                        make_token=lambda i: f"{i}.bench-token-{i}", now=NOW)
        db.conn.executemany(
            "INSERT INTO mediators (name, structure, code_hash, created_at, code_set_at) "
            "VALUES (?, ?, ?, ?, ?)",
            [(f"Médiatrice numéro {n}", "France Services de l'Allier, antenne de Moulins",
              code_hash, NOW.isoformat(), NOW.isoformat()) for n in range(mediators)])
    db.close()
    return token


def sync_once(tmp: Path, records, mediators: int) -> dict:
    """Seconds of one ``kiosk sync`` of every record to a hub holding ``mediators``, and
    of the roster fetch alone just after it."""
    from kiosk.sync import client as sync
    from kiosk.sync import roster

    tmp.mkdir()
    hub_path = tmp / "hub.db"
    token = hub_database(hub_path, mediators)
    kiosk_path = tmp / "kiosk.db"
    db = connect(kiosk_path)
    migrations.migrate(db)
    with write_transaction(db):
        db["outbox"].insert_all([dict(r.outbox) for _, _, r in records])
    db.close()
    port = free_port()
    env = {"KIOSK_ROLE": "hub", "KIOSK_DATABASE": str(hub_path),
           "KIOSK_SECRET_KEY": secrets.token_urlsafe(48), "PYTHONPATH": str(ROOT)}
    server = Server("hub", [str(Path(sys.executable).with_name("kiosk")), "serve", "--port",
                            str(port), "--threads", "4"], env, tmp, tmp / "hub.log", port)
    server.start(probe="/api/v1/openapi.json")
    try:
        settings = sync.Settings(url=f"http://127.0.0.1:{port}", token=token, batch_size=500,
                                 base=0.01, ceiling=0.1, attempts=3, timeout=60)
        kiosk_db = connect(kiosk_path)
        start = time.perf_counter()
        outcome = sync.run(kiosk_db, settings)
        seconds = time.perf_counter() - start
        start = time.perf_counter()
        fetched = roster.refresh(kiosk_db, settings, sync.http_get, datetime.now(timezone.utc))
        fetch = time.perf_counter() - start
        size = len(kiosk_db.execute("select body from roster").fetchone()[0].encode())
        kiosk_db.close()
    finally:
        server.stop()
    if outcome.exit_status != 0 or outcome.delivered != len(records):
        raise Failure(f"sync did not deliver everything: {outcome}")
    if outcome.roster != "updated" or fetched != "updated":
        raise Failure(f"the roster was not kept: {outcome.roster!r}, then {fetched!r}")
    return {"seconds": seconds, "fetch": fetch, "bytes": size}


def bench_roster(tmp: Path, records, mediators: int, rounds: int) -> dict:
    best: dict = {}
    for n in range(rounds):
        for key in (0, mediators):
            run = sync_once(tmp / f"sync-{key}-{n}", records, key)
            if key not in best or run["seconds"] < best[key]["seconds"]:
                best[key] = dict(run, fetch=min(run["fetch"], best.get(key, run)["fetch"]))
    return best


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=2_000)
    parser.add_argument("--mediators", type=int, default=300,
                        help="accounts on the hub (the Allier has about 60 mediators)")
    parser.add_argument("--screens", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--smoke", action="store_true", help="a quick check: small and once")
    args = parser.parse_args()
    if args.smoke:
        args.records, args.mediators, args.screens, args.rounds = 200, 30, 20, 1
    for name in ("http_proxy", "HTTP_PROXY"):
        os.environ.pop(name, None)
    records = sorted(make_records(args.records, seed=2026),
                     key=lambda r: r[2].outbox["created_at"])
    gc.collect()
    gc.freeze()
    with tempfile.TemporaryDirectory(prefix="bench-mediators-") as folder:
        tmp = Path(folder)
        sync = bench_roster(tmp, records, args.mediators, args.rounds)
        screens = guided_screens(tmp / "screens", args.screens)
    base, with_roster = sync[0], sync[args.mediators]
    print(f"Roster sync: {args.records} records pending, best of {args.rounds} rounds")
    print(f"  sync, hub with no mediator (BASELINE)      {base['seconds']:8.3f} s")
    print(f"  sync, hub with {args.mediators} mediators{'':<17}{with_roster['seconds']:8.3f} s"
          f"  ratio {with_roster['seconds'] / base['seconds']:.2f}x")
    print(f"  roster fetch alone, {args.mediators} mediators{'':<12}"
          f"{with_roster['fetch'] * 1000:8.1f} ms ({with_roster['bytes']:,} bytes held; "
          f"{with_roster['fetch'] / base['seconds']:.1%} of the baseline sync)")
    print(f"  roster fetch alone, empty roster{'':<11}{base['fetch'] * 1000:8.1f} ms")
    print_screens(screens)
    return 0


# The way to the first activities screen, and two answers to it that differ (each POST
# then stores something, in both modes).
TO_ACTIVITIES = {"internet_ever": {"answer": "yes"}, "last_use": {"answer": "3m"},
                 "devices": {"answer": ["smartphone"]}, "home_connection": {"answer": "box"}}
SCREEN = "act_information"
ITEMS = ("info_goods", "info_health", "info_news", "info_check")
ANSWERS = (activities_form({item: "alone" for item in ITEMS}),
           activities_form({item: "helped" for item in ITEMS[:2]}))
OBSERVED = ({f"observed-{item}": "autonome" for item in ITEMS},
            {f"observed-{item}": "partiellement_autonome" for item in ITEMS})
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


class Browser:
    """One kiosk browser in process: Flask's test client, with the form token."""

    def __init__(self, app):
        self.client = app.test_client()
        self.token = ""

    def get(self, path: str, status: int = 200):
        response = self.client.get(path)
        if response.status_code != status:
            raise Failure(f"GET {path}: {response.status_code}")
        found = TOKEN.search(response.get_data(as_text=True))
        self.token = found.group(1) if found else self.token
        return response

    def post(self, path: str, form: dict, status: int = 303):
        response = self.client.post(path, data={**form, "csrf_token": self.token})
        if response.status_code != status:
            raise Failure(f"POST {path}: {response.status_code}")
        return response


def guided_screens(tmp: Path, pairs: int) -> dict:
    """Median milliseconds of GET + POST of one activities screen, in a guided visit
    (observations of every item and a note each time) and in a self-service one."""
    from kiosk import create_app
    from kiosk.storage import store

    tmp.mkdir()
    database = tmp / "kiosk.db"
    db = connect(database)
    migrations.migrate(db)
    store.add_local_mediator(db, "Zoé Martin", "Médiathèque de Moulins",
                             hash_code("11112222"), NOW)
    db.close()
    app = create_app({"DATABASE": str(database), "SECRET_KEY": "bench", "LANGUAGES": "fr"})
    resident, mediator = Browser(app), Browser(app)
    resident.get("/")
    resident.post("/start", {})
    mediator.get("/mediateur")
    mediator.post("/mediateur", {"name": "Zoé Martin", "code": "11112222"})
    mediator.get("/mediateur/accueil")
    mediator.post("/mediateur/guide", {"lang": "fr"})
    for browser in (resident, mediator):
        for screen, form in TO_ACTIVITIES.items():
            browser.get(f"/q/{screen}")
            browser.post(f"/q/{screen}", form)
    times: dict[str, list[float]] = {"self": [], "guided": []}
    size = {}
    for n in range(pairs):
        for mode, browser in (("self", resident), ("guided", mediator)):
            form = dict(ANSWERS[n % 2])
            if mode == "guided":
                form.update(OBSERVED[n % 2], note=f"Note {n % 2} : a lu les avis seule.")
            start = time.perf_counter()
            page = browser.get(f"/q/{SCREEN}")
            browser.post(f"/q/{SCREEN}", form)
            times[mode].append(time.perf_counter() - start)
            size[mode] = len(page.data)
    guided_page = mediator.get(f"/q/{SCREEN}").get_data(as_text=True)
    if guided_page.count('class="observation ') != len(ITEMS):
        raise Failure("the guided screen does not offer an observation for every item")
    return {"screen": SCREEN, "pairs": pairs,
            **{mode: {"ms": statistics.median(t) * 1000, "bytes": size[mode]}
               for mode, t in times.items()}}


def print_screens(screens: dict) -> None:
    self_ms, guided_ms = screens["self"]["ms"], screens["guided"]["ms"]
    print(f"\nGuided screen ({screens['screen']}: GET then POST, in process, median of "
          f"{screens['pairs']})")
    print(f"  self-service (BASELINE)   {self_ms:7.2f} ms  page {screens['self']['bytes']:,} bytes")
    print(f"  guided, observed + note   {guided_ms:7.2f} ms  page "
          f"{screens['guided']['bytes']:,} bytes  ratio {guided_ms / self_ms:.2f}x")


if __name__ == "__main__":
    run_main(main)
