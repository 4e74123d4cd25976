"""The feasibility-interval audit of the open data (Handbook on Statistical Disclosure
Control, frequency tables): what an attacker can derive, by linear programming.

The attacker knows every published value, every linear relation between the values
(totals, and the same cells over overlapping periods), that every count is a whole
number of at least 0, and that a hidden cell is at least 1 unless it may be a hidden
zero. Here the unknowns are *atoms*: counts small enough that every published value
(of one publication or of several) is a sum of atoms (kiosk.hub.publications builds
them). A hidden value is protected when the range [lo, hi] an attacker can derive for
it, rounded inward (ceil lo, floor hi), is wide enough:

- a primary cell of true value x (1 to 10 people, or a zero that would disclose a small
  group's attribute) needs hi >= x + P and lo <= max(1, x - P), P the protection width;
- any other hidden cell must not be determined exactly (lo < hi).

The audit gives the attacker a little more than the files say (which hidden cells are
zeros, and that counts did not change between two publications when they did not):
a range wide enough for that attacker is wide enough for the real one. Pure apart from
SciPy: no Flask, no SQL.
"""
from __future__ import annotations

from collections import defaultdict, deque
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import linprog
from scipy.sparse import csr_matrix, vstack

try:  # SciPy's own HiGHS bindings (1.15 and later): warm-started re-solves
    from scipy.optimize._highspy import _core
except ImportError:  # pragma: no cover - older SciPy: plain linprog, same results
    _core = None

TOLERANCE = 1e-6
# How far from a cell (in relations) a way is first sought, then further (see _Near);
# then in the whole programme.
NEAR_STEPS = (1, 3)
_INF = _core.kHighsInf if _core is not None else np.inf


@dataclass
class System:
    """Atoms (their true values), equations among them (sum of coef * atom = 0) and
    cells (each the sum of some atoms: a value of a publication)."""

    truth: list[int] = field(default_factory=list)
    equations: list[dict[int, int]] = field(default_factory=list)
    cells: list[tuple[int, ...]] = field(default_factory=list)
    # Cells no publication wrote (a difference of two periods): hidden, and an attacker
    # does not know them to be at least 1.
    unpublished: set[int] = field(default_factory=set)

    def atom(self, value: int) -> int:
        if value < 0:
            raise ValueError(f"a negative count: {value}")
        self.truth.append(value)
        return len(self.truth) - 1

    def cell(self, atoms) -> int:
        self.cells.append(tuple(atoms))
        return len(self.cells) - 1

    def value(self, cell: int) -> int:
        return sum(self.truth[a] for a in self.cells[cell])


def unprotected(system: System, hidden: set[int], primary: set[int], protection: int,
                changed: set[int] | None = None, cache: dict | None = None,
                limits: dict | None = None, points: list | None = None,
                reached: dict | None = None, proven: set[int] = frozenset()) -> set[int]:
    """The hidden cells whose range is too narrow (see the module docstring).

    ``hidden``: the hidden cells (every other cell is published); ``primary``: those that
    need the protection width; ``changed``: when given, only the independent parts of the
    system holding one of these cells are audited (the others were audited before);
    ``cache``: a dict kept between calls, so a part whose hidden cells did not change is
    not solved again; ``limits``: (cell, upwards?) -> the value beyond which no
    publication can leave it in doubt (see extreme()), when nearer than the rule's;
    ``reached``: when given, (cell, upwards?) -> how far a failed cell was found to go
    that way (a value an attacker cannot exclude, see Witnesses.extreme()); ``proven``:
    hidden cells an earlier call found protected with no more cells hidden than now (they
    stay so: hiding more only widens the ranges, and limits only bring targets nearer),
    not audited again.
    """
    limits = limits or {}
    fixed = _deduce(system, hidden)
    cache = {} if cache is None else cache
    # A hidden zero that protects nothing (not a group's, see group_zeros) may well be
    # worked out: it discloses no one.
    guarded = {cell for cell in hidden if (cell in primary or system.value(cell) > 0)
               and cell not in proven}
    failed = set()
    for part in _parts(system, hidden, fixed):
        audited = part.cells & guarded
        if not audited or (changed is not None and not part.cells & changed):
            continue
        key = (frozenset(part.cells), frozenset(part.cells & hidden), protection,
               frozenset((c, tuple(needs(system, c, primary, protection, limits)))
                         for c in audited))
        if key not in cache:
            cache[key] = _audit_part(system, part, hidden, primary, audited, fixed, protection,
                                     limits, points or ())
        # (A part solved before may have failed cells that points found since show
        # protected.)
        for cell, went in cache[key].items():
            if not _shown(system, cell, primary, protection, limits, points or ()):
                failed.add(cell)
                if reached is not None:
                    reached.update(((cell, upwards), value) for upwards, value in went.items())
    # A hidden cell made of atoms an attacker works out alone belongs to no part (a
    # registered one too: it was not worked out before this publication); it fails
    # unless its limits say nothing could leave it in doubt.
    for cell in guarded:
        if all(a in fixed for a in system.cells[cell]):
            x = system.value(cell)
            (_, high), (_, low) = needs(system, cell, primary, protection, limits)
            if (high > x or low < x) if cell in primary else (high > x and low < x):
                failed.add(cell)
    return failed


def _shown(system: System, cell: int, primary: set[int], protection: int, limits: dict,
           points) -> bool:
    """Whether ``points`` show ``cell`` protected (both ways for a primary cell)."""
    reached = [reaches(system, cell, target, points)
               for target in needs(system, cell, primary, protection, limits)]
    return all(reached) if cell in primary else any(reached)


def _deduce(system: System, hidden: set[int]) -> dict[int, int]:
    """Atoms an attacker works out without solving anything: a relation with one unknown
    atom left gives it; a relation whose unknowns all have one sign and add up to 0 makes
    them all 0 (counts are never negative). The LP would find them too; removing them
    first splits the system into small independent parts."""
    relations = [(dict(eq), 0) for eq in system.equations]
    relations += [({a: 1 for a in atoms}, sum(system.truth[a] for a in atoms))
                  for cell, atoms in enumerate(system.cells) if cell not in hidden]
    holding = defaultdict(list)
    for index, (coefs, _) in enumerate(relations):
        for atom in coefs:
            holding[atom].append(index)
    fixed: dict[int, int] = {}
    queue = deque(range(len(relations)))
    while queue:
        coefs, _ = relations[queue.popleft()]
        unknown = [a for a in coefs if a not in fixed]
        if not unknown:
            continue
        signs = {coefs[a] > 0 for a in unknown}
        if len(unknown) == 1 or (len(signs) == 1 and all(system.truth[a] == 0 for a in unknown)):
            # The second case is only true when the residual is 0, i.e. every unknown
            # atom is 0 (one sign, nonnegative atoms): the true values say so.
            for atom in unknown:
                fixed[atom] = system.truth[atom]
                queue.extend(holding[atom])
    return fixed


@dataclass
class _Part:
    atoms: list[int]
    relations: list[tuple[dict[int, int], int]]  # equalities on the part's atoms
    cells: set[int]


def _parts(system: System, hidden: set[int], fixed: dict[int, int]) -> list[_Part]:
    """The independent parts of what is left: atoms linked by a relation or a cell."""
    parent: dict[int, int] = {}

    def find(atom):
        parent.setdefault(atom, atom)
        while parent[atom] != atom:
            parent[atom] = parent[parent[atom]]
            atom = parent[atom]
        return atom

    def residual(coefs, rhs):
        free = {a: c for a, c in coefs.items() if a not in fixed}
        return free, rhs - sum(c * fixed[a] for a, c in coefs.items() if a in fixed)

    relations = [residual(dict(eq), 0) for eq in system.equations]
    relations += [residual({a: 1 for a in atoms}, system.value(cell))
                  for cell, atoms in enumerate(system.cells) if cell not in hidden]
    relations = [(coefs, rhs) for coefs, rhs in relations if coefs]
    for coefs, _ in relations:
        first, *rest = coefs
        for atom in rest:
            parent[find(atom)] = find(first)
    free_cells = {}
    for cell, atoms in enumerate(system.cells):
        free = [a for a in atoms if a not in fixed]
        if free:
            free_cells[cell] = free
            for atom in free[1:]:
                parent[find(atom)] = find(free[0])
    parts: dict[int, _Part] = {}
    for atom in list(parent):
        parts.setdefault(find(atom), _Part([], [], set())).atoms.append(atom)
    for coefs, rhs in relations:
        parts[find(next(iter(coefs)))].relations.append((coefs, rhs))
    for cell, free in free_cells.items():
        parts[find(free[0])].cells.add(cell)
    return list(parts.values())


def _audit_part(system, part: _Part, hidden, primary, audited, fixed, protection,
                limits, points) -> set[int]:
    """Solve one part: the audited cells whose range is too narrow. ``points``: atom
    values an attacker cannot exclude (found before, e.g. by witnesses): each shows
    how far the cells can go, so fewer programmes are solved."""
    index = {atom: i for i, atom in enumerate(part.atoms)}
    size = len(index)

    def expression(cell):
        atoms = system.cells[cell]
        return ({a: 1 for a in atoms if a not in fixed},
                sum(fixed[a] for a in atoms if a in fixed))

    rows = [({index[a]: c for a, c in coefs.items()}, rhs, rhs) for coefs, rhs in part.relations]
    # A hidden cell is at least 1, unless it is a zero (the audit knows which).
    for cell in sorted(part.cells & hidden):
        coefs, constant = expression(cell)
        if cell not in system.unpublished and min(system.value(cell), 1) - constant > 0:
            rows.append(({index[a]: 1 for a in coefs}, 1 - constant, np.inf))
    programme = _Programme([r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows],
                           np.zeros(size), np.full(size, np.inf))

    order = sorted(audited)
    sums, constants, highs, lows, both = [], [], [], [], []
    for cell in order:
        coefs, constant = expression(cell)
        sums.append({index[a]: 1 for a in coefs})
        constants.append(constant)
        (_, high), (_, low) = needs(system, cell, primary, protection, limits)
        highs.append(high)
        lows.append(low)
        both.append(cell in primary)
    start, columns, ones = _csr(sums)
    vectors = csr_matrix((ones, columns, start), shape=(len(order), size))
    constants, highs, lows = (np.array(v, dtype=float) for v in (constants, highs, lows))
    up = np.zeros(len(order), bool)    # the cell's value may reach high enough
    down = np.zeros(len(order), bool)  # ... low enough

    def record(point):
        reach = vectors @ point + constants
        up[:] |= reach >= highs - TOLERANCE
        down[:] |= reach <= lows + TOLERANCE

    for point in points:  # (atoms outside the part take no part in it)
        record(np.asarray(point)[part.atoms])

    def solve(objective) -> tuple[float, np.ndarray | None]:
        # The true values are feasible: the only other outcome is unbounded (any value
        # above is reachable).
        status, value, point = programme.solve(objective)
        if status == "infeasible":
            raise RuntimeError("the audit's linear programme failed: infeasible")
        if point is not None:
            record(point)
        return value, point

    def satisfied(i):
        return (up[i] and down[i]) if both[i] else (up[i] or down[i])

    total = np.asarray(vectors.sum(axis=0)).ravel()
    for sign in (-1, 1):  # push every audited cell up at once, then down: most pass here
        solve(sign * total)
    # Then the others, many at a time: one programme asks each of them to reach its
    # target, and its solution is a point that shows those it meets protected.
    for upwards in (True, False):
        _rounds(programme, vectors, constants, highs if upwards else lows, upwards,
                lambda i: not satisfied(i) and not (up[i] if upwards else down[i]), record)
    failed = {}
    for i, cell in enumerate(order):
        if satisfied(i):
            continue
        vector = vectors[i].toarray().ravel()
        reached = {}  # upwards? -> how far it goes, when not far enough
        if not up[i] and (both[i] or not down[i]):
            best, point = solve(-vector)
            if point is None or -best + constants[i] >= highs[i] - TOLERANCE:
                up[i] = True
            else:
                reached[True] = -best + constants[i]
        if not satisfied(i) and not down[i]:
            best, _ = solve(vector)
            if best + constants[i] <= lows[i] + TOLERANCE:
                down[i] = True
            else:
                reached[False] = best + constants[i]
        if not satisfied(i):
            failed[cell] = reached
    return failed


def _rounds(programme, vectors, constants, targets, upwards, wanted, record) -> None:
    """Ask every row of ``vectors`` that is still ``wanted`` to reach its target, in
    rounds: each round's point meets those it can together (``record`` takes it), the
    next round asks the others, until a round meets almost none."""
    asked = [i for i in range(len(targets)) if wanted(i)]
    while asked:
        rows = vectors[asked]
        soft = [({int(c): 1.0 for c in rows.indices[rows.indptr[k]:rows.indptr[k + 1]]},
                 *((targets[i] - constants[i], np.inf) if upwards
                   else (-np.inf, targets[i] - constants[i])))
                for k, i in enumerate(asked)]
        # The first rows weigh a little more: where only some can be met at once, the
        # point meets those in full rather than all in part.
        status, _, point = programme.solve(np.zeros(programme.width), soft=soft,
                                           penalty=2.0 - np.arange(len(soft)) / len(soft))
        if status != "optimal":
            raise RuntimeError("the audit's linear programme failed: " + status)
        record(point[:programme.width])
        still = [i for i in asked if wanted(i)]
        if len(asked) - len(still) < max(1, len(asked) // 50):
            # A round that meets (nearly) none: those left are mostly out of reach,
            # which their own programmes tell faster than more rounds.
            return
        asked = still


def needs(system: System, cell: int, primary: set[int], protection: int,
          limits: dict) -> list[tuple[bool, int]]:
    """What protecting ``cell`` asks: (upwards, the value to reach), (downwards, the
    value to reach). A primary cell needs both, any other one either."""
    x = system.value(cell)
    width = protection if cell in primary else 1
    high, low = x + width, (max(1, x - width) if cell in primary else x - 1)
    high, low = min(high, limits.get((cell, True), high)), max(low, limits.get((cell, False), low))
    if cell not in primary and (high == x) != (low == x):
        # One way is shut (nothing can take it there): the other must be open, so
        # the shut one asks for what cannot be reached. (Both shut: the cell is told
        # whatever this publication hides.)
        high, low = (x + 1, low) if high == x else (high, x - 1)
    return [(True, high), (False, low)]


def settled(system: System, hidden: set[int], free: set[int]) -> dict[int, int]:
    """The atoms an attacker works out whatever the cells of ``free`` show."""
    return _deduce(system, hidden | free)


class Witnesses:
    """Which published cells of ``free`` (cell -> cost of hiding it) to hide so that an
    attacker can no longer exclude that a cell reaches a value: the cheapest way the
    counts could move there (a linear programme over every atom) changes some published
    cells of ``free``; hiding them makes that way possible for the attacker too.

    One programme serves every question of one publication: each cell of ``free`` has a
    deviation (how far its count may move, at its cost; no cost once it is hidden), and
    a question only adds its target for one solve, so HiGHS starts again from the last
    basis. ``registered``: the hidden cells outside ``free`` (every other cell outside
    it is published); ``settled``: atoms whatever ``free`` hides tells (see settled()),
    fixed so the solver's presolve drops them."""

    def __init__(self, system: System, registered: set[int], free: dict[int, float],
                 settled: dict[int, int] | None = None):
        self.system, self.free = system, free
        settled = settled or {}
        # Settled atoms are constants, not columns: a much smaller programme.
        self.atoms = [a for a in range(len(system.truth)) if a not in settled]
        self.column = {atom: i for i, atom in enumerate(self.atoms)}
        self.base = np.zeros(len(system.truth))
        for atom, value in settled.items():
            self.base[atom] = value
        self.deviations = {c: len(self.atoms) + i for i, c in enumerate(sorted(free))}
        width = len(self.atoms) + len(self.deviations)
        rows, lower, upper = [], [], []

        def row(atoms, low, high, extra=None):
            coefs, constant = self.terms(atoms)
            if extra:
                coefs[extra[0]] = extra[1]
            if coefs:  # (a row of constants holds: they are the true values)
                rows.append(coefs)
                lower.append(low - constant)
                upper.append(high - constant)

        for equation in system.equations:
            row(equation, 0, 0)
        for other, atoms in enumerate(system.cells):
            value = system.value(other)
            if other in self.deviations:  # |count - value| <= deviation
                column = self.deviations[other]
                row(atoms, -np.inf, value, (column, -1))
                row(atoms, value, np.inf, (column, 1))
            elif other not in registered:
                row(atoms, value, value)
            if (other in registered or other in self.deviations) and value >= 1 \
                    and other not in system.unpublished:
                row(atoms, 1, np.inf)
        self.programme = _Programme(rows, lower, upper, np.zeros(width), np.full(width, np.inf))
        origin = np.zeros(width)  # the true values, where every way starts
        origin[:len(self.atoms)] = np.asarray(system.truth, float)[self.atoms]
        self.near = _Near(rows, lower, upper, origin, len(self.atoms))

    def terms(self, atoms) -> tuple[dict[int, float], float]:
        """(coefficients by column, constant) of a sum of atoms (a dict: with coefficients)."""
        coefs, constant = {}, 0.0
        for atom, coef in (atoms.items() if isinstance(atoms, dict) else ((a, 1) for a in atoms)):
            if atom in self.column:
                coefs[self.column[atom]] = coefs.get(self.column[atom], 0) + coef
            else:
                constant += coef * self.base[atom]
        return {c: v for c, v in coefs.items() if v}, constant

    def point(self, solution) -> np.ndarray:
        """Every atom's value: the settled ones' and the solution's."""
        values = self.base.copy()
        values[self.atoms] = solution[:len(self.atoms)]
        return values

    def find(self, cell: int, target: tuple[bool, int], hidden: set[int]):
        """The cells of ``free`` to hide (beyond ``hidden``) so that ``cell`` may reach
        ``target`` (upwards?, value), with the atoms' values on that way (a point an
        attacker cannot exclude once they are hidden, nor after more cells are hidden).
        None when no way exists, whatever is hidden.

        The way is first sought near the cell (see _Near): any way found there is a
        way, and the cheapest one is nearly always there."""
        cost = np.zeros(self.programme.width)
        for other, column in self.deviations.items():
            if other not in hidden:
                cost[column] = self.free[other]
        upwards, value = target
        coefs, constant = self.terms(self.system.cells[cell])
        if not coefs:  # settled: the true values are the only way
            reached = constant >= value if upwards else constant <= value
            return (set(), self.point(np.array(self.system.truth, float)[self.atoms])) \
                if reached else None
        value -= constant
        bounds = (value, np.inf) if upwards else (-np.inf, value)
        for steps in NEAR_STEPS:
            status, _, solution = self.near.solve(coefs, bounds, cost, steps)
            if status == "optimal":
                return ({other for other, column in self.deviations.items()
                         if other not in hidden and solution[column] > TOLERANCE},
                        self.point(solution))
        status, _, solution = self.programme.solve(
            cost, (coefs, value, np.inf) if upwards else (coefs, -np.inf, value))
        if status == "infeasible":
            return None
        if status != "optimal":
            raise RuntimeError("the audit's linear programme failed: " + status)
        return ({other for other, column in self.deviations.items()
                 if other not in hidden and solution[column] > TOLERANCE},
                self.point(solution))

    def extreme(self, cell: int, upwards: bool, reached: float | None = None) -> float:
        """The greatest (least) value an attacker can derive for ``cell`` when every cell
        of ``free`` is hidden too: beyond it no publication can leave the cell in doubt (a
        total of four hidden cells that are not zeros is at least 4; a value registered
        publications already tell).

        Near the cell first: the same value within reach (``reached``: a value the
        audit found it can take; or a way near it, see _Near) and as a bound near it (the
        relaxed programme) settles it without the whole programme."""
        coefs, constant = self.terms(self.system.cells[cell])
        if not coefs:
            return int(round(constant))
        cost = np.zeros(self.programme.width)
        for column, coef in coefs.items():
            cost[column] = -coef if upwards else coef

        def rounded(status, value):
            if status == "unbounded":
                return np.inf if upwards else None  # (counts are never negative)
            if status != "optimal":
                return None
            return int(np.floor(-value + constant + TOLERANCE) if upwards
                       else np.ceil(value + constant - TOLERANCE))

        free, steps = (-np.inf, np.inf), NEAR_STEPS[0]
        # (rounded() takes a programme's value, without the settled atoms' constant)
        within = [rounded("optimal", constant - reached if upwards else reached - constant)] \
            if reached is not None else []
        within.append(rounded(*self.near.solve(coefs, free, cost, steps)[:2]))
        within = [v for v in within if v is not None]
        best = (max if upwards else min)(within, default=None)
        if best == np.inf:
            return best  # unbounded near the cell: unbounded anywhere
        if best is not None and best == rounded(
                *self.near.solve(coefs, free, cost, steps, relaxed=True)[:2]):
            return best
        status, value, _ = self.programme.solve(cost)
        if status == "unbounded" and upwards:
            return np.inf  # (every free cell hidden, nothing bounds it)
        if status != "optimal":
            raise RuntimeError("the audit's linear programme failed: " + status)
        return rounded(status, value)


def reaches(system: System, cell: int, target: tuple[bool, int], points: list) -> bool:
    """Whether one of ``points`` (atom values an attacker cannot exclude) takes ``cell``
    to ``target``."""
    atoms = list(system.cells[cell])
    upwards, value = target
    for point in points:
        reached = float(point[atoms].sum())
        if (reached >= value - TOLERANCE) if upwards else (reached <= value + TOLERANCE):
            return True
    return False


class _Near:
    """The rows of a programme (x >= 0; the columns after ``movable`` move only with the
    rows they are on) and a feasible point ``origin`` (the true values): small
    programmes near one sum of columns, each solved from scratch in milliseconds where
    the whole programme takes up to a tenth of a second.

    Near a sum: its columns and those within ``steps`` rows of them. Either the others
    keep their values at ``origin``, which every row allows: then a solution is a
    solution of the whole programme (a way, a value within reach); or, ``relaxed``, only
    the rows on the near columns hold and the columns they bring in move freely: then
    no solution of the whole programme does better (a bound)."""

    def __init__(self, rows: list[dict[int, float]], lower, upper, origin, movable: int):
        start, index, value = _csr(rows)
        self.matrix = csr_matrix((value, index, start), shape=(len(rows), len(origin)))
        self.by_column = self.matrix.tocsc()
        self.lower, self.upper = np.asarray(lower, float), np.asarray(upper, float)
        self.origin, self.movable = np.asarray(origin, float), movable

    def solve(self, coefs: dict[int, float], bounds, cost, steps: int, relaxed=False):
        """Minimise ``cost`` near the sum ``coefs`` held within ``bounds``: (status,
        value, every column's value or None); status "optimal", "unbounded" or another
        word (infeasible near here, or no verdict: ask the whole programme)."""
        near = np.zeros(len(self.origin), bool)
        near[list(coefs)] = True
        frontier = np.fromiter(coefs, dtype=np.int64)
        for _ in range(steps):
            reached = _gather(self.matrix, _gather(self.by_column, frontier))
            reached = reached[(reached < self.movable) & ~near[reached]]
            if not len(reached):
                break
            near[reached] = True
            frontier = reached
        rows = _gather(self.by_column, np.flatnonzero(near))
        sub = self.matrix[rows]
        if relaxed:
            near[sub.indices] = True
        else:  # (the columns that move with their rows)
            near[sub.indices[sub.indices >= self.movable]] = True
        columns = np.flatnonzero(near)
        fixed = sub[:, np.flatnonzero(~near)] @ self.origin[~near]
        target = csr_matrix((list(coefs.values()),
                             ([0] * len(coefs), np.searchsorted(columns, list(coefs)))),
                            shape=(1, len(columns)))
        status, value, found = _solve_once(
            np.asarray(cost, float)[columns], vstack([sub[:, columns], target]).tocsr(),
            np.append(self.lower[rows] - fixed, bounds[0]),
            np.append(self.upper[rows] - fixed, bounds[1]))
        if found is None:
            return status, value, None
        solution = self.origin.copy()
        solution[columns] = found
        return status, value, solution


def _gather(compressed, lines) -> np.ndarray:
    """The indices on ``lines`` of a compressed sparse matrix (rows of a CSR matrix,
    columns of a CSC one), once each, in order."""
    pointer, indices = compressed.indptr, compressed.indices
    return np.unique(np.concatenate(
        [indices[pointer[k]:pointer[k + 1]] for k in lines] or [np.zeros(0, int)]))


class _Programme:
    """One linear programme (minimise cost @ x, row_lower <= A x <= row_upper, col_lower
    <= x <= col_upper) kept in one HiGHS instance, so that solving it again with another
    objective, another cost or one more row starts from the last basis (a few simplex
    iterations) instead of from scratch. Without SciPy's HiGHS bindings (SciPy < 1.15),
    each solve is a plain linprog: the same optimum, only slower."""

    def __init__(self, rows: list[dict[int, float]], row_lower, row_upper, col_lower,
                 col_upper):
        self.width = len(col_lower)
        self.rows, self.row_lower, self.row_upper = list(rows), list(row_lower), list(row_upper)
        self.col_lower, self.col_upper = np.asarray(col_lower, float), np.asarray(col_upper, float)
        self.highs = None
        if _core is not None:
            start, index, value = _csr(self.rows)
            self.highs = _highs(np.zeros(self.width), self.col_lower, self.col_upper,
                                self.row_lower, self.row_upper, start, index, value)
            # The primal simplex: after a change of objective the last basis is still
            # feasible, so it goes on from there (the dual simplex, HiGHS's default,
            # took 20 times longer per solve on a quarter after 4 publications).
            self.highs.setOptionValue("simplex_strategy", 4)

    def solve(self, cost: np.ndarray, extra: tuple[dict[int, float], float, float] | None = None,
              soft: list[tuple[dict[int, float], float, float]] = (), penalty=0.0):
        """Minimise ``cost`` (with one ``extra`` row (coefs, lower, upper) for this solve
        only): ("optimal", value, x), ("unbounded", -inf, None) or ("infeasible", ...).

        ``soft``: more rows for this solve only, each one-sided (lower or upper bound
        infinite) with a slack of its own that costs ``penalty`` a unit (one for all, or
        one a row): x then ends with the slacks (> 0 where a row could not be met)."""
        if self.highs is None:
            return self._linprog(cost, extra, soft, penalty)
        highs = self.highs
        highs.changeColsCost(self.width, np.arange(self.width, dtype=np.int32),
                             np.asarray(cost, float))
        added = [extra] if extra is not None else []
        if soft:
            count = len(soft)
            highs.addCols(count, np.broadcast_to(np.asarray(penalty, float), count).copy(),
                          np.zeros(count),
                          np.full(count, _INF), 0, np.zeros(count, dtype=np.int32),
                          np.zeros(0, dtype=np.int32), np.zeros(0))
            added += [({**coefs, self.width + i: 1.0 if lower > -np.inf else -1.0}, lower, upper)
                      for i, (coefs, lower, upper) in enumerate(soft)]
        if added:
            start, index, value = _csr([coefs for coefs, _, _ in added])
            highs.addRows(len(added), _finite(np.array([a[1] for a in added], float)),
                          _finite(np.array([a[2] for a in added], float)), int(start[-1]),
                          start[:-1].astype(np.int32), index.astype(np.int32), value)
        try:
            highs.run()
            status = highs.getModelStatus()
            if status == _core.HighsModelStatus.kUnknown:
                # A warm start may end without a verdict (an infeasible extra row):
                # solve afresh.
                highs.clearSolver()
                highs.run()
                status = highs.getModelStatus()
            if status == _core.HighsModelStatus.kUnboundedOrInfeasible:
                # Presolve could not tell which: ask the simplex alone.
                highs.setOptionValue("presolve", "off")
                highs.run()
                highs.setOptionValue("presolve", "choose")
                status = highs.getModelStatus()
            # (no verdict: another way)
            return _verdict(highs, status) or self._linprog(cost, extra, soft, penalty)
        finally:
            if added:
                rows = highs.getNumRow()
                highs.deleteRows(len(added), np.arange(rows - len(added), rows, dtype=np.int32))
            if soft:
                highs.deleteCols(len(soft), np.arange(self.width, self.width + len(soft),
                                                      dtype=np.int32))

    def _linprog(self, cost, extra, soft=(), penalty=0.0):
        width = self.width + len(soft)
        rows, lower, upper = self.rows, self.row_lower, self.row_upper
        added = [extra] if extra is not None else []
        added += [({**coefs, self.width + i: 1.0 if low > -np.inf else -1.0}, low, high)
                  for i, (coefs, low, high) in enumerate(soft)]
        if added:
            rows = rows + [a[0] for a in added]
            lower, upper = lower + [a[1] for a in added], upper + [a[2] for a in added]
        cost = np.concatenate([np.asarray(cost, float),
                               np.broadcast_to(np.asarray(penalty, float), len(soft))])
        bounds = np.column_stack([np.concatenate([self.col_lower, np.zeros(len(soft))]),
                                  np.concatenate([self.col_upper, np.full(len(soft), np.inf)])])
        ub_rows, ub_rhs, eq_rows, eq_rhs = [], [], [], []
        for coefs, low, high in zip(rows, lower, upper):
            if low == high:
                eq_rows.append(coefs)
                eq_rhs.append(low)
                continue
            if high < np.inf:
                ub_rows.append(coefs)
                ub_rhs.append(high)
            if low > -np.inf:
                ub_rows.append({c: -v for c, v in coefs.items()})
                ub_rhs.append(-low)

        def matrix(chosen):
            if not chosen:
                return None
            start, index, value = _csr(chosen)
            return csr_matrix((value, index, start), shape=(len(chosen), width))

        result = linprog(cost, A_ub=matrix(ub_rows), b_ub=np.array(ub_rhs) if ub_rows else None,
                         A_eq=matrix(eq_rows), b_eq=np.array(eq_rhs) if eq_rows else None,
                         bounds=bounds, method="highs")
        if result.status == 0:
            return "optimal", result.fun, result.x
        if result.status == 3:
            return "unbounded", -np.inf, None
        if result.status == 2:
            return "infeasible", np.inf, None
        raise RuntimeError(f"the audit's linear programme failed: {result.message}")


def _solve_once(cost, matrix, lower, upper):
    """x >= 0 minimising ``cost`` with ``lower`` <= ``matrix`` x <= ``upper`` (a small
    programme, solved from scratch): (status, value, x or None); status "missing"
    without SciPy's HiGHS bindings (the whole programme answers then)."""
    if _core is None:  # pragma: no cover - older SciPy
        return "missing", np.nan, None
    width = matrix.shape[1]
    highs = _highs(cost, np.zeros(width), np.full(width, np.inf), lower, upper,
                   matrix.indptr, matrix.indices, matrix.data)
    highs.run()
    # (infeasible, or no verdict: the whole programme answers)
    return _verdict(highs, highs.getModelStatus()) or ("other", np.nan, None)


def _highs(cost, col_lower, col_upper, row_lower, row_upper, start, index, value):
    """A HiGHS instance holding the programme (rows compressed: start, index, value)."""
    highs = _core._Highs()
    highs.setOptionValue("output_flag", False)
    lp = _core.HighsLp()
    lp.num_col_, lp.num_row_ = len(col_lower), len(start) - 1
    lp.col_cost_ = np.asarray(cost, float)
    lp.col_lower_ = np.asarray(col_lower, float)
    lp.col_upper_ = _finite(np.asarray(col_upper, float))
    lp.row_lower_ = _finite(np.asarray(row_lower, float))
    lp.row_upper_ = _finite(np.asarray(row_upper, float))
    matrix = lp.a_matrix_
    matrix.format_ = _core.MatrixFormat.kRowwise
    matrix.num_col_, matrix.num_row_ = lp.num_col_, lp.num_row_
    matrix.start_, matrix.index_ = start, index
    matrix.value_ = np.asarray(value, float)
    lp.a_matrix_ = matrix
    highs.passModel(lp)
    return highs


def _verdict(highs, status):
    """(status word, value, x) of a run that ended with a verdict, else None."""
    if status == _core.HighsModelStatus.kOptimal:
        return ("optimal", highs.getInfo().objective_function_value,
                np.array(highs.getSolution().col_value))
    if status == _core.HighsModelStatus.kUnbounded:
        return "unbounded", -np.inf, None
    if status == _core.HighsModelStatus.kInfeasible:
        return "infeasible", np.inf, None
    return None


def _finite(values):
    """HiGHS's infinity for numpy's."""
    if np.isscalar(values):
        return float(np.clip(values, -_INF, _INF))
    return np.clip(np.asarray(values, float), -_INF, _INF)


def _csr(rows: list[dict[int, float]]):
    """(start, index, value) of ``rows``, compressed sparse rows."""
    start = np.zeros(len(rows) + 1, dtype=np.int64)
    start[1:] = np.cumsum([len(coefs) for coefs in rows])
    index = np.fromiter((c for coefs in rows for c in coefs), dtype=np.int64, count=start[-1])
    value = np.fromiter((v for coefs in rows for v in coefs.values()), dtype=float,
                        count=start[-1])
    return start, index, value
