"""A QR symbol drawn as a light inline SVG: one stroke that sweeps the rows, dashed.

The usual drawing (segno's) writes every dark run of a row as a move and a line,
``m3 0h1``, about six characters a run: some 5 KB for a version 10 code, an eighth of
the result page. Here one path zigzags over the rows (right, down one, left, down one...)
and ``stroke-dasharray`` lists the lengths of the dark and light runs met on the way,
two or three characters a run: about 30 % lighter. The steps down between rows count as
light; the path has no fill (its zigzag would enclose a surface).
No inline style (the CSP forbids it): ``stroke`` and ``stroke-dasharray`` are attributes.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence


def run_lengths(matrix: Sequence[Iterable]) -> list[int]:
    """Lengths of the alternating dark and light runs along the zigzag, dark first (0 when
    the first module is light); each step down to the next row is one light unit."""
    lengths, dark, run = [], True, 0
    for y, row in enumerate(matrix):
        cells = [bool(cell) for cell in row]
        if y % 2:
            cells.reverse()
        for cell in ([False] if y else []) + cells:
            if cell == dark:
                run += 1
            else:
                lengths.append(run)
                dark, run = cell, 1
    lengths.append(run)
    return lengths


def qr_path_svg(matrix: Sequence[Iterable], border: int = 2, css_class: str = "qr-code") -> str:
    """The inline SVG of a square module ``matrix`` (rows of truthy dark modules), one
    unit a module, with ``border`` light modules around it; the stylesheet sets its size."""
    n = len(matrix)
    size = n + 2 * border
    sweep = "".join(f"v1h{'-' if y % 2 else ''}{n}" for y in range(1, n))
    dashes = " ".join(map(str, run_lengths(matrix)))
    return (f'<svg viewBox="0 0 {size} {size}" class="{css_class}"><path fill="none" '
            f'stroke="#000" stroke-dasharray="{dashes}" d="M{border} {border}.5h{n}{sweep}"/>'
            "</svg>")
