"""Weeks: the API takes in only real ISO weeks of service, and the dashboard and the open
data stay sane whatever weeks the counts already hold."""
from __future__ import annotations

import json
import re
from datetime import date, datetime, timedelta, timezone

import pytest

from kiosk.sync import anonymise, protocol
from kiosk.hub import staff
from kiosk.hub.opendata import read_csv
from kiosk.hub.stats import week_of
from tests import hubdata as h
from tests.hubkit import hub_counts, make_hub, new_device
from tests.sample_records import make_records
from tests.test_hub_web import PASSWORD, login, text

TODAY = datetime.now(timezone.utc).date()
THIS_WEEK = week_of(TODAY)
# two weeks ahead: still "later" if the week turns while the test runs
NEXT_WEEK = week_of(TODAY + timedelta(days=14))


def record_of_week(week: str, seed: int, token: str) -> dict:
    """A record of ``week``, bound to the device of ``token`` as a kiosk sends it."""
    _, _, record = make_records(1, seed=seed)[0]
    payload = dict(json.loads(record.outbox["payload"]), week=week)
    digest = anonymise.content_hash(payload)
    mac = protocol.record_mac(protocol.device_of_token(token), record.outbox["id"], digest,
                              protocol.token_hash(token))
    return {"id": record.outbox["id"], "content_hash": digest, "mac": mac, "payload": payload}


def test_the_api_answers_each_week_by_the_calendar_and_the_start_of_service(tmp_path):
    app = make_hub(tmp_path / "hub", HUB_SERVICE_START="2025-03-01")
    _, token = new_device(app.config["DATABASE"])
    weeks = ["2025-W53",   # 2025 has 52 ISO weeks
             "9999-W52", "0001-W01",
             NEXT_WEEK,    # the kiosk's clock a little ahead: not now, later
             "2025-W08",   # the week before the one of 2025-03-01 (a Saturday of W09)
             "2025-W09", "2020-W53",  # 2020 has a W53, before the start
             THIS_WEEK]
    answer = app.test_client().post(
        "/api/v1/records", json={"records": [record_of_week(w, i, token) for i, w in enumerate(weeks)]},
        headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 200
    results = answer.json["results"]
    assert [r["status"] for r in results] == ["invalid", "invalid", "invalid", "later",
                                              "invalid", "stored", "invalid", "stored"]
    assert "no such week" in results[0]["reason"]
    assert "clock was wrong" in results[1]["reason"]
    assert "before the start of service (2025-03-01" in results[2]["reason"]
    assert NEXT_WEEK in results[3]["reason"] and "later sync" in results[3]["reason"]
    assert answer.json["counts"] == {"stored": 2, "already": 0, "conflict": 0, "invalid": 5,
                                     "later": 1}
    assert hub_counts(app.config["DATABASE"])["tally_all"] == 2
    statuses = app.test_client().get("/api/v1/openapi.json").json[
        "components"]["schemas"]["Result"]["properties"]["status"]["enum"]
    assert "later" in statuses


def test_a_hub_whose_clock_is_before_the_service_stores_nothing(tmp_path):
    app = make_hub(tmp_path / "hub", HUB_SERVICE_START=(TODAY + timedelta(days=30)).isoformat())
    _, token = new_device(app.config["DATABASE"])
    answer = app.test_client().post("/api/v1/records",
                                    json={"records": [record_of_week(THIS_WEEK, 1, token)]},
                                    headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 503 and "start of service" in answer.json["error"]
    assert hub_counts(app.config["DATABASE"])["tally_all"] == 0


def test_the_window_rules():
    from kiosk.hub.weeks import Window

    window = Window(date(2025, 1, 1), date(2026, 11, 30))           # 2026-W49
    assert (window.first, window.last) == ("2025-W01", "2026-W49")
    assert window.verdict("2026-W49") is None and window.verdict("2025-W01") is None
    assert window.verdict("2026-W50")[0] == "later"
    assert window.verdict("2027-W48")[0] == "later"                 # within a year
    assert window.verdict("2027-W50")[0] == "invalid"               # beyond a year
    assert window.verdict("2024-W52")[0] == "invalid"
    assert window.verdict("2025-W53")[0] == "invalid"               # 2025 has 52 weeks
    assert window.verdict("2026-W53")[0] == "later"                 # 2026 has 53
    assert window.clip("0001-W01", "9999-W52") == ("2025-W01", "2026-W49")
    assert window.span(["2025-W53", "9999-W52", "0001-W01", "2025-W10", "2026-W02"]) \
        == ("2025-W10", "2026-W02")


# --- What older releases let into the counts --------------------------------------------

BAD_WEEKS = {"2025-W53": 7, "9999-W52": 5, "0001-W01": 3, NEXT_WEEK: 2}


@pytest.fixture
def polluted(tmp_path):
    """A hub whose counts hold, besides two real weeks, weeks the old API let in."""
    path = tmp_path / "hub.db"
    db = h.new_hub_db(path)
    staff.add(db, "alice", PASSWORD, datetime.now(timezone.utc))
    device = h.add_device(db, "Agence postale de Souvigny", h.MOULINS)
    h.receive(db, device, h.many(30, week="2025-W52") + h.many(20, week="2026-W01"))
    for week, count in BAD_WEEKS.items():
        h.receive(db, device, h.many(count, week=week))
    db.close()
    app = make_hub(tmp_path, DATABASE=str(path), EXPORT_DIR=str(tmp_path / "exports"))
    return app


def test_the_dashboard_reads_only_weeks_of_service(polluted):
    client = polluted.test_client()
    assert login(client).status_code == 303
    for query in ("/", "/?du=2025-W40&au=2026-W10", "/?du=2025-W53", "/?territoire=site"):
        response = client.get(query)
        assert response.status_code == 200, query
    page = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", text(client.get("/"))))
    assert "semaines 2025-W52 à 2026-W01" in page
    assert "Diagnostics 50 Diagnostics terminés" in page  # 30 + 20: no other week counted
    # Counts held without a record's date (as on a hub that purged its records before
    # it kept that date): never "no data received" above 50 diagnostics.
    assert "Aucune donnée reçue" not in page
    assert "Date de la dernière donnée reçue inconnue" in page
    assert "2025-W52 lundi 22 décembre 2025 30 2026-W01 lundi 29 décembre 2025 20" in page
    for week in BAD_WEEKS:
        assert week not in page


def test_the_export_reads_only_weeks_of_service(polluted, tmp_path):
    runner = polluted.test_cli_runner()
    result = runner.invoke(args=["hub", "export", "--output", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    rows = read_csv(tmp_path / "out" / "diagnostics-par-semaine.csv")
    weeks = {row["semaine"] for row in rows} - {"ensemble"}
    assert weeks == {"2025-W52", "2026-W01"}
    total = [row for row in rows if row["semaine"] == "ensemble" and
             row["epci_site"] == "ensemble"]
    assert total and total[0]["diagnostics"] == "50"

    asked = runner.invoke(args=["hub", "export", "--output", str(tmp_path / "all"),
                                "--from", "0001-W01", "--to", "9999-W52"])
    assert asked.exit_code == 0, asked.output
    assert "--from 0001-W01 is outside the weeks of service" in asked.output
    assert f"--to 9999-W52 is outside the weeks of service (2025-W01 to {THIS_WEEK})" \
        in asked.output
    rows = read_csv(tmp_path / "all" / "diagnostics-par-semaine.csv")
    weeks = sorted({row["semaine"] for row in rows} - {"ensemble"})
    assert weeks[0] == "2025-W01" and weeks[-1] == THIS_WEEK and "2025-W53" not in weeks
