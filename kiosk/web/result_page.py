"""What the result page and the printed sheet show: next steps and their QR codes, levels."""
from __future__ import annotations

import functools
import itertools
import json
import re
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import segno
from babel.dates import get_day_names
from babel.lists import format_list
from flask_babel import get_locale, lazy_gettext as _l
from markupsafe import Markup, escape

from ..storage import store
from ..storage.db import get_db
from ..diagnostic import followup
from ..diagnostic.recommend import places_for
from ..diagnostic.record import changes
from ..diagnostic.resources import get_communes, get_questionnaire, get_stops
from ..places import hours
from ..places.stops import with_stops
from . import bus
from .qr_drawing import qr_path_svg
from .site import format_phone, request_translations, text_direction

# Every kiosk stands in the Allier: "today" and "open now" are Paris time, whatever
# zone the PC's clock is set to.
LOCAL_TIME = ZoneInfo("Europe/Paris")

# The code a person scans without a printer stays at version 10 or below (57 x 57 modules):
# small enough for any phone to read from the screen or the sheet at arm's length.
QR_MAX_VERSION = 10
# ... and its text stays within what a phone's camera shows at once, about eight lines.
QR_MAX_LINES = 8

# Beyond this distance as the crow flies (about 30 km by the Allier's roads) a place is
# far for someone without a car: the page says so and points to a phone call first.
FAR_KM = 20

LEVEL_WORDS = {
    0: _l("À découvrir"),
    1: _l("Les bases"),
    2: _l("À l'aise"),
}


# How an area changed since the diagnostic whose follow-up code started this one.
CHANGE_WORDS = {
    1: _l("En progrès"),
    0: _l("Stable"),
    -1: _l("En recul"),
}


def change_word(change: int) -> str:
    """The plain words for an area's change since the earlier diagnostic (translated)."""
    return str(CHANGE_WORDS[change])


def level_word(level: int) -> str:
    """The plain words for an area level (translated)."""
    return str(LEVEL_WORDS[level])


def origin(result):
    """Where distances are measured from: the commune given, else the kiosk's commune."""
    communes = get_communes()
    commune = communes.get(result["commune"] or "") or communes.get(
        bus.site_commune())
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
    levels = [(area, result["shown_levels"].get(area.id, 0)) for area in q.areas]
    steps = [(offer, *places_for(offer, places, point))
             for offer in (q.offer(o) for o in result["offers"]) if offer]
    shown = {place["id"]: place for _offer, near, _ask in steps for _km, place in near}
    stops = [stop for place in shown.values() for _km, stop in place.get("stops", ())]
    titles, place = first_step(steps)
    week = place and compact_week(parse_hours(place.get("horaires")), local_time(now).date())
    code = result.get("followup_code")
    take_home = take_home_text(*take_home_lines(titles, place, week),
                               last=[code_line(code)] if code else ())
    return {"result": result, "profile": profile, "levels": levels, "steps": steps,
            "from_commune": commune, "qr_svg": qr_svg(take_home),
            "level_word": level_word, "change_word": change_word, "sheet": sheet, "far_km": FAR_KM,
            "bookings": {pid: qr_svg(url)
                         for pid, url in booking_links(shown.values()).items()},
            "observed": observed_areas(visit, q),
            "hours": place_hours([*shown.values(), *stops], local_time(now), sheet=sheet),
            "followup_code": code and followup.format_code(code),
            "progress": progress(q, visit, result)}


def code_line(code: str) -> str:
    """The take-home code's line giving the follow-up code, in the page's language."""
    return request_translations().ugettext("Code de suivi : %(code)s") % {
        "code": followup.format_code(code)}


def progress(questionnaire, visit, result) -> dict | None:
    """For a diagnostic started from a follow-up code: the Monday of the earlier one's
    week (a date, said in words) and, per area, ``(area, earlier level, level now,
    change -1/0/+1)``; None for any other. Both levels are those the person reported
    (what the code carries and the hub's follow-up record compares)."""
    earlier = store.visit_followup(visit)
    if earlier is None:
        return None
    change = changes(earlier["levels"], result["levels"])
    year, _, number = earlier["week"].partition("-W")
    return {"since": date.fromisocalendar(int(year), int(number), 1),
            "areas": [(area, earlier["levels"][area.id], result["levels"][area.id],
                       change[area.id]) for area in questionnaire.areas
                      if area.id in change]}


def observed_areas(visit, questionnaire) -> set[str]:
    """The areas whose level shown comes (at least in part) from what the mediator
    observed on a guided diagnostic; none on a self-service one."""
    if visit["mode"] != "guided":
        return set()
    screens = (questionnaire.screen(s) for s in store.observations(get_db(), visit["id"]))
    return {screen.area for screen in screens if screen is not None and screen.area}


def first_step(steps) -> tuple[list[str], dict | None]:
    """The first step's title (translated) and its first place (or None). When that step
    names no place (reading, say), the titles run on to the first step that does, and
    its place: the person leaves with somewhere to go and a number to call."""
    translate, titles = request_translations().ugettext, []
    for offer, near, _ask in steps:
        titles.append(translate(offer.title))
        if near:
            return titles, near[0][1]
    return titles[:1], None


def take_home_lines(titles: list[str], place: dict | None,
                    week: str | None = None) -> tuple[list[str], list[str]]:
    """What the take-home QR code says: the lines it must carry (the first step, its
    place's name and phone) and those it carries if they fit: the place's usual ``week``,
    then its address (which a travelling place such as the Bourbon'Net bus does not give:
    its stops change). Nothing personal."""
    needed, optional = list(titles), []
    if place:
        needed.append(place["nom"])
        if place.get("telephone"):
            needed.append(format_phone(place["telephone"]))
        if week:
            optional.append(week)
        if "Itinérant" not in (standard_field(place, "itinerance") or ()):
            optional.append(f"{place['adresse']}, {place['code_postal']} {place['commune']}")
    return needed, optional


def compact_week(schedule: hours.Schedule | None, start: date, locale=None,
                 gettext=None) -> str:
    """A place's usual week in a few lines for the take-home code: days in a row with the
    same hours share one ("lun.–jeu. : 9 h – 12 h et 14 h – 18 h"). Closed days, and
    openings kept only some weeks, are left out: the sheet gives them. Empty when the
    hours are unknown (the phone number is there to ask)."""
    if schedule is None:
        return ""
    locale = locale or get_locale()
    gettext = gettext or request_translations().ugettext
    names = get_day_names("abbreviated", context="stand-alone", locale=locale)
    frame = gettext("%(start)s – %(end)s")
    runs: list[list] = []  # [first weekday, last weekday, spans]
    for day in schedule.weekly(start):
        if runs and runs[-1][1] == day.weekday - 1 and runs[-1][2] == day.spans:
            runs[-1][1] = day.weekday
        elif day.spans:
            runs.append([day.weekday, day.weekday, day.spans])
    lines = []
    for first, last, spans in runs:
        days = names[first] if first == last else f"{names[first]}–{names[last]}"
        if spans == ((time(), time()),):
            text = gettext("24 h sur 24")
        else:
            text = format_list([frame % {"start": hours.format_hour(begin, locale),
                                         "end": hours.format_hour(end, locale)}
                                for begin, end in spans], locale=locale)
        lines.append(gettext("%(day)s : %(hours)s") % {"day": days, "hours": text})
    return "\n".join(lines)


def take_home_text(needed: list[str], optional: list[str], last=()) -> str:
    """The ``needed`` lines, then as many ``optional`` ones (earlier ones preferred) as
    keep the text short, then the ``last`` ones (the follow-up code, read after the
    step): at most ``QR_MAX_LINES`` lines, a symbol at version 10 or below.
    A long translation or week loses the address, then the week; never the step, the
    place or its phone."""
    for size in range(len(optional), 0, -1):
        for chosen in itertools.combinations(optional, size):
            lines = needed + "\n".join(chosen).split("\n") + list(last)
            text = "\n".join(lines)
            if len(lines) <= QR_MAX_LINES and qr_code(text).version <= QR_MAX_VERSION:
                return text
    return "\n".join([*needed, *last])


def booking_links(places) -> dict[str, str]:
    """Place id -> its online booking page (`prise_rdv` of the standard), when it gives
    a web address (nothing else is put in a code a phone will open)."""
    links = {}
    for place in places:
        url = (standard_field(place, "prise_rdv") or "").strip()
        if re.match(r"https?://\S+$", url):
            links[place["id"]] = url
    return links


def standard_field(place: dict, name: str):
    """A field of the places standard: a stored place keeps the ones it has no column
    for in ``data`` (JSON, as imported); a place just read from a CSV has them all."""
    if name in place:
        return place[name]
    return json.loads(place.get("data") or "{}").get(name)


@functools.lru_cache(maxsize=256)
def qr_code(text: str) -> segno.QRCode:
    """The QR symbol for ``text``: UTF-8, declared (ECI) so that a reader does not guess
    (zbar takes an undeclared "é" for Japanese); level L, raised when it costs no size,
    since the codes are read from a clean screen or sheet.

    A fixed mask spares segno from trying all eight (most of the result page's time);
    any mask gives a valid code.
    """
    return segno.make(text, error="l", micro=False, mask=0, encoding="utf-8", eci=True)


@functools.lru_cache(maxsize=128)
def qr_svg(text: str) -> str:
    """An inline SVG QR code, one dashed stroke (see qr_drawing: a third lighter than a
    move and a line a run). Cached: the page is often shown again."""
    return qr_path_svg(qr_code(text).matrix, border=2, css_class="qr-code")


def local_time(moment: datetime) -> datetime:
    """``moment`` (aware) as the naive Paris wall-clock time that places' hours are in."""
    return moment.astimezone(LOCAL_TIME).replace(tzinfo=None)


def place_hours(places, now: datetime, *, sheet: bool) -> dict[str, list[Markup]]:
    """Place id -> its hours in the page's language: one line for the screen (at ``now``,
    local time), or one line a weekday for the sheet. A place with no or unreadable
    `horaires` says so and asks to call."""
    locale, gettext = get_locale(), request_translations().ugettext
    # Numbers need isolating only inside right-to-left words: a left-to-right page's
    # lines are lighter without (up to 28 <bdi> on a result page).
    mark = isolate_numbers if text_direction() == "rtl" else escape
    lines = {}
    for place in places:
        schedule = parse_hours(place.get("horaires"))
        if sheet:  # a bus stop's week: only the days the bus comes
            words = hours.describe_week(schedule, now.date(), locale, gettext,
                                        only_open="lieu_id" in place)
        else:
            status = schedule.status(now) if schedule else None
            words = [hours.describe_status(status, now, locale, gettext)]
        lines[place["id"]] = [mark(line) for line in words]
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
