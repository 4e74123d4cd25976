"""On the bus, eight tablets share one server: a tablet's silence is judged by its own
limits, never by another tablet's. A resident starting on one tablet closes the visits of
browsers gone away, but not a mediator's guided diagnostic paused on another tablet
while they explain (a mediator's screens wait KIOSK_MEDIATOR_IDLE_SECONDS)."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from kiosk.storage.db import connect
from tests.conftest import Resident

START = datetime(2026, 12, 1, 9, 0, tzinfo=timezone.utc)
ZOE = {"name": "Zoé Bernard", "structure": "Bourbon'Net", "source": "local"}


@pytest.fixture
def clock(monkeypatch):
    """Both clocks the server reads (the visits' and the session cookie's), moved together."""
    from kiosk.web import resident

    moment = {"now": START}
    monkeypatch.setattr(resident, "now", lambda: moment["now"])
    monkeypatch.setattr(resident, "wall_seconds", lambda: int(moment["now"].timestamp()))
    return moment


def statuses(app) -> list[str]:
    db = connect(app.config["DATABASE"])
    try:
        return [row["status"] for row in db.query("select status from visits order by id")]
    finally:
        db.close()


def test_a_resident_starting_on_one_tablet_leaves_a_paused_guided_diagnostic(make_app, clock):
    app = make_app(IDLE_SECONDS=180, IDLE_WARNING_SECONDS=30, MEDIATOR_IDLE_SECONDS=900)
    guided = Resident(app.test_client())
    with guided.client.session_transaction() as session:
        session["mediator"] = dict(ZOE)
    guided.get("/mediateur/accueil")
    assert guided.post("/mediateur/guide", {"lang": "fr"}).status_code == 303
    assert guided.answer("internet_ever", {"answer": "no"}).status_code == 303

    clock["now"] = START + timedelta(minutes=6)     # the mediator explains, 6 minutes
    Resident(app.test_client()).start()             # meanwhile, another tablet starts
    assert statuses(app) == ["active", "active"]
    response = guided.answer("devices", {"idk": "1"})
    assert response.status_code == 303 and "/q/" in response.location


def test_a_browser_gone_away_is_still_closed_when_another_tablet_starts(make_app, clock):
    app = make_app(IDLE_SECONDS=180, IDLE_WARNING_SECONDS=30, MEDIATOR_IDLE_SECONDS=900)
    gone = Resident(app.test_client())
    gone.start()
    gone.answer("internet_ever", {"answer": "no"})
    clock["now"] = START + timedelta(minutes=16)    # past 900 + 30 + 10 s: a closed tab
    Resident(app.test_client()).start()
    assert statuses(app) == ["abandoned", "active"]
