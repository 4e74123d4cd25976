"""The Bourbon'Net bus's stop of the day: chosen in one tap (or `kiosk stop set`), kept
for its day only, and the place every record of that day is counted at.

Dates are those of the shipped sample stops file (questionnaires/data/itinerance_03.csv):
Tuesday 1 December 2026 is a first Tuesday, when the bus stops at Souvigny in the morning
and Saint-Menoux in the afternoon.
"""
from __future__ import annotations

import json
from datetime import date, datetime, timezone

import pytest

from kiosk import paths
from kiosk.diagnostic.resources import COMMUNES_FILE
from kiosk.places.communes import load_communes
from kiosk.places.stops import read_stops
from kiosk.storage.db import connect
from kiosk.web import bus
from tests.conftest import Resident
from tests.hubkit import (hub_counts, hub_in_thread, make_hub, make_kiosk,  # noqa: F401
                          new_device, no_env_proxy)

TUESDAY = datetime(2026, 12, 1, 9, 0, tzinfo=timezone.utc)      # 10:00 in Moulins
MOULINS_EPCI = "200071140"        # Moulins Communauté (KIOSK_SITE_COMMUNE 03190)
SAINT_MENOUX, BOCAGE_EPCI = "03247", "200071496"   # Communauté de communes du Bocage
CERILLY, CERILLY_EPCI = "03048", "240300558"        # Pays de Tronçais
ZOE = {"name": "Zoé Bernard", "structure": "Bourbon'Net", "source": "local"}


@pytest.fixture
def clock(monkeypatch):
    """The kiosk's clock, which a test moves (resident.now is the one all pages use)."""
    from kiosk.web import resident

    moment = {"now": TUESDAY}
    monkeypatch.setattr(resident, "now", lambda: moment["now"])
    return moment


@pytest.fixture
def bus_app(make_app, clock):
    return make_app(BUS=True, SITE_COMMUNE="03190")


def mediator(app) -> Resident:
    client = app.test_client()
    with client.session_transaction() as session:
        session["mediator"] = dict(ZOE)
    return Resident(client)


def payloads(app, kind=None) -> list[dict]:
    db = connect(app.config["DATABASE"])
    try:
        rows = [json.loads(row["payload"]) for row in db["outbox"].rows]
    finally:
        db.close()
    return [p for p in rows if kind is None or p.get("kind", "diagnostic") == kind]


def test_the_short_list_puts_the_stops_of_the_day_first_in_time_order():
    stops = read_stops(paths.DATA / "itinerance_03.csv", load_communes(COMMUNES_FILE)).stops
    today, others = bus.stop_choices(stops, date(2026, 12, 1))
    assert [(s["commune"], s["start"].strftime("%H:%M")) for s in today] == [
        ("Souvigny", "09:30"), ("Saint-Menoux", "14:00")]
    assert [s["commune"] for s in others] == [
        "Bourbon-l'Archambault", "Buxières-les-Mines", "Cérilly", "Chantelle", "Ébreuil",
        "Jaligny-sur-Besbre", "Le Donjon", "Lurcy-Lévis"]
    # the second Tuesday, the other two
    today, _ = bus.stop_choices(stops, date(2026, 12, 8))
    assert [s["commune"] for s in today] == ["Bourbon-l'Archambault", "Cérilly"]


def test_a_mediator_sets_the_stop_in_one_tap_and_the_diagnostic_carries_its_epci(bus_app):
    zoe = mediator(bus_app)
    assert "Aucun arrêt choisi aujourd'hui." in zoe.get("/mediateur/accueil").get_data(True)
    page = zoe.get("/mediateur/arret").get_data(as_text=True)
    assert page.index("Souvigny") < page.index("Saint-Menoux") < page.index("Cérilly")
    response = zoe.post("/mediateur/arret/choisir", {"code_insee": SAINT_MENOUX})
    assert response.status_code == 303 and response.location.endswith("/mediateur/accueil")
    assert "Le bus est à Saint-Menoux aujourd'hui." in zoe.get(
        "/mediateur/accueil").get_data(as_text=True)

    resident = Resident(bus_app.test_client())   # a tablet, another browser
    resident.complete()
    (record,) = payloads(bus_app)
    assert record["site_epci"] == BOCAGE_EPCI
    # no commune given: the nearest places are measured from the stop
    page = resident.get("/result").get_data(as_text=True)
    assert "Distances à vol d'oiseau depuis Saint-Menoux." in page


def test_a_stop_set_yesterday_does_not_apply_today(bus_app, clock):
    zoe = mediator(bus_app)
    zoe.get("/mediateur/arret")
    zoe.post("/mediateur/arret/choisir", {"code_insee": SAINT_MENOUX})
    clock["now"] = datetime(2026, 12, 2, 8, tzinfo=timezone.utc)   # Wednesday, 9:00
    assert "Aucun arrêt choisi aujourd'hui." in zoe.get("/mediateur/accueil").get_data(True)
    Resident(bus_app.test_client()).complete()
    (record,) = payloads(bus_app)
    assert record["site_epci"] == MOULINS_EPCI


def test_the_stop_counts_for_screening_and_activity_records_too(bus_app):
    zoe = mediator(bus_app)
    zoe.get("/mediateur/arret")
    zoe.post("/mediateur/arret/choisir", {"code_insee": CERILLY})
    zoe.get("/mediateur/reperage")
    zoe.post("/mediateur/reperage", {"internet": "no", "procedure": "yes", "help": "no"})
    zoe.get("/mediateur/compte-rendu/guichet")
    response = zoe.post("/mediateur/compte-rendu/guichet", {
        "date": "2026-12-01", "duree": "30", "type_lieu": "lieu_activite",
        "thematiques": "email", "notes": ""})
    assert response.status_code == 303
    kinds = {p["kind"]: p["site_epci"] for p in payloads(bus_app) if "kind" in p}
    assert kinds.get("screening") == CERILLY_EPCI
    assert kinds.get("activity") == CERILLY_EPCI


def test_a_stop_outside_the_stops_file_is_refused_from_the_page(bus_app):
    zoe = mediator(bus_app)
    zoe.get("/mediateur/arret")
    assert zoe.post("/mediateur/arret/choisir", {"code_insee": "03190"}).status_code == 400


def test_the_stop_page_is_for_mediators_only(bus_app):
    client = bus_app.test_client()
    assert client.get("/mediateur/arret").status_code == 303
    assert client.post("/mediateur/arret/choisir", data={"code_insee": SAINT_MENOUX}).status_code in (
        400, 403)


def test_a_post_office_kiosk_does_not_ask_for_a_stop(make_app, clock):
    app = make_app()
    zoe = mediator(app)
    assert "Arrêt du jour" not in zoe.get("/mediateur/accueil").get_data(as_text=True)
    # ...but a stop set there (from the command line) is shown, since its records carry it
    assert app.test_cli_runner().invoke(args=["stop", "set", CERILLY]).exit_code == 0
    assert "Le bus est à Cérilly aujourd'hui." in zoe.get("/mediateur/accueil").get_data(True)


def test_the_operator_sets_and_clears_the_stop_from_the_command_line(bus_app):
    runner = bus_app.test_cli_runner()
    result = runner.invoke(args=["stop", "set", CERILLY])
    assert result.exit_code == 0, result.output
    assert "Cérilly (03048), EPCI 240300558" in result.output
    assert "Today's stop: Cérilly (03048)." in runner.invoke(args=["stop", "show"]).output
    Resident(bus_app.test_client()).complete()
    assert runner.invoke(args=["stop", "clear"]).exit_code == 0
    assert "No stop set today" in runner.invoke(args=["stop", "show"]).output
    Resident(bus_app.test_client()).complete()
    assert [p["site_epci"] for p in payloads(bus_app)] == [CERILLY_EPCI, MOULINS_EPCI]
    refused = runner.invoke(args=["stop", "set", "63113"])
    assert refused.exit_code != 0 and "not the INSEE code of an Allier commune" in refused.output


def test_diagnostics_at_two_stops_are_counted_at_the_hub_under_their_epcis(tmp_path, clock):
    hub = make_hub(tmp_path / "hub")
    result = hub.test_cli_runner().invoke(args=["hub", "device", "add", "--site",
                                                "Bourbon'Net", "--commune", "03190",
                                                "--itinerant"])
    assert result.exit_code == 0, result.output
    token = result.output.strip().splitlines()[-1]
    with hub_in_thread(hub) as url:
        kiosk = make_kiosk(tmp_path / "kiosk", HUB_URL=url, HUB_TOKEN=token, BUS=True)
        runner = kiosk.test_cli_runner()
        for stop in (SAINT_MENOUX, CERILLY):
            assert runner.invoke(args=["stop", "set", stop]).exit_code == 0
            Resident(kiosk.test_client()).complete()
        assert runner.invoke(args=["sync"]).exit_code == 0
    assert len(hub_counts(hub.config["DATABASE"])["ids"]) == 2
    db = connect(hub.config["DATABASE"])
    by_epci = {row[0]: row[1] for row in db.execute(
        "SELECT site_epci, SUM(n) FROM tally WHERE dimension = 'all' GROUP BY site_epci")}
    db.close()
    assert by_epci == {BOCAGE_EPCI: 1, CERILLY_EPCI: 1}
