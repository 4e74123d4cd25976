"""What one record adds to the hub's counts. Pure functions, no Flask, no SQL.

The dashboard and the open data read only these counts, so they survive the purge of
row-level records and stay fast however many records the hub holds.
"""
from __future__ import annotations

from collections import Counter
from typing import Iterable, Mapping

from ..sync import contract


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
    illectronisme) and its offers were never shown.
    """
    complete = bool(payload.get("complete"))
    kind, version = contract.version_of(payload)
    fields = contract.VERSIONS.get(kind, {}).get(version) or contract.fields()
    pairs = [("all", ""), ("complete", _text(complete))]
    for field in fields:
        if not _counted(field, complete):
            continue
        value = payload.get(field.name)
        if field.shape == "value":
            pairs.append((field.count, _text(value)))
        elif field.shape == "levels":
            pairs += [(f"{field.count}:{area}", _text(level))
                      for area, level in sorted((value or {}).items())]
        elif field.shape == "flags":
            pairs += [(f"{field.count}:{key}", _text(bool(flag)))
                      for key, flag in sorted((value or {}).items())]
        elif field.shape == "codes":
            pairs += [(field.count, code) for code in dict.fromkeys(value or ())]
    return pairs


def counts(device: Mapping, payloads: Iterable[Mapping]) -> Counter:
    """Increments for ``payloads`` received from ``device``.

    Keys are ``(dimension, value, week, device_id, site_epci, residence_epci, frame)``,
    the ``tally`` table's primary key; the site EPCI is the device's, never the body's;
    the frame is the record's (kiosk/sync/contract.py), so two frames never add up.
    """
    site_epci = _text(device.get("epci"))
    device_id = int(device["id"])
    # Facts are counted per (week, residence EPCI) first (Counter.update runs in C),
    # then joined to their key once per distinct fact: a batch of a few weeks from one
    # kiosk repeats the same few thousand keys hundreds of times.
    groups: dict[tuple, Counter] = {}
    for payload in payloads:
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
