"""A wheel carries the questionnaires, static files and catalogues, and runs from them."""
from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_wheel_carries_the_data_and_works_installed(tmp_path):
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps",
                    "--no-build-isolation", "--wheel-dir", str(tmp_path), str(ROOT)],
                   check=True, capture_output=True)
    (wheel,) = tmp_path.glob("*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for expected in ("kiosk/_data/questionnaires/diagnostic.yaml",
                     "kiosk/_data/questionnaires/questionnaire.schema.json",
                     "kiosk/_data/questionnaires/data/communes_03.csv",
                     "kiosk/_data/static/css/kiosk.css", "kiosk/_data/static/css/mediator.css",
                     "kiosk/_data/static/js/kiosk.js",
                     "kiosk/_data/static/img/task-back-screen.svg",
                     "kiosk/_data/translations/messages.pot",
                     "kiosk/templates/question.html"):
        assert expected in names, expected
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    env = dict(os.environ, PYTHONPATH=str(site), KIOSK_DATABASE=str(tmp_path / "k.db"))
    check = subprocess.run([sys.executable, "-c", "from kiosk.cli import main; main()", "check"],
                           cwd=tmp_path, env=env, capture_output=True, text=True)
    assert check.returncode == 0, check.stderr
    assert str(site / "kiosk" / "_data" / "questionnaires" / "diagnostic.yaml") in check.stdout
