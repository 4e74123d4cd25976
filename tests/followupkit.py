"""Shared by the follow-up tests: two moments, a kiosk clock to set, codes read from pages."""
from __future__ import annotations

import re
from datetime import datetime, timezone

from kiosk.diagnostic.followup import decode
from kiosk.diagnostic.resources import get_questionnaire
from kiosk.web import resident as resident_views

FIRST = datetime(2026, 12, 1, 10, tzinfo=timezone.utc)   # 2026-W49 (Monday 30 November)
LATER = datetime(2027, 3, 2, 10, tzinfo=timezone.utc)    # 2027-W09, 13 weeks later

# The code as the result page shows it (the visible groups; a screen reader gets digits).
SHOWN_CODE = re.compile(r'<span aria-hidden="true">(\d{4} \d{4} \d{4} \d{4})</span>')


def set_clock(monkeypatch, moment: datetime) -> None:
    """The kiosk's clock (visits, records, the week a code is checked against)."""
    monkeypatch.setattr(resident_views, "now", lambda: moment)


def shown_code(page: str) -> str:
    """The follow-up code a result page or sheet shows, as printed: "1234 5678 …"."""
    found = SHOWN_CODE.findall(page)
    assert len(found) == 1, found
    return found[0]


def offer_ids(app) -> list[str]:
    with app.app_context():
        return [offer.id for offer in get_questionnaire().offers]


def carried(app, code: str):
    """What a code carries, read with this app's questionnaire."""
    return decode(code, offer_ids(app))


def finish_visit(resident, answers=None, how=None):
    """Answer every screen of the visit already started (a follow-up's), as
    Resident.complete does after its own start."""
    resident.start = lambda: None
    try:
        return resident.complete(answers, how=how)
    finally:
        del resident.start


def follow_up(client_resident, code: str, takeup: dict | None = None, answers=None,
              how=None):
    """Enter ``code`` on the code screen, answer the take-up page if it comes (``takeup``:
    form data), then the questionnaire (``answers``, ``how``: as Resident.complete); the
    response of the last answer."""
    client_resident.get("/suivi")
    response = client_resident.post("/suivi", {"code": code})
    assert response.status_code == 303, response.status_code
    if response.location.endswith("/suivi/aide"):
        client_resident.get("/suivi/aide")
        response = client_resident.post("/suivi/aide", takeup or {})
        assert response.status_code == 303
    assert response.location.endswith("/notice")
    return finish_visit(client_resident, answers, how=how)
