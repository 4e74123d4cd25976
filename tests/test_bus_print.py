"""Printing through the bus's laptop: a tablet's print button sends the sheet, rendered to
PDF by headless Chromium, to KIOSK_PRINT_COMMAND; nothing of it stays on disk.

`lp` is replaced by a script on PATH that keeps a copy of what it was given, and the
PDF is read back with pdftotext (poppler-utils), as the printer would print it.
"""
from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from tests.conftest import Resident

# A never-user: the result's profile is "Vous découvrez le numérique."
NEVER_USER = {"internet_ever": {"answer": "no"}, "age_band": {"answer": "60-74"}}
FAKE_LP = """#!/bin/sh
# The print queue, as a test sees it: its arguments, then a copy of the file.
echo "$@" > "{out}/args"
for last; do :; done
echo "$last" > "{out}/path"
cp "$last" "{out}/printed.pdf"
exit {status}
"""


@pytest.fixture
def printer(tmp_path, monkeypatch):
    """A fake `lp` first on PATH; returns the folder where it leaves what it printed."""
    def install(status=0):
        bin_dir, out = tmp_path / "bin", tmp_path / "printed"
        bin_dir.mkdir(exist_ok=True)
        out.mkdir(exist_ok=True)
        script = bin_dir / "lp"
        script.write_text(FAKE_LP.format(out=out, status=status))
        script.chmod(0o755)
        monkeypatch.setenv("PATH", f"{bin_dir}:{os.environ['PATH']}")
        return out
    return install


def finished(app) -> Resident:
    person = Resident(app.test_client())
    person.complete(NEVER_USER)
    person.get("/result/print")
    return person


def text_of(pdf: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True,
                          capture_output=True, text=True).stdout


def test_the_print_button_sends_the_sheet_to_the_bus_printer(make_app, printer):
    out = printer()
    person = finished(make_app(PRINT_COMMAND="lp -d bus-printer"))
    assert 'action="/result/print/bus"' in person.page and "data-print" not in person.page
    response = person.post("/result/print/bus")
    assert response.status_code == 303
    page = person.get(response.location).get_data(as_text=True)
    assert "Envoyé à l'imprimante du bus." in page

    assert (out / "args").read_text().startswith("-d bus-printer ")
    sheet = text_of(out / "printed.pdf")
    assert "Mon diagnostic numérique" in sheet
    assert "Vous découvrez le numérique." in sheet
    assert "Imprimer" not in sheet and "Arrêter et tout effacer" not in sheet  # screen only
    # the PDF and its folder are gone once printed
    printed_from = Path((out / "path").read_text().strip())
    assert not printed_from.exists() and not printed_from.parent.exists()


def test_a_failed_print_says_so_and_leaves_nothing(make_app, printer):
    out = printer(status=1)
    person = finished(make_app(PRINT_COMMAND="lp -d bus-printer"))
    response = person.post("/result/print/bus")
    page = person.get(response.location).get_data(as_text=True)
    assert "L'impression n'a pas marché. Demandez de l'aide à l'équipe du bus." in page
    assert "Envoyé" not in page
    assert not Path((out / "path").read_text().strip()).parent.exists()


def test_a_missing_print_command_is_an_error_not_a_crash(make_app, tmp_path):
    person = finished(make_app(PRINT_COMMAND=f"{tmp_path}/no-such-lp"))
    response = person.post("/result/print/bus")
    assert "L'impression n'a pas marché." in person.get(response.location).get_data(True)


def test_without_a_print_command_the_button_is_the_browsers_own(make_app):
    person = finished(make_app())
    assert "data-print" in person.page and "/result/print/bus" not in person.page
    assert person.post("/result/print/bus").status_code == 404


def test_printing_needs_the_pages_token_and_a_finished_diagnostic(make_app, printer):
    out = printer()
    app = make_app(PRINT_COMMAND="lp -d bus-printer")
    person = finished(app)
    assert person.post("/result/print/bus", token=False).status_code == 400
    stranger = app.test_client()   # another tablet, no diagnostic of its own
    response = stranger.post("/result/print/bus", data={"csrf_token": "x"})
    assert response.status_code in (303, 400)
    assert not (out / "args").exists()
