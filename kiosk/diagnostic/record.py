"""One visit's answers -> the records stored at its end (result, scores, outbox).

Glue between the pure modules (scoring, recommend, anonymise): it decides what a finished
or abandoned diagnostic leaves behind; kiosk.diagnostic.visit stores it.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ..storage import store
from ..sync import anonymise as anon
from .questionnaire import Questionnaire
from .recommend import choose_offers
from . import scoring
from .scoring import score


@dataclass(frozen=True)
class Record:
    """What one diagnostic stores at its end, in one transaction."""

    result: dict
    scores: list[dict]
    outbox: dict


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


def build_record(route, visit: dict, *, now: datetime, site_commune: str | None, epci_of,
                 languages, observed: dict | None = None) -> Record:
    """Score a visit and freeze what it leaves: complete or not, decided by its answers.

    ``route`` is the visit's :class:`kiosk.diagnostic.visit.Route` (its questionnaire,
    answers and the screens they show). ``observed``: a guided visit's observations
    (kiosk.diagnostic.scoring.score). They change only what the kiosk shows and keeps
    for itself (shown levels, profile, needs, offers); the outbox record is scored on
    the resident's own answers alone, as a self-service one is.
    """
    questionnaire, answers = route.questionnaire, route.answers
    complete = route.complete
    s = score(questionnaire, answers, visit["language"], shown=route.shown)
    seen = score(questionnaire, answers, visit["language"], shown=route.shown,
                 observed=observed) if observed else s

    def profile_value(field):
        return scoring.profile_value(questionnaire, answers, field)

    def outcome(scored):
        return {"profile": scored.profile, "points": scored.points,
                "indicators": scored.indicators, "needs": list(scored.needs),
                "offers": list(choose_offers(questionnaire, scored.needs,
                                             age_band=profile_value("age_band"),
                                             language=visit["language"]))}

    result = {
        "questionnaire_id": questionnaire.id,
        "questionnaire_version": questionnaire.version,
        "finished_at": now.isoformat(), "complete": int(complete),
        "last_screen": route.stopped_at, "language": visit["language"], "mode": visit["mode"],
        "age_band": profile_value("age_band"), "commune": profile_value("commune"),
        "situation": profile_value("situation"), **outcome(seen),
    }
    reported = dict(result, **outcome(s), levels=s.levels, levels_strict=s.strict_levels,
                    frame=questionnaire.frame)
    payload = anon.anonymise(reported, site_commune=site_commune,
                             epci_of=epci_of, vocabulary=vocabulary(questionnaire, languages))
    outbox = store.outbox_row(payload, now)
    scores = [{"area": a, "level": s.levels[a], "shown_level": seen.shown_levels[a],
               "activities_done": s.activities_done[a]} for a in s.levels]
    return Record(result, scores, outbox)
