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

from . import contract

# The allow-list, from the one definition of the wire contract (kiosk/sync/contract.py).
SCHEMA_VERSION = contract.CURRENT[contract.DIAGNOSTIC]
ALLOWED_FIELDS = contract.allowed_fields(contract.DIAGNOSTIC)


def iso_week(moment: datetime) -> str:
    """ISO 8601 week of a moment, e.g. ``2026-W48``."""
    year, week, _ = moment.isocalendar()
    return f"{year}-W{week:02d}"


def _clean(field: contract.Field, value, allowed: set):
    """A value kept only as far as its vocabulary allows (the field's shape says how)."""
    if field.shape == "levels":
        return {area: int(level) for area, level in (value or {}).items()
                if area in allowed and level in contract.LEVELS}
    if field.shape == "flags":
        return {key: bool(flag) for key, flag in (value or {}).items() if key in allowed}
    if field.shape == "changes":
        return {key: int(change) for key, change in (value or {}).items()
                if key in allowed and change in contract.CHANGES}
    if field.shape == "statuses":
        return {key: status for key, status in (value or {}).items()
                if key in allowed and status in contract.TAKEUP}
    if field.shape == "codes":
        return [code for code in value or () if code in allowed]
    return value if value in allowed else None


def anonymise(result: Mapping, *, site_commune: str | None,
              epci_of: Callable[[str], str | None], vocabulary: Mapping[str, set]) -> dict:
    """Build the anonymised payload of ``result`` (a diagnostic of the current version).

    ``result`` is a local result (it may hold a commune, an exact time, anything);
    ``epci_of`` maps an INSEE commune code to its EPCI SIREN; ``vocabulary`` gives the
    allowed values of each vocabulary the contract names (``age_band``, ``situation``,
    ``language``, ``areas``, ``profiles``, ``needs``, ``offers``, ``screens``,
    ``indicators``; ``mode`` defaults to the contract's). A value outside its
    vocabulary becomes None (or is dropped from a list or mapping).
    """
    vocabulary = {**contract.FIXED_VOCABULARY, **vocabulary}
    commune = result.get("commune")
    fixed = {
        "kind": contract.DIAGNOSTIC,
        "schema_version": SCHEMA_VERSION,
        "frame": str(result.get("frame") or contract.IMPLIED_FRAME),
        "questionnaire_id": str(result["questionnaire_id"]),
        "questionnaire_version": str(result["questionnaire_version"]),
        "site_epci": epci_of(site_commune) if site_commune else None,
        "residence_epci": epci_of(commune) if isinstance(commune, str) else None,
        "week": iso_week(datetime.fromisoformat(result["finished_at"])),
        "complete": bool(result.get("complete")),
    }
    payload = {f.name: fixed[f.name] if f.shape == "fixed"
               else _clean(f, result.get(f.name), vocabulary[f.vocabulary])
               for f in contract.fields(contract.DIAGNOSTIC)}
    return payload


def anonymise_kind(kind: str, values: Mapping, *, site_epci: str | None, week: str,
                   vocabulary: Mapping[str, set] | None = None) -> dict:
    """The payload of a record of ``kind`` (activity, follow-up, screening) at the
    version the kiosk writes: ``values`` may hold anything; only the contract's fields
    are kept, each cleaned by its vocabulary (the program's FIXED_VOCABULARY, then
    ``vocabulary``: the questionnaire's areas and offers for a follow-up). ``week`` is
    an ISO week (:func:`iso_week`), ``site_epci`` the kiosk's EPCI."""
    vocabulary = {**contract.FIXED_VOCABULARY, **(vocabulary or {})}
    fixed = {"kind": kind, "schema_version": contract.CURRENT[kind], "site_epci": site_epci,
             "week": week, "frame": str(values.get("frame") or "")}
    return {f.name: fixed[f.name] if f.shape == "fixed"
            else _clean(f, values.get(f.name), vocabulary[f.vocabulary])
            for f in contract.fields(kind)}


# One encoder for every record: json.dumps with options builds a new one per call, a
# cost the hub pays for each record it receives.
_CANONICAL = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def canonical(payload: Mapping) -> str:
    """The payload as canonical JSON (sorted keys, no spaces): what is hashed and sent."""
    return _CANONICAL.encode(payload)


def content_hash(payload: Mapping) -> str:
    """SHA-256 of the canonical JSON: the hub tells a resend from a conflict by it."""
    return hashlib.sha256(canonical(payload).encode("utf-8")).hexdigest()
