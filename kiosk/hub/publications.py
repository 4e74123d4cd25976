"""Which cells a publication hides, audited together with the registered publications.
Pure: no Flask, no SQL (kiosk.hub.audit solves the linear programmes).

Every published value is a count over a period of ISO weeks, and counts add up over
weeks. The weeks of all the publications (registered ones and the new one) split into
*segments*: the weeks covered by the same publications. In a segment, the counts a
publication saw and those a later one saw differ by the records that arrived in
between (late USB files): each difference is an *epoch*. An atom is one cell's count in
one segment and one epoch; each value of each publication is the sum of its cell's
atoms over the segments of its period and the epochs up to it, and the atoms of one
segment and epoch add up like any table (kiosk.hub.tables). So overlapping periods
(W10-15 against W10-12 and W13-15) and a re-publication after late records are one
linear system, and their unpublished differences are hidden values the audit protects.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Callable

from . import audit
from .suppression import group_zeros, is_sensitive, protect
from .tables import Tables


MOST_SUMS = 10  # see the cost of hiding a cell, in secure()


class AuditError(Exception):
    """No set of cells of the new publication protects what is registered."""


@dataclass(frozen=True)
class Snapshot:
    """The counts a publication is made from, week by week."""

    weeks: tuple[str, ...]
    weekly: Counter      # (week, site EPCI) -> diagnostics
    breakdown: Counter   # (dimension, value, residence EPCI, week) -> diagnostics

    def over(self, weeks) -> tuple[Counter, Counter]:
        """(weekly, breakdown by (dimension, value, residence EPCI)) over ``weeks``."""
        wanted = set(weeks)
        weekly = Counter({key: n for key, n in self.weekly.items() if key[0] in wanted})
        breakdown = Counter()
        for (dimension, value, residence, week), n in self.breakdown.items():
            if week in wanted:
                breakdown[(dimension, value, residence)] += n
        return weekly, breakdown


@dataclass(frozen=True)
class Release:
    """One publication: the counts it was made from, and the cells it hid (None for
    the publication being prepared). ``unpublished``: cells its tables have that it
    never wrote (a file added to the exports after it was published): unknown to a
    reader like its hidden ones, but not hidden again by the next publication."""

    snapshot: Snapshot
    hidden: frozenset | None = None
    unpublished: frozenset = frozenset()


# make_tables(weeks, weekly, breakdown) -> the linked tables of those counts.
TableMaker = Callable[[list, Counter, Counter], Tables]


@dataclass(frozen=True)
class Outcome:
    tables: Tables          # the new publication's
    hidden: frozenset       # what it hides
    first_pass: frozenset   # what the dashboard's method alone would hide
    primary: frozenset      # its sensitive cells (1 to 10, and group zeros)


def secure(releases: list[Release], make_tables: TableMaker, protection: int) -> Outcome:
    """The cells the last of ``releases`` must hide so that the audit holds for it and
    for every registered one before it.

    First the dashboard's method (1 to 10 hidden, then others until no hidden cell is
    determined exactly by linear elimination), the zeros that would disclose a small
    group's attribute, and what registered publications of overlapping weeks hide;
    then the audit. For each cell it finds too narrowly
    protected, the cheapest way its count could move far enough (kiosk.hub.audit.
    witness: parts before totals, small cells before large ones) tells which published
    cells of the new publication to hide. Until the audit holds.
    """
    system, cells, tables = _system(releases, make_tables)
    new = len(releases) - 1
    own = tables[new]
    first_pass = protect(own.values, own.sums)
    zeros = group_zeros(own.values, own.groups, own.sums)
    hidden_keys = set(first_pass) | zeros
    # What a registered publication of overlapping weeks hides is hidden here too: the
    # differences between the two (the weeks one covers and the other does not) then
    # stay hidden without a search cell by cell, and the tables read alike from one
    # period to the next. (Searched for one by one, a quarter after eight
    # publications took over ten minutes.)
    weeks = set(releases[-1].snapshot.weeks)
    for release in releases[:-1]:
        if weeks & set(release.snapshot.weeks):
            hidden_keys |= {key for key in release.hidden or () if key in own.values}
    primary_keys = zeros | {key for key, n in own.values.items() if is_sensitive(n)}
    primary = set()
    for index, table in enumerate(tables):
        zeros = group_zeros(table.values, table.groups, table.sums)
        primary |= {cells[index, key] for key, n in table.values.items()
                    if is_sensitive(n) or key in zeros}
    unwritten = {cells[index, key] for index, release in enumerate(releases[:-1])
                 for key in release.unpublished if (index, key) in cells}
    registered = {cells[index, key] for index, release in enumerate(releases[:-1])
                  for key in release.hidden or () if (index, key) in cells} | unwritten
    registered |= system.unpublished
    primary |= system.unpublished
    mine = {cells[new, key]: key for key in own.values}
    totals = Counter(line.total for line in set(own.sums))
    # Hiding a part costs less than a total, and a total of many sums (a margin shared
    # by many tables, the number of diagnostics) much more; a small cell less than a
    # large one; a zero more (it protects nothing but a group's zero). The exponent is
    # capped: a population total is the total of every variable's table (about 40),
    # and 4 ** 40 is past what HiGHS takes for a finite cost (1e20): its programmes then
    # end without a verdict. Past 10 sums a total costs a million parts already.
    cost = {cell: 4 ** min(totals[key], MOST_SUMS) * (1 + own.values[key] / 1000)
            + (10 if own.values[key] == 0 else 0) for cell, key in mine.items()}
    cache: dict = {}
    limits: dict = {}  # (cell, upwards?) -> as far as any publication could leave it
    points = []  # atom values an attacker cannot exclude (they stay so as more is hidden)
    # Hidden cells found protected (they stay so as more is hidden). A cell a registered
    # publication never wrote and that is not sensitive needs no protection of its own:
    # worked out, it tells a count of more than 10 (its sensitive ones are audited).
    proven: set = unwritten - primary
    witnesses = audit.Witnesses(system, registered, cost,
                                audit.settled(system, registered, set(mine)))
    while True:
        hidden = registered | {cells[new, key] for key in hidden_keys}
        reached: dict = {}
        failed = audit.unprotected(system, hidden, primary, protection, set(mine), cache,
                                   limits, points, reached, proven)
        if not failed:
            return Outcome(own, frozenset(hidden_keys), first_pass, frozenset(primary_keys))
        proven |= hidden - failed  # (what this round hides cannot undo it)
        before = len(hidden_keys), len(points), len(limits)
        for cell in sorted(failed, key=lambda c: (system.value(c), c)):
            # (the ways the audit found it falls short; both when it did not say)
            for upwards in [u for u in (True, False) if (cell, u) in reached] or (True, False):
                target = audit.needs(system, cell, primary, protection, limits)[not upwards]
                if (cell, upwards) not in limits \
                        and not audit.reaches(system, cell, target, points):
                    # How far anything could bring it (the registered publications and
                    # the cells that are not zeros may bound it nearer than the rule):
                    # a quick programme, where seeking a way that does not exist is not.
                    limits[cell, upwards] = witnesses.extreme(cell, upwards,
                                                              reached.get((cell, upwards)))
                    target = audit.needs(system, cell, primary, protection, limits)[not upwards]
                limit = limits.get((cell, upwards), target[1])
                if target[1] > limit if upwards else target[1] < limit:
                    continue  # shut that way: the other one must be open (see needs())
                if audit.reaches(system, cell, target, points):
                    if cell not in primary:
                        break
                    continue  # what was hidden for another cell protects this one
                hidden = registered | {cells[new, key] for key in hidden_keys}
                found = witnesses.find(cell, target, hidden)
                if found is None:
                    raise AuditError(f"no way takes a hidden value to {target[1]}, "
                                     "though it is within its limit")
                hidden_keys.update(mine[c] for c in found[0])
                points.append(found[1])
                if cell not in primary:
                    break
        # A round may hide nothing and still settle cells: a limit (nothing could take
        # them further) or a way found with what is hidden already (a point).
        if (len(hidden_keys), len(points), len(limits)) == before:
            raise AuditError(f"{len(failed)} hidden values stay too narrowly protected")


def _system(releases: list[Release], make_tables: TableMaker):
    """The atoms of ``releases`` (see the module docstring), one cell per value of each
    release: (system, {(release index, key): cell}, each release's tables)."""
    system = audit.System()
    tables = [make_tables(list(r.snapshot.weeks), *r.snapshot.over(r.snapshot.weeks))
              for r in releases]
    covering = defaultdict(list)  # week -> releases covering it
    for index, release in enumerate(releases):
        for week in release.snapshot.weeks:
            covering[week].append(index)
    segments = defaultdict(list)  # the releases covering them -> weeks
    for week in sorted(covering):
        segments[tuple(covering[week])].append(week)
    parts = defaultdict(list)  # (release index, key) -> atoms
    for which, weeks in segments.items():
        before = (Counter(), Counter())
        for index in which:
            counts = releases[index].snapshot.over(weeks)
            if counts == before and index != which[0]:
                continue  # nothing arrived since the previous one: the same atoms
            increment = [_difference(now, then) for now, then in zip(counts, before)]
            epoch = make_tables(weeks, *increment)
            atoms = {key: system.atom(n) for key, n in epoch.values.items()}
            for line in epoch.sums:
                equation = Counter({atoms[part]: 1 for part in line.parts})
                equation[atoms[line.total]] -= 1
                system.equations.append({a: c for a, c in equation.items() if c})
            named = {**atoms, **{key: atoms[cell] for key, cell in epoch.same.items()}}
            for later in which[which.index(index):]:  # this one and those after it
                for key, atom in named.items():
                    parts[later, key].append(atom)
            if index != which[0] or len(weeks) != len(releases[index].snapshot.weeks):
                # A difference no publication wrote (late records, or the weeks one
                # period covers and another does not): protect its small counts too.
                for atom in atoms.values():
                    if is_sensitive(system.truth[atom]):
                        system.unpublished.add(system.cell([atom]))
            before = counts
    cells = {}
    for index, table in enumerate(tables):
        for key, value in table.values.items():
            atoms = parts[index, key]
            cells[index, key] = system.cell(atoms)
            if system.value(cells[index, key]) != value:
                raise AssertionError(f"atoms of {key} do not add up to the published value")
    return system, cells, tables


def _difference(now: Counter, then: Counter) -> Counter:
    """Counts that arrived between two snapshots (counts never go down)."""
    for key, n in then.items():
        if now.get(key, 0) < n:
            raise ValueError(f"the count of {key} went down since it was published")
    return Counter({key: n - then.get(key, 0) for key, n in now.items() if n != then.get(key, 0)})
