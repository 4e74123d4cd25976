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
from scipy.sparse import csr_matrix

TOLERANCE = 1e-6


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
                limits: dict | None = None) -> set[int]:
    """The hidden cells whose range is too narrow (see the module docstring).

    ``hidden``: the hidden cells (every other cell is published); ``primary``: those that
    need the protection width; ``changed``: when given, only the independent parts of the
    system holding one of these cells are audited (the others were audited before);
    ``cache``: a dict kept between calls, so a part whose hidden cells did not change is
    not solved again; ``limits``: (cell, upwards?) -> the value beyond which no
    publication can leave it in doubt (see extreme()), when nearer than the rule's.
    """
    limits = limits or {}
    fixed = _deduce(system, hidden)
    cache = {} if cache is None else cache
    # A hidden zero that protects nothing (not a group's, see group_zeros) may well be
    # worked out: it discloses no one.
    guarded = {cell for cell in hidden if cell in primary or system.value(cell) > 0}
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
                                     limits)
        failed |= cache[key]
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
                limits) -> set[int]:
    """Solve one part: the audited cells whose range is too narrow."""
    index = {atom: i for i, atom in enumerate(part.atoms)}
    size = len(index)

    def matrix(rows):
        data, cols, ptr = [], [], [0]
        for coefs in rows:
            for atom, coef in coefs.items():
                cols.append(index[atom])
                data.append(coef)
            ptr.append(len(cols))
        return csr_matrix((data, cols, ptr), shape=(len(rows), size))

    def expression(cell):
        atoms = system.cells[cell]
        return ({a: 1 for a in atoms if a not in fixed},
                sum(fixed[a] for a in atoms if a in fixed))

    a_eq = matrix([coefs for coefs, _ in part.relations])
    b_eq = np.array([rhs for _, rhs in part.relations], dtype=float)
    # A hidden cell is at least 1, unless it is a zero (the audit knows which).
    ones = []
    for cell in sorted(part.cells & hidden):
        coefs, constant = expression(cell)
        if cell not in system.unpublished and min(system.value(cell), 1) - constant > 0:
            ones.append(({a: -1 for a in coefs}, -(1 - constant)))
    a_ub = matrix([coefs for coefs, _ in ones]) if ones else None
    b_ub = np.array([rhs for _, rhs in ones], dtype=float) if ones else None

    vectors, wants = {}, {}
    for cell in audited:
        coefs, constant = expression(cell)
        vector = np.zeros(size)
        for atom in coefs:
            vector[index[atom]] = 1
        vectors[cell] = (vector, constant)
        (_, high), (_, low) = needs(system, cell, primary, protection, limits)
        wants[cell] = (high, low, cell in primary)

    reached = {cell: [False, False] for cell in audited}  # [high enough, low enough]

    def record(point):
        for cell, (vector, constant) in vectors.items():
            value = float(vector @ point) + constant
            high, low, _ = wants[cell]
            reached[cell][0] |= value >= high - TOLERANCE
            reached[cell][1] |= value <= low + TOLERANCE

    def solve(objective) -> tuple[float, np.ndarray | None]:
        result = linprog(objective, A_ub=a_ub, b_ub=b_ub, A_eq=a_eq, b_eq=b_eq,
                         bounds=(0, None), method="highs")
        if result.status == 3:      # unbounded: any value above is reachable
            return -np.inf, None
        if result.status != 0:
            raise RuntimeError(f"the audit's linear programme failed: {result.message}")
        return result.fun, result.x

    def satisfied(cell):
        high, low = reached[cell]
        return (high and low) if wants[cell][2] else (high or low)

    total = sum(vector for vector, _ in vectors.values())
    for sign in (-1, 1):  # push every audited cell up at once, then down: most pass here
        _, point = solve(sign * total)
        if point is not None:
            record(point)
    failed = set()
    for cell in sorted(audited):
        vector, constant = vectors[cell]
        high, low, both = wants[cell]
        if not reached[cell][0] and (both or not reached[cell][1]):
            best, point = solve(-vector)
            if point is None or -best + constant >= high - TOLERANCE:
                reached[cell][0] = True
            if point is not None:
                record(point)
        if not satisfied(cell) and not reached[cell][1]:
            best, point = solve(vector)
            if best + constant <= low + TOLERANCE:
                reached[cell][1] = True
            if point is not None:
                record(point)
        if not satisfied(cell):
            failed.add(cell)
    return failed


def needs(system: System, cell: int, primary: set[int], protection: int,
          limits: dict) -> list[tuple[bool, int]]:
    """What protecting ``cell`` asks: (upwards, the value to reach), (downwards, the
    value to reach). A primary cell needs both, any other one either."""
    x = system.value(cell)
    width = protection if cell in primary else 1
    high, low = x + width, (max(1, x - width) if cell in primary else x - 1)
    return [(True, min(high, limits.get((cell, True), high))),
            (False, max(low, limits.get((cell, False), low)))]


def settled(system: System, hidden: set[int], free: set[int]) -> dict[int, int]:
    """The atoms an attacker works out whatever the cells of ``free`` show."""
    return _deduce(system, hidden | free)


def extreme(system: System, cell: int, upwards: bool, hidden: set[int], free: set[int]) -> int:
    """The greatest (least) value an attacker can derive for ``cell`` when every cell
    of ``free`` is hidden too: beyond it no publication can leave the cell in doubt (a
    total of four hidden cells that are not zeros is at least 4; a value registered
    publications already tell)."""
    return witness(system, cell, upwards, hidden | free, {})


def witness(system: System, cell: int, target, hidden: set[int], free: dict[int, float],
            settled: dict[int, int] | None = None):
    """The published cells to hide so that an attacker can no longer exclude that
    ``cell`` reaches ``target`` (upwards?, value): the cheapest way the counts could
    move there (a linear programme over every atom) changes some published cells of
    ``free`` (cell -> cost of hiding it); hiding them makes that way possible for the
    attacker too; returns them with the atoms' values on that way (a point an attacker
    cannot exclude once they are hidden, nor after more cells are hidden). None when no
    way exists, whatever is hidden. ``settled``: atoms whatever ``free`` hides tells
    (see settled()), fixed so the solver's presolve drops them."""
    size = len(system.truth)
    deviations = {c: size + i for i, c in enumerate(sorted(set(free) - hidden))}
    width = size + len(deviations)
    eq_rows, eq_rhs, ub_rows, ub_rhs = [], [], [], []
    for equation in system.equations:
        eq_rows.append(equation)
        eq_rhs.append(0)
    for other, atoms in enumerate(system.cells):
        value = system.value(other)
        terms = {a: 1 for a in atoms}
        if other in deviations:
            ub_rows += [{**terms, deviations[other]: -1}, {**{a: -1 for a in atoms},
                                                           deviations[other]: -1}]
            ub_rhs += [value, -value]
        elif other not in hidden:
            eq_rows.append(terms)
            eq_rhs.append(value)
        if (other in hidden or other in deviations) and value >= 1 \
                and other not in system.unpublished:
            ub_rows.append({a: -1 for a in atoms})
            ub_rhs.append(-1)
    objective = np.zeros(width)
    if isinstance(target, bool):  # extreme(): the greatest or least value of the cell
        for atom in system.cells[cell]:
            objective[atom] += -1 if target else 1
    else:
        upwards, value = target
        sign = -1 if upwards else 1
        ub_rows.append({a: sign for a in system.cells[cell]})
        ub_rhs.append(sign * value)

    def matrix(rows):
        data, cols, ptr = [], [], [0]
        for coefs in rows:
            cols += list(coefs)
            data += list(coefs.values())
            ptr.append(len(cols))
        return csr_matrix((data, cols, ptr), shape=(len(rows), width))

    for other, column in deviations.items():
        objective[column] = free[other]
    lower, upper = np.zeros(width), np.full(width, np.inf)
    for atom, value in (settled or {}).items():
        lower[atom] = upper[atom] = value
    result = linprog(objective, A_ub=matrix(ub_rows), b_ub=np.array(ub_rhs, dtype=float),
                     A_eq=matrix(eq_rows), b_eq=np.array(eq_rhs, dtype=float),
                     bounds=np.column_stack([lower, upper]), method="highs")
    if result.status == 2:
        return None
    if result.status != 0:
        raise RuntimeError(f"the audit's linear programme failed: {result.message}")
    if isinstance(target, bool):
        return int(np.floor(-result.fun + TOLERANCE) if target
                   else np.ceil(result.fun - TOLERANCE))
    return ({other for other, column in deviations.items() if result.x[column] > TOLERANCE},
            result.x[:size])


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
