"""What one record adds to the hub's counts. Pure functions, no Flask, no SQL.

The dashboard and the open data read only these counts, so they survive the purge of
row-level records and stay fast however many records the hub holds.
"""
from __future__ import annotations

from collections import Counter
from typing import Iterable, Mapping

# The single-valued fields counted as they are (None becomes "").
PLAIN_DIMENSIONS = ("language", "mode", "age_band", "situation")


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def facts(payload: Mapping) -> list[tuple[str, str]]:
    """The (dimension, value) pairs a record counts once in.

    ``last_screen`` counts only for an abandoned diagnostic (where people stop). The
    outcomes (``profile``, ``level:<area>`` and ``indicator:<id>`` for each area and
    indicator present, ``need`` and ``offer`` once per code) count only for a complete
    one: an abandoned diagnostic is scored on the few answers given, so its levels and
    indicators say nothing of the person (one answer, then nothing, would read as
    illectronisme) and its offers were never shown.
    """
    complete = bool(payload.get("complete"))
    pairs = [("all", ""), ("complete", _text(complete))]
    pairs += [(name, _text(payload.get(name))) for name in PLAIN_DIMENSIONS]
    if not complete:
        pairs.append(("last_screen", _text(payload.get("last_screen"))))
        return pairs
    pairs.append(("profile", _text(payload.get("profile"))))
    pairs += [(f"level:{area}", _text(level))
              for area, level in sorted((payload.get("levels") or {}).items())]
    pairs += [(f"indicator:{key}", _text(bool(value)))
              for key, value in sorted((payload.get("indicators") or {}).items())]
    pairs += [("need", code) for code in dict.fromkeys(payload.get("needs") or ())]
    pairs += [("offer", code) for code in dict.fromkeys(payload.get("offers") or ())]
    return pairs


def counts(device: Mapping, payloads: Iterable[Mapping]) -> Counter:
    """Increments for ``payloads`` received from ``device``.

    Keys are ``(dimension, value, week, device_id, site_epci, residence_epci)``, the
    ``tally`` table's primary key; the site EPCI is the device's, never the body's.
    """
    site_epci = _text(device.get("epci"))
    device_id = int(device["id"])
    # Facts are counted per (week, residence EPCI) first (Counter.update runs in C),
    # then joined to their key once per distinct fact: a batch of a few weeks from one
    # kiosk repeats the same few thousand keys hundreds of times.
    groups: dict[tuple, Counter] = {}
    for payload in payloads:
        base = (str(payload["week"]), device_id, site_epci,
                _text(payload.get("residence_epci")))
        group = groups.get(base)
        if group is None:
            group = groups[base] = Counter()
        group.update(facts(payload))
    total = Counter()
    for base, group in groups.items():
        for fact, n in group.items():
            total[fact + base] = n
    return total
