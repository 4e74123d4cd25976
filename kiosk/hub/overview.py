"""Every figure of the dashboard for one period and one territory, through the
publication rule. No Flask: the blueprint hands in the database and the settings.

All the figures of a page are cells of one set of linked tables (kiosk.hub.tables),
suppressed together: a count hidden in one chart cannot be recomputed from the totals
shown in another. Shares are shown only when both their counts are. The layout of the
page is kiosk.hub.sections.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime

from ..sync import contract
from . import accompaniments, crossings, frames, impact, reports, trends
from .frames import Frame
from .sections import Figures, Kiosk, Row, Section, kiosks, site_counts
from .tables import ALL, Published, Tables, epci_order, population_key, variables
from .weeks import Window


@dataclass(frozen=True)
class Filters:
    first: str | None = None
    last: str | None = None
    axis: str = "residence"
    epci: str | None = None
    frame: str | None = None   # None: kiosk.hub.frames.default


@dataclass
class Page:
    filters: Filters
    first: str | None
    last: str | None
    total: int | None
    headline: list[Row]
    sections: list[Section]
    kiosks: list[Kiosk]
    epci_name: str | None = None
    frame: Frame = frames.FRAME_2       # the frame of every figure of the page
    frames: list[Frame] = ()            # the frames with data, to choose from
    latest_received: str | None = None  # when the hub last received a record (ISO)
    bounds: tuple[str, str] | None = None  # the first and last weeks with data (of the frame)


def period(filters: Filters, bounds: tuple[str, str] | None) -> tuple[str | None, str | None]:
    """The weeks asked, within those that have data (None, None for an empty hub)."""
    if not bounds:
        return None, None
    return max(filters.first or bounds[0], bounds[0]), min(filters.last or bounds[1], bounds[1])


def _filtered(counts: Counter, epci: str | None) -> Counter:
    """(dimension, value, EPCI) counts -> (dimension, value, "*"), one EPCI or all."""
    result = Counter()
    for (dimension, value, code), n in counts.items():
        if epci is None or code == epci:
            result[(dimension, value, ALL)] += n
    return result


def _partitions(by_device: Counter, devices, filters: Filters) -> dict[str, Counter]:
    """Diagnostics in scope per site (name, EPCI of its kiosk), per EPCI of the kiosk and
    per EPCI of residence."""
    axis_index = 1 if filters.axis == "site" else 2
    site_of = {d.id: d.site for d in devices}
    per = {name: Counter() for name in ("site", "epci_site", "epci_residence")}
    for key, n in by_device.items():
        if filters.epci is not None and key[axis_index] != filters.epci:
            continue
        device, site_epci, residence_epci = key
        per["site"][(site_of.get(device, str(device)), site_epci)] += n
        per["epci_site"][site_epci] += n
        per["epci_residence"][residence_epci] += n
    return per


def _add_partitions(tables: Tables, per: dict[str, Counter], filters: Filters) -> dict:
    """The 1-D partitions of the page's total, and every identity a reader could use
    between them: a number shown twice is one cell, and sites add up to the EPCI of
    their kiosk. Returns name -> {code: cell key}."""
    total = population_key("all", ALL)
    axis_name = "epci_site" if filters.axis == "site" else "epci_residence"
    keys = {}
    for name, part in per.items():
        if name == "site":
            keys[name] = {code: ("site", *code) for code in part}
        elif name == axis_name and filters.epci is None:
            # The same numbers as the EPCI columns of the share per EPCI.
            keys[name] = {code: population_key("all", code) for code in part}
        else:
            keys[name] = {code: (name, code, ALL) for code in part}
        tables.add_sum(total, [tables.cell(keys[name][code], n) for code, n in part.items()])
    nested = defaultdict(list)
    for site, site_epci in per["site"]:
        nested[site_epci].append(keys["site"][(site, site_epci)])
    for site_epci, parts in nested.items():
        tables.add_sum(keys["epci_site"][site_epci], parts)
    return keys


def build(db, questionnaire, epci_names: dict[str, str], filters: Filters, *, now: datetime,
          silent_days: int, language_name, window: Window) -> Page:
    """The dashboard for ``filters``: read in one snapshot, suppressed as one; only the
    weeks of ``window`` (the service's, kiosk.hub.weeks) and the counts of one frame
    (the one asked if it holds data, else kiosk.hub.frames.default) are read."""
    with reports.snapshot(db):
        held = reports.frames(db, window)
        frame = filters.frame if filters.frame in held else frames.default(held)
        bounds = reports.week_range(db, window, frame)
        span = reports.readable(db, window, *period(filters, bounds), frame)
        by_epci = reports.counts_by_epci(db, filters.axis, span)
        weekly = reports.weekly(db, filters.axis, span, filters.epci)
        by_device = reports.by_device(db, span)
        crossing = reports.cross_counts(db, filters.axis, span, filters.epci)
        devices = reports.devices(db)
        health = reports.health(db)
        kind_counts = _kind_counts(db, window, filters, frame)
        monthly = _monthly(db, window, filters)
        latest = reports.latest_received(db)
        trend_weekly = {d: reports.weekly(db, filters.axis, span, filters.epci, d)
                        for d in trends.dimensions(frames.spec(frame))}
    first, last = span.first, span.last
    spec = frames.spec(frame)
    all_variables = variables(questionnaire, {(d, v) for d, v, _ in by_epci}, language_name,
                              spec)
    columns = epci_order({code for _, _, code in by_epci} | set(epci_names), epci_names)
    weeks = span.weeks()
    per = _partitions(by_device, devices, filters)

    tables, total = Tables(), population_key("all", ALL)
    tables.variables(_filtered(by_epci, filters.epci), all_variables, [ALL])
    if filters.epci is None:  # the share per EPCI, on the page only for all of the Allier
        tables.variables(by_epci, [v for v in all_variables if v.id == spec.per_epci], columns)
    week_counts = Counter()
    for (week, _, _), n in weekly.items():
        week_counts[week] += n
    tables.partition("semaine", {w: week_counts[w] for w in weeks}, total)
    keys = _add_partitions(tables, per, filters)
    followed = trends.chosen(all_variables, spec)
    trends.add(tables, trends.weekly_counts(trend_weekly, trends.unit(weeks)),
               trends.periods(weeks, trends.unit(weeks)), followed, [ALL], trends.DASHBOARD)
    crossed = crossings.add(tables, crossing, all_variables, crossings.crossed_ids(spec))
    published: Published = tables.publish()

    figures = Figures(published, all_variables, spec)
    figures.crossed = crossed
    sections = figures.sections(weeks, per, keys, columns, epci_names, filters)
    sections = trends.place(sections, trends.section(published, followed, weeks,
                                                     figures.compared))
    sections.append(crossings.section(published, crossed))
    sections += _accompaniments(figures, kind_counts, questionnaire, spec, monthly)
    return Page(filters, first, last, published.shown(total), figures.headline(), sections,
                kiosks(devices, epci_names, filters, now, silent_days, health,
                       site_counts(published, keys["site"])),
                epci_names.get(filters.epci, filters.epci) if filters.epci else None,
                spec, [frames.spec(f) for f in sorted(held, key=frames.order, reverse=True)],
                latest, bounds)


def _kind_counts(db, window: Window, filters: Filters, frame: str) -> Counter:
    """The counts of activity records, follow-ups and screenings of the weeks asked (all
    the weeks of service when none is), at the kiosks of the EPCI asked: follow-ups of
    the page's frame (their areas are its), the others of none ("")."""
    counts = Counter()
    for kind in accompaniments.KINDS:
        kind_frame = frame if kind == contract.FOLLOWUP else ""
        span = reports.readable(db, window, *window.clip(filters.first, filters.last),
                                kind_frame)
        counts.update(reports.kind_counts(db, kind, span, filters.epci))
    return counts


def _monthly(db, window: Window, filters: Filters) -> tuple:
    """The months of the weeks asked, the activity records per (dimension, value, month),
    the first month the hub holds an activity record in and the months the weeks asked
    cover in part (kiosk.hub.impact)."""
    span = reports.readable(db, window, *window.clip(filters.first, filters.last), "")
    weekly = reports.kind_weekly(db, contract.ACTIVITY, span, impact.MONTHLY, filters.epci)
    held = window.span(reports.kind_weeks(db, contract.ACTIVITY))
    weeks = span.weeks()
    return (impact.months(weeks), impact.month_counts(weekly),
            impact.month_of(held[0]) if held else None, impact.partial(weeks))


def _accompaniments(figures: Figures, counts: Counter, questionnaire, spec: Frame,
                    monthly) -> list[Section]:
    """The "Accompagnements" and "Impact des accompagnements" sections, their figures
    suppressed together (apart from the diagnostics': no cell is shared)."""
    by_kind = accompaniments.variables(
        {(d, v) for d, v, _ in counts},
        spec.areas or [(a.id, a.label) for a in questionnaire.areas],
        [(o.id, o.title.strip().rstrip(".")) for o in questionnaire.offers])
    months, month_counts, since, partly = monthly
    tables = accompaniments.tables(counts, by_kind)
    impact.add_months(tables, month_counts, [m for m in months if since and m >= since],
                      by_kind[contract.ACTIVITY])
    published = tables.publish()
    return [accompaniments.section(figures, published, by_kind, spec),
            impact.section(published, by_kind, months, since, partly)]
