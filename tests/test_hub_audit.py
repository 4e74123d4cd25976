"""The open-data audit under attack: an integer programme with the attacker's full
knowledge, over one export and over several registered publications.

The attacker reads the published files: every value, every zero, the totals that link
them, and, across files, that a period's counts are the sum of its weeks' and that a
re-publication adds the late records to the first one. He is given more than the files
say: which hidden cells are zeros (every other hidden cell is then at least 1). For each
hidden cell of x people (1 to 10), the smallest and largest whole values he can derive
must reach x + 5 above and max(1, x - 5) below; no other hidden cell may be exact.
"""
from __future__ import annotations

import random
from collections import defaultdict
from pathlib import Path

import numpy as np
import pytest
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import coo_matrix

from kiosk.hub import opendata, publications
from tests import hubdata as h
from tests.test_hub_opendata import merge_equal_cells, population, published_system

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

P = 5  # KIOSK_HUB_PROTECTION's default


def test_the_protection_rule_in_figures():
    from kiosk.config import DEFAULTS
    from kiosk.hub.audit import System, needs

    assert DEFAULTS["HUB_PROTECTION"] == 5
    system = System()
    cells = [system.cell([system.atom(n)]) for n in (10, 11, 1, 0)]
    assert needs(system, cells[0], set(cells), 5, {}) == [(True, 15), (False, 5)]
    assert needs(system, cells[2], set(cells), 5, {}) == [(True, 6), (False, 1)]
    assert needs(system, cells[3], set(cells), 5, {}) == [(True, 5), (False, 1)]
    # A secondary cell (11 people) must only not be exact.
    assert needs(system, cells[1], set(), 5, {}) == [(True, 12), (False, 10)]
    # Nothing can take it above 11 (registered publications bound it): then it must be
    # able to go down, and going up is asked for as out of reach, never as met already.
    assert needs(system, cells[1], set(), 5, {(cells[1], True): 11}) == [(True, 12),
                                                                         (False, 10)]
    assert needs(system, cells[1], set(), 5, {(cells[1], False): 11}) == [(True, 12),
                                                                          (False, 10)]
    # Shut both ways, it is told whatever this publication hides: nothing is asked.
    assert needs(system, cells[1], set(), 5, {(cells[1], True): 11, (cells[1], False): 11}) \
        == [(True, 11), (False, 11)]
    # A primary cell is asked for as far as anything can take it.
    assert needs(system, cells[0], set(cells), 5, {(cells[0], True): 12}) == [(True, 12),
                                                                              (False, 5)]


# --- Exports ----------------------------------------------------------------------------

def make_hub(folder: Path, seed: int, per_week=(8, 40)):
    from kiosk import create_app

    db = h.new_hub_db(folder / "hub.db")
    for (site, epci), payloads in population(random.Random(seed), per_week):
        h.receive(db, h.add_device(db, site, epci), payloads)
    db.close()
    return create_app({"TESTING": True, "ROLE": "hub", "DATABASE": str(folder / "hub.db"),
                       "SECRET_KEY": "t", "EXPORT_DIR": str(folder / "exports")})


def export(app, folder: Path, *args) -> Path:
    result = app.test_cli_runner().invoke(args=["hub", "export", "--output", str(folder), *args])
    assert result.exit_code == 0, result.output
    return folder


def dashboard_method(hide_all: bool):
    """secure() as it was before the audit: the dashboard's method alone (or nothing
    hidden at all, for the true values)."""
    from kiosk.hub.suppression import protect

    def secure(releases, make_tables, protection):
        weeks = list(releases[-1].snapshot.weeks)
        tables = make_tables(weeks, *releases[-1].snapshot.over(weeks))
        hidden = frozenset() if hide_all else protect(tables.values, tables.sums)
        return publications.Outcome(tables, hidden, hidden, frozenset())
    return secure


def truth_of(app, folder: Path, monkeypatch, *args) -> Path:
    """The same export with nothing hidden: the true value of every cell."""
    with monkeypatch.context() as patch:
        patch.setattr(opendata.publications, "secure", dashboard_method(hide_all=True))
        return export(app, folder, *args)


def old_method(monkeypatch):
    """The exports made as before the audit: the dashboard's method alone."""
    monkeypatch.setattr(opendata.publications, "secure", dashboard_method(hide_all=False))


# --- The attack -------------------------------------------------------------------------

def groups_of(equations) -> list:
    """The breakdown's lines that partition a population by one variable in one column."""
    return [(total, parts) for total, parts in equations
            if total[0] == "rep" and total[2] == "ensemble" and len(parts) > 1
            and all(p[0] == "rep" and p[1] == total[1] and p[3] == total[3] for p in parts)]


def attack(values: dict, equations: list, truth: dict, probes: int = 4, integer: bool = True,
           unknown_floor=None):
    """The attacker's integer programme: each hidden cell at least 1 unless it is a zero.

    Returns (ranges, exact, root): a (low, high) range for each hidden cell from a few
    solutions (the true values among them: the range is part of the real one), exact(cell,
    +1 / -1) its least / greatest value (each whole solution it finds widens the ranges
    of its part's cells: fewer programmes), and each cell's representative. Independent
    parts (hidden cells no published sum links) are solved apart.
    """
    merged, rest, root = merge_equal_cells(values, equations)
    hidden = sorted(cell for cell, value in merged.items() if value is None)
    index = {cell: i for i, cell in enumerate(hidden)}
    parent = list(range(len(hidden)))

    def find(i):
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    rows = []
    for total, parts in rest:
        coefficients, constant = defaultdict(int), 0
        for cell, sign in [(total, -1)] + [(p, 1) for p in parts]:
            if merged[cell] is None:
                coefficients[index[cell]] += sign
            else:
                constant += sign * merged[cell]
        coefficients = {i: c for i, c in coefficients.items() if c}
        if coefficients:
            rows.append((coefficients, -constant))
            first, *others = coefficients
            for i in others:
                parent[find(i)] = find(first)
        else:
            assert constant == 0, f"published cells do not add up: {total} vs {parts}"
    lowest = np.zeros(len(hidden))
    for cell, value in values.items():
        if value is None and truth[cell] >= 1 and cell[0] != unknown_floor:
            lowest[index[root[cell]]] = 1
    members = defaultdict(list)
    for i in range(len(hidden)):
        members[find(i)].append(i)
    grouped = defaultdict(list)
    for coefficients, rhs in rows:
        grouped[find(next(iter(coefficients)))].append((coefficients, rhs))
    programmes = {}

    def solve(part, objective):
        if part not in programmes:
            local = {i: k for k, i in enumerate(members[part])}
            entries, rhs = defaultdict(int), np.zeros(max(1, len(grouped[part])))
            for r, (coefficients, value) in enumerate(grouped[part]):
                for i, c in coefficients.items():
                    entries[r, local[i]] += c
                rhs[r] = value
            matrix = coo_matrix((list(entries.values()), tuple(zip(*entries)) or ([], [])),
                                shape=(len(rhs), len(local))).tocsr()
            programmes[part] = (local, LinearConstraint(matrix, rhs, rhs),
                                Bounds(lowest[members[part]], np.inf))
        local, constraint, bounds = programmes[part]
        result = milp(objective, constraints=constraint, bounds=bounds,
                      integrality=np.ones(len(local)) if integer else None)
        if result.status == 0:
            return result.x
        assert result.status in (3, 4), result.message  # unbounded in that direction
        return None

    rng = np.random.default_rng(0)
    true = {index[root[c]]: truth[c] for c in values if values[c] is None}
    ranges = {}
    for part, ids in members.items():
        points = [p for p in (solve(part, rng.normal(size=len(ids))) for _ in range(probes))
                  if p is not None]
        points.append(np.array([true[i] for i in ids], dtype=float))
        samples = np.array(points)
        for k, i in enumerate(ids):
            ranges[hidden[i]] = [samples[:, k].min(), samples[:, k].max()]

    def exact(cell, sign):
        part = find(index[cell])
        local = programmes[part][0] if part in programmes else None
        unit = np.zeros(len(members[part]))
        if local is None:
            solve(part, unit)
            local = programmes[part][0]
        unit[local[index[cell]]] = sign
        point = solve(part, unit)
        if point is None:
            return np.inf
        if integer:  # a whole solution: every cell of the part may take its value
            for i, k in local.items():
                found = ranges[hidden[i]]
                found[:] = [min(found[0], round(point[k])), max(found[1], round(point[k]))]
        value = point[local[index[cell]]]
        return round(value) if integer else int(np.ceil(value - 1e-6))

    return ({cell: ranges[root[cell]] for cell, value in values.items() if value is None},
            exact, root)


def disclosures(values: dict, equations: list, truth: dict, enough: int | None = None,
                unknown_floor=None) -> dict:
    """The hidden cells an attacker narrows down too much: cell -> (x, low, high); with
    ``enough``, stops once that many are found."""
    ranges, exact, root = attack(values, equations, truth, unknown_floor=unknown_floor)
    zeros = {part for total, parts in groups_of(equations) if 0 < truth[total] <= 20
             and sum(truth[p] > 0 for p in parts) == 1 for part in parts if truth[part] == 0}
    everything = []
    found = {}
    for cell, found_range in sorted(ranges.items(), key=lambda item: truth[item[0]]):
        # (the range as the solutions found so far widened it: see exact())
        low, high = found_range
        x = truth[cell]
        if 1 <= x <= 10 or cell in zeros:
            if high < x + P:
                high = exact(root[cell], -1)
            if low > max(1, x - P):
                low = exact(root[cell], 1)
            if low > max(1, x - P):
                # As low as any publication could leave it: with every cell hidden, a
                # total of four cells that are not zeros is still at least 4.
                if not everything:
                    # (its linear relaxation, rounded up: never below the integer one)
                    everything[:] = attack(dict.fromkeys(values), equations, truth, 0,
                                           integer=False, unknown_floor=unknown_floor)[1:]
                if low <= everything[0](everything[1][cell], 1):
                    low = max(1, x - P)
            if high < x + P or low > max(1, x - P):
                found[cell] = (x, low, high)
        elif x > 0 and low == high:
            low, high = exact(root[cell], 1), exact(root[cell], -1)
            if low == high:
                found[cell] = (x, low, high)
        if enough and len(found) >= enough:
            break
    return found


def read_truth(folder: Path) -> dict:
    return published_system(folder)[0]


# --- One export -------------------------------------------------------------------------

@pytest.mark.parametrize("seed, per_week, exactly", [(11, (3, 12), True), (3, (8, 40), False)])
def test_the_old_method_discloses_and_the_audited_export_does_not(tmp_path, monkeypatch,
                                                                   seed, per_week, exactly):
    app = make_hub(tmp_path, seed, per_week)
    truth = read_truth(truth_of(app, tmp_path / "truth", monkeypatch))
    values, equations = published_system(export(app, tmp_path / "audited"))
    assert sum(value is None for value in values.values()) > 40
    assert disclosures(values, equations, truth) == {}

    with monkeypatch.context() as patch:
        old_method(patch)
        old_values, old_equations = published_system(export(app, tmp_path / "old"))
    found = disclosures(old_values, old_equations, truth, enough=None if exactly else 5)
    small = {cell: r for cell, r in found.items() if 1 <= r[0] <= 10}
    assert len(small) >= 5, found
    if exactly:  # some exactly: the attack of the issue (hidden cells are at least 1)
        assert any(low == high for _, low, high in small.values()), small


def test_a_whole_small_group_in_one_modality_is_not_told_by_a_zero(tmp_path, monkeypatch):
    # 14 people of one EPCI of residence, all illectronic: "non" = 0 would say so.
    app = make_hub(tmp_path, 5, (8, 20))
    db = h.new_hub_db(tmp_path / "hub.db")
    h.receive(db, h.add_device(db, "Agence postale du Donjon", h.MOULINS),
              h.many(14, week="2026-W06", residence="200071512", illectronism=True))
    db.close()

    def illectronism(folder):
        return {row["modalite"]: row["effectif"] for row in opendata_rows(folder)
                if row["variable"] == "indicateur_insee2021_illectronism"
                and row["epci_residence"] == "200071512"}

    assert illectronism(truth_of(app, tmp_path / "truth", monkeypatch)) == {
        "oui": "14", "non": "0", "non_renseigne": "0", "ensemble": "14"}
    published = illectronism(export(app, tmp_path / "out"))
    assert published["non"] == "s" and published["oui"] == "s"


def opendata_rows(folder: Path) -> list[dict]:
    from tests.test_hub_opendata import read

    return read(folder / opendata.BREAKDOWN)


# --- Several publications ---------------------------------------------------------------

def joint(folders: list[Path], links) -> tuple[dict, list]:
    """The files of several publications as one system: each file's cells tagged with
    its index, plus the ``links`` equations between them."""
    values, equations = {}, []
    for tag, folder in enumerate(folders):
        own_values, own_equations = published_system(folder)
        values.update({(tag, *cell): v for cell, v in own_values.items()})
        equations += [((tag, *total), [(tag, *p) for p in parts])
                      for total, parts in own_equations]
    return values, equations + links(values)


def split_periods(whole: int, halves: tuple[int, int]):
    """A period's breakdown cells are the sums of its halves'; its weekly cells are
    theirs."""
    def links(values):
        found = []
        for cell in values:
            if cell[0] != whole:
                continue
            rest = cell[1:]
            if rest[0] == "semaine" and rest[1] != "ensemble":
                found += [(cell, [(half, *rest)]) for half in halves if (half, *rest) in values]
            else:  # a modality absent from a half's file had nobody then
                found.append((cell, [(half, *rest) for half in halves if (half, *rest) in values]))
        return found
    return links


def test_three_overlapping_publications_cannot_be_subtracted(tmp_path, monkeypatch):
    app = make_hub(tmp_path, 11, (3, 12))
    periods = [("2026-W05", "2026-W06"), ("2026-W07", "2026-W08"), ("2026-W05", "2026-W08")]
    folders, truths = [], []
    for i, (first, last) in enumerate(periods):
        args = ["--from", first, "--to", last]
        truths.append(truth_of(app, tmp_path / f"truth{i}", monkeypatch, *args))
        folders.append(export(app, tmp_path / f"pub{i}", *args, "--publish"))
    values, equations = joint(folders, split_periods(2, (0, 1)))
    truth, _ = joint(truths, lambda values: [])
    assert disclosures(values, equations, truth) == {}


def test_a_period_published_again_after_late_records_protects_their_difference(
        tmp_path, monkeypatch):
    app = make_hub(tmp_path, 11, (3, 12))
    args = ["--from", "2026-W05", "--to", "2026-W08"]
    truths = [truth_of(app, tmp_path / "truth0", monkeypatch, *args)]
    folders = [export(app, tmp_path / "pub0", *args, "--publish")]
    # Three records of 2026-W06 arrive late, on a USB key, from one kiosk.
    db = h.new_hub_db(tmp_path / "hub.db")
    h.receive(db, h.add_device(db, "Bus Bourbon'Net (clé USB)", h.MONTLUCON),
              h.many(3, week="2026-W06", residence=h.MONTLUCON, illectronism=True))
    db.close()
    truths.append(truth_of(app, tmp_path / "truth1", monkeypatch, *args))
    folders.append(export(app, tmp_path / "pub1", *args, "--publish"))

    def late(values):
        # The second file's cells are the first's plus the late records (unknowns of
        # their own, at least 0, adding up like any table).
        links = [((1, *cell[1:]), [(0, *cell[1:]), (2, *cell[1:])])
                 for cell in values if cell[0] == 1 and (0, *cell[1:]) in values]
        return links

    values, equations = joint(folders, late)
    own = published_system(folders[1])[1]
    equations += [((2, *total), [(2, *p) for p in parts]) for total, parts in own]
    truth, _ = joint(truths, lambda values: [])
    for cell in list(values):
        if cell[0] == 1 and (0, *cell[1:]) in values:
            values[(2, *cell[1:])] = None
            truth[(2, *cell[1:])] = truth[cell] - truth[(0, *cell[1:])]
    assert truth[(2, "rep", "diagnostic_termine", "ensemble", "ensemble")] == 3
    assert disclosures(values, equations, truth, unknown_floor=2) == {}


def test_the_warm_started_programme_answers_as_linprog(monkeypatch):
    # The audit re-solves one HiGHS model (SciPy's bindings); without them (older
    # SciPy) each solve is a plain linprog: both must give the same verdicts.
    from kiosk.hub import audit

    def verdicts():
        # x0 + x1 + x2 = 5, x0 >= 1, all >= 0
        programme = audit._Programme([{0: 1, 1: 1, 2: 1}, {0: 1}], [5, 1], [5, np.inf],
                                     np.zeros(3), np.full(3, np.inf))
        answers = []
        for cost, extra in [([-1, 0, 0], None), ([1, 0, 0], None), ([0, 0, -1], ({1: 1}, 2, np.inf)),
                            ([0, 0, -1], ({1: 1}, 7, np.inf)), ([0, 0, 1], None)]:
            status, value, _ = programme.solve(np.array(cost, dtype=float), extra)
            answers.append((status, round(value, 6) if np.isfinite(value) else value))
        unbounded = audit._Programme([{0: 1, 1: -1}], [0], [0], np.zeros(2), np.full(2, np.inf))
        answers.append(unbounded.solve(np.array([-1.0, 0.0]))[0])
        return answers

    expected = [("optimal", -5), ("optimal", 1), ("optimal", -2), ("infeasible", np.inf),
                ("optimal", 0), "unbounded"]
    assert verdicts() == expected
    monkeypatch.setattr(audit, "_core", None)
    assert verdicts() == expected


def test_a_way_near_a_cell_is_a_way_and_a_bound_near_it_is_a_bound():
    # Ways are first sought near a cell, with the other counts at their true values
    # (any way found there is one an attacker cannot exclude); a bound near it drops
    # the rows further away (no way anywhere beats it). A 2x3 table and its totals:
    # a b c | 6     rows: a+b+c=6, d+e+f=6; columns: a+d=3, b+e=5, c+f=4
    # d e f | 6     with a, d published (1 and 2), the others hidden and at least 1.
    from kiosk.hub import audit

    truth = [1, 3, 2, 2, 2, 2]
    rows = [{0: 1, 1: 1, 2: 1}, {3: 1, 4: 1, 5: 1}, {0: 1, 3: 1}, {1: 1, 4: 1},
            {2: 1, 5: 1}, {0: 1}, {3: 1}] + [{k: 1} for k in (1, 2, 4, 5)]
    lower = [6, 6, 3, 5, 4, 1, 2, 1, 1, 1, 1]
    upper = [6, 6, 3, 5, 4, 1, 2] + [np.inf] * 4
    near = audit._Near(rows, lower, upper, truth, 6)
    whole = audit._Programme(rows, lower, upper, np.zeros(6), np.full(6, np.inf))
    cost = np.array([0, -1, 0, 0, 0, 0], float)  # b as high as it goes
    best = -whole.solve(cost)[1]
    assert best == 4  # b + c = 5 with c >= 1
    for steps in (0, 1, 2):
        status, value, point = near.solve({1: 1}, (-np.inf, np.inf), cost, steps)
        assert status == "optimal" and -value <= best
        assert all(low - 1e-9 <= sum(point[k] * v for k, v in row.items()) <= high + 1e-9
                   for row, low, high in zip(rows, lower, upper))  # a way indeed
        relaxed = near.solve({1: 1}, (-np.inf, np.inf), cost, steps, relaxed=True)
        assert relaxed[0] == "unbounded" or -relaxed[1] >= best
    # One row away, b cannot move (e would, and f with it, two rows away); two away it
    # goes as far as anywhere.
    assert -near.solve({1: 1}, (-np.inf, np.inf), cost, 1)[1] == 3
    assert -near.solve({1: 1}, (-np.inf, np.inf), cost, 2)[1] == best
    # Asked for more than any way gives: none near it.
    assert near.solve({1: 1}, (5, np.inf), np.zeros(6), 2)[0] != "optimal"
