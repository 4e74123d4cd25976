"""Self-reported digital skills as Eurostat and INSEE count them, for one person.

Pure core: no Flask, no SQL. The Eurostat survey on ICT usage asks whether a person *did*
each activity in the last 3 months (purchases: 12) and assumes that doing it means having
the skill. From one person's answers per activity this module computes:

- the level per area of the EU Digital Skills Indicator 2.0 (Eurostat ``isoc_sk_dskl_i21``):
  ``none`` / ``basic`` / ``above_basic``, from the number of activities done in the area;
- the overall DSI level and "at least basic digital skills" (basic or above in all five
  areas; a person with no internet use in the last 3 months has no digital skills);
- INSEE's 2021 illectronisme (Insee Première 1953);
- INSEE's 2019 illectronisme (Insee Première 1780), only *approximated* from these items.

Each figure is computed twice, because the survey has no "with help" answer:
the **headline** counts "alone" and "helped" as done (a helped respondent most likely
answers yes to the survey), the **strict** figure counts "alone" only. "done_for_me" is
never done (as Eurostat's e-government module: a procedure someone did on the person's
behalf is not theirs) and "unknown" ("Je ne sais pas", or a question not asked) counts as
not done.

Which activity belongs to which area, and the thresholds per area, come from two data
files (``questionnaires/data/dsi2_activities.csv`` and ``dsi2_areas.csv``; see
``questionnaires/data/SOURCES.md``) read by :func:`load_definition`, which reports every
fault as ``file:line: message``. Every function takes the loaded :class:`Definition`.
"""
from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

#: The two data files, in the questionnaires' data folder (``kiosk.paths.DATA``, which the
#: caller passes: this module reads no location of its own, so it runs the same from a
#: checkout and from a wheel).
ACTIVITIES_FILE = "dsi2_activities.csv"
AREAS_FILE = "dsi2_areas.csv"

#: The five areas of DSI 2.0, in Eurostat's order; INSEE 2021 uses the same five.
AREA_IDS = ("information", "communication", "content", "safety", "problem_solving")

#: What a person may answer for one activity.
ANSWERS = ("alone", "helped", "done_for_me", "not_done", "unknown")

#: Which answers count as "done", per counting rule.
COUNTED = {
    "headline": frozenset({"alone", "helped"}),
    "strict": frozenset({"alone"}),
}

#: When the person last used the internet (ids of the questionnaire's `last_use`).
LAST_USE = ("3m", "12m", "older", "never", "unknown")

LEVELS = ("none", "basic", "above_basic")

#: Ages each figure is published for: (first, last) with None for "and over".
DSI_AGES = (16, 74)
INSEE_AGES = (15, None)

#: INSEE 2021: illectronic if lacking any skill in at least this many of the five areas.
INSEE_2021_MIN_AREAS_LACKING = 4

#: Bands a person may give instead of an age when they prefer not to say.
NO_AGE = (None, "", "no_answer")

_ID = re.compile(r"^[a-z][a-z0-9_]*$")
_ACTIVITY_COLUMNS = ["id", "area", "wording_fr", "period_months", "eurostat_code"]
_AREA_COLUMNS = ["id", "label_en", "basic_min", "above_basic_min", "insee_2019_domain"]


class DefinitionError(ValueError):
    """The DSI data files are wrong; ``problems`` lists every fault as ``file:line: message``."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass(frozen=True)
class Area:
    """One DSI area and the number of activities done that makes each level."""

    id: str
    label_en: str
    basic_min: int
    above_basic_min: int
    insee_2019_domain: bool

    def level(self, done: int) -> str:
        """The DSI level for ``done`` activities of this area."""
        if done >= self.above_basic_min:
            return "above_basic"
        if done >= self.basic_min:
            return "basic"
        return "none"


@dataclass(frozen=True)
class Activity:
    """One activity of the Eurostat survey, as the kiosk asks it."""

    id: str
    area: str
    wording_fr: str
    period_months: int
    eurostat_code: str


@dataclass(frozen=True)
class Definition:
    """The DSI 2.0 areas and activities, as loaded and checked from the data files."""

    areas: tuple[Area, ...]
    activities: tuple[Activity, ...]

    def activity_ids(self) -> frozenset[str]:
        return frozenset(a.id for a in self.activities)


def _read_rows(path: Path, columns: list[str], problems: list[str]):
    """Yield (line, row) for each data row of a CSV file whose header is ``columns``."""
    with open(path, newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle)
        header = next(reader, None)
        if header != columns:
            problems.append(f"{path}:1: the header must be {','.join(columns)}")
            return
        for row in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in row):
                continue
            if len(row) != len(columns):
                problems.append(
                    f"{path}:{line}: {len(row)} fields, expected {len(columns)} "
                    f"({','.join(columns)})")
                continue
            yield line, dict(zip(columns, (cell.strip() for cell in row)))


def _int(value: str, where: str, name: str, problems: list[str]) -> int | None:
    try:
        return int(value)
    except ValueError:
        problems.append(f"{where}: {name} must be a whole number, not {value!r}")
        return None


def _load_areas(path: Path, problems: list[str]) -> dict[str, Area]:
    areas: dict[str, Area] = {}
    listed: set[str] = set()
    for line, row in _read_rows(path, _AREA_COLUMNS, problems):
        where = f"{path}:{line}"
        listed.add(row["id"])
        if row["id"] not in AREA_IDS:
            problems.append(f"{where}: unknown area {row['id']!r} (DSI 2.0 has "
                            f"{', '.join(AREA_IDS)})")
            continue
        if row["id"] in areas:
            problems.append(f"{where}: area {row['id']!r} is listed twice")
            continue
        basic = _int(row["basic_min"], where, "basic_min", problems)
        above = _int(row["above_basic_min"], where, "above_basic_min", problems)
        if row["insee_2019_domain"] not in ("yes", "no"):
            problems.append(f"{where}: insee_2019_domain must be yes or no")
            continue
        if basic is None or above is None:
            continue
        if not 1 <= basic < above:
            problems.append(f"{where}: thresholds must satisfy 1 <= basic_min < "
                            f"above_basic_min (got {basic} and {above})")
            continue
        areas[row["id"]] = Area(row["id"], row["label_en"], basic, above,
                                row["insee_2019_domain"] == "yes")
    for missing in (a for a in AREA_IDS if a not in listed):
        problems.append(f"{path}: area {missing!r} is missing")
    return areas


def _load_activities(path: Path, problems: list[str]) -> list[tuple[int, Activity]]:
    activities: list[tuple[int, Activity]] = []
    seen: set[str] = set()
    for line, row in _read_rows(path, _ACTIVITY_COLUMNS, problems):
        where = f"{path}:{line}"
        if not _ID.match(row["id"]):
            problems.append(f"{where}: id {row['id']!r} must be lower-case letters, "
                            "digits and _")
            continue
        if row["id"] in seen:
            problems.append(f"{where}: activity {row['id']!r} is listed twice")
            continue
        seen.add(row["id"])
        if row["area"] not in AREA_IDS:
            problems.append(f"{where}: unknown area {row['area']!r} (one of "
                            f"{', '.join(AREA_IDS)})")
            continue
        if not row["wording_fr"]:
            problems.append(f"{where}: wording_fr is empty")
            continue
        period = _int(row["period_months"], where, "period_months", problems)
        if period is None:
            continue
        if period not in (3, 12):
            problems.append(f"{where}: period_months must be 3 or 12, as in the survey")
            continue
        activities.append((line, Activity(row["id"], row["area"], row["wording_fr"],
                                          period, row["eurostat_code"])))
    return activities


def load_definition(data_dir: Path | str) -> Definition:
    """Read and check the DSI 2.0 files of ``data_dir``; raise :class:`DefinitionError`."""
    problems: list[str] = []
    activities_path = Path(data_dir) / ACTIVITIES_FILE
    areas = _load_areas(Path(data_dir) / AREAS_FILE, problems)
    activities = _load_activities(activities_path, problems)
    for area in areas.values():
        count = sum(1 for _, a in activities if a.area == area.id)
        # A level no one can reach would silently cap every person below it.
        if count < area.above_basic_min and not problems:
            problems.append(
                f"{activities_path}: area {area.id!r} has {count} activities, fewer "
                f"than its above_basic_min ({area.above_basic_min})")
    if problems:
        raise DefinitionError(problems)
    return Definition(tuple(areas[a] for a in AREA_IDS), tuple(a for _, a in activities))


# --- One person ------------------------------------------------------------------------

def _check_answers(definition: Definition, answers: Mapping[str, str]) -> None:
    known = definition.activity_ids()
    for activity, answer in answers.items():
        if activity not in known:
            raise ValueError(f"unknown DSI activity {activity!r}")
        if answer not in ANSWERS:
            raise ValueError(f"answer {answer!r} to {activity!r} is not one of "
                             f"{', '.join(ANSWERS)}")


def used_internet(last_use: str, answers: Mapping[str, str], months: int) -> bool:
    """Whether the person used the internet in the last ``months`` (3 or 12).

    The person's own answer to "last use" decides. When they do not know, an activity
    done alone or with help in the last 3 months shows they did (every DSI activity is an
    internet activity of the survey); "done_for_me" does not.
    """
    if last_use not in LAST_USE:
        raise ValueError(f"last internet use {last_use!r} is not one of {', '.join(LAST_USE)}")
    if last_use == "unknown":
        return any(answer in COUNTED["headline"] for answer in answers.values())
    return last_use == "3m" or (months == 12 and last_use == "12m")


def area_levels(definition: Definition, answers: Mapping[str, str],
                count: str) -> dict[str, str]:
    """The DSI level of each area, counting as done the answers of rule ``count``.

    An activity with no answer counts as not done, as "unknown" does.
    """
    _check_answers(definition, answers)
    done_answers = COUNTED[count]
    levels = {}
    for area in definition.areas:
        done = sum(1 for a in definition.activities
                   if a.area == area.id and answers.get(a.id, "unknown") in done_answers)
        levels[area.id] = area.level(done)
    return levels


def dsi_overall(levels: Mapping[str, str], used_3m: bool) -> str:
    """Eurostat's overall level: ``no_use``, ``below_basic``, ``basic`` or ``above_basic``.

    Above basic in all five areas is "above basic"; at least basic in all five is "basic";
    anything less is below basic. Eurostat publishes six levels (no skills, limited, narrow,
    low, basic, above basic); the kiosk does not split "below basic", whose finer rules were
    not at hand. No internet use in the last 3 months: no skills (``no_use``).
    """
    if not used_3m:
        return "no_use"
    if all(levels[a] == "above_basic" for a in AREA_IDS):
        return "above_basic"
    if all(levels[a] != "none" for a in AREA_IDS):
        return "basic"
    return "below_basic"


def illectronism_2021(levels: Mapping[str, str], used_3m: bool) -> bool:
    """INSEE's illectronisme as defined for the 2021 survey (Insee Première 1953, 2023).

    What we implement: a person of 15 or over is in a situation of illectronisme when they
    did not use the internet in the last 3 months, or when they used it but lack any skill
    (no activity done, DSI level ``none``) in at least 4 of the 5 areas. INSEE calls the
    users lacking skills in 1, 2 or 3 of the 5 areas "capacités numériques faibles", so
    4 or 5 areas lacking is what remains for illectronisme.
    """
    lacking = sum(1 for a in AREA_IDS if levels[a] == "none")
    return not used_3m or lacking >= INSEE_2021_MIN_AREAS_LACKING


def illectronism_2019_approx(definition: Definition, levels: Mapping[str, str],
                             used_12m: bool) -> bool:
    """An APPROXIMATION of INSEE's 2019 illectronisme (Insee Première 1780, 2019).

    INSEE 2019: no internet use in the last 12 months, or no skill at all in each of the
    four domains of the first DSI (information, communication, problem solving, software).
    The kiosk asks the DSI 2.0 activities, over 3 months: we take the areas marked
    ``insee_2019_domain`` (content creation standing for software) and call a person
    illectronic when they did not use the internet in 12 months or have level ``none`` in
    every one of them. The 2019 items and periods differed, so this figure is labelled an
    approximation wherever it is shown.
    """
    domains = [a.id for a in definition.areas if a.insee_2019_domain]
    return not used_12m or all(levels[a] == "none" for a in domains)


@dataclass(frozen=True)
class Measure:
    """The figures for one person under one counting rule (headline or strict)."""

    count: str
    levels: dict[str, str]
    dsi_overall: str
    at_least_basic: bool
    illectronism_2021: bool
    illectronism_2019_approx: bool


def measure(definition: Definition, answers: Mapping[str, str], last_use: str,
            count: str) -> Measure:
    """Every indicator for one person under counting rule ``count``."""
    used_3m = used_internet(last_use, answers, 3)
    used_12m = used_internet(last_use, answers, 12)
    if used_3m:
        levels = area_levels(definition, answers, count)
    else:
        # The survey asks the activities of recent users only: a non-user has no skill.
        _check_answers(definition, answers)
        levels = {a: "none" for a in AREA_IDS}
    overall = dsi_overall(levels, used_3m)
    return Measure(
        count=count,
        levels=levels,
        dsi_overall=overall,
        at_least_basic=overall in ("basic", "above_basic"),
        illectronism_2021=illectronism_2021(levels, used_3m),
        illectronism_2019_approx=illectronism_2019_approx(definition, levels, used_12m),
    )


# --- Ages ------------------------------------------------------------------------------

_BAND = re.compile(r"^(\d+)(?:-(\d+)|\+)$")


def age_scope(band: str | None, ages: tuple[int, int | None]) -> str:
    """Whether a person of age ``band`` counts in a figure published for ``ages``.

    ``band`` is a kiosk age band ("15-29", "75+"). Answers ``in`` (the whole band is in the
    published ages), ``out`` (none of it is), ``not_comparable`` (the band straddles a
    boundary, e.g. "15-29" for the DSI's 16-74) or ``unknown`` (no age given).
    """
    if band in NO_AGE:
        return "unknown"
    match = _BAND.match(band)
    if not match:
        raise ValueError(f"age band {band!r} is neither 'N-M' nor 'N+'")
    low = int(match.group(1))
    high = int(match.group(2)) if match.group(2) else None
    first, last = ages
    band_ends_before = high is not None and high < first
    band_starts_after = last is not None and low > last
    if band_ends_before or band_starts_after:
        return "out"
    starts_inside = low >= first
    ends_inside = last is None or (high is not None and high <= last)
    return "in" if starts_inside and ends_inside else "not_comparable"


@dataclass(frozen=True)
class Indicators:
    """Everything computed for one person: both counting rules and the age scopes."""

    headline: Measure
    strict: Measure
    dsi_age_scope: str
    insee_age_scope: str


def compute(definition: Definition, answers: Mapping[str, str], last_use: str,
            age_band: str | None) -> Indicators:
    """The headline and strict figures of one person, and the ages they compare with."""
    return Indicators(
        headline=measure(definition, answers, last_use, "headline"),
        strict=measure(definition, answers, last_use, "strict"),
        dsi_age_scope=age_scope(age_band, DSI_AGES),
        insee_age_scope=age_scope(age_band, INSEE_AGES),
    )
