"""Every `kiosk` command through Click's runner."""
from __future__ import annotations

import csv
import shutil

import pytest

from kiosk import create_app, paths
from kiosk.cli import main
from kiosk.storage.db import connect

SAMPLE_PLACES = paths.DATA / "lieux_03.csv"


def fresh_app(tmp_path, **config):
    settings = {"TESTING": True, "DATABASE": str(tmp_path / "k.db"), "SECRET_KEY": "t",
                "EXPORT_DIR": str(tmp_path / "exports")}
    settings.update(config)
    return create_app(settings)


def test_init_creates_then_reports_up_to_date(tmp_path):
    runner = fresh_app(tmp_path).test_cli_runner()
    first = runner.invoke(args=["init"])
    assert first.exit_code == 0 and "applied m001_visits_answers" in first.output
    second = runner.invoke(args=["init"])
    assert second.exit_code == 0 and "already up to date" in second.output
    assert {"visits", "answers", "results", "scores", "outbox", "places"} <= set(
        connect(tmp_path / "k.db").table_names())


def test_check_passes_on_shipped_files(tmp_path):
    result = fresh_app(tmp_path).test_cli_runner().invoke(args=["check"])
    assert result.exit_code == 0, result.output
    assert "diagnostic.yaml: ok" in result.output and "317 communes" in result.output


def test_check_fails_with_file_and_line_on_a_broken_copy(tmp_path):
    broken = tmp_path / "diagnostic.yaml"
    text = (paths.QUESTIONNAIRES / "diagnostic.yaml").read_text("utf-8")
    broken.write_text(text.replace("{question: internet_ever, in: [\"yes\"]}",
                                   "{question: internet_ever, in: [offline]}", 1), "utf-8")
    line = next(n for n, l in enumerate(broken.read_text("utf-8").splitlines(), 1) if "offline]" in l)
    result = fresh_app(tmp_path).test_cli_runner().invoke(args=["check", str(broken)])
    assert result.exit_code == 1
    assert f"{broken}:{line}: " in result.output and "has no option 'offline'" in result.output


def test_check_flags_a_site_commune_outside_the_allier(tmp_path):
    result = fresh_app(tmp_path, SITE_COMMUNE="75056").test_cli_runner().invoke(args=["check"])
    assert result.exit_code == 1 and "75056" in result.output


def test_serve_refuses_a_broken_questionnaire(tmp_path):
    broken = tmp_path / "diagnostic.yaml"
    shutil.copy(paths.QUESTIONNAIRES / "diagnostic.yaml", broken)
    broken.write_text(broken.read_text("utf-8").replace("type: activities\n", "type: activitie\n", 1), "utf-8")
    app = fresh_app(tmp_path, QUESTIONNAIRE=str(broken))
    result = app.test_cli_runner().invoke(args=["serve", "--port", "1"])
    assert result.exit_code == 1
    assert f"{broken}:" in result.output and "'activitie' is not one of" in result.output


def test_serve_refuses_a_database_not_initialised(tmp_path):
    result = fresh_app(tmp_path).test_cli_runner().invoke(args=["serve", "--port", "1"])
    assert result.exit_code == 1 and "kiosk init" in result.output


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.4.1", "::"])
def test_serve_listens_on_the_network_only_when_told(tmp_path, host):
    runner = fresh_app(tmp_path).test_cli_runner()
    refused = runner.invoke(args=["serve", "--host", host, "--port", "1"])
    assert refused.exit_code == 1 and "add --network if that is meant" in refused.output
    # with the flag, the address passes: the next check (the database) is what stops it
    allowed = runner.invoke(args=["serve", "--host", host, "--port", "1", "--network"])
    assert allowed.exit_code == 1 and "kiosk init" in allowed.output
    assert "--network" not in allowed.output


def test_places_import_sample_keeps_rows_without_pivot(tmp_path):
    runner = fresh_app(tmp_path).test_cli_runner()
    runner.invoke(args=["init"])
    result = runner.invoke(args=["places", "import", str(SAMPLE_PLACES)])
    assert result.exit_code == 0, result.output
    assert "9 places imported" in result.output
    assert result.output.count("warning:") == 9 and "pivot" in result.output
    assert connect(tmp_path / "k.db")["places"].count == 9


def test_places_import_rejects_bad_rows_with_reason(tmp_path):
    runner = fresh_app(tmp_path).test_cli_runner()
    runner.invoke(args=["init"])
    lines = SAMPLE_PLACES.read_text("utf-8").splitlines()
    lines[2] = lines[2].replace(",03240,", ",3240,")  # a postal code of 4 digits
    bad = tmp_path / "places.csv"
    bad.write_text("\n".join(lines) + "\n", "utf-8")
    result = runner.invoke(args=["places", "import", str(bad)])
    assert result.exit_code == 1
    assert f"{bad}:3: rejected:" in result.output and "code_postal" in result.output
    assert "8 places imported" in result.output
    assert connect(tmp_path / "k.db")["places"].count == 8


def test_places_import_refuses_a_file_without_required_columns(tmp_path):
    runner = fresh_app(tmp_path).test_cli_runner()
    runner.invoke(args=["init"])
    runner.invoke(args=["places", "import", str(SAMPLE_PLACES)])
    bad = tmp_path / "places.csv"
    bad.write_text("id,nom\nx,Chez nous\n", "utf-8")
    result = runner.invoke(args=["places", "import", str(bad)])
    assert result.exit_code == 1
    assert connect(tmp_path / "k.db")["places"].count == 9  # the previous places are kept


def test_export_writes_every_result(tmp_path, make_app):
    from tests.conftest import Resident

    app = make_app(EXPORT_DIR=str(tmp_path / "exports"))
    for ever in ("no", "yes"):
        Resident(app.test_client()).complete({"internet_ever": {"answer": ever},
                                              "age_band": {"answer": "75+"}},
                                             default={"idk": "1"})
    out = tmp_path / "out.csv"
    result = app.test_cli_runner().invoke(args=["export", "--output", str(out)])
    assert result.exit_code == 0 and "2 results written" in result.output
    with out.open(encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 2
    assert rows[0]["insee2021_illectronism"] == "1" and rows[0]["level_information"] == "0"
    assert rows[0]["dsi_at_least_basic"] == ""  # 75 or over: not among the DSI's ages
    assert "needs" in rows[0] and rows[0]["complete"] == "1"
    default = app.test_cli_runner().invoke(args=["export"])
    assert default.exit_code == 0
    assert len(list((tmp_path / "exports").glob("results-*.csv"))) == 1


def test_console_script_lists_the_commands(monkeypatch, tmp_path):
    from click.testing import CliRunner

    monkeypatch.setenv("KIOSK_DATABASE", str(tmp_path / "env.db"))
    monkeypatch.setenv("KIOSK_SECRET_KEY_FILE", str(tmp_path / "secret_key"))  # not the repo's
    result = CliRunner().invoke(main, ["--help"], prog_name="kiosk")
    assert result.exit_code == 0
    for command in ("init", "serve", "check", "places", "export"):
        assert command in result.output
    init = CliRunner().invoke(main, ["init"], prog_name="kiosk")
    assert init.exit_code == 0 and str(tmp_path / "env.db") in init.output


def test_version_names_the_release_installed():
    """What a technician reads out on the phone before and after an upgrade."""
    import tomllib
    from click.testing import CliRunner

    with open(paths.ROOT / "pyproject.toml", "rb") as file:
        version = tomllib.load(file)["project"]["version"]
    result = CliRunner().invoke(main, ["--version"], prog_name="kiosk")
    assert result.exit_code == 0
    assert result.output.startswith(f"kiosk-diagnostic-allier {version} (Python 3.")
