"""Needs -> two to four next steps from the offers catalogue, and the nearest places."""
from __future__ import annotations

from ..places.directory import nearest
from .questionnaire import Offer, Questionnaire

MIN_STEPS, MAX_STEPS = 2, 4


def choose_offers(questionnaire: Questionnaire, needs, *, age_band: str | None = None,
                  language: str = "fr") -> tuple[str, ...]:
    """Offer ids for these needs, in the needs' order of priority.

    Each need, in order, brings its first offer not yet chosen that fits the person
    (their ``age_band``, None when not given, and the ``language`` of the screens), up to
    four; fallback offers complete the list so that every person leaves with at least
    two steps.
    """
    offers = [o for o in questionnaire.offers if o.fits(age_band, language)]
    chosen: list[str] = []
    for need in needs:
        for offer in offers:
            if need in offer.needs and offer.id not in chosen:
                chosen.append(offer.id)
                break
        if len(chosen) == MAX_STEPS:
            return tuple(chosen)
    for offer in offers:
        if len(chosen) >= MIN_STEPS:
            break
        if offer.fallback and offer.id not in chosen:
            chosen.append(offer.id)
    return tuple(chosen)


# Asked when no place near the person offers a step exactly: every step leads somewhere.
FALLBACK_PROGRAMMES = ("France Services",)


def places_for(offer: Offer, places, origin, limit: int = 2):
    """Where to go for an offer, from ``origin`` (lat, lon): ``(places, ask_only)``.

    ``places`` are (km, place) pairs of the nearest matching places, from the national
    directory and the offer's own local places; when none matches, the nearest France
    Services, with ``ask_only`` True, as the place to ask. An offer with no places but a
    phone number has none: the number is the step.
    """
    if origin is None or not (offer.services or offer.programmes or offer.local_places):
        return [], False
    lat, lon = origin
    near = nearest(offer.local_places, lat, lon, limit=limit) if offer.local_places else []
    if offer.services or offer.programmes:
        near += nearest(places, lat, lon, services=offer.services or None,
                        programmes=offer.programmes or None, limit=limit)
    if near:
        return sorted(near, key=_by_distance)[:limit], False
    return nearest(places, lat, lon, programmes=FALLBACK_PROGRAMMES, limit=1), True


def _by_distance(pair):
    km, place = pair
    return km, (place.get("nom") or "").casefold()
