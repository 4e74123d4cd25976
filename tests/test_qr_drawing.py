"""The QR codes' drawing: one dashed stroke whose dark dashes fall exactly on the dark
modules, read back here by following the path as a renderer does (Chromium's own drawing
is read by zbar in tests/browser/test_result_first_step.py), and lighter than a move and a
line a run."""
from __future__ import annotations

import re

import pytest

from kiosk.web.qr_drawing import qr_path_svg, run_lengths
from kiosk.web.result_page import qr_code, qr_svg

BOOKING = "https://www.rdv-solidarites.fr/"
# A long take-home text in French (version 10, the largest the page draws).
TAKE_HOME = ("Faire vos démarches avec une personne de confiance.\n"
             "France services Marcillat en Combrailles\n04 70 51 10 20\n"
             "lun.–ven. : 8 h 30 – 12 h et 13 h 30 – 17 h 30\n"
             "Place Pierre-Bitard, 03420 Marcillat-en-Combraille\n"
             "Votre code de suivi : 0688 0305 1388 4175")


def drawn_modules(svg: str) -> tuple[int, set[tuple[int, int]]]:
    """The viewBox size and the (x, y) of each unit square whose centre a dash covers,
    following the path's M, h and v commands and the dash pattern along its length."""
    size = int(re.search(r'viewBox="0 0 (\d+) \1"', svg).group(1))
    assert 'fill="none"' in svg and 'stroke="#000"' in svg
    dashes = [int(n) for n in re.search(r'stroke-dasharray="([\d ]+)"', svg).group(1).split()]
    path = re.search(r' d="([^"]+)"', svg).group(1)
    commands = re.findall(r"([Mhv])(-?[\d.]+)(?: (-?[\d.]+))?", path)
    assert commands[0][0] == "M"
    x, y = float(commands[0][1]), float(commands[0][2])
    edges = [(dashes[i], i % 2 == 0) for i in range(len(dashes))]  # (length, dark)
    dark_at, walked = [], 0
    for length, dark in edges:  # dark intervals along the path, in path units
        if dark:
            dark_at.append((walked, walked + length))
        walked += length
    drawn, position = set(), 0.0
    for command, value, _ in commands[1:]:
        step = float(value)
        for unit in range(int(abs(step))):
            centre = position + unit + 0.5
            if any(start < centre < end for start, end in dark_at):
                assert command == "h", "a dash falls on a step between rows"
                column = x + unit if step > 0 else x - unit - 1
                drawn.add((int(column), int(y - 0.5)))
        position += abs(step)
        if command == "h":
            x += step
        else:
            y += step
    assert position == walked, "the dashes cover the path exactly"
    return size, drawn


@pytest.mark.parametrize("text", [BOOKING, TAKE_HOME, "ع" * 40])
def test_the_dashes_fall_on_the_dark_modules_and_nowhere_else(text):
    code = qr_code(text)
    size, drawn = drawn_modules(qr_svg(text))
    matrix = code.matrix
    assert size == len(matrix) + 4  # a quiet zone of two modules each side
    expected = {(x + 2, y + 2) for y, row in enumerate(matrix)
                for x, dark in enumerate(row) if dark}
    assert drawn == expected


def test_runs_start_dark_and_count_each_step_down_as_light():
    assert run_lengths([[1, 1, 0], [0, 1, 1], [1, 0, 0]]) == [2, 1 + 1, 2, 1 + 1, 1, 2]
    assert run_lengths([[0, 1], [1, 0]]) == [0, 1, 1, 1 + 1, 1]


def test_a_light_first_module_starts_with_an_empty_dash():
    size, drawn = drawn_modules(qr_path_svg([[0, 1], [1, 0]], border=1))
    assert size == 4 and drawn == {(2, 1), (1, 2)}


def test_the_take_home_code_is_a_quarter_lighter_than_a_move_and_a_line_a_run():
    code = qr_code(TAKE_HOME)
    assert code.version == 10
    usual = code.svg_inline(scale=1, border=2, omitsize=True, lineclass=None,
                            svgclass="qr-code")
    assert len(qr_svg(TAKE_HOME)) < 0.75 * len(usual)
