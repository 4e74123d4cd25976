"""A hub database holding the counts of N records, as ingestion leaves them.

Shared by bench/hub_dashboard.py and bench/hub_export.py. The records are of the
latest frame (questionnaire 2026.3: levels and indicators headline and strict; ``frame="1"``
draws those of the questionnaires up to 2026.2), drawn from a plausible population (85 % complete; levels, indicators, needs and offers that hang
together; people mostly living in the kiosk's EPCI; abandons on early screens more
often), spread over ``devices`` kiosks in the 12 EPCI and ``weeks`` ISO weeks. What a
record adds is ``kiosk.hub.tally.facts`` (the real function, applied to a pool of
distinct records drawn once); the counts go in through ``kiosk.hub.store.add_tally``
(the real write path, roll-ups included), one transaction per kiosk.
"""
from __future__ import annotations

import random
import time
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

import yaml

from kiosk.storage import migrations
from kiosk.storage.db import connect, write_transaction
from kiosk.hub import frames, schema, store, tally
from kiosk.sync import contract

FRAME = contract.LATEST_FRAME  # the frame the dashboard shows by default

ROOT = Path(__file__).resolve().parent.parent
EPCI = ["200071082", "200071140", "200071363", "200071512", "200071470", "200071884",
        "200071389", "200071496", "240300657", "240300491", "240300558", "240300566"]
QUESTIONNAIRE = yaml.safe_load((ROOT / "questionnaires" / "diagnostic.yaml").read_text("utf-8"))
# Frame "2" is the current questionnaire's; frame "1" had its own screens and areas.
SCREENS = {"2": [s["id"] for s in QUESTIONNAIRE["screens"]],
           "1": [screen for screen, _ in frames.FRAME_1.screens]}
AREAS = {"2": [a["id"] for a in QUESTIONNAIRE["areas"]],
         "1": [area for area, _ in frames.FRAME_1.areas]}
AGE_BANDS = {"2": ["16-29", "30-44", "45-59", "60-74", "75+", None, "0-15"],
             "1": ["15-29", "30-44", "45-59", "60-74", "75+", None, "15-29"]}
NEEDS = [n["id"] for n in QUESTIONNAIRE["needs"]]
OFFERS = [o["id"] for o in yaml.safe_load(
    (ROOT / "questionnaires" / "offers.yaml").read_text("utf-8"))["offers"]]
POOL = 4000


def draw(rng: random.Random, frame: str = FRAME, non_users: float = 0.12,
         guided: float = 0.0) -> dict:
    """One plausible record of ``frame`` (the fields the tally reads): ``non_users`` of
    the complete ones never use the internet, ``guided`` are made with a mediator."""
    complete = rng.random() < 0.85
    version = {"schema_version": 1} if frame == "1" else {
        "kind": contract.DIAGNOSTIC, "schema_version": 3, "frame": frame}
    record = {**version, "complete": complete,
              "mode": "guided" if rng.random() < guided else "self",
              "language": rng.choices(["fr", "ar", "uk", "tr", "pt", "en", "es"],
                                      [85, 4, 3, 3, 2, 2, 1])[0],
              "age_band": rng.choices(AGE_BANDS[frame], [8, 12, 18, 30, 22, 10, 1])[0],
              "situation": rng.choices(["employed", "job_seeker", "retired", "student", "other",
                                        "no_answer", None], [18, 10, 45, 5, 8, 4, 10])[0]}
    if not complete:
        # Early screens lose more people than late ones.
        screens = SCREENS[frame]
        record["last_screen"] = screens[min(int(rng.expovariate(0.15)), len(screens) - 1)]
        return record
    areas = AREAS[frame]
    non_user = rng.random() < non_users
    ease = 0 if non_user else rng.choice([0, 1, 1, 2, 2])
    levels = {a: 0 if non_user else max(0, min(2, ease + rng.choice([-1, 0, 0, 1])))
              for a in areas}
    lacking = sum(1 for a in areas if levels[a] == 0)
    needs = [n for n in NEEDS if rng.random() < (0.5 if lacking >= 3 else 0.15)]
    record.update(levels=levels, profile=["discovering", "first_steps", "getting_along",
                                          "autonomous"][min(3, sum(levels.values()) // 3)],
                  needs=needs, offers=rng.sample(OFFERS, rng.randint(2, 4)))
    if frame == "1":
        record["indicators"] = {
            "insee2019_illectronism": non_user or all(levels[a] == 0 for a in areas[:4]),
            "insee2021_illectronism": non_user or lacking >= 4,
            "dsi_at_least_basic": not non_user and lacking == 0}
        return record
    # Some of what was done, done with help: the strict levels are at most the headline.
    strict = {a: max(0, level - (rng.random() < 0.25)) for a, level in levels.items()}
    lacking_strict = sum(1 for a in areas if strict[a] == 0)
    band, flags = record["age_band"], {}
    if band not in (None, "0-15"):  # INSEE: 15 and over; "0-15" straddles it
        flags.update(insee2021_illectronism=non_user or lacking >= 4,
                     insee2021_illectronism_strict=non_user or lacking_strict >= 4,
                     insee2019_illectronism_approx=non_user or lacking >= 4,
                     insee2019_illectronism_approx_strict=non_user or lacking_strict >= 4)
    if band not in (None, "0-15", "75+"):  # DSI: 16 to 74
        flags.update(dsi_at_least_basic=not non_user and lacking == 0,
                     dsi_at_least_basic_strict=not non_user and lacking_strict == 0)
    record.update(levels_strict=strict, indicators=flags)
    return record


def weeks(count: int) -> list[str]:
    """``count`` consecutive ISO weeks ending with the week of 2026-03-02."""
    end = date(2026, 3, 2)
    days = [end - timedelta(weeks=count - 1 - i) for i in range(count)]
    return [f"{d.isocalendar()[0]}-W{d.isocalendar()[1]:02d}" for d in days]


# The planted pattern (``planted=True``): facts a reader of the dashboard must find.
UNDER_REACHED = "200071389"  # CC Saint-Pourçain Sioule Limagne: few kiosk visits
UNDER_REACH_WEIGHT = 0.05    # its kiosks get this share of an ordinary kiosk's records
NON_USERS = (0.30, 0.10)     # the share of non-users, first week to last: falling
PHASES = 6                   # record pools along the period (one per sixth of the weeks)
GUIDED = 0.15                # diagnostics made with a mediator
MEDIATOR_RECORDS = 0.03      # activity records, follow-ups and screenings per diagnostic


def mediator_record(rng: random.Random, week: str, epci: str) -> dict:
    """One of a mediator's records: an accompaniment, a follow-up or a counter screening."""
    from kiosk.mediation import coop

    kind = rng.choices([contract.ACTIVITY, contract.FOLLOWUP, contract.SCREENING], [6, 2, 2])[0]
    head = {"kind": kind, "schema_version": 1, "site_epci": epci, "week": week}
    if kind == contract.ACTIVITY:
        return {**head, "mode": rng.choices(contract.ACTIVITY_MODES, [5, 3, 2])[0],
                "duration_band": rng.choice(contract.DURATION_BANDS),
                "themes": rng.sample(coop.THEMES, rng.randint(1, 3)),
                "autonomy": rng.choice(coop.AUTONOMY), "referral": None}
    if kind == contract.FOLLOWUP:
        return {**head, "frame": FRAME, "mode": rng.choice(contract.MODES),
                "weeks_band": rng.choice(contract.WEEKS_BANDS[:3]),
                "change": {a: rng.choices(contract.CHANGES, [1, 5, 4])[0] for a in AREAS[FRAME]},
                "takeup": {o: rng.choices(contract.TAKEUP, [5, 2, 1, 1, 1, 1])[0]
                           for o in rng.sample(OFFERS, 2)}}
    return {**head, "orientation": rng.choices(contract.ORIENTATIONS, [5, 3, 2])[0]}


def fill(path: Path, records: int, devices: int = 30, week_count: int = 60,
         seed: int = 2026, frame: str = FRAME, planted: bool = False) -> dict:
    """Create the hub database at ``path`` holding ``records`` records of ``frame``;
    its figures. ``planted``: the pattern above (one under-reached EPCI, illectronisme
    falling week after week, guided diagnostics and mediators' records)."""
    rng = random.Random(seed)
    start = time.perf_counter()
    db = connect(path)
    migrations.migrate(db, schema.MIGRATIONS)
    all_weeks = weeks(week_count)
    if planted:
        first, last = NON_USERS
        pools = [[tally.facts(draw(rng, frame, first + (last - first) * k / (PHASES - 1),
                                   GUIDED)) for _ in range(POOL // 2)] for k in range(PHASES)]
    else:
        pools = [[tally.facts(draw(rng, frame)) for _ in range(POOL)]]

    def pool_of(week_index: int) -> list:
        return pools[week_index * len(pools) // len(all_weeks)]

    kiosks = [(i + 1, EPCI[i % len(EPCI)]) for i in range(devices)]
    last_week = date.fromisocalendar(*map(int, all_weeks[-1].replace("W", "").split("-")), 5)
    with write_transaction(db):
        db.conn.executemany(
            "INSERT INTO devices (id, site, commune, epci, token_hash, created_at, "
            "last_seen_at, last_record_at, records_received) "
            "VALUES (?, ?, '03190', ?, ?, '2025-01-01', ?, ?, 0)",
            [(i, f"Agence postale n°{i}", epci, f"hash-{i}",
              None if i % 11 == 0 else f"2026-03-0{1 + i % 5}T10:00:00+00:00",
              None if i % 11 == 0 else f"{last_week.isoformat()}T10:00:00+00:00")
             for i, epci in kiosks])
    weights = [UNDER_REACH_WEIGHT if planted and epci == UNDER_REACHED else 1.0
               for _, epci in kiosks]
    per_kiosk = [int(records * w / sum(weights)) for w in weights]
    per_kiosk[0] += records - sum(per_kiosk)
    drawn = mediator = 0
    for (device, site_epci), count in zip(kiosks, per_kiosk):
        others = [e for e in EPCI if e != site_epci and not (planted and e == UNDER_REACHED)]
        increments = Counter()
        for _ in range(count):
            roll = rng.random()
            residence = site_epci if roll < 0.6 else ("" if roll < 0.8 else rng.choice(others))
            index = rng.randrange(len(all_weeks))
            pool = pool_of(index)
            base = (all_weeks[index], device, site_epci, residence, frame)
            for dimension, value in pool[rng.randrange(len(pool))]:
                increments[(dimension, value) + base] += 1
            if planted and rng.random() < MEDIATOR_RECORDS:
                other = mediator_record(rng, all_weeks[index], site_epci)
                other_base = (all_weeks[index], device, site_epci, "",
                              contract.frame_of(other))
                for dimension, value in tally.facts(other):
                    increments[(dimension, value) + other_base] += 1
                mediator += 1
        with write_transaction(db):
            store.add_tally(db, increments)
        drawn += count
    figures = {
        "records": drawn, "mediator_records": mediator,
        "seconds": time.perf_counter() - start,
        "tally_rows": db.execute("SELECT COUNT(*) FROM tally").fetchone()[0],
        "site_rows": db.execute("SELECT COUNT(*) FROM tally_site").fetchone()[0],
        "residence_rows": db.execute("SELECT COUNT(*) FROM tally_residence").fetchone()[0],
        "weeks": (all_weeks[0], all_weeks[-1]),
    }
    db.close()
    return figures
