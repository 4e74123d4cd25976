"""A local result -> the only record allowed to leave the kiosk. Pure functions.

The payload is built from an explicit allow-list: each field is copied or coarsened
on purpose (week not time, EPCI not commune, age band not age), and values are
checked against their known vocabulary, so free text typed anywhere can never slip
through. Anything not listed here stays on the kiosk.
"""
from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Callable, Mapping

SCHEMA_VERSION = 1

ALLOWED_FIELDS = (
    "schema_version", "questionnaire_id", "questionnaire_version", "site_epci",
    "residence_epci", "week", "mode", "language", "age_band", "situation", "levels",
    "indicators", "profile", "needs", "offers", "complete", "last_screen",
)


def iso_week(moment: datetime) -> str:
    """ISO 8601 week of a moment, e.g. ``2026-W48``."""
    year, week, _ = moment.isocalendar()
    return f"{year}-W{week:02d}"


def anonymise(result: Mapping, *, site_commune: str | None,
              epci_of: Callable[[str], str | None], vocabulary: Mapping[str, set]) -> dict:
    """Build the anonymised payload of ``result``.

    ``result`` is a local result (it may hold a commune, an exact time, anything);
    ``epci_of`` maps an INSEE commune code to its EPCI SIREN; ``vocabulary`` gives the
    allowed values of ``age_band``, ``situation``, ``mode``, ``language``, ``areas``,
    ``profiles``, ``needs``, ``offers``, ``screens`` and ``indicators``. A value outside
    its vocabulary becomes None (or is dropped from a list).
    """
    def known(key, value):
        return value if value in vocabulary[key] else None

    commune = result.get("commune")
    payload = {
        "schema_version": SCHEMA_VERSION,
        "questionnaire_id": str(result["questionnaire_id"]),
        "questionnaire_version": str(result["questionnaire_version"]),
        "site_epci": epci_of(site_commune) if site_commune else None,
        "residence_epci": epci_of(commune) if isinstance(commune, str) else None,
        "week": iso_week(datetime.fromisoformat(result["finished_at"])),
        "mode": known("mode", result.get("mode")),
        "language": known("language", result.get("language")),
        "age_band": known("age_band", result.get("age_band")),
        "situation": known("situation", result.get("situation")),
        "levels": {area: int(level) for area, level in (result.get("levels") or {}).items()
                   if area in vocabulary["areas"] and level in (0, 1, 2)},
        "indicators": {key: bool(value) for key, value in (result.get("indicators") or {}).items()
                       if key in vocabulary["indicators"]},
        "profile": known("profiles", result.get("profile")),
        "needs": [n for n in result.get("needs") or () if n in vocabulary["needs"]],
        "offers": [o for o in result.get("offers") or () if o in vocabulary["offers"]],
        "complete": bool(result.get("complete")),
        "last_screen": known("screens", result.get("last_screen")),
    }
    assert tuple(payload) == ALLOWED_FIELDS  # the allow-list above is the contract
    return payload


# One encoder for every record: json.dumps with options builds a new one per call, a
# cost the hub pays for each record it receives.
_CANONICAL = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def canonical(payload: Mapping) -> str:
    """The payload as canonical JSON (sorted keys, no spaces): what is hashed and sent."""
    return _CANONICAL.encode(payload)


def content_hash(payload: Mapping) -> str:
    """SHA-256 of the canonical JSON: the hub tells a resend from a conflict by it."""
    return hashlib.sha256(canonical(payload).encode("utf-8")).hexdigest()
