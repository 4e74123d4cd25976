"""An installed kiosk behaves like `make run`.

The wheel is built as an administrator would (`pip install .`) from a copy of the checkout
with no compiled catalogue in it: it must carry the questionnaires, static files and
compiled catalogues, serve English in English, read the questionnaire from the data folder
KIOSK_DATA_DIR names, and `kiosk check` must check what the app will serve.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LANGS = ("ar", "en", "fa_AF", "pt_PT", "tr", "uk")
# What a clean clone has not: compiled catalogues, a virtual environment, databases.
NOT_IN_A_CLEAN_CLONE = shutil.ignore_patterns(
    "*.mo", ".venv", ".git", "instance", "__pycache__", ".pytest_cache", ".hypothesis",
    "build", "dist", "*.egg-info", "*.db", "exports")
# One question's French text, as the data folder's copy of diagnostic.yaml is edited.
ASKED = "Avez-vous déjà utilisé internet ?"
EDITED = "Avez-vous déjà utilisé internet, même une seule fois ?"


def build(args: list[str], cwd: Path) -> None:
    """Build offline, with the hooks and backend of this environment (as `make test`)."""
    done = subprocess.run(args, cwd=cwd, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def pip_wheel(source: Path, out: Path) -> Path:
    build([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps",
           "--no-build-isolation", "--wheel-dir", str(out), str(source)], cwd=out)
    (wheel,) = out.glob("*.whl")
    return wheel


@pytest.fixture(scope="module")
def checkout(tmp_path_factory) -> Path:
    copy = tmp_path_factory.mktemp("clone") / "kiosk-diagnostic"
    shutil.copytree(ROOT, copy, ignore=NOT_IN_A_CLEAN_CLONE)
    assert not list(copy.rglob("*.mo"))
    return copy


@pytest.fixture(scope="module")
def wheel(checkout, tmp_path_factory) -> Path:
    return pip_wheel(checkout, tmp_path_factory.mktemp("wheel"))


@pytest.fixture(scope="module")
def site(wheel, tmp_path_factory) -> Path:
    """The wheel installed (unpacked: what pip does, less the scripts)."""
    site = tmp_path_factory.mktemp("site")
    zipfile.ZipFile(wheel).extractall(site)
    return site


def run(site: Path, tmp_path: Path, code: str, *args: str, **env: str):
    """Run Python code against the installed kiosk only (never the checkout's)."""
    environ = {key: value for key, value in os.environ.items() if not key.startswith("KIOSK_")}
    environ.update(PYTHONPATH=str(site), KIOSK_DATABASE=str(tmp_path / "k.db"),
                   KIOSK_SECRET_KEY="t", **env)
    return subprocess.run([sys.executable, "-c", code, *args], cwd=tmp_path, env=environ,
                          capture_output=True, text=True)


def kiosk(site, tmp_path, *args, **env):
    return run(site, tmp_path, "from kiosk.cli import main; main()", *args, **env)


# A resident's browser, on the installed app: chooses a language, then reads a page.
PAGE = """
import sys, kiosk
assert kiosk.__file__.startswith(sys.argv[3]), kiosk.__file__
from kiosk import create_app
app = create_app()
client = app.test_client()
client.post("/language", data={"lang": sys.argv[1]})
if sys.argv[2].startswith("/q/"):
    client.post("/start")
print(client.get(sys.argv[2]).get_data(as_text=True))
"""


def page(site, tmp_path, lang, url, **env) -> str:
    done = run(site, tmp_path, PAGE, lang, url, str(site), KIOSK_WTF_CSRF_ENABLED="false",
               **env)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_wheel_carries_the_data_and_compiled_catalogues(wheel, checkout):
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
    for lang in LANGS:
        assert f"kiosk/_data/translations/{lang}/LC_MESSAGES/messages.mo" in names, lang
    # The build compiled them aside: the source tree is as it was.
    assert not list(checkout.rglob("*.mo"))


def test_installed_kiosk_speaks_english_in_english(site, tmp_path):
    assert kiosk(site, tmp_path, "init").returncode == 0
    welcome = page(site, tmp_path, "en", "/")
    assert '<html lang="en"' in welcome
    assert "I'm here, I'll carry on" in welcome and "Je suis là" not in welcome
    assert "Я тут, продовжую" in page(site, tmp_path, "uk", "/")


def test_installed_kiosk_check_passes_and_names_what_it_serves(site, tmp_path):
    check = kiosk(site, tmp_path, "check")
    assert check.returncode == 0, check.stdout + check.stderr
    shipped = site / "kiosk" / "_data" / "questionnaires"
    assert f"Data folder: {shipped}" in check.stdout
    for path in (shipped / "diagnostic.yaml", shipped / "offers.yaml",
                 shipped / "data" / "lieux_03.csv", shipped / "data" / "itinerance_03.csv"):
        assert f"{path}: ok" in check.stdout, path
    assert "en: compiled catalogue" in check.stdout


def test_installed_kiosk_check_fails_on_a_missing_or_stale_catalogue(site, tmp_path):
    translations = tmp_path / "translations"
    shutil.copytree(site / "kiosk" / "_data" / "translations", translations)
    env = {"KIOSK_BABEL_TRANSLATION_DIRECTORIES": str(translations)}
    assert kiosk(site, tmp_path, "check", **env).returncode == 0
    en = translations / "en" / "LC_MESSAGES"
    (en / "messages.mo").unlink()
    missing = kiosk(site, tmp_path, "check", **env)
    assert missing.returncode == 1
    assert f"{en / 'messages.mo'}: en: not compiled: run `kiosk i18n compile`" in missing.stderr
    # A catalogue compiled, then its translation changed: the app would show the old one.
    shutil.copy(site / "kiosk" / "_data" / "translations" / "en" / "LC_MESSAGES" / "messages.mo",
                en / "messages.mo")
    po = en / "messages.po"
    po.write_text(po.read_text("utf-8").replace('msgstr "Start"', 'msgstr "Begin"', 1),
                  encoding="utf-8")
    stale = kiosk(site, tmp_path, "check", **env)
    assert stale.returncode == 1
    assert (f"{en / 'messages.mo'}: en: older than {po} (1 message differs): "
            "run `kiosk i18n compile`") in stale.stderr


def test_installed_kiosk_serves_the_data_folder(site, tmp_path):
    data = tmp_path / "questionnaires"
    shutil.copytree(site / "kiosk" / "_data" / "questionnaires", data)
    text = (data / "diagnostic.yaml").read_text("utf-8")
    assert text.count(ASKED) == 1
    (data / "diagnostic.yaml").write_text(text.replace(ASKED, EDITED), encoding="utf-8")
    env = {"KIOSK_DATA_DIR": str(data)}
    assert kiosk(site, tmp_path, "init", **env).returncode == 0
    imported = kiosk(site, tmp_path, "places", "import", **env)
    assert imported.returncode == 0, imported.stderr
    assert f"imported from {data / 'data' / 'lieux_03.csv'}" in imported.stdout
    check = kiosk(site, tmp_path, "check", **env)
    assert check.returncode == 0, check.stderr
    assert f"Data folder: {data}" in check.stdout
    assert f"{data / 'diagnostic.yaml'}: ok" in check.stdout
    question = page(site, tmp_path, "fr", "/q/internet_ever", **env)
    assert EDITED in question and ASKED not in question
    # Without it, the shipped questionnaire, unchanged.
    assert ASKED in page(site, tmp_path, "fr", "/q/internet_ever")


def test_sdist_builds_a_wheel_with_compiled_catalogues(checkout, tmp_path):
    dist = tmp_path / "dist"
    build([sys.executable, "-c", "import sys; from hatchling.build import build_sdist; "
           "build_sdist(sys.argv[1])", str(dist)], cwd=checkout)
    (sdist,) = dist.glob("*.tar.gz")
    members = tarfile.open(sdist).getnames()
    assert any(name.endswith("hatch_build.py") for name in members)
    assert not any(name.endswith(".mo") for name in members)
    names = zipfile.ZipFile(pip_wheel(sdist, tmp_path)).namelist()
    for lang in LANGS:
        assert f"kiosk/_data/translations/{lang}/LC_MESSAGES/messages.mo" in names, lang
