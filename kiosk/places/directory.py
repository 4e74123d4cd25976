"""Import digital-mediation places in the national standard, and find the nearest ones.

The standard ("Standard de données des lieux de médiation numérique", LaMednum, v1.0.2) is a
Frictionless Table Schema (schema_mediation_numerique.json). Each CSV row is checked against
the constraints the schema uses (required, pattern, maxLength, unique, number, date); rows with
an error are rejected, the others kept, and every problem is reported with its CSV line number
for the operator. Pure Python (no Flask, no database). Two deliberate departures:

* a missing or empty ``pivot`` (SIRET/RNA) is only a warning: the sample data and many local
  datasets lack it. A pivot that is present but malformed is still an error;
* multi-valued fields accept ``;`` as well as ``|`` between values: the standard's README
  says ``;`` while its patterns say ``|``.

Opening hours (``horaires``) that cannot be read are a warning, not an error: the place
still counts, kept with its hours as given, and the kiosk tells the resident to call
before coming (kiosk/places/hours.py); the operator learns which rule to fix.
"""

from __future__ import annotations

import contextlib
import csv
import functools
import io
import itertools
import json
import math
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from os import PathLike
from typing import IO, Any

from kiosk.places.communes import distance_km
from kiosk.places.hours import HoursError, parse as parse_hours

# Fields holding several values: their description says "une ou plusieurs valeurs séparées
# par un `|`" (or shows an example with `|`) and/or their pattern repeats "(?:^|\|)(...)".
# Not in the set: `telephone` (its pattern allows one number), `horaires` (OpenStreetMap
# opening_hours, where ";" separates rules: splitting would break it) and free-text fields.
LIST_FIELDS = frozenset({
    "typologie", "courriels", "site_web", "itinerance", "services",
    "publics_specifiquement_adresses", "prise_en_charge_specifique", "frais_a_charge",
    "dispositif_programmes_nationaux", "formations_labels", "modalites_acces",
    "modalites_accompagnement",
})
_LIST_SEPARATOR = re.compile(r"[|;]")

# Required by the schema, but only warned about when empty (see the module docstring).
SOFT_REQUIRED = frozenset({"pivot"})

# Valid WGS84 ranges for the number fields that are coordinates.
COORDINATE_RANGES = {"latitude": (-90.0, 90.0), "longitude": (-180.0, 180.0)}

# Table Schema "number" lexical form with the default "." decimal separator. Python's float()
# alone is too lenient: it accepts "1_000", "nan" and "infinity".
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?", re.ASCII)
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)


@dataclass(frozen=True)
class RowIssue:
    """A problem found in the CSV: physical line (header is 1), row id, field, message."""

    line: int
    row_id: str | None
    field: str | None
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.detail}"

    @property
    def detail(self) -> str:
        """The problem without its line, for ``file:line: ...`` reports."""
        parts = [self.row_id and f"id {self.row_id}", self.field]
        return ": ".join([p for p in parts if p] + [self.message])


@dataclass
class ImportReport:
    """What an import produced: accepted places, errors (rejections) and warnings."""

    places: list[dict[str, Any]] = field(default_factory=list)
    errors: list[RowIssue] = field(default_factory=list)
    warnings: list[RowIssue] = field(default_factory=list)


def load_schema(path: str | PathLike[str]) -> dict:
    """Load a Table Schema JSON file; raise ValueError if it has no list of fields."""
    with open(path, encoding="utf-8") as handle:
        schema = json.load(handle)
    if not isinstance(schema.get("fields"), list):
        raise ValueError(f"{path}: not a Table Schema (no 'fields' list)")
    return schema


def read_places(source: str | PathLike[str] | IO, schema: dict) -> ImportReport:
    """Read and validate a places CSV (a path, or a text or binary file object).

    The file must be UTF-8 (a BOM is fine). Unknown columns are ignored; a missing
    required column is one error at line 1 and no row is accepted. Each accepted place
    maps every schema field to None (empty), a float (numbers), a list of strings
    (LIST_FIELDS) or a string (dates stay ISO "YYYY-MM-DD" strings).
    """
    report = ImportReport()
    reader = None
    try:
        with _open_text(source) as handle:
            reader = csv.reader(handle)
            _read_rows(reader, schema["fields"], report)
    except (UnicodeDecodeError, csv.Error) as exc:
        # A half-read file is not trustworthy: accept nothing.
        report.places.clear()
        message = ("the file is not UTF-8 text: save it as CSV UTF-8 and retry"
                   if isinstance(exc, UnicodeDecodeError) else f"unreadable CSV ({exc})")
        line = reader.line_num if reader and isinstance(exc, csv.Error) else 1
        report.errors.append(RowIssue(line, None, None, message))
    return report


@contextlib.contextmanager
def _open_text(source: str | PathLike[str] | IO) -> Iterator[Iterable[str]]:
    """Yield a text stream for ``source``; close only what this function opened."""
    if isinstance(source, (str, PathLike)):
        with open(source, encoding="utf-8-sig", newline="") as handle:
            yield handle
    elif isinstance(source.read(0), bytes):  # e.g. an uploaded file's stream
        wrapper = io.TextIOWrapper(source, encoding="utf-8-sig", newline="")
        try:
            yield wrapper
        finally:
            wrapper.detach()  # leave the caller's binary stream open
    else:  # a text stream: drop a BOM here, before csv sees it in front of a quote
        lines = iter(source)
        yield itertools.chain([next(lines, "").removeprefix("\ufeff")], lines)


def _read_rows(reader: Iterator[list[str]], fields: list[dict], report: ImportReport) -> None:
    """Validate the header, then every row, filling ``report``."""
    header = _read_header(reader, fields, report)
    if header is None:
        return
    seen: dict[str, dict[str, int]] = {f["name"]: {} for f in fields if _constraint(f, "unique")}
    previous_line = reader.line_num
    for cells in reader:
        # line_num is where a record ends; report where it starts (quotes may span lines)
        line, previous_line = previous_line + 1, reader.line_num
        if not any(cell.strip() for cell in cells):
            continue  # blank lines and spreadsheet rows of bare commas are not places
        values = {name: cell.strip() for name, cell in zip(header, cells)}
        row_id = values.get("id") or None
        place, errors, warnings = _check_row(values, fields, line, row_id)
        if len(cells) != len(header):  # misaligned: values may sit in the wrong columns
            message = f"row has {len(cells)} cells but the header has {len(header)}"
            errors.insert(0, RowIssue(line, row_id, None, message))
        errors += _unique_errors(values, seen, line, row_id)
        report.errors += errors
        report.warnings += warnings
        if not errors:
            report.places.append(place)


def _read_header(reader: Iterator[list[str]], fields: list[dict],
                 report: ImportReport) -> list[str] | None:
    """Return the column names, or None after recording one file-level error."""
    header = [name.strip() for name in next(reader, [])]
    doubled = sorted({f["name"] for f in fields if header.count(f["name"]) > 1})
    missing = [f["name"] for f in fields if _constraint(f, "required")
               and f["name"] not in header and f["name"] not in SOFT_REQUIRED]
    problems = []
    if not header:
        problems.append("empty file: no header row")
    elif missing:
        problems.append("missing required column(s): " + ", ".join(missing))
    if doubled:
        problems.append("column(s) appearing twice: " + ", ".join(doubled))
    if problems:
        report.errors.append(RowIssue(1, None, None, "; ".join(problems)))
        return None
    return header


def _check_row(values: dict[str, str], fields: list[dict], line: int, row_id: str | None):
    """Convert and check one row; return (place, errors, warnings)."""
    place: dict[str, Any] = {}
    errors: list[RowIssue] = []
    warnings: list[RowIssue] = []
    for spec in fields:
        name = spec["name"]
        value, problems = _check_value(spec, values.get(name, ""))
        place[name] = value
        if value is None and _constraint(spec, "required"):
            issues = warnings if name in SOFT_REQUIRED else errors
            issues.append(RowIssue(line, row_id, name, "required value is missing"))
        errors += [RowIssue(line, row_id, name, message) for message in problems]
    if place.get("horaires") and not errors:
        try:
            parse_hours(place["horaires"])
        except HoursError as unreadable:
            warnings.append(RowIssue(line, row_id, "horaires", f"{unreadable} (the kiosk "
                                     "will ask to call before coming)"))
    return place, errors, warnings


def _check_value(spec: dict, text: str) -> tuple[Any, list[str]]:
    """Convert one cell by its field spec; return (value or None, problem messages)."""
    name, kind = spec["name"], spec.get("type", "string")
    if name in LIST_FIELDS:
        items = [item.strip() for item in _LIST_SEPARATOR.split(text) if item.strip()]
        return (items, _string_problems(spec, "|".join(items), items)) if items else (None, [])
    if not text:
        return None, []
    if kind == "number":
        return check_number(name, text)
    if kind == "date":
        return text, _date_problems(text)
    return text, _string_problems(spec, text)


def _string_problems(spec: dict, text: str, items: list[str] | None = None) -> list[str]:
    """Check a string (or a list's |-joined ``items``) against pattern and maxLength."""
    problems = []
    pattern = _constraint(spec, "pattern")
    if pattern and not _compiled(pattern).fullmatch(text):
        bad = [item for item in items or () if not _compiled(pattern).fullmatch(item)]
        if bad:  # name the culprits rather than print a huge regex
            problems.append("value(s) not allowed: " + ", ".join(map(_show, bad)))
        else:
            problems.append(f"{_show(text)} does not match the pattern {pattern}")
    max_length = _constraint(spec, "maxLength")
    if max_length is not None and len(text) > max_length:
        problems.append(f"{len(text)} characters, more than the maximum of {max_length}")
    return problems


def check_number(name: str, text: str) -> tuple[float | None, list[str]]:
    """Parse a Table Schema number; coordinates must also be in range."""
    if not _NUMBER.fullmatch(text):
        return None, [f"{_show(text)} is not a number (use '.' for decimals)"]
    number = float(text)
    low, high = COORDINATE_RANGES.get(name, (-math.inf, math.inf))
    if not (math.isfinite(number) and low <= number <= high):
        return None, [f"{text} is out of range ({low:g} to {high:g})"]
    return number, []


def _date_problems(text: str) -> list[str]:
    """Table Schema's default date format is ISO 8601 YYYY-MM-DD, and the day must exist."""
    # The regex first: since Python 3.11 date.fromisoformat also accepts "20240402".
    if _ISO_DATE.fullmatch(text):
        with contextlib.suppress(ValueError):
            date.fromisoformat(text)
            return []
    return [f"{_show(text)} is not a date in the form YYYY-MM-DD"]


def _unique_errors(values: dict[str, str], seen: dict[str, dict[str, int]], line: int,
                   row_id: str | None) -> list[RowIssue]:
    """Check ``unique`` fields: the first occurrence wins, later ones are errors."""
    errors = []
    for name, first_lines in seen.items():
        value = values.get(name, "")
        if value in first_lines:
            message = f"{_show(value)} already used on line {first_lines[value]}"
            errors.append(RowIssue(line, row_id, name, message))
        elif value:  # empty values are not compared: "required" reports them
            first_lines[value] = line
    return errors


def _constraint(spec: dict, key: str) -> Any:
    return spec.get("constraints", {}).get(key)


@functools.lru_cache(maxsize=None)
def _compiled(pattern: str) -> re.Pattern[str]:
    """Compile once; ASCII so that \\d means 0-9 only, as in XML Schema-style patterns."""
    return re.compile(pattern, re.ASCII)


def _show(text: str, limit: int = 60) -> str:
    """Quote a value for a message, shortened so one issue stays on one line."""
    return repr(text if len(text) <= limit else text[: limit - 1] + "…")


def nearest(places: Iterable[dict], lat: float, lon: float, *,
            services: Iterable[str] | None = None, programmes: Iterable[str] | None = None,
            limit: int = 3) -> list[tuple[float, dict]]:
    """Return up to ``limit`` (distance in km, place) pairs, nearest first, ties by name.

    Only places with coordinates count. With ``services`` (values of the standard's
    ``services`` field) and/or ``programmes`` (values of ``dispositif_programmes_nationaux``),
    a place qualifies if it offers any of those services or takes part in any of those
    programmes. An itinerant place (a bus) that has ``stops`` (see kiosk.places.stops) is as
    near as its nearest stop, and comes back with only its ``STOPS_SHOWN`` nearest stops, as
    (km, stop) pairs; without stops it is measured from its registered address.
    """
    wanted_services, wanted_programmes = _as_set(services), _as_set(programmes)
    filtering = bool(wanted_services or wanted_programmes)
    scored = []
    for place in places:
        offered = wanted_services.intersection(place.get("services") or ())
        joined = wanted_programmes.intersection(place.get("dispositif_programmes_nationaux") or ())
        if filtering and not (offered or joined):
            continue
        if place.get("stops"):
            stops = nearest_stops(place["stops"], lat, lon)
            if stops:
                scored.append((stops[0][0], dict(place, stops=stops)))
        elif place.get("latitude") is not None and place.get("longitude") is not None:
            km = distance_km(lat, lon, place["latitude"], place["longitude"])
            scored.append((km, place))
    scored.sort(key=lambda pair: (pair[0], (pair[1].get("nom") or "").casefold()))
    return scored[: max(limit, 0)]


STOPS_SHOWN = 2


def nearest_stops(stops: Iterable[dict], lat: float, lon: float,
                  limit: int = STOPS_SHOWN) -> list[tuple[float, dict]]:
    """The ``limit`` stops nearest to (lat, lon) as (km, stop) pairs, ties by commune."""
    scored = [(distance_km(lat, lon, stop["latitude"], stop["longitude"]), stop)
              for stop in stops if stop.get("latitude") is not None]
    scored.sort(key=lambda pair: (pair[0], pair[1]["commune"], pair[1]["id"]))
    return scored[: max(limit, 0)]


def _as_set(values: Iterable[str] | None) -> set[str]:
    """A filter as a set; a lone string is one value, not a set of characters."""
    return {values} if isinstance(values, str) else set(values or ())
