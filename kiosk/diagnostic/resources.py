"""The app's read-only data (questionnaire, communes), loaded once and cached on the app.

The questionnaire, offers and stops come from the configured data folder
(kiosk.config.DATA_FILES); the communes and the schemas are the shipped reference data."""
from __future__ import annotations

import os
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


def _while_unchanged(app: Flask, key: str, files, load):
    """``load()``, cached on the app until one of ``files`` changes on disk (a newer
    file from the hub, kiosk/sync/feed.py, is then read by the running server). A
    changed file that does not load (a hand edit gone wrong) leaves the running kiosk
    with what it had; `kiosk check` names the problem."""
    stamp = []
    for path in files:
        try:
            status = os.stat(path)
        except OSError:
            status = None  # missing: load() says so
        stamp.append(status and (status.st_ino, status.st_mtime_ns, status.st_size))
    cache = app.extensions.setdefault("kiosk", {})
    if key not in cache:
        cache[key] = (stamp, load())
    elif cache[key][0] != stamp:
        try:
            cache[key] = (stamp, load())
        except Exception:  # whatever the reason: a kiosk that worked keeps working
            app.logger.exception("%s changed but cannot be loaded: kept the previous", key)
            cache[key] = (stamp, cache[key][1])
    return cache[key][1]


def questionnaire_for(app: Flask) -> questionnaire.Questionnaire:
    """The app's questionnaire, loaded and validated on first use and when changed."""
    files = app.config["QUESTIONNAIRE"], app.config["OFFERS"]
    return _while_unchanged(app, "questionnaire", files,
                            lambda: load_questionnaire_files(*files))


def communes_for(app: Flask) -> Communes:
    """The Allier communes (COG 2026), loaded on first use."""
    cache = app.extensions.setdefault("kiosk", {})
    if "communes" not in cache:
        cache["communes"] = load_communes(COMMUNES_FILE)
    return cache["communes"]


def stops_for(app: Flask) -> list[dict]:
    """The itinerant places' stops, loaded on first use and when changed (bad rows,
    which `kiosk check` reports, left out)."""
    path = config.data_file(app.config, config.STOPS_FILE)
    return _while_unchanged(app, "stops", [path],
                            lambda: read_stops(path, communes_for(app)).stops)


def get_questionnaire() -> questionnaire.Questionnaire:
    """The current app's questionnaire."""
    return questionnaire_for(current_app)


def get_communes() -> Communes:
    """The current app's communes."""
    return communes_for(current_app)


def get_stops() -> list[dict]:
    """The current app's itinerant stops."""
    return stops_for(current_app)
