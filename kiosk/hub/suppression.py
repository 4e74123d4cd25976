"""Statistical secrecy for linked frequency tables. Pure functions, no Flask, no SQL.

The publication rule (INSEE's for data on persons): no published cell counts 1 to 10
people; zeros may be published. Hiding those cells (primary suppression) is not enough:
tables publish their totals too, and a hidden cell that is the only one missing from a
total is that total minus the others. Secondary suppression hides more cells until,
solving every published sum together, no hidden cell is determined exactly.

Tables are described by their cells (any hashable key -> count) and the sums linking
them: ``Sum(total, parts)`` says the cell ``total`` is the sum of the cells ``parts``.
Tables sharing a margin (the diagnostics per EPCI are the margin of every table by
EPCI) share the cell, so their sums are solved together, as a reader would.
"""
from __future__ import annotations

from collections import defaultdict, deque
from dataclasses import dataclass
from fractions import Fraction
from typing import Hashable, Iterable, Mapping

LOW, HIGH = 1, 10
# A group of at most this many people is small enough for its members to be known to
# each other (a village's diagnostics): a published zero that leaves all of it in one
# modality discloses that modality for each of them (group disclosure).
SMALL_GROUP = 20


@dataclass(frozen=True)
class Sum:
    """The cell ``total`` is the sum of the cells ``parts``."""

    total: Hashable
    parts: tuple

    @property
    def cells(self) -> tuple:
        return (self.total, *self.parts)


def is_sensitive(count: int) -> bool:
    """A cell of 1 to 10 people is never published."""
    return LOW <= count <= HIGH


def group_zeros(values: Mapping, groups: Iterable[Sum], sums: Iterable[Sum]) -> set:
    """The zeros that would disclose a small group's attribute: in ``groups`` (each the
    partition of a population by one variable), the zero parts of a group of 1 to
    ``SMALL_GROUP`` people who all fall in one modality (illectronisme "non" = 0 in an
    EPCI of 14 people says all 14 are illectronic).

    A zero that is also part of a zero total of ``sums`` (nobody in the Allier has that
    modality) stays published: the larger group's zero says it already.
    """
    empty = {part for line in sums if values[line.total] == 0 for part in line.parts}
    found = set()
    for line in groups:
        positive = [part for part in line.parts if values[part] > 0]
        if 0 < values[line.total] <= SMALL_GROUP and len(positive) == 1:
            found.update(part for part in line.parts if values[part] == 0 and part not in empty)
    return found


def protect(values: Mapping, sums: Iterable[Sum], sensitive: Iterable = ()) -> frozenset:
    """The cells to suppress: every sensitive cell (1 to 10, and ``sensitive``), and
    enough others that no suppressed cell can be worked out exactly from the published
    cells and ``sums`` (the dashboard's method, and the open data's first pass).

    Only cells with a positive count are ever chosen as secondary: a hidden zero protects
    nothing (counts cannot go below it). Among the candidates of a sum, a part is chosen
    before the sum's total (margins are shared by many tables), then the smallest count,
    so as little as possible is hidden.
    """
    sums, lines = index_lines(sums)
    suppressed = {cell for cell, count in values.items() if is_sensitive(count)}
    suppressed.update(sensitive)
    while True:
        close_lines(values, lines, sums, suppressed)
        exposed = determined(sums, suppressed)
        if not exposed:
            return frozenset(suppressed)
        for cell in sorted(exposed, key=repr):
            suppressed.add(partner_near(cell, values, lines, suppressed))


def index_lines(sums: Iterable[Sum]) -> tuple[list, dict]:
    """The distinct sums, and for each cell the sums it is in."""
    sums = list(dict.fromkeys(sums))
    lines = defaultdict(list)
    for line in sums:
        for cell in line.cells:
            lines[cell].append(line)
    return sums, lines


def _candidates(line: Sum, values: Mapping, suppressed: set) -> list:
    """Cells of ``line`` that could be hidden to protect another, best first."""
    found = [cell for cell in line.cells if cell not in suppressed and values[cell] > 0]
    return sorted(found, key=lambda cell: (cell == line.total, values[cell], repr(cell)))


def close_lines(values, lines, sums, suppressed: set) -> None:
    """The cheap rule first: no sum may have exactly one suppressed cell (it would be
    the total minus the published rest)."""
    queue = deque(sums)
    while queue:
        line = queue.popleft()
        hidden = [cell for cell in line.cells if cell in suppressed]
        if len(hidden) != 1:
            continue
        options = _candidates(line, values, suppressed)
        if not options:
            continue  # every other cell is a published zero: the exact check decides
        suppressed.add(options[0])
        queue.extend(lines[options[0]])


def partner_near(cell, values, lines, suppressed: set):
    """A cell to hide so that ``cell`` is no longer determined: the best candidate of the
    sums nearest to it (its own sums, then those of the suppressed cells they link to)."""
    seen_cells, seen_lines = {cell}, set()
    frontier = [cell]
    while frontier:
        options, following = [], []
        for current in frontier:
            for line in lines[current]:
                if id(line) in seen_lines:
                    continue
                seen_lines.add(id(line))
                options += _candidates(line, values, suppressed)[:1]
                following += [c for c in line.cells if c in suppressed and c not in seen_cells]
        if options:
            return min(options, key=lambda c: (values[c], repr(c)))
        seen_cells.update(following)
        frontier = following
    # Only a hidden zero (a group's, see group_zeros) can be determined by published
    # zeros alone: then hide a zero beside it, a part before a total.
    zeros = [other for line in lines[cell] for other in line.cells
             if other not in suppressed and values[other] == 0]
    if zeros:
        return min(zeros, key=lambda c: (any(c == line.total for line in lines[c]), repr(c)))
    raise RuntimeError(f"no cell can protect {cell!r}")


def determined(sums: Iterable[Sum], unknown: set) -> set:
    """The cells of ``unknown`` whose value follows exactly from ``sums`` once every other
    cell is known: exact Gauss-Jordan elimination over the rationals.

    A cell is determined when its unit vector lies in the row space of the sums
    restricted to the unknown cells; in reduced row echelon form that is a pivot row
    with no other entry.
    """
    cells = sorted(unknown, key=repr)  # a fixed order: the same input, the same pivots
    order = {cell: index for index, cell in enumerate(cells)}
    pivots: dict[int, dict[int, Fraction]] = {}
    holders: dict[int, set[int]] = defaultdict(set)  # column -> pivot rows holding it
    for line in sums:
        row: dict[int, Fraction] = defaultdict(Fraction)
        if line.total in order:
            row[order[line.total]] -= 1
        for part in line.parts:
            if part in order:
                row[order[part]] += 1
        row = {col: coef for col, coef in row.items() if coef}
        for col in [col for col in row if col in pivots]:
            if col in row:
                _axpy(row, -row[col], pivots[col])
        if not row:
            continue
        pivot = min(row)
        scale = row[pivot]
        row = {col: coef / scale for col, coef in row.items()}
        for other in list(holders[pivot]):
            target = pivots[other]
            before = set(target)
            _axpy(target, -target[pivot], row)
            for col in before - set(target):
                holders[col].discard(other)
            for col in set(target) - before:
                holders[col].add(other)
        pivots[pivot] = row
        for col in row:
            holders[col].add(pivot)
    return {cells[pivot] for pivot, row in pivots.items() if len(row) == 1}


def _axpy(target: dict, factor: Fraction, source: dict) -> None:
    """target += factor * source, dropping entries that become zero."""
    for col, coef in source.items():
        value = target.get(col, 0) + factor * coef
        if value:
            target[col] = value
        else:
            target.pop(col, None)
