"""The dashboard's two EPCI maps: diagnostics per 1,000 inhabitants, and the share of
illectronisme. Pure: no Flask, no SQL; drawn by templates/hub/_map.html.

A map shows nothing new: its values are read from the page's own published figures
(the "reach" table by EPCI, the shares table by EPCI), so a hidden cell is hidden on the
map too, drawn hatched and said "s" in its table, never coloured as if it were a value.
The contours (questionnaires/data/epci_03_contours.json, built by kiosk/hub/contours.py
from IGN's ADMIN EXPRESS, SOURCES.md) are SVG paths in a viewBox, one per EPCI SIREN;
an EPCI that spills over the Allier's border is drawn for its Allier communes only.
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass, replace
from functools import lru_cache

from .tables import N_


CLASSES = 4            # value classes of a map, lightest to darkest
# The narrowest class: 0.1 per 1,000 (how a rate is written), 1 point of a share.
LEAST = {"rate": 0.1, "share": 0.01}
SECRET, NO_DATA = "secret", "none"  # the two fills that are not a value
# The figures a map is drawn from (kiosk.hub.sections); a map's id is theirs after "carte-".
REACH_FIGURES = ("epci-residence", "epci-site")
SHARES_FIGURE = "illectronisme-epci"


@dataclass(frozen=True)
class Area:
    code: str
    name: str
    path: str
    value: float | None    # None: hidden (or, with fill NO_DATA, nothing to show)
    n: int | None          # the count behind it, as its table shows it; None: hidden
    fill: str              # "c0".."c3", SECRET or NO_DATA
    # (communes drawn, communes in all) when the EPCI spills over the Allier's border
    partial: tuple[int, int] | None = None


@dataclass(frozen=True)
class Band:
    fill: str
    low: float
    high: float
    last: bool             # the last class includes its upper bound
    note: str | None = None  # what the class means, for classes set by the average


# The reach map's classes, against the Allier's average: the question it answers is
# which EPCIs the kiosks under-reach, which equal widths hide when one small EPCI's rate
# is ten times the others'.
RELATIVE = ((0.0, 0.5, N_("moins de la moitié de la moyenne de l'Allier")),
            (0.5, 1.0, N_("sous la moyenne")),
            (1.0, 2.0, N_("de la moyenne au double")),
            (2.0, None, N_("plus du double de la moyenne")))


@dataclass(frozen=True)
class End:
    """The highest or lowest published value of a map, and the EPCIs that have it."""
    value: float
    names: list[str]


@dataclass(frozen=True)
class Map:
    id: str                # the figure's id, "carte-" + the figure it is drawn from
    title: str             # the title of the figure it is drawn from
    kind: str              # "rate" (per 1,000 inhabitants) or "share"
    view_box: str
    areas: list[Area]      # in the order of the figure's table
    bands: list[Band]
    fills: set[str]        # the fills used, so the legend lists only those
    highest: "End | None"  # the finding's two ends, among published values only
    lowest: "End | None"
    hidden: int            # EPCIs whose value is hidden
    average: tuple[float | None, int | None] | None = None  # the Allier's (rate, n)
    # The page's first map defines the outlines (ids "epci-contour-<SIREN>"); the
    # others draw them again by reference, so the page carries them once.
    shapes: bool = False


@lru_cache(maxsize=1)
def contours() -> dict:
    """The shipped contours, read once."""
    from ..paths import DATA
    with open(DATA / "epci_03_contours.json", encoding="utf-8") as handle:
        return json.load(handle)


def nice_step(span: float) -> float:
    """1, 2, 2.5 or 5 times a power of ten, at least ``span`` (a class's width); 0 for
    no span."""
    if span <= 0:
        return 0.0
    power = 10 ** math.floor(math.log10(span))
    return next(power * step for step in (1, 2, 2.5, 5, 10) if power * step >= span - 1e-12)


def bands(values: list[float], least: float, classes: int = CLASSES) -> list[Band]:
    """Equal classes of a round width (``least`` at least: the precision the page
    writes) covering ``values``, from a multiple of the width, 0 or more; fewer classes
    when fewer are needed."""
    if not values:
        return []
    low, high = min(values), max(values)
    step = max(least, nice_step((high - low) / classes))
    start = max(0.0, math.floor(round(low / step, 9)) * step)
    count = max(1, math.ceil(round((high - start) / step, 9)))
    if count > classes:  # the start rounded down: one class wider
        step, count = nice_step((high - start) / classes), classes
        count = max(1, math.ceil(round((high - start) / step, 9)))
    return [Band(f"c{i}", start + i * step, start + (i + 1) * step, i == count - 1)
            for i in range(count)]


def relative_bands(values: list[float], average: float, least: float) -> list[Band]:
    """The classes of RELATIVE around ``average`` (bounds rounded to ``least``, the
    precision the page writes); the last reaches the highest of ``values``."""
    def bound(times: float) -> float:
        return round(round(average * times / least) * least, 9)
    top = max([*values, bound(2.0)])
    return [Band(f"c{i}", bound(low), top if high is None else bound(high), high is None,
                 note) for i, (low, high, note) in enumerate(RELATIVE)]


def classify(value: float, scale: list[Band]) -> str:
    for band in scale:
        if value < band.high or band.last:
            return band.fill
    return scale[-1].fill


def partial(shape: dict) -> tuple[int, int] | None:
    """(communes drawn, communes in all) of an EPCI that spills over the border."""
    drawn, total = shape["communes_drawn"], shape["communes_total"]
    return (drawn, total) if drawn < total else None


def _draw(map_id: str, title: str, kind: str,
          values: list[tuple[str, float | None, int | None, bool]], average=None) -> Map:
    """A map of ``values``: (EPCI code, value or None, n or None, hidden)."""
    shapes = contours()
    shown = [v for _, v, _, hidden in values if not hidden and v is not None]
    scale = (relative_bands(shown, average[0], LEAST[kind]) if average and average[0]
             else bands(shown, LEAST[kind]))
    areas = []
    for code, value, n, hidden in values:
        shape = shapes["epci"].get(code)
        if shape is None:
            continue  # "non renseigné", or a code outside the Allier: not on the map
        fill = (SECRET if hidden else NO_DATA if value is None else classify(value, scale))
        areas.append(Area(code, shape["name"], shape["path"], value, n, fill, partial(shape)))
    # EPCIs absent from the figure (no diagnostic to show): drawn, said, not a value.
    for code, shape in shapes["epci"].items():
        if code not in {a.code for a in areas}:
            areas.append(Area(code, shape["name"], shape["path"], None, None, NO_DATA,
                              partial(shape)))
    published = [a for a in areas if a.fill not in (SECRET, NO_DATA)]
    ends = (None, None)
    if len({a.value for a in published}) >= 2:
        ends = tuple(End(value, [a.name for a in published if a.value == value])
                     for value in (max(a.value for a in published),
                                   min(a.value for a in published)))
    return Map(map_id, title, kind, shapes["viewBox"], areas, scale,
               {a.fill for a in areas}, *ends,
               hidden=sum(a.fill == SECRET for a in areas), average=average)


def reach_map(figure) -> Map:
    """The map of a "reach" figure: each EPCI's diagnostics per 1,000 inhabitants."""
    values = [(r.rate.code, r.rate.rate, r.row.count, r.row.count is None)
              for r in figure.reach.ranked]
    average = figure.reach.average
    return _draw("carte-" + figure.id, figure.title, "rate", values,
                 (average.rate.rate, average.row.count) if average else None)


def shares_map(figure, names: dict[str, str]) -> Map:
    """The map of the shares by EPCI: a share hidden with its counts is hatched."""
    codes = {name: code for code, name in names.items()}
    values = [(codes.get(row.label, ""), row.share,
               row.interval.n if row.interval else None, row.count is None)
              for row in figure.rows]
    return _draw("carte-" + figure.id, figure.title, "share", values)


def page_maps(page, names: dict[str, str]) -> dict[str, Map]:
    """Figure id -> the map drawn after it: on the page of all the Allier only (one
    EPCI alone is no map)."""
    if page.filters.epci is not None:
        return {}
    maps = {}
    for section in page.sections:
        for figure in section.figures:
            if figure.table == "reach" and figure.id in REACH_FIGURES and figure.reach \
                    and figure.id.endswith(page.filters.axis):
                maps[figure.id] = reach_map(figure)
            elif figure.id == SHARES_FIGURE:
                maps[figure.id] = shares_map(figure, names)
    for first in list(maps)[:1]:
        maps[first] = replace(maps[first], shapes=True)
    return maps
