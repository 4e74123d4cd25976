"""What one record adds to the hub's counts. Pure functions, no Flask, no SQL.

The dashboard and the open data read only these counts, so they survive the purge of
row-level records and stay fast however many records the hub holds.
"""
from __future__ import annotations

from collections import Counter
from typing import Iterable, Mapping

from ..sync import contract
from . import crossings


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _counted(field: contract.Field, complete: bool) -> bool:
    return field.count is not None and (
        field.counted_when == "always"
        or (field.counted_when == "complete") == complete)


def facts(payload: Mapping) -> list[tuple[str, str]]:
    """The (dimension, value) pairs a record counts once in, as its contract version's
    fields say (kiosk/sync/contract.py).

    ``last_screen`` counts only for an abandoned diagnostic (where people stop). The
    outcomes (``profile``, ``level:<area>`` and ``indicator:<id>`` for each area and
    indicator present, ``need`` and ``offer`` once per code) count only for a complete
    one: an abandoned diagnostic is scored on the few answers given, so its levels and
    indicators say nothing of the person (one answer, then nothing, would read as
    illectronisme) and its offers were never shown. A complete one also counts in the
    predefined crossings (kiosk.hub.crossings: age band x indicator, x need; need x offer).
    """
    kind, version = contract.version_of(payload)
    fields = contract.VERSIONS.get(kind, {}).get(version) or contract.fields()
    if kind != contract.DIAGNOSTIC:
        return kind_facts(kind, payload, fields)
    complete = bool(payload.get("complete"))
    pairs = [("all", ""), ("complete", _text(complete))]
    for field in fields:
        if not _counted(field, complete):
            continue
        value = payload.get(field.name)
        pairs += ([(field.count, _text(value))] if field.shape == "value"
                  else _mapped(field, value))
    return pairs + crossings.facts(payload) if complete else pairs


def _mapped(field: contract.Field, value) -> list[tuple[str, str]]:
    """The pairs of a field holding a mapping or a list of codes."""
    if field.shape == "codes":
        return [(field.count, code) for code in dict.fromkeys(value or ())]
    if field.shape == "flags":
        value = {key: bool(flag) for key, flag in (value or {}).items()}
    return [(f"{field.count}:{key}", _text(item)) for key, item in sorted((value or {}).items())]


def kind_facts(kind: str, payload: Mapping, fields) -> list[tuple[str, str]]:
    """The facts of a record of another kind than a diagnostic (activity, follow-up,
    screening): every dimension is named after the kind (``activity.mode``,
    ``followup.change:<area>``), so they never add up with the diagnostics' counts."""
    pairs = [("all", "")]
    for field in fields:
        if field.count is None:
            continue
        value = payload.get(field.name)
        pairs += ([(field.count, _text(value))] if field.shape == "value"
                  else _mapped(field, value))
    return [(f"{kind}.{dimension}", value) for dimension, value in pairs]


def counts(device: Mapping, payloads: Iterable[Mapping]) -> Counter:
    """Increments for ``payloads`` received from ``device``.

    Keys are ``(dimension, value, week, device_id, site_epci, residence_epci, frame)``,
    the ``tally`` table's primary key; the site EPCI is the device's, never the body's,
    but for an itinerant device (the bus), whose records carry the EPCI of the stop where
    they were made; the frame is the record's (kiosk/sync/contract.py), so two frames
    never add up.
    """
    fixed_epci = _text(device.get("epci"))
    moving = bool(device.get("itinerant"))
    device_id = int(device["id"])
    # Facts are counted per (week, residence EPCI) first (Counter.update runs in C),
    # then joined to their key once per distinct fact: a batch of a few weeks from one
    # kiosk repeats the same few thousand keys hundreds of times.
    groups: dict[tuple, Counter] = {}
    for payload in payloads:
        site_epci = _text(payload.get("site_epci")) if moving and payload.get(
            "site_epci") else fixed_epci
        base = (str(payload["week"]), device_id, site_epci,
                _text(payload.get("residence_epci")), contract.frame_of(payload))
        group = groups.get(base)
        if group is None:
            group = groups[base] = Counter()
        group.update(facts(payload))
    total = Counter()
    for base, group in groups.items():
        for fact, n in group.items():
            total[fact + base] = n
    return total
