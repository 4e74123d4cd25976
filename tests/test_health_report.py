"""Each network sync tells the hub the kiosk's version and `kiosk doctor`'s counts, and
the hub's "État des bornes" shows them: no path, no detail, no secret, nothing of a
person, and a report the hub refuses if it carries anything else."""
from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest

from kiosk.hub import staff, store
from kiosk.ops import health
from kiosk.storage.db import connect, write_transaction
from kiosk.sync.client import Answer
from tests.hubkit import hub_in_thread, make_hub, make_kiosk, new_device, no_env_proxy  # noqa: F401
from tests.test_hub_web import PASSWORD, column, login, tables_of, text

GOOD = {"version": "1.2.0", "ok": 11, "problems": 2, "failing": ["places", "secret key"]}


def stored(hub):
    db = connect(hub.config["DATABASE"])
    try:
        return [dict(r) for r in db.query("select * from device_health")]
    finally:
        db.close()


def test_a_sync_reports_the_version_and_the_failing_checks(tmp_path):
    hub = make_hub(tmp_path / "hub")
    device, token = new_device(hub.config["DATABASE"], site="Agence postale de Souvigny")
    # a weak key and no places imported: two problems, everything else fine
    kiosk = make_kiosk(tmp_path / "kiosk", HUB_TOKEN=token, SECRET_KEY="test-secret",
                       CHROMIUM_POLICY="", LANGUAGES="fr")
    with hub_in_thread(hub) as url:
        kiosk.config["HUB_URL"] = url
        result = kiosk.test_cli_runner().invoke(args=["sync"])
    assert result.exit_code == 0, result.output
    assert "Health report: sent (2 problems: see `kiosk doctor`)." in result.output
    [row] = stored(hub)
    assert row["device_id"] == device
    assert (row["ok"], row["problems"], json.loads(row["failing"])) == \
        (11, 2, ["secret key", "places"])
    assert row["version"] == health.app_version()
    # nothing of the kiosk's settings or files travelled
    assert "test-secret" not in json.dumps(row) and str(tmp_path) not in json.dumps(row)


def test_a_kiosk_that_syncs_with_nothing_to_send_is_not_called_silent(tmp_path):
    """A quiet agency's kiosk syncs every hour with no diagnostic to send: its report
    tells the hub it is alive, so "État des bornes" does not send someone to fix it."""
    hub = make_hub(tmp_path / "hub")
    db = connect(hub.config["DATABASE"])
    staff.add(db, "alice", PASSWORD, datetime.now(timezone.utc))
    db.close()
    new_device(hub.config["DATABASE"], site="Agence postale de Souvigny")
    _, token = new_device(hub.config["DATABASE"], site="Agence postale d'Ébreuil")
    kiosk = make_kiosk(tmp_path / "kiosk", HUB_TOKEN=token, CHROMIUM_POLICY="", LANGUAGES="fr")
    with hub_in_thread(hub) as url:
        kiosk.config["HUB_URL"] = url
        result = kiosk.test_cli_runner().invoke(args=["sync"])
    assert result.exit_code == 0, result.output
    assert "0 sent," in result.output and "Health report: sent" in result.output
    client = hub.test_client()
    assert login(client).status_code == 303
    table = tables_of(text(client.get("/")))["bornes"]
    assert column(table, "État") == {"Agence postale d'Ébreuil": "À jour",
                                     "Agence postale de Souvigny": "⚠ Jamais synchronisée"}
    # Seen, but no record came: the freshness line still says none was received.
    assert "Aucune donnée reçue pour l'instant." in text(client.get("/"))


def test_the_dashboard_shows_each_kiosks_version_and_problems(tmp_path):
    hub = make_hub(tmp_path / "hub")
    db = connect(hub.config["DATABASE"])
    staff.add(db, "alice", PASSWORD, datetime.now(timezone.utc))
    db.close()
    _, token = new_device(hub.config["DATABASE"], site="Agence postale de Souvigny")
    new_device(hub.config["DATABASE"], site="Bus Bourbon'Net")
    client = hub.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    assert client.post("/api/v1/health", json=GOOD, headers=headers).status_code == 200
    assert login(client).status_code == 303
    table = tables_of(text(client.get("/")))["bornes"]
    assert column(table, "Version") == {"Agence postale de Souvigny": "1.2.0",
                                        "Bus Bourbon'Net": "–"}
    assert column(table, "Bilan de kiosk doctor") == {
        "Agence postale de Souvigny": "⚠ 2 problèmes : secret key, places",
        "Bus Bourbon'Net": "Pas encore de bilan"}
    healthy = dict(GOOD, ok=13, problems=0, failing=[])
    assert client.post("/api/v1/health", json=healthy, headers=headers).status_code == 200
    table = tables_of(text(client.get("/")))["bornes"]
    assert column(table, "Bilan de kiosk doctor")["Agence postale de Souvigny"] == \
        "Tout est en ordre"


def test_a_kiosk_on_an_older_release_than_another_is_to_be_upgraded(tmp_path):
    hub = make_hub(tmp_path / "hub")
    db = connect(hub.config["DATABASE"])
    staff.add(db, "alice", PASSWORD, datetime.now(timezone.utc))
    db.close()
    client = hub.test_client()
    reports = {"Agence postale de Souvigny": "0.9.2", "Agence postale d'Ébreuil": "0.10.0",
               "Bus Bourbon'Net": "unknown", "Ancienne borne": "0.11.0"}
    for site, version in reports.items():
        device, token = new_device(hub.config["DATABASE"], site=site)
        assert client.post("/api/v1/health", json=dict(GOOD, version=version),
                           headers={"Authorization": f"Bearer {token}"}).status_code == 200
    db = connect(hub.config["DATABASE"])
    with write_transaction(db):   # revoked since: no longer the release to catch up with
        store.revoke_device(db, device, datetime.now(timezone.utc))
    db.close()
    assert login(client).status_code == 303
    page = text(client.get("/"))
    # 0.10.0 is newer than 0.9.2 (numbers, not text); "unknown" is not a release.
    assert column(tables_of(page)["bornes"], "Version") == {
        "Agence postale de Souvigny": "0.9.2 ⚠ à mettre à jour : d'autres bornes ont la 0.10.0",
        "Agence postale d'Ébreuil": "0.10.0", "Bus Bourbon'Net": "unknown",
        "Ancienne borne": "0.11.0"}
    assert "1 n'a pas la version la plus récente." in page


def test_the_hub_takes_a_report_only_from_a_known_kiosk(tmp_path):
    hub = make_hub(tmp_path / "hub")
    new_device(hub.config["DATABASE"])
    response = hub.test_client().post("/api/v1/health", json=GOOD,
                                      headers={"Authorization": "Bearer 1.not-its-token"})
    assert response.status_code == 401
    assert stored(hub) == []


@pytest.mark.parametrize("change", [
    {"detail": "/var/lib/kiosk/kiosk.db is damaged"},          # no free text
    {"version": "1.2.0 /home/kiosk"},
    {"failing": ["places", "Mme Dupont"]},                      # names from the checks only
    {"failing": ["places", "places"], "problems": 2},
    {"problems": 3},                                            # one name per problem
    {"ok": True},                                               # a count, not a flag
    {"ok": 14},                                                 # 13 checks at most
])
def test_a_report_with_anything_else_is_refused(tmp_path, change):
    hub = make_hub(tmp_path / "hub")
    _, token = new_device(hub.config["DATABASE"])
    response = hub.test_client().post("/api/v1/health", json={**GOOD, **change},
                                      headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 400
    assert "not a health report" in response.get_json()["error"]
    assert stored(hub) == []


def test_a_hub_that_does_not_take_reports_leaves_the_sync_as_it_was(make_app):
    app = make_app(CHROMIUM_POLICY="")
    answer = Answer(404, "application/json", b"{}", None)
    said = health.send(app, settings=None, post=lambda settings, body: answer)
    assert said == "not sent (this hub does not take health reports yet)"

    def cut(settings, body):
        raise ConnectionResetError("reset")
    assert health.send(app, settings=None, post=cut) == "not sent (ConnectionResetError)"


def test_what_is_sent_is_the_version_and_the_counts_only(make_app):
    sent = []

    def post(settings, body):
        sent.append(json.loads(body))
        return Answer(200, "application/json", b"{}", None)
    app = make_app(CHROMIUM_POLICY="", SECRET_KEY="test-secret")
    assert health.send(app, settings=None, post=post).startswith("sent (")
    [body] = sent
    assert set(body) == {"version", "ok", "problems", "failing"}
    assert health.parse(body) == body
