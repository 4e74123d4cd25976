"""Needs -> two to four next steps from the offers catalogue, and the nearest places."""
from __future__ import annotations

from ..places.directory import nearest
from .questionnaire import Offer, Questionnaire

MIN_STEPS, MAX_STEPS = 2, 4


def choose_offers(questionnaire: Questionnaire, needs) -> tuple[str, ...]:
    """Offer ids for these needs, in the needs' order of priority.

    Each need, in order, brings its first offer not yet chosen, up to four; fallback
    offers complete the list so that every person leaves with at least two steps.
    """
    chosen: list[str] = []
    for need in needs:
        for offer in questionnaire.offers:
            if need in offer.needs and offer.id not in chosen:
                chosen.append(offer.id)
                break
        if len(chosen) == MAX_STEPS:
            return tuple(chosen)
    for offer in questionnaire.offers:
        if len(chosen) >= MIN_STEPS:
            break
        if offer.fallback and offer.id not in chosen:
            chosen.append(offer.id)
    return tuple(chosen)


# Asked when no place near the person offers a step exactly: every step leads somewhere.
FALLBACK_PROGRAMMES = ("France Services",)


def places_for(offer: Offer, places, origin, limit: int = 2):
    """Where to go for an offer, from ``origin`` (lat, lon): ``(places, ask_only)``.

    ``places`` are (km, place) pairs of the nearest matching places; when none matches,
    the nearest France Services, with ``ask_only`` True, as the place to ask.
    """
    if origin is None or not (offer.services or offer.programmes):
        return [], False
    near = nearest(places, origin[0], origin[1], services=offer.services or None,
                   programmes=offer.programmes or None, limit=limit)
    if near:
        return near, False
    return nearest(places, origin[0], origin[1], programmes=FALLBACK_PROGRAMMES, limit=1), True
