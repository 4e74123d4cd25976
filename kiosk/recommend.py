"""Needs -> two to four next steps from the offers catalogue, and the nearest places."""
from __future__ import annotations

from .places import nearest
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


def places_for(offer: Offer, places, origin, limit: int = 2):
    """The nearest places for an offer, from ``origin`` (lat, lon), as (km, place) pairs."""
    if origin is None or not (offer.services or offer.programmes):
        return []
    return nearest(places, origin[0], origin[1], services=offer.services or None,
                   programmes=offer.programmes or None, limit=limit)
