"""The dashboard's period presets, resolved to whole ISO weeks. Pure: no Flask, no SQL.

Staff think in quarters, months and years, the counts are kept by ISO week. A week
belongs to the month (and so the quarter and the year) of its Thursday, the ISO rule
the impact section uses (month_of): a week straddling two months
counts, whole, in the one holding most of its days. So "the third quarter of 2026"
(1 July to 30 September) is the weeks 2026-W27 (Monday 29 June) to 2026-W39 (Sunday
27 September): 28 to 30 September belong to 2026-W40, whose Thursday is 1 October.

The presets, given the hub's date ``today``:

- ``trimestre``: the last whole calendar quarter before today's;
- ``12mois``: today's month and the eleven before it (today's month is not over: the
  page then says its last weeks are incomplete);
- ``annee-YYYY``: the calendar year YYYY (one per year the service has run);
- ``tout``: every week with data (the default);
- ``semaines``: the ISO weeks typed in the folded fields (``du``, ``au``).
"""
from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date, timedelta

from .stats import week_end, week_of, week_start
from .tables import N_

MONTH_NAMES = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
               "septembre", "octobre", "novembre", "décembre")
LAST_QUARTER, LAST_YEAR, ALL_WEEKS, CUSTOM = "trimestre", "12mois", "tout", "semaines"
YEAR = "annee-"
FIXED = ((LAST_QUARTER, N_("Dernier trimestre")), (LAST_YEAR, N_("12 derniers mois")))


@dataclass(frozen=True)
class Period:
    """A chosen period: its preset, its calendar dates (None for every week or typed
    weeks) and its ISO weeks (None: unbounded on that side)."""

    preset: str
    label: str
    start: date | None = None
    end: date | None = None
    first: str | None = None
    last: str | None = None


@functools.lru_cache(maxsize=4096)  # a page asks it of the same few hundred weeks, often
def thursday(week: str) -> date:
    return date.fromisocalendar(int(week[:4]), int(week[6:]), 4)


def month_of(week: str) -> str:
    """``YYYY-MM`` of the week's Thursday."""
    return f"{thursday(week):%Y-%m}"


def quarter_of(week: str) -> str:
    """``YYYY-Tn`` of the week's Thursday (``2026-W40`` -> ``2026-T4``)."""
    day = thursday(week)
    return f"{day.year}-T{(day.month - 1) // 3 + 1}"


def weeks_for(start: date, end: date) -> tuple[str, str]:
    """The first and last ISO weeks whose Thursday lies from ``start`` to ``end``."""
    first = start + timedelta(days=(3 - start.weekday()) % 7)
    last = end - timedelta(days=(end.weekday() - 3) % 7)
    return week_of(first), week_of(last)


def _month_start(year: int, month: int) -> date:
    """The first day of a month counted from year 0 (month may be < 1 or > 12)."""
    year, month = year + (month - 1) // 12, (month - 1) % 12 + 1
    return date(year, month, 1)


def calendar(start: date, end: date, preset: str, label: str) -> Period:
    return Period(preset, label, start, end, *weeks_for(start, end))


def last_quarter(today: date) -> Period:
    """The last whole quarter before ``today``'s (at 2026-11-15: 1 July to 30 September
    2026)."""
    this = _month_start(today.year, (today.month - 1) // 3 * 3 + 1)
    start = _month_start(this.year, this.month - 3)
    return calendar(start, this - timedelta(days=1), LAST_QUARTER, FIXED[0][1])


def last_twelve_months(today: date) -> Period:
    """``today``'s month and the eleven before it (at 2026-11-15: 1 December 2025 to 30
    November 2026)."""
    start = _month_start(today.year, today.month - 11)
    end = _month_start(today.year, today.month + 1) - timedelta(days=1)
    return calendar(start, end, LAST_YEAR, FIXED[1][1])


def year(number: int) -> Period:
    return calendar(date(number, 1, 1), date(number, 12, 31), f"{YEAR}{number}",
                    N_("Année %(year)s") % {"year": number})


def choices(years) -> list[tuple[str, str]]:
    """The presets offered (code, label): the fixed ones, a year for each of ``years``,
    every week, and the typed weeks."""
    return [*FIXED, *[(f"{YEAR}{y}", N_("Année %(year)s") % {"year": y}) for y in years],
            (ALL_WEEKS, N_("Toute la période")), (CUSTOM, N_("Personnaliser (semaines ISO)"))]


def resolve(preset: str, today: date, years, first: str | None = None,
            last: str | None = None) -> Period | None:
    """The period of ``preset`` at ``today`` (``years``: those a year may be; ``first``,
    ``last``: the typed weeks of ``semaines``), None for an unknown preset."""
    if preset == LAST_QUARTER:
        return last_quarter(today)
    if preset == LAST_YEAR:
        return last_twelve_months(today)
    if preset == ALL_WEEKS:
        return Period(ALL_WEEKS, N_("Toute la période"))
    if preset == CUSTOM:
        return Period(CUSTOM, N_("Semaines choisies"), first=first, last=last)
    if preset.startswith(YEAR) and preset[len(YEAR):].isdigit() \
            and int(preset[len(YEAR):]) in set(years):
        return year(int(preset[len(YEAR):]))
    return None


def french_date(day: date, with_year: bool = True) -> str:
    """``1er juillet 2026``, ``30 septembre 2026`` (``with_year=False``: no year)."""
    text = f"{'1er' if day.day == 1 else day.day} {MONTH_NAMES[day.month - 1]}"
    return f"{text} {day.year}" if with_year else text


def span_text(start: date, end: date) -> str:
    """``du 1er juillet au 30 septembre 2026`` (the year once when both share it)."""
    return (f"du {french_date(start, start.year != end.year)} au {french_date(end)}")


def end_of(period: Period) -> date | None:
    """The last day the period asks for: its calendar end, else its last week's Sunday."""
    if period.end is not None:
        return period.end
    return week_end(period.last) if period.last else None


def past_data(period: Period, latest: date | None) -> str | None:
    """The note for a period that goes past the last data received (``latest``), else
    None."""
    end = end_of(period)
    if end is None or latest is None or end <= latest:
        return None
    return (f"La période choisie va jusqu'au {french_date(end)} ; la dernière donnée reçue "
            f"date du {french_date(latest)} : les dernières semaines sont incomplètes.")


def scope(period: Period, first: str | None, last: str | None) -> str | None:
    """The period in words for the page's scope line, None when it is the typed weeks
    or every week (the page then states the weeks' dates)."""
    if period.start is None or period.end is None:
        return None
    text = f"{period.label} : {span_text(period.start, period.end)}"
    if first and last:
        text += (f" (semaines ISO {first} à {last}, "
                 f"{span_text(week_start(first), week_end(last))})")
    return text + "."


WEEK_FIELDS = ("du", "au")


def read(args, today: date, years) -> tuple[Period, dict, list[str]]:
    """The period asked in the query string (``periode``; typed weeks alone, as older
    links carry them, mean ``semaines``), the query string the other filters are read
    from (without the typed weeks unless they were chosen: the folded fields are sent
    with every form), and what was wrong (the default period is then shown)."""
    preset = args.get("periode", "").strip()
    typed = any(args.get(name, "").strip() for name in WEEK_FIELDS)
    if not preset:
        preset = CUSTOM if typed else ALL_WEEKS
    period = resolve(preset, today, years)
    errors = []
    if period is None:
        errors.append(f"La période « {preset} » n'est pas proposée : toute la période est "
                      "montrée.")
        period = resolve(ALL_WEEKS, today, years)
    rest = args if period.preset == CUSTOM else {
        key: value for key, value in args.items() if key not in WEEK_FIELDS}
    return period, rest, errors


def texts(period: Period, filters_first: str | None, filters_last: str | None,
          latest: str | None) -> dict:
    """What the page says of the period: ``period_scope`` (its words, or None) and
    ``period_note`` (past the last data received, or None). ``filters_*``: the weeks
    asked; ``latest``: when the last data was received (ISO)."""
    if period.preset == CUSTOM:
        period = Period(CUSTOM, period.label, first=filters_first, last=filters_last)
    day = date.fromisoformat(latest[:10]) if latest else None
    return {"period_scope": scope(period, period.first, period.last),
            "period_note": past_data(period, day)}


def years(weeks: tuple[str, str] | None) -> list[int]:
    """The calendar years of the weeks ``weeks[0]`` to ``weeks[1]`` (by their Thursday)."""
    if not weeks:
        return []
    return list(range(thursday(weeks[0]).year, thursday(weeks[1]).year + 1))
