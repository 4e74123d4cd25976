"""Secondary suppression: hidden cells stay hidden when every published sum is solved."""
from __future__ import annotations

import random

from hypothesis import given, settings, strategies as st

from kiosk.hub.suppression import Sum, determined, is_sensitive, protect


def table(rows: list[list[int]], name="t"):
    """A 2-D table with its margins: values and sums, keys (name, row, col), '*' = total."""
    values, sums = {}, []
    n_rows, n_cols = len(rows), len(rows[0])
    for r, row in enumerate(rows):
        for c, count in enumerate(row):
            values[(name, r, c)] = count
        values[(name, r, "*")] = sum(row)
        sums.append(Sum((name, r, "*"), tuple((name, r, c) for c in range(n_cols))))
    for c in range(n_cols):
        values[(name, "*", c)] = sum(row[c] for row in rows)
        sums.append(Sum((name, "*", c), tuple((name, r, c) for r in range(n_rows))))
    values[(name, "*", "*")] = sum(map(sum, rows))
    sums.append(Sum((name, "*", "*"), tuple((name, r, "*") for r in range(n_rows))))
    sums.append(Sum((name, "*", "*"), tuple((name, "*", c) for c in range(n_cols))))
    return values, sums


def test_a_lone_small_cell_is_the_total_minus_the_rest():
    values = {"a": 5, "b": 40, "c": 30, "total": 75}
    sums = [Sum("total", ("a", "b", "c"))]
    assert determined(sums, {"a"}) == {"a"}
    hidden = protect(values, sums)
    assert hidden == {"a", "c"}          # the smallest other part, never the total
    assert determined(sums, set(hidden)) == set()


def test_zeros_are_published_and_never_hidden_to_protect():
    values = {"a": 3, "b": 0, "c": 50, "total": 53}
    hidden = protect(values, [Sum("total", ("a", "b", "c"))])
    assert hidden == {"a", "c"}


def test_a_cell_in_two_suppressed_lines_can_still_be_a_bridge():
    # Rows 0-1 and rows 2-3 each hide a rectangle; cell (1, 2) alone links them: each of
    # its lines holds two hidden cells, yet it is determined (a bridge of the graph).
    values, sums = table([[3, 40, 0, 0], [40, 3, 20, 0], [0, 0, 3, 40], [0, 0, 40, 3]])
    hidden = {("t", 0, 0), ("t", 0, 1), ("t", 1, 0), ("t", 1, 1),
              ("t", 2, 2), ("t", 2, 3), ("t", 3, 2), ("t", 3, 3), ("t", 1, 2)}
    assert ("t", 1, 2) in determined(sums, hidden)
    assert determined(sums, set(protect(values, sums))) == set()


def test_a_shared_margin_is_solved_across_tables():
    # Two tables share their column totals. Table B alone would publish the column
    # total that table A hides: the sums are solved together.
    a_values, a_sums = table([[4, 30], [30, 30]], "a")
    b_values, b_sums = table([[20, 14], [14, 46]], "b")
    shared = {("b", "*", c): ("a", "*", c) for c in (0, 1)} | {("b", "*", "*"): ("a", "*", "*")}
    rename = lambda cell: shared.get(cell, cell)  # noqa: E731
    b_sums = [Sum(rename(s.total), tuple(map(rename, s.parts))) for s in b_sums]
    values = a_values | {rename(k): v for k, v in b_values.items()}
    assert values[("a", "*", 0)] == 34
    hidden = protect(values, a_sums + b_sums)
    assert determined(a_sums + b_sums, set(hidden)) == set()
    assert all(values[cell] > 0 for cell in hidden)


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 10_000))
def test_random_tables_never_expose_a_hidden_cell(seed):
    rng = random.Random(seed)
    n_rows, n_cols = rng.randint(1, 6), rng.randint(1, 6)
    rows = [[rng.choice([0, 0, 1, 2, 5, 9, 10, 11, 12, 30, 200]) for _ in range(n_cols)]
            for _ in range(n_rows)]
    values, sums = table(rows)
    hidden = protect(values, sums)
    assert {cell for cell, n in values.items() if is_sensitive(n)} <= hidden
    assert all(values[cell] > 0 for cell in hidden)
    assert determined(sums, set(hidden)) == set()
