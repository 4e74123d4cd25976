"""Geometry of the dashboard's charts, drawn as inline SVG by templates/hub/_charts.html.
Pure: no Flask.

Every chart is drawn from numbers already through the publication rule: a hidden
value (None) has no bar, only an "s" mark, so the picture never shows what the table
hides. Coordinates are in the SVG's own units (its viewBox); the page scales it.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from .stats import Share

WIDTH = 640


@dataclass(frozen=True)
class Bar:
    label: str
    value: int | None
    text: str          # the value as shown beside the bar
    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True)
class Tick:
    position: float
    text: str


@dataclass(frozen=True)
class Chart:
    kind: str          # "bars" (horizontal), "columns" (over time), "intervals", "stacked"
    width: float
    height: float
    items: tuple
    ticks: tuple = ()
    reference: "Reference | None" = None
    # The line of an intervals chart: "reference" (INSEE's, dashed), "mean", or "".
    line: str = "reference"


def nice_ceiling(value: float) -> float:
    """1, 2, 2.5 or 5 times a power of ten, at least ``value`` (axis maxima)."""
    if value <= 0:
        return 1
    power = 10 ** math.floor(math.log10(value))
    return next(power * step for step in (1, 2, 2.5, 5, 10) if power * step >= value)


def bars(items: list[tuple[str, int | None, str]], row: float = 40,
         mean: tuple[str, float] | None = None, room: float = 90) -> Chart:
    """Horizontal bars, the label above each bar: ``(label, value or None, text)``;
    ``room``: the width left for the text after the longest bar; ``mean``: a labelled
    line across the bars (the département's), its label under them."""
    top = max([value for _, value, _ in items if value] + ([mean[1]] if mean else []),
              default=0)
    scale = (WIDTH - room) / top if top else 0
    drawn = []
    for index, (label, value, text) in enumerate(items):
        y = index * row
        length = (value or 0) * scale
        drawn.append(Bar(label, value, text, 0, y + 20, max(length, 1 if value else 0), 14))
    height = max(len(items) * row, row)
    if mean is None:
        return Chart("bars", WIDTH, height, tuple(drawn))
    line = Reference(mean[0], mean[1], mean[1] * scale)
    return Chart("bars", WIDTH, height + 24, tuple(drawn), reference=line, line="mean")


def columns(items: list[tuple[str, int | None]], height: float = 180,
            labels: int = 8) -> Chart:
    """Vertical columns over time; ``labels`` x-axis labels at most, evenly spread."""
    left, bottom = 44, 24
    plot_width, plot_height = WIDTH - left - 4, height - bottom - 8
    top = nice_ceiling(max((value for _, value in items if value), default=0))
    step = plot_width / max(len(items), 1)
    every = max(1, math.ceil(len(items) / labels))
    drawn = []
    for index, (label, value) in enumerate(items):
        length = (value or 0) / top * plot_height
        shown = label if index % every == 0 else ""
        drawn.append(Bar(shown, value, label, left + index * step + step * 0.1,
                         8 + plot_height - length, step * 0.8, length))
    ticks = tuple(Tick(8 + plot_height - fraction * plot_height, _number(top * fraction))
                  for fraction in (0, 0.5, 1))
    return Chart("columns", WIDTH, height, tuple(drawn), ticks)


@dataclass(frozen=True)
class Interval:
    label: str
    share: Share | None
    y: float
    x: float = 0
    low: float = 0
    high: float = 0
    text: str = ""              # the share and its n, written at the row's end
    # A reference that belongs to this row only: its label and x.
    reference: "Reference | None" = None


@dataclass(frozen=True)
class Reference:
    label: str
    value: float
    x: float


def intervals(items: list[tuple[str, Share | None]], reference: tuple[str, float] | None,
              row: float = 44, *, reference_row: int | None = None,
              mean: tuple[str, float] | None = None, apart: int | None = None,
              top: float | None = None, labels: list[str] | None = None) -> Chart:
    """Shares with their 95 % interval on a 0-to-``top`` % axis (``top`` fixed, e.g. 1.0,
    gives comparable charts one scale), and a reference line.

    ``reference_row``: the reference is drawn on that row only (it compares with that
    row's definition alone), not across the chart. ``mean``: a line across the chart
    with its label (the département's mean). ``apart``: rows from this index on are
    drawn after a gap ("non renseigné" is no rival of the EPCIs). ``labels``: the text
    written at each row's end (its share and n)."""
    left, right = 8, WIDTH - 16
    values = ([s.high for _, s in items if s] + ([reference[1]] if reference else [])
              + ([mean[1]] if mean else []))
    if top is None:
        top = min(1.0, nice_ceiling(max(values, default=0.1) * 1.1))
    span = right - left

    def at(value: float) -> float:
        return left + value / top * span

    def y_of(index: int) -> float:
        return index * row + 30 + (row / 2 if apart is not None and index >= apart else 0)

    drawn = tuple(Interval(label, s, y_of(index),
                           *((at(s.value), at(s.low), at(s.high)) if s else (0, 0, 0)),
                           text=labels[index] if labels else "",
                           reference=(Reference(reference[0], reference[1], at(reference[1]))
                                      if reference and index == reference_row else None))
                  for index, (label, s) in enumerate(items))
    height = len(items) * row + 36 + (row / 2 if apart is not None and apart < len(items)
                                      else 0)
    step = nice_ceiling(top / 5)
    ticks = tuple(Tick(at(i * step), f"{round(i * step * 100):d}\u00a0%")
                  for i in range(int(round(top / step)) + 1))
    across = reference if reference and reference_row is None else mean
    ref = Reference(across[0], across[1], at(across[1])) if across else None
    return Chart("intervals", WIDTH, height, drawn, ticks, ref,
                 "mean" if mean else "reference" if reference else "")


@dataclass(frozen=True)
class Segment:
    label: str
    css: str
    x: float
    width: float
    text: str


@dataclass(frozen=True)
class Stack:
    label: str
    y: float
    segments: tuple[Segment, ...] | None  # None: some part is hidden


def stacked(rows: list[tuple[str, list[tuple[str, int | None]]]], row: float = 44) -> Chart:
    """One 100 % bar per row, split by part; a row with a hidden part is not drawn
    (its proportions would give the hidden count away)."""
    drawn = []
    for index, (label, parts) in enumerate(rows):
        total = sum(value or 0 for _, value in parts)
        if total == 0 or any(value is None for _, value in parts):
            drawn.append(Stack(label, index * row + 20, None))
            continue
        x, segments = 0.0, []
        for number, (part, value) in enumerate(parts):
            width = value / total * WIDTH
            text = f"{round(100 * value / total)}\u00a0%" if width >= 40 else ""
            segments.append(Segment(part, f"part-{number}", x, width, text))
            x += width
        drawn.append(Stack(label, index * row + 20, tuple(segments)))
    return Chart("stacked", WIDTH, len(rows) * row + 4, tuple(drawn))


def _number(value: float) -> str:
    """Axis numbers with a thin space between thousands, as French writes them."""
    return f"{value:,.0f}".replace(",", "\u202f") if value == int(value) else f"{value:g}"
