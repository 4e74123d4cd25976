"""What the result page and the printable sheet show: levels, profile, next steps, QR."""
from __future__ import annotations

import functools
import re
from datetime import datetime
from zoneinfo import ZoneInfo

import segno
from flask import current_app
from flask_babel import format_date, get_locale, gettext as _, lazy_gettext as _l
from markupsafe import Markup

from ..storage import store
from ..storage.db import get_db
from ..diagnostic.recommend import places_for
from ..diagnostic.resources import get_communes, get_questionnaire, get_stops
from ..places import hours
from ..places.stops import with_stops
from .site import request_translations

# Every kiosk stands in the Allier: "today" and "open now" are Paris time, whatever
# zone the PC's clock is set to.
LOCAL_TIME = ZoneInfo("Europe/Paris")

# Beyond this distance as the crow flies (about 30 km by the Allier's roads) a place is
# far for someone without a car: the page says so and points to a phone call first.
FAR_KM = 20

LEVEL_WORDS = {
    0: _l("À découvrir"),
    1: _l("Les bases"),
    2: _l("À l'aise"),
}


def level_word(level: int) -> str:
    """The plain words for an area level (translated)."""
    return str(LEVEL_WORDS[level])


def origin(result):
    """Where distances are measured from: the commune given, else the kiosk's commune."""
    communes = get_communes()
    commune = communes.get(result["commune"] or "") or communes.get(
        current_app.config["SITE_COMMUNE"])
    return (commune.lat, commune.lon) if commune else None, commune


def context(visit, now: datetime, *, sheet: bool = False) -> dict:
    """Template context for the result of a completed visit, seen at ``now`` (aware).

    On screen each place says where it stands today ("Ouvert aujourd'hui de 9 h à 12 h");
    on the printed ``sheet``, its usual week, since "today" goes stale on paper.
    """
    q = get_questionnaire()
    result = store.result_for_visit(get_db(), visit["id"])
    places = with_stops(store.all_places(get_db()), get_stops())
    point, commune = origin(result)
    profile = next(p for p in q.profiles if p.id == result["profile"])
    levels = [(area, result["levels"].get(area.id, 0)) for area in q.areas]
    steps = [(offer, *places_for(offer, places, point))
             for offer in (q.offer(o) for o in result["offers"]) if offer]
    summary = summary_text(q, result, profile, levels, steps)
    shown = {place["id"]: place for _offer, near, _ask in steps for _km, place in near}
    stops = [stop for place in shown.values() for _km, stop in place.get("stops", ())]
    return {"result": result, "profile": profile, "levels": levels, "steps": steps,
            "from_commune": commune, "qr_svg": qr_svg(summary), "summary": summary,
            "level_word": level_word, "sheet": sheet, "far_km": FAR_KM,
            "hours": place_hours([*shown.values(), *stops], local_time(now), sheet=sheet)}


def summary_text(q, result, profile, levels, steps) -> str:
    """The short text carried by the QR code: nothing personal, only the result."""
    lines = [_(q.title), format_date(datetime.fromisoformat(result["finished_at"])),
             _(profile.label)]
    lines += [f"{_(area.label)} : {level_word(level)}" for area, level in levels]
    lines += [f"→ {_(offer.title)}" for offer, *_rest in steps]
    return "\n".join(lines)


@functools.lru_cache(maxsize=128)
def qr_svg(text: str) -> str:
    """An inline SVG QR code (no inline style: the CSP forbids it).

    A fixed mask spares segno from trying all eight (most of the result page's time);
    any mask gives a valid code. Cached: the page is often shown again (print view).
    """
    qr = segno.make(text, error="m", micro=False, mask=0)
    return qr.svg_inline(scale=3, border=2, svgclass="qr-code", lineclass=None,
                         omitsize=True)


def local_time(moment: datetime) -> datetime:
    """``moment`` (aware) as the naive Paris wall-clock time that places' hours are in."""
    return moment.astimezone(LOCAL_TIME).replace(tzinfo=None)


def place_hours(places, now: datetime, *, sheet: bool) -> dict[str, list[Markup]]:
    """Place id -> its hours in the page's language: one line for the screen (at ``now``,
    local time), or one line a weekday for the sheet. A place with no or unreadable
    `horaires` says so and asks to call."""
    locale, gettext = get_locale(), request_translations().ugettext
    lines = {}
    for place in places:
        schedule = parse_hours(place.get("horaires"))
        if sheet:  # a bus stop's week: only the days the bus comes
            words = hours.describe_week(schedule, now.date(), locale, gettext,
                                        only_open="lieu_id" in place)
        else:
            status = schedule.status(now) if schedule else None
            words = [hours.describe_status(status, now, locale, gettext)]
        lines[place["id"]] = [isolate_numbers(line) for line in words]
    return lines


@functools.lru_cache(maxsize=256)
def parse_hours(text: str | None) -> hours.Schedule | None:
    """A place's schedule, parsed once per distinct `horaires` value (None: unreadable)."""
    return hours.parse_or_none(text)


# A time or a number ("9 h 30", "14:30", "2026"): kept left to right as one piece inside
# right-to-left text, so its digits never swap places with the words around them.
_NUMBER = re.compile(r"\d+(?:[:.,\u00a0h]+\d+)*(?:\u00a0h)?")


def isolate_numbers(text: str) -> Markup:
    """``text`` escaped, each time or number in a left-to-right ``<bdi>``."""
    marked, last = Markup(), 0
    for found in _NUMBER.finditer(text):
        marked += text[last:found.start()]  # Markup + str escapes the str
        marked += Markup('<bdi dir="ltr">%s</bdi>') % found.group()
        last = found.end()
    return marked + text[last:]
