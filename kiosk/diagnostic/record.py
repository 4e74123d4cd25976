"""One visit's answers -> the records stored at its end (result, scores, outbox).

Glue between the pure modules (scoring, recommend, anonymise) and the store: it
decides what a finished or abandoned diagnostic leaves behind.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from ..sync import anonymise as anon
from .questionnaire import Questionnaire
from .recommend import choose_offers
from .scoring import IDK, score, visible_screens


@dataclass(frozen=True)
class Record:
    """What one diagnostic stores at its end, in one transaction."""

    result: dict
    scores: list[dict]
    outbox: dict


def first_due(shown, answers: dict):
    """The first of the ``shown`` screens with no answer yet (None: all answered)."""
    return next((s for s in shown if s.id not in answers), None)


def next_screen(questionnaire: Questionnaire, answers: dict):
    """The first screen shown to this person that has no answer yet (None: all done)."""
    return first_due(visible_screens(questionnaire, answers), answers)


def vocabulary(questionnaire: Questionnaire, languages) -> dict[str, set]:
    """Allowed values of each payload field, from the questionnaire itself."""
    def options(field):
        screen = questionnaire.profile_screen(field)
        return {o.id for o in screen.options} if screen else set()

    return {
        "age_band": options("age_band"), "situation": options("situation"),
        "mode": {"self", "guided"}, "language": set(languages),
        "areas": {a.id for a in questionnaire.areas},
        "indicators": {i.id for i in questionnaire.indicators},
        "profiles": {p.id for p in questionnaire.profiles},
        "needs": {n.id for n in questionnaire.needs},
        "offers": {o.id for o in questionnaire.offers},
        "screens": {s.id for s in questionnaire.screens},
    }


def build_record(questionnaire: Questionnaire, visit: dict, answers: dict, *,
                 now: datetime, site_commune: str | None, epci_of, languages) -> Record:
    """Score a visit and freeze what it leaves: complete or not, decided by its answers."""
    following = next_screen(questionnaire, answers)
    complete = following is None
    if complete:
        shown = visible_screens(questionnaire, answers)
        last_screen = shown[-1].id
    else:
        last_screen = following.id  # where the person stopped: drop-off matters
    s = score(questionnaire, answers, visit["language"])

    def profile_value(field):
        screen = questionnaire.profile_screen(field)
        value = answers.get(screen.id) if screen else None
        return None if value == IDK else value

    result = {
        "questionnaire_id": questionnaire.id,
        "questionnaire_version": questionnaire.version,
        "finished_at": now.isoformat(), "complete": int(complete),
        "last_screen": last_screen, "language": visit["language"], "mode": visit["mode"],
        "age_band": profile_value("age_band"), "commune": profile_value("commune"),
        "situation": profile_value("situation"), "profile": s.profile, "points": s.points,
        "indicators": s.indicators, "needs": list(s.needs),
        "offers": list(choose_offers(questionnaire, s.needs)),
    }
    payload = anon.anonymise(dict(result, levels=s.levels), site_commune=site_commune,
                             epci_of=epci_of, vocabulary=vocabulary(questionnaire, languages))
    outbox = {"id": str(uuid.uuid4()), "created_at": now.isoformat(),
              "payload": anon.canonical(payload), "content_hash": anon.content_hash(payload),
              "state": "pending"}
    scores = [{"area": a, "level": s.levels[a], "activities_done": s.activities_done[a]}
              for a in s.levels]
    return Record(result, scores, outbox)
