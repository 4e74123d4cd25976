"""The stops of itinerant places (the Bourbon'Net bus), read from a small local file.

The national places standard marks a bus as ``itinerance: Itinérant`` but has no field for
where and when it stops: its row gives one registered address (the bus's base), which is
no use to a resident. ``itinerance_03.csv`` adds, one row a stop:

``lieu_id``      the ``id`` of an itinerant place of the places file;
``code_insee``   the commune stopped in (an Allier INSEE code; the name comes from it);
``adresse``      where in the commune ("Place de la Mairie");
``horaires``     when, in the standard's own ``horaires`` syntax (OpenStreetMap
                 ``opening_hours``): a weekly slot "Tu[1,3] 09:30-12:00" (first and third
                 Tuesday of the month), or dated stops "2026 Dec 08 09:30-12:00";
``latitude``, ``longitude``  optional; empty, the stop is placed at the commune's centre.

Bad rows are errors with their line (``kiosk check``), and are left out. Pure: no Flask.
"""
from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass, field
from os import PathLike

from kiosk.places.communes import Communes
from kiosk.places.directory import RowIssue, check_number
from kiosk.places.hours import HoursError, parse as parse_hours

COLUMNS = ("lieu_id", "code_insee", "adresse", "horaires")
MAX_ADDRESS = 200  # as the standard's ``adresse``: an address, not a notice


@dataclass
class StopsReport:
    """The stops read (dicts, see :func:`read_stops`) and the rows' problems."""

    stops: list[dict] = field(default_factory=list)
    errors: list[RowIssue] = field(default_factory=list)


def read_stops(path: str | PathLike[str], communes: Communes,
               itinerant_ids: Iterable[str] | None = None) -> StopsReport:
    """Read and check a stops file.

    Each stop is a dict: ``id`` (``<lieu_id>@<line>``, the key of its hours), ``lieu_id``,
    ``code_insee``, ``commune`` (its name), ``adresse``, ``horaires``, ``latitude`` and
    ``longitude``. With ``itinerant_ids``, a ``lieu_id`` must be one of them (the places
    file's itinerant places).
    """
    report = StopsReport()
    known = None if itinerant_ids is None else set(itinerant_ids)
    with open(path, encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = [name for name in COLUMNS if name not in (reader.fieldnames or ())]
        if missing:
            report.errors.append(RowIssue(1, None, None,
                                          "missing column(s): " + ", ".join(missing)))
            return report
        seen: dict[tuple, int] = {}
        for row in reader:
            line = reader.line_num
            values = {name: (value or "").strip() for name, value in row.items() if name}
            if not any(values.values()):
                continue
            stop, errors = _check_stop(values, line, communes, known)
            key = (values["lieu_id"], values["code_insee"], values["adresse"].casefold())
            if key in seen:
                errors.append(RowIssue(line, values["lieu_id"] or None, "adresse",
                                       f"same stop as on line {seen[key]}"))
            seen.setdefault(key, line)
            report.errors += errors
            if not errors:
                report.stops.append(stop)
    return report


def _check_stop(values: dict[str, str], line: int, communes: Communes,
                known: set[str] | None) -> tuple[dict, list[RowIssue]]:
    """One row as a stop, and its problems."""
    place_id = values["lieu_id"]
    problems: list[tuple[str, str]] = []
    for name in COLUMNS:
        if not values[name]:
            problems.append((name, "required value is missing"))
    if place_id and known is not None and place_id not in known:
        problems.append(("lieu_id", f"{place_id!r} is not an itinerant place of the "
                                    "places file"))
    commune = communes.get(values["code_insee"])
    if values["code_insee"] and commune is None:
        problems.append(("code_insee", f"{values['code_insee']!r} is not an Allier commune"))
    if len(values["adresse"]) > MAX_ADDRESS:
        problems.append(("adresse", f"more than {MAX_ADDRESS} characters"))
    if values["horaires"]:
        try:
            parse_hours(values["horaires"])
        except HoursError as unreadable:  # a stop with no known time is of no use
            problems.append(("horaires", str(unreadable)))
    point = _point(values, commune, problems)
    issues = [RowIssue(line, place_id or None, name, message) for name, message in problems]
    stop = {"id": f"{place_id}@{line}", "lieu_id": place_id,
            "code_insee": values["code_insee"], "commune": commune.name if commune else "",
            "adresse": values["adresse"], "horaires": values["horaires"],
            "latitude": point[0], "longitude": point[1]}
    return stop, issues


def _point(values: dict[str, str], commune, problems: list) -> tuple[float | None, ...]:
    """The stop's coordinates: both given, or neither (then the commune's centre)."""
    lat, lon = values.get("latitude", ""), values.get("longitude", "")
    if not lat and not lon:
        return (commune.lat, commune.lon) if commune else (None, None)
    if not (lat and lon):
        problems.append(("latitude", "give both latitude and longitude, or neither"))
        return None, None
    point = []
    for name, text in (("latitude", lat), ("longitude", lon)):
        number, messages = check_number(name, text)
        problems += [(name, message) for message in messages]
        point.append(number)
    return tuple(point)


def with_stops(places: Iterable[dict], stops: Iterable[dict]) -> list[dict]:
    """``places``, each place that has stops copied with its list under ``"stops"``."""
    by_place: dict[str, list[dict]] = {}
    for stop in stops:
        by_place.setdefault(stop["lieu_id"], []).append(stop)
    return [dict(place, stops=by_place[place["id"]]) if place["id"] in by_place else place
            for place in places]
