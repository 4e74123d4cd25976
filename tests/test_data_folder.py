"""The data folder (KIOSK_DATA_DIR): the questionnaire, offers, places and bus stops a kiosk
serves, kept out of the installed code so that an administrator's edits are what is served
and an upgrade does not undo them."""
from __future__ import annotations

import shutil

import pytest

from kiosk import paths
from kiosk.storage.db import connect
from tests.test_cli import fresh_app

BUS = "france-services-2020-8"


@pytest.fixture
def data(tmp_path):
    """An administrator's copy of the shipped folder."""
    folder = tmp_path / "questionnaires"
    shutil.copytree(paths.QUESTIONNAIRES, folder)
    return folder


def test_unset_it_is_the_shipped_folder(tmp_path):
    app = fresh_app(tmp_path)
    assert app.config["DATA_DIR"] == str(paths.QUESTIONNAIRES)
    assert app.config["QUESTIONNAIRE"] == str(paths.QUESTIONNAIRES / "diagnostic.yaml")
    assert app.config["OFFERS"] == str(paths.QUESTIONNAIRES / "offers.yaml")


def test_the_questionnaire_served_is_the_data_folders(tmp_path, data):
    questionnaire = data / "diagnostic.yaml"
    questionnaire.write_text(questionnaire.read_text("utf-8").replace(
        "text: Avez-vous déjà utilisé internet ?",
        "text: Avez-vous déjà utilisé internet, même une fois ?", 1), "utf-8")
    app = fresh_app(tmp_path, DATA_DIR=str(data), WTF_CSRF_ENABLED=False)
    assert app.test_cli_runner().invoke(args=["init"]).exit_code == 0
    client = app.test_client()
    client.post("/start")
    page = client.get("/q/internet_ever").get_data(as_text=True)
    assert "Avez-vous déjà utilisé internet, même une fois ?" in page


def test_the_bus_stops_are_the_data_folders(tmp_path, data):
    from kiosk.diagnostic.resources import stops_for

    stops = data / "data" / "itinerance_03.csv"
    header, first, *_others = stops.read_text("utf-8").splitlines(keepends=True)
    stops.write_text(header + first, "utf-8")
    assert len(stops_for(fresh_app(tmp_path / "a", DATA_DIR=str(data)))) == 1
    assert len(stops_for(fresh_app(tmp_path / "b"))) == 10


def test_places_import_without_a_file_reads_the_data_folder(tmp_path, data):
    places = data / "data" / "lieux_03.csv"
    rows = places.read_text("utf-8").splitlines(keepends=True)
    places.write_text("".join(row for row in rows if BUS not in row), "utf-8")
    runner = fresh_app(tmp_path, DATA_DIR=str(data)).test_cli_runner()
    runner.invoke(args=["init"])
    result = runner.invoke(args=["places", "import"])
    assert result.exit_code == 0, result.output
    assert f"8 places imported from {places}." in result.output
    assert connect(tmp_path / "k.db")["places"].count == 8


def test_check_reads_the_data_folder_and_says_which(tmp_path, data):
    (data / "data" / "lieux_03.csv").unlink()
    result = fresh_app(tmp_path, DATA_DIR=str(data)).test_cli_runner().invoke(args=["check"])
    assert result.exit_code == 1
    assert f"Data folder: {data}\n" in result.output
    assert f"{data / 'diagnostic.yaml'}: ok" in result.output
    assert f"{data / 'offers.yaml'}: ok" in result.output
    assert f"{data / 'data' / 'lieux_03.csv'}:1: cannot read" in result.output


def test_a_data_folder_without_stops_is_reported_not_served(tmp_path, data):
    stops = data / "data" / "itinerance_03.csv"
    stops.unlink()
    runner = fresh_app(tmp_path, DATA_DIR=str(data)).test_cli_runner()
    checked = runner.invoke(args=["check"])
    assert checked.exit_code == 1 and f"{stops}:1: cannot read" in checked.output
    served = runner.invoke(args=["serve", "--port", "1"])
    assert served.exit_code == 1 and f"{stops}: cannot read" in served.output


@pytest.mark.parametrize("state", ["does not exist", "is empty"])
def test_init_says_how_to_fill_a_missing_or_empty_data_folder(tmp_path, state):
    folder = tmp_path / "var" / "questionnaires"
    if state == "is empty":
        folder.mkdir(parents=True)
    result = fresh_app(tmp_path, DATA_DIR=str(folder)).test_cli_runner().invoke(args=["init"])
    assert result.exit_code == 1
    assert f"the data folder {folder} (KIOSK_DATA_DIR) {state}." in result.output
    assert f"mkdir -p {folder} && cp -rn {paths.QUESTIONNAIRES}/. {folder}/" in result.output
    # The database is ready all the same: filling the folder is the one step left.
    assert "applied m001_visits_answers" in result.output


def test_init_names_what_a_partial_data_folder_lacks(tmp_path, data):
    (data / "data" / "itinerance_03.csv").unlink()
    result = fresh_app(tmp_path, DATA_DIR=str(data)).test_cli_runner().invoke(args=["init"])
    assert result.exit_code == 1
    assert f"(KIOSK_DATA_DIR) lacks {data / 'data' / 'itinerance_03.csv'}." in result.output


def test_check_fails_on_a_catalogue_compiled_before_its_last_change(tmp_path):
    translations = tmp_path / "translations"
    shutil.copytree(paths.TRANSLATIONS, translations)
    app = fresh_app(tmp_path, BABEL_TRANSLATION_DIRECTORIES=str(translations))
    assert "tr: compiled catalogue" in app.test_cli_runner().invoke(args=["check"]).output
    po = translations / "tr" / "LC_MESSAGES" / "messages.po"
    text = po.read_text("utf-8")
    po.write_text(text.replace('msgid "Commencer"\nmsgstr "', 'msgid "Commencer"\nmsgstr "Hemen ', 1),
                  "utf-8")
    result = fresh_app(tmp_path, BABEL_TRANSLATION_DIRECTORIES=str(translations)
                       ).test_cli_runner().invoke(args=["check"])
    assert result.exit_code == 1
    assert f"{po.with_suffix('.mo')}: tr: older than {po} (1 message differs)" in result.output


def test_check_reads_a_translation_back_through_the_apps_own_babel(tmp_path):
    # Catalogues compiled and current, but the app looks them up under another name:
    # every page would be French.
    result = fresh_app(tmp_path, BABEL_DOMAIN="kiosk").test_cli_runner().invoke(args=["check"])
    assert result.exit_code == 1
    mo = paths.TRANSLATIONS / "en" / "LC_MESSAGES" / "messages.mo"
    assert f"{mo}: en: the app shows 'Commencer' as 'Commencer'" in result.output
