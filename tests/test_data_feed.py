"""Places, offers and the bus's stops published on the hub reach the kiosks, checked
first: by `kiosk sync`, or by a USB receipt; a bad file is refused and the kiosk keeps
what it had (issue 11, §3)."""
from __future__ import annotations

import json
import shutil
from datetime import datetime, timezone

import pytest

from kiosk import paths
from kiosk.diagnostic import resources
from kiosk.hub import publish
from kiosk.storage import store
from kiosk.storage.db import connect
from kiosk.sync import feed, protocol
from tests.hubkit import (hub_in_thread, make_hub, make_kiosk, new_device,  # noqa: F401
                          no_env_proxy)
from tests.sample_records import fill_outbox

BUS = "france-services-2020-8"
SHIPPED_PLACES = paths.DATA / "lieux_03.csv"
SHIPPED_STOPS = paths.DATA / "itinerance_03.csv"
LE_MONTET_STOP = f'{BUS},03183,Place du Huit Mai,"Mo[1] 09:30-12:00",,\n'
NOW = datetime(2026, 12, 1, 10, tzinfo=timezone.utc)


def run(app, *args):
    return app.test_cli_runner().invoke(args=list(args))


@pytest.fixture
def hub(tmp_path):
    app = make_hub(tmp_path / "hub")
    device, token = new_device(app.config["DATABASE"])
    return app, device, token


@pytest.fixture
def data(tmp_path):
    """The kiosk's data folder: a copy of the shipped questionnaires/."""
    folder = tmp_path / "kiosk-data"
    shutil.copytree(paths.QUESTIONNAIRES, folder)
    return folder


def kiosk_on(tmp_path, data, token, **config):
    return make_kiosk(tmp_path / "kiosk", HUB_TOKEN=token, DATA_DIR=str(data), **config)


def published(app, tmp_path, kind, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return run(app, "hub", "data", "publish", "--kind", kind, str(path))


def more_stops():
    return SHIPPED_STOPS.read_text(encoding="utf-8") + LE_MONTET_STOP


def places_held(kiosk) -> int:
    db = connect(kiosk.config["DATABASE"])
    try:
        return len(store.all_places(db))
    finally:
        db.close()


def data_log(kiosk) -> list[tuple[str, str]]:
    db = connect(kiosk.config["DATABASE"])
    try:
        return [(r[0], r[1]) for r in db.execute(
            "select outcome, detail from sync_log where channel = 'data' order by id")]
    finally:
        db.close()


def communes_of_stops(kiosk) -> set[str]:
    return {stop["commune"] for stop in resources.stops_for(kiosk)}


def test_published_places_and_stops_reach_a_running_kiosk_once(tmp_path, hub, data):
    app, _, token = hub
    assert published(app, tmp_path, "places", "lieux.csv",
                     SHIPPED_PLACES.read_text(encoding="utf-8")).exit_code == 0
    done = published(app, tmp_path, "stops", "itinerance.csv", more_stops())
    assert done.exit_code == 0, done.output
    assert "Published stops from" in done.output
    listed = run(app, "hub", "data", "list").output
    assert "* places " in listed and "lieux.csv" in listed and "* stops " in listed
    with hub_in_thread(app) as url:
        kiosk = kiosk_on(tmp_path, data, token, HUB_URL=url)
        fill_outbox(connect(kiosk.config["DATABASE"]), 2)
        assert places_held(kiosk) == 0
        assert "Le Montet" not in communes_of_stops(kiosk)   # read, and cached, before
        first = run(kiosk, "sync")
        assert first.exit_code == 0, first.output
        assert "Places from the hub applied: lieux.csv published" in first.output
        assert "Stops from the hub applied: itinerance.csv published" in first.output
        assert places_held(kiosk) == 9
        # the running app sees the new stop without a restart
        assert "Le Montet" in communes_of_stops(kiosk)
        assert len(resources.stops_for(kiosk)) == 11
        stops = data / "data" / "itinerance_03.csv"
        assert stops.read_text(encoding="utf-8") == more_stops()
        assert stops.stat().st_mode & 0o777 == 0o644   # readable by the server as before
        assert (data / "data" / "itinerance_03.csv.previous").read_bytes() == \
            SHIPPED_STOPS.read_bytes()
        # the same publications again: nothing applied twice
        again = run(kiosk, "sync")
        assert again.exit_code == 0, again.output
        assert "from the hub" not in again.output
    assert [outcome for outcome, _ in data_log(kiosk)] == ["ok", "ok"]
    assert "Data from the hub:  places lieux.csv published 2026-" in run(kiosk, "status").output
    state = feed.read_state(data)["applied"]
    assert sorted(state) == ["places", "stops"] and state["stops"]["source"] == "network"


def test_published_offers_are_served_without_a_restart(tmp_path, hub, data):
    app, _, token = hub
    offers = (paths.QUESTIONNAIRES / "offers.yaml").read_text(encoding="utf-8")
    old_title = "Faire vos démarches avec une personne de confiance."
    new_title = "Faire vos démarches avec une personne de confiance, près de chez vous."
    assert old_title in offers
    done = published(app, tmp_path, "offers", "offers.yaml",
                     offers.replace(old_title, new_title))
    assert done.exit_code == 0, done.output
    with hub_in_thread(app) as url:
        kiosk = kiosk_on(tmp_path, data, token, HUB_URL=url)
        titles = lambda: {o.title for o in resources.questionnaire_for(kiosk).offers}  # noqa
        assert old_title in titles()
        synced = run(kiosk, "sync")
        assert "Offers from the hub applied: offers.yaml published" in synced.output
    assert new_title in titles() and old_title not in titles()
    assert (data / "offers.yaml.previous").read_text(encoding="utf-8") == offers


def test_a_bad_file_is_refused_at_publishing_with_its_line(tmp_path, hub):
    app, _, _ = hub
    bad_stops = more_stops().replace("03183,Place du Huit Mai", "99999,Place X")
    refused = published(app, tmp_path, "stops", "itinerance.csv", bad_stops)
    assert refused.exit_code == 1
    assert f"itinerance.csv:12: id {BUS}: code_insee: '99999' is not an Allier commune" \
        in refused.output
    assert "nothing published" in refused.output
    # a stop of a place that is not an itinerant place of the places kiosks will hold
    unknown = published(app, tmp_path, "stops", "itinerance.csv",
                        more_stops().replace(f"{BUS},03183", "fs-inconnu,03183"))
    assert unknown.exit_code == 1
    assert "itinerance.csv:12: id fs-inconnu: lieu_id: 'fs-inconnu' is not an itinerant " \
           "place of the places file" in unknown.output
    # one rejected row of places refuses the whole file
    places = SHIPPED_PLACES.read_text(encoding="utf-8").replace("46.56853", "N46.5", 1)
    refused_places = published(app, tmp_path, "places", "lieux.csv", places)
    assert refused_places.exit_code == 1 and "lieux.csv:2: id " in refused_places.output
    offers = "offers:\n  - id: sans_titre\n"
    refused_offers = published(app, tmp_path, "offers", "offers.yaml", offers)
    assert refused_offers.exit_code == 1 and "offers.yaml:" in refused_offers.output
    assert "Nothing published" in run(app, "hub", "data", "list").output
    # the same file twice is one publication
    assert published(app, tmp_path, "stops", "a.csv", more_stops()).exit_code == 0
    twice = published(app, tmp_path, "stops", "a.csv", more_stops())
    assert "already the published stops" in twice.output
    assert run(app, "hub", "data", "list").output.count("a.csv") == 1


def test_a_message_altered_or_for_another_kiosk_changes_nothing(tmp_path, hub, data):
    app, _, token = hub
    _, other_token = new_device(app.config["DATABASE"], site="APC Cérilly")
    published(app, tmp_path, "places", "lieux.csv", SHIPPED_PLACES.read_text(encoding="utf-8"))
    published(app, tmp_path, "stops", "itinerance.csv", more_stops())
    client = app.test_client()
    mine = client.get("/api/v1/data", headers={"Authorization": f"Bearer {token}"}).get_json()
    theirs = client.get("/api/v1/data",
                        headers={"Authorization": f"Bearer {other_token}"}).get_json()
    assert client.get("/api/v1/data").status_code == 401
    assert mine["kind"] == "data" and mine["version"] == 1
    assert sorted(mine["body"]["publications"]) == ["places", "stops"]
    altered = json.loads(json.dumps(mine))
    altered["body"]["publications"]["stops"]["content"] += f"{BUS},03001,Ici,Mo 10:00-11:00,,\n"
    kiosk = kiosk_on(tmp_path, data, token)
    before = (data / "data" / "itinerance_03.csv").read_bytes()
    target = feed.Target.of(kiosk)
    db = connect(kiosk.config["DATABASE"])
    for document, why in ((altered, "signature does not match"),
                          (theirs, "not this kiosk"),
                          (protocol.sign(dict(mine, version=2), protocol.token_hash(token)),
                           "does not understand")):
        lines = feed.accept_or_say(db, target, document, token, NOW, "network")
        assert len(lines) == 1 and "refused" in lines[0] and why in lines[0]
    assert len(store.all_places(db)) == 0
    db.close()
    assert (data / "data" / "itinerance_03.csv").read_bytes() == before
    assert not (data / "data" / "itinerance_03.csv.previous").exists()
    assert feed.read_state(data) == {"applied": {}, "refused": {}}


def test_a_file_the_kiosk_cannot_use_is_refused_and_the_previous_kept(tmp_path, hub, data):
    app, _, token = hub
    # Checked on the hub against the shipped places, which have the bus; this kiosk
    # has imported no places, so none of these stops is of a place it knows.
    assert published(app, tmp_path, "stops", "itinerance.csv",
                     more_stops()).exit_code == 0
    stops = data / "data" / "itinerance_03.csv"
    before = stops.read_bytes()
    with hub_in_thread(app) as url:
        kiosk = kiosk_on(tmp_path, data, token, HUB_URL=url)
        refused = run(kiosk, "sync")
        assert refused.exit_code == 0, refused.output
        assert (f"Stops from the hub refused: itinerance.csv:2: id {BUS}: lieu_id: '{BUS}' "
                "is not an itinerant place of the places file (and 10 more problems); "
                "the kiosk keeps what it had.") in refused.output
        assert stops.read_bytes() == before
        assert not list((data / "data").glob(".incoming-*"))
        assert len(resources.stops_for(kiosk)) == 10
        assert "refused" in run(kiosk, "sync").output   # said at each sync...
        assert [o for o, _ in data_log(kiosk)] == ["refused"]   # ...logged once
        # once the places with the bus are published, the same stops are applied
        published(app, tmp_path, "places", "lieux.csv",
                  SHIPPED_PLACES.read_text(encoding="utf-8"))
        applied = run(kiosk, "sync").output
    assert "Places from the hub applied" in applied and "Stops from the hub applied" in applied
    assert len(resources.stops_for(kiosk)) == 11


def test_a_kiosk_with_no_network_gets_the_data_with_its_usb_receipt(tmp_path, hub, data):
    app, _, token = hub
    kiosk = kiosk_on(tmp_path, data, token)
    fill_outbox(connect(kiosk.config["DATABASE"]), 2)
    usb = tmp_path / "usb"
    usb.mkdir()
    assert run(kiosk, "sync", "--to-file", str(usb / "a.json")).exit_code == 0
    assert run(app, "hub", "import", str(usb / "a.json")).exit_code == 0
    assert "data" not in json.loads((usb / "a.receipt.json").read_text())  # none published
    published(app, tmp_path, "places", "lieux.csv", SHIPPED_PLACES.read_text(encoding="utf-8"))
    published(app, tmp_path, "stops", "itinerance.csv",
              more_stops().replace(BUS, "fs-inconnu", 1))   # refused at the hub
    assert run(app, "hub", "import", str(usb / "a.json")).exit_code == 0
    receipt = usb / "a.receipt.json"
    altered = json.loads(receipt.read_text())
    altered["data"]["body"]["publications"]["places"]["name"] = "autre.csv"
    (usb / "altered.json").write_text(json.dumps(altered))
    assert run(kiosk, "sync", "--receipt", str(usb / "altered.json")).exit_code == 2
    assert places_held(kiosk) == 0
    applied = run(kiosk, "sync", "--receipt", str(receipt))
    assert applied.exit_code == 0, applied.output
    assert "Places from the hub applied: lieux.csv" in applied.output
    assert "Stops" not in applied.output and places_held(kiosk) == 9
    assert feed.read_state(data)["applied"]["places"]["source"] == "receipt"
    again = run(kiosk, "sync", "--receipt", str(receipt))
    assert again.exit_code == 0 and "from the hub" not in again.output


def test_an_older_publication_never_replaces_a_newer_one(tmp_path, hub, data):
    app, device, token = hub
    kiosk = kiosk_on(tmp_path, data, token)
    target = feed.Target.of(kiosk)

    def message(text: str, when: str) -> dict:
        publication = {"name": "itinerance.csv", "content": text, "published_at": when,
                       "sha256": publish.hashlib.sha256(text.encode()).hexdigest()}
        return protocol.hub_message(device, feed.KIND, {
            "publications": {"places": _places_publication(), "stops": publication}},
            protocol.token_hash(token), issued_at=when)

    newer, older = more_stops(), SHIPPED_STOPS.read_text(encoding="utf-8")
    db = connect(kiosk.config["DATABASE"])
    lines = feed.accept(db, target, message(newer, "2026-12-01T09:00:00+00:00"), token, NOW,
                        "network")
    assert [line.split(":")[0] for line in lines] == ["Places from the hub applied",
                                                      "Stops from the hub applied"]
    # a receipt carried for days holds an older publication: left aside
    assert feed.accept(db, target, message(older, "2026-11-28T09:00:00+00:00"), token, NOW,
                       "receipt") == []
    db.close()
    assert (data / "data" / "itinerance_03.csv").read_text(encoding="utf-8") == newer


def _places_publication() -> dict:
    text = SHIPPED_PLACES.read_text(encoding="utf-8")
    return {"name": "lieux.csv", "content": text, "published_at": "2026-11-01T09:00:00+00:00",
            "sha256": publish.hashlib.sha256(text.encode()).hexdigest()}
