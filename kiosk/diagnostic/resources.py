"""The app's read-only data (questionnaire, communes), loaded once and cached on the app.

The questionnaire, offers and stops come from the configured data folder
(kiosk.config.DATA_FILES); the communes and the schemas are the shipped reference data."""
from __future__ import annotations

from pathlib import Path

from flask import Flask, current_app

from .. import config, paths
from . import questionnaire
from ..places.communes import Communes, load_communes
from ..places.stops import read_stops

COMMUNES_FILE = paths.DATA / "communes_03.csv"
PLACES_SCHEMA = paths.DATA / "schema_mediation_numerique.json"


def load_questionnaire_files(q_path, offers_path) -> questionnaire.Questionnaire:
    """Load and check a questionnaire and offers file (raises DataFileError). The DSI 2.0
    definition its activities map to is the shipped one (Eurostat's, not the kiosk's)."""
    return questionnaire.load(Path(q_path), Path(offers_path), schema_dir=paths.QUESTIONNAIRES,
                              static_dir=paths.STATIC, places_schema_path=PLACES_SCHEMA,
                              data_dir=paths.DATA)


def questionnaire_for(app: Flask) -> questionnaire.Questionnaire:
    """The app's questionnaire, loaded and validated on first use."""
    cache = app.extensions.setdefault("kiosk", {})
    if "questionnaire" not in cache:
        cache["questionnaire"] = load_questionnaire_files(app.config["QUESTIONNAIRE"],
                                                          app.config["OFFERS"])
    return cache["questionnaire"]


def communes_for(app: Flask) -> Communes:
    """The Allier communes (COG 2026), loaded on first use."""
    cache = app.extensions.setdefault("kiosk", {})
    if "communes" not in cache:
        cache["communes"] = load_communes(COMMUNES_FILE)
    return cache["communes"]


def stops_for(app: Flask) -> list[dict]:
    """The itinerant places' stops, loaded on first use (bad rows, which `kiosk check`
    reports, left out)."""
    cache = app.extensions.setdefault("kiosk", {})
    if "stops" not in cache:
        path = config.data_file(app.config, config.STOPS_FILE)
        cache["stops"] = read_stops(path, communes_for(app)).stops
    return cache["stops"]


def get_questionnaire() -> questionnaire.Questionnaire:
    """The current app's questionnaire."""
    return questionnaire_for(current_app)


def get_communes() -> Communes:
    """The current app's communes."""
    return communes_for(current_app)


def get_stops() -> list[dict]:
    """The current app's itinerant stops."""
    return stops_for(current_app)
