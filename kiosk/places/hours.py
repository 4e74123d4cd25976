"""A place's opening hours, read from the standard's `horaires` field, told in plain words.

The national places standard writes hours in OpenStreetMap's ``opening_hours`` syntax
("Mo-Th 09:00-12:00,14:00-18:00; Fr 09:00-12:00; Sa[1] 09:00-12:00"). The syntax itself is
read by the ``opening-hours-py`` package (imported as the top-level ``opening_hours``, not
this module): it knows the whole specification, French public holidays for ``PH off``
included. This module turns its answers into what a resident needs:

* on screen, where they are now: "Ouvert aujourd'hui de 9 h à 12 h", "Prochaine ouverture :
  mardi à 14 h" (:func:`describe_status`);
* on paper, a usual week, since "demain" goes stale on a sheet taken home
  (:func:`describe_week`).

Pure: no Flask, no SQL, no clock. Times are naive local datetimes (Europe/Paris), always
passed in. Weekday names, dates and list joining come from Babel's locale data; the
sentence frames go through the caller's ``gettext``.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import NamedTuple

import opening_hours as osm
from babel.dates import format_date, format_time, get_day_names
from babel.lists import format_list

# The sentence frames below are gettext msgids (French source text). For the catalogues:
#   "Ouvert maintenant"
#   "Ouvert maintenant jusqu'à %(time)s"
#   "Ouvert maintenant jusqu'à %(time)s, puis %(spans)s"
#   "Ouvert aujourd'hui %(spans)s"
#   "de %(start)s à %(end)s"
#   "Prochaine ouverture : %(when)s"
#   "demain à %(time)s"
#   "%(day)s à %(time)s"
#   "Horaires à confirmer : appelez avant de venir."
#   "Pas d'ouverture prévue dans les 14 prochains jours : appelez avant de venir."
#   "Horaires non communiqués : appelez avant de venir."
#   "%(day)s : %(hours)s"
#   "%(start)s – %(end)s"
#   "fermé"
#   "24 h sur 24"
#   "à confirmer"
#   "certaines semaines, %(hours)s"
#   "%(hours)s, et certaines semaines %(more)s"

Gettext = Callable[[str], str]
Span = tuple[time, time]

# How far ahead "next opening" looks: past two weeks, the resident should rather call.
# The msgid "Pas d'ouverture prévue dans les 14 prochains jours…" says this number.
HORIZON_DAYS = 14
# A usual week is what most of these weeks show; the rest is "some weeks" (e.g. Sa[1]).
SAMPLE_WEEKS = 8

# French writes hours as "9 h" and "13 h 30", not the clock's "09:00" of CLDR's short
# time format; no-break spaces keep "9 h" on one line. Other languages use CLDR's format.
_HOUR_PATTERNS = {"fr": ("H\u00a0'h'", "H\u00a0'h'\u00a0mm")}

# ParserError messages point at the fault as "--> line:column".
_ERROR_POSITION = re.compile(r"-->\s*\d+:(\d+)")


class HoursError(ValueError):
    """The text is not opening hours this module can read; ``part`` is where it goes wrong."""

    def __init__(self, text: str, part: str, reason: str):
        self.text, self.part = text, part
        super().__init__(f"{reason}: {part!r} in {text!r}" if part else f"{reason}: {text!r}")


@dataclass(frozen=True)
class Status:
    """Where a place stands at one moment, looking up to ``HORIZON_DAYS`` ahead.

    ``is_open``: open now, until ``open_until`` (None: open past the horizon).
    ``later_today``: the openings still to come today, after the current one if any.
    ``next_opening``: the start of the next opening after now (None: none in the horizon).
    ``unknown``: the data gives no hours to trust now (an "unknown" rule, or a mere comment
    such as "sur rendez-vous" that makes the place "open" all the time).
    ``comment``: the source's own words for the current or next opening (in French).
    """

    is_open: bool = False
    open_until: datetime | None = None
    later_today: tuple[tuple[datetime, datetime], ...] = ()
    next_opening: datetime | None = None
    unknown: bool = False
    comment: str = ""


class DayHours(NamedTuple):
    """A weekday (0 = Monday) of the usual week: its hours, hours kept only some weeks, and
    whether the data leaves most of these days to confirm ("sur rendez-vous", "unknown")."""

    weekday: int
    spans: tuple[Span, ...]
    some_weeks: tuple[Span, ...] = ()
    to_confirm: bool = False


class Schedule:
    """Opening hours parsed from one `horaires` value."""

    def __init__(self, text: str, rules: osm.OpeningHours):
        self.text = text
        self._rules = rules

    def __repr__(self) -> str:
        return f"Schedule({self.text!r})"

    def _periods(self, start: datetime, end: datetime) -> Iterator[Period]:
        """Open and to-confirm periods within [start, end], adjacent alike ones merged.

        Asked one day at a time: over longer ranges, opening-hours-py 2.1 skips days after
        a fallback rule ("Mo-Fr 09:00-12:00 || ...") and hours past the last midnight.
        """
        current = None
        day = start
        while day < end:
            next_day = min(end, datetime.combine(day.date() + timedelta(days=1), time()))
            for begin, finish, state, comment in self._rules.intervals(day, next_day):
                if state == osm.State.CLOSED:
                    continue
                if current and current[1] == begin and current[2:] == (state, comment):
                    current = (current[0], finish, state, comment)
                    continue
                if current:
                    yield _period(*current)
                current = (begin, finish, state, comment)
            day = next_day
        if current:
            yield _period(*current)

    def status(self, now: datetime) -> Status:
        """Open now and until when, or the next opening within ``HORIZON_DAYS``."""
        horizon = now + timedelta(days=HORIZON_DAYS)
        midnight = datetime.combine(now.date() + timedelta(days=1), time())
        is_open, open_until, later, upcoming, unknown, comment = False, None, [], None, False, ""
        for period in self._periods(now, horizon):
            if period.begin <= now:
                is_open, unknown, comment = period.certain, not period.certain, period.comment
                open_until = period.end if period.certain and period.end < horizon else None
            elif period.certain:
                if period.begin < midnight:
                    later.append((period.begin, period.end))
                if upcoming is None:
                    upcoming = period.begin
                    comment = comment if is_open or unknown else period.comment
        return Status(is_open, open_until, tuple(later), upcoming, unknown, comment)

    def weekly(self, start: date) -> list[DayHours]:
        """The usual week over the ``SAMPLE_WEEKS`` weeks from ``start``, Monday first.

        A date is needed because rules may depend on the month or the week (summer hours,
        "Sa[1]" for the first Saturday of the month, public holidays). A weekday's usual
        hours are those most of its sampled days have; openings seen only on some of them
        are kept apart, so the sheet can say "some weeks" rather than promise every week.
        """
        first = datetime.combine(start, time())
        days = {first.date() + timedelta(days=n): [] for n in range(7 * SAMPLE_WEEKS)}
        vague_days = set()
        for period in self._periods(first, first + timedelta(weeks=SAMPLE_WEEKS)):
            begin = period.begin
            while begin < period.end:  # a period past midnight counts on each day it touches
                cut = min(period.end, datetime.combine(begin.date() + timedelta(days=1), time()))
                if period.certain:
                    days[begin.date()].append((begin.time(), cut.time()))
                else:
                    vague_days.add(begin.date())
                begin = cut
        by_weekday: dict[int, Counter] = {n: Counter() for n in range(7)}
        for day, spans in days.items():
            by_weekday[day.weekday()][tuple(spans)] += 1
        week = []
        for weekday in range(7):
            usual = by_weekday[weekday].most_common(1)[0][0]
            if by_weekday[weekday][()] * 2 >= SAMPLE_WEEKS:
                usual = ()  # shut half the weeks (a bus every other Tuesday): "some weeks"
            extra = sorted({s for spans in by_weekday[weekday] for s in spans} - set(usual))
            vague = sum(day.weekday() == weekday for day in vague_days) * 2 > SAMPLE_WEEKS
            week.append(DayHours(weekday, usual, tuple(extra), vague))
        return week


class Period(NamedTuple):
    """A stretch of time the data calls open (``certain``) or leaves to confirm."""

    begin: datetime
    end: datetime
    certain: bool
    comment: str


def _period(begin: datetime, end: datetime, state, comment: str) -> Period:
    """A comment with no hours ("sur rendez-vous") reads as open day and night: not hours."""
    vague = state == osm.State.UNKNOWN or (bool(comment) and end - begin >= timedelta(days=1))
    return Period(begin, end, not vague, comment)


def parse(text: str) -> Schedule:
    """Read one `horaires` value; raise :class:`HoursError` when it is empty or not valid."""
    if not text or not text.strip():
        raise HoursError(text or "", "", "no opening hours given")
    try:
        rules = osm.OpeningHours(text.strip(), country="FR")
    except (osm.ParserError, SyntaxError) as error:
        raise HoursError(text, _offending_part(text.strip(), str(error)),
                         "cannot read opening hours") from None
    return Schedule(text.strip(), rules)


def parse_or_none(text: str | None) -> Schedule | None:
    """Like :func:`parse`, but None for a place with no hours or hours that cannot be read."""
    try:
        return parse(text or "")
    except HoursError:
        return None


def _offending_part(text: str, message: str) -> str:
    """The rule the parser stopped in, from its column on (the whole text if unknown)."""
    found = _ERROR_POSITION.search(message)
    if not found:
        return text
    column = int(found.group(1)) - 1
    return text[column:].split(";")[0].strip() or text


# --- Words -----------------------------------------------------------------------------


def format_hour(moment: time | datetime, locale) -> str:
    """A time of day in the locale's way ("9 h", "13 h 30" in French; "9:00 AM" in English)."""
    patterns = _HOUR_PATTERNS.get(str(locale).split("_")[0])
    if patterns is None:
        return format_time(moment, "short", locale=locale)
    return format_time(moment, patterns[moment.minute != 0], locale=locale)


def _spans(spans, frame: str, locale) -> str:
    """Each span put in its (translated) frame, joined the locale's way ("… et …")."""
    return format_list([frame % {"start": format_hour(begin, locale),
                                 "end": format_hour(end, locale)}
                        for begin, end in spans], locale=locale)


def _day_hours(spans, frame: str, locale, gettext: Gettext) -> str:
    """A day's hours for the sheet; a whole day is "24 h sur 24", not "0 h – 0 h"."""
    if spans == ((time(), time()),):
        return gettext("24 h sur 24")
    return _spans(spans, frame, locale)


def _when(moment: datetime, now: datetime, locale, gettext: Gettext) -> str:
    """ "demain à 9 h", "mardi à 14 h", or the full date a week or more ahead."""
    hour = format_hour(moment, locale)
    days = (moment.date() - now.date()).days
    if days == 1:
        return gettext("demain à %(time)s") % {"time": hour}
    if days < 7:
        day = get_day_names("wide", locale=locale)[moment.weekday()]
    else:  # a bare weekday a week or more ahead would name the wrong one
        day = format_date(moment.date(), "full", locale=locale)
    return gettext("%(day)s à %(time)s") % {"day": day, "time": hour}


def describe_status(status: Status | None, now: datetime, locale, gettext: Gettext) -> str:
    """One sentence for the screen; ``status`` None means the place gave no readable hours."""
    if status is None:
        return gettext("Horaires non communiqués : appelez avant de venir.")
    later = _spans(status.later_today, gettext("de %(start)s à %(end)s"), locale)
    if status.is_open:
        if status.open_until is None or status.open_until.date() != now.date():
            return gettext("Ouvert maintenant")
        until = format_hour(status.open_until, locale)
        if later:
            return gettext("Ouvert maintenant jusqu'à %(time)s, puis %(spans)s") % {
                "time": until, "spans": later}
        return gettext("Ouvert maintenant jusqu'à %(time)s") % {"time": until}
    if later:
        return gettext("Ouvert aujourd'hui %(spans)s") % {"spans": later}
    if status.next_opening is not None:
        return gettext("Prochaine ouverture : %(when)s") % {
            "when": _when(status.next_opening, now, locale, gettext)}
    if status.unknown:
        return gettext("Horaires à confirmer : appelez avant de venir.")
    return gettext("Pas d'ouverture prévue dans les 14 prochains jours : appelez avant de venir.")


def describe_week(schedule: Schedule | None, start: date, locale, gettext: Gettext, *,
                  only_open: bool = False) -> list[str]:
    """One line a weekday for the printed sheet ("lundi : 9 h – 12 h et 14 h – 17 h").

    ``start`` is the day the sheet is printed: see :meth:`Schedule.weekly`. With
    ``only_open``, days never open are left out (a bus stop: one or two days a week).
    """
    if schedule is None:
        return [gettext("Horaires non communiqués : appelez avant de venir.")]
    names = get_day_names("wide", context="stand-alone", locale=locale)
    frame = gettext("%(start)s – %(end)s")
    lines = []
    for day in schedule.weekly(start):
        usual = _day_hours(day.spans, frame, locale, gettext)
        extra = _day_hours(day.some_weeks, frame, locale, gettext)
        if usual and extra:
            text = gettext("%(hours)s, et certaines semaines %(more)s") % {
                "hours": usual, "more": extra}
        elif extra:
            text = gettext("certaines semaines, %(hours)s") % {"hours": extra}
        elif not usual and day.to_confirm:
            text = gettext("à confirmer")
        elif only_open and not usual:
            continue
        else:
            text = usual or gettext("fermé")
        lines.append(gettext("%(day)s : %(hours)s") % {"day": names[day.weekday], "hours": text})
    return lines
