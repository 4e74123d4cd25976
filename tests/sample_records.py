"""Realistic outbox records for sync tests and benchmarks, made by the kiosk's own code.

Each record comes from random answers scored and anonymised by ``kiosk.diagnostic.record``
(some people stop halfway), so payloads look like the field's: several weeks,
residence EPCIs, languages, levels, needs and offers. As at a real site, most people
who give their commune live in the site's own EPCI (``LOCAL_SHARE``), the others
anywhere in the Allier.
"""
from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone

from kiosk import paths
from kiosk.storage import store
from kiosk.places.communes import load_communes
from kiosk.diagnostic.record import build_record
from kiosk.diagnostic.resources import load_questionnaire_files
from kiosk.diagnostic.scoring import IDK, visible_screens
from kiosk.diagnostic.visit import Route

_cache: dict = {}
LOCAL_SHARE = 0.7


def _data():
    if not _cache:
        _cache["q"] = load_questionnaire_files(paths.QUESTIONNAIRES / "diagnostic.yaml",
                                               paths.QUESTIONNAIRES / "offers.yaml")
        _cache["communes"] = load_communes(paths.DATA / "communes_03.csv")
    return _cache["q"], _cache["communes"]


def _answer(rng, screen, commune_codes, local_codes):
    if rng.random() < 0.1:
        return IDK
    if screen.type == "commune":
        return rng.choice(local_codes if rng.random() < LOCAL_SHARE else commune_codes)
    options = [o.id for o in screen.options]
    if screen.type == "multiple":
        chosen = [o for o in options if rng.random() < 0.4]
        exclusive = {o.id for o in screen.options if o.exclusive}
        chosen = [o for o in chosen if o not in exclusive] or [options[0]]
        return chosen
    return rng.choice(options)


def make_records(count: int, *, seed: int = 1, site_commune: str = "03190",
                 start: datetime | None = None):
    """``count`` records (kiosk.diagnostic.record.Record) with their visits' language and mode."""
    q, communes = _data()
    rng = random.Random(seed)
    codes = sorted(c.insee for c in communes)
    local = [c for c in codes if communes.epci_of(c) == communes.epci_of(site_commune)]
    start = start or datetime(2026, 1, 5, 10, tzinfo=timezone.utc)
    records = []
    for _ in range(count):
        answers = {}
        stop_after = rng.choice([3, 8, 100, 100, 100, 100])  # a third stop halfway
        for _step in range(stop_after):
            shown = [s for s in visible_screens(q, answers) if s.id not in answers]
            if not shown:
                break
            answers[shown[0].id] = _answer(rng, shown[0], codes, local)
        visit = {"language": rng.choice(["fr", "fr", "fr", "ar"]), "mode": "self"}
        when = start + timedelta(days=rng.randrange(120), minutes=rng.randrange(600))
        records.append((visit, answers, build_record(
            Route(q, answers), visit, now=when, site_commune=site_commune,
            epci_of=communes.epci_of, languages=["fr", "ar"])))
    return records


def fill_outbox(db, count: int, *, seed: int = 1, site_commune: str = "03190",
                with_answers: bool = False) -> list[str]:
    """Store ``count`` visits the way the kiosk ends them (finished or abandoned) and
    return their outbox ids; ``with_answers`` also saves each screen's answer."""
    ids = []
    for visit, answers, record in make_records(count, seed=seed, site_commune=site_commune):
        when = datetime.fromisoformat(record.result["finished_at"])
        visit_id = store.start_visit(db, f"t-{record.outbox['id']}", visit["language"],
                                     visit["mode"], when)
        for screen_id, value in answers.items() if with_answers else ():
            store.save_answer(db, visit_id, screen_id, value, when)
        if record.result["complete"]:
            store.complete_visit(db, visit_id, record)
        else:
            store.end_visit(db, visit_id, record)
        ids.append(record.outbox["id"])
    return ids
