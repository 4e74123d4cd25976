"""A hub's database and a kiosk's never mix: the set-up of one refuses the other's file.

Reusing the kiosk's unit or env file for the hub used to run `kiosk init` on the hub's
database, adding every kiosk table to it; the reverse put hub tables in a kiosk's."""
from __future__ import annotations

from kiosk import create_app
from kiosk.storage.db import connect
from tests import hubdata as h
from tests.hubkit import make_kiosk


def tables(path) -> set[str]:
    db = connect(path)
    try:
        return set(db.table_names())
    finally:
        db.close()


def app_on(path, role, tmp_path):
    return create_app({"TESTING": True, "ROLE": role, "DATABASE": str(path), "SECRET_KEY": "t",
                       "SECRET_KEY_FILE": str(tmp_path / "key"),
                       "EXPORT_DIR": str(tmp_path / "exports")})


def test_the_kiosks_setup_leaves_a_hub_database_alone(tmp_path):
    path = tmp_path / "hub.db"
    h.new_hub_db(path).close()
    before = tables(path)
    for role in ("kiosk", "hub"):   # the kiosk's env file reused, or the hub's
        result = app_on(path, role, tmp_path).test_cli_runner().invoke(args=["init"])
        assert result.exit_code != 0
        assert "kiosk hub init" in result.output, result.output
        assert tables(path) == before
    places = app_on(path, "hub", tmp_path).test_cli_runner().invoke(
        args=["places", "import", "questionnaires/data/lieux_03.csv"])
    assert places.exit_code != 0 and tables(path) == before


def test_the_hubs_setup_leaves_a_kiosk_database_alone(tmp_path):
    kiosk = make_kiosk(tmp_path / "kiosk")
    path = kiosk.config["DATABASE"]
    before = tables(path)
    result = app_on(path, "hub", tmp_path).test_cli_runner().invoke(args=["hub", "init"])
    assert result.exit_code != 0 and "kiosk init" in result.output, result.output
    assert tables(path) == before
