"""One visit's answers -> the records stored at its end (result, scores, outbox).

Glue between the pure modules (scoring, recommend, anonymise): it decides what a finished
or abandoned diagnostic leaves behind; kiosk.diagnostic.visit stores it.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Mapping

from ..storage import store
from ..sync import anonymise as anon
from ..sync import contract
from . import followup
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
    # Records of other kinds queued in the same transaction (a follow-up's).
    extra_outbox: tuple[dict, ...] = ()


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
    extra = ()
    if complete:
        result["followup_code"] = followup_code(questionnaire, s.levels, result["offers"], now)
        extra = followup_records(questionnaire, visit, s.levels, now=now,
                                 site_epci=epci_of(site_commune) if site_commune else None,
                                 vocabulary=vocabulary(questionnaire, languages))
    return Record(result, scores, outbox, extra)


# --- follow-up ----------------------------------------------------------------------
# A complete diagnostic gives a follow-up code (kiosk.diagnostic.followup), kept in its
# result only. A diagnostic started from a code also leaves a follow-up record: what
# changed per area, how long after (in bands) and whether the person went to the offers
# proposed then; never the earlier levels, week or code, so the hub cannot pair visits.

def followup_code(questionnaire: Questionnaire, levels: Mapping[str, int], offers,
                  now: datetime) -> str | None:
    """The follow-up code of a result: the reported ``levels`` in the questionnaire's
    area order, the week, the frame and the ``offers`` proposed (the first four a code
    can name). None when the code cannot carry this result (a questionnaire without
    five areas, a frame past 8, a clock outside 2025-2044): the result stands without."""
    ids = [offer.id for offer in questionnaire.offers]
    named = [offer for offer in offers if offer in ids[:followup.MAX_OFFERS]]
    try:
        carried = followup.FollowUp(
            frame=int(questionnaire.frame), week=anon.iso_week(now),
            levels=tuple(levels.get(area.id, 0) for area in questionnaire.areas),
            offers=tuple(named[:followup.MAX_PROPOSED]))
        return followup.encode(carried, ids)
    except ValueError:
        return None


def weeks_band(earlier: str, later: str) -> str:
    """The band of the weeks from ISO week ``earlier`` to ``later``
    (kiosk.sync.contract.WEEKS_BANDS): under 5, 5-12, 13-26, 27-52, 53 and more."""
    def monday(week: str) -> date:
        year, _, number = week.partition("-W")
        return date.fromisocalendar(int(year), int(number), 1)

    weeks = max(0, (monday(later) - monday(earlier)).days // 7)
    for band, last in zip(contract.WEEKS_BANDS, (4, 12, 26, 52)):
        if weeks <= last:
            return band
    return contract.WEEKS_BANDS[-1]


def changes(earlier: Mapping[str, int], now: Mapping[str, int]) -> dict[str, int]:
    """Area -> -1, 0 or +1: the sign of the change of level between two diagnostics,
    for the areas both have."""
    return {area: (now[area] > level) - (now[area] < level)
            for area, level in earlier.items() if area in now}


def followup_records(questionnaire: Questionnaire, visit, levels: Mapping[str, int], *,
                     now: datetime, site_epci: str | None, vocabulary) -> tuple[dict, ...]:
    """The follow-up record a visit started from a code leaves (an outbox row), or
    nothing for any other visit."""
    earlier = store.visit_followup(visit)
    if earlier is None:
        return ()
    week = anon.iso_week(now)
    values = {"frame": questionnaire.frame, "mode": visit["mode"],
              "weeks_band": weeks_band(earlier["week"], week),
              "change": changes(earlier["levels"], levels),
              "takeup": {offer: status for offer, status in store.visit_takeup(visit).items()
                         if offer in earlier["offers"]}}
    payload = anon.anonymise_kind(contract.FOLLOWUP, values, site_epci=site_epci, week=week,
                                  vocabulary=vocabulary)
    return (store.outbox_row(payload, now),)
