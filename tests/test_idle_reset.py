"""Inactivity resets every resident screen for the next person (Flask test client).

What the next person must never find: the previous person's language, text size or
contrast, an error page in the middle of someone's diagnostic, or an offer to resume it.
The browser side (the warning dialog, then the reset) is in tests/browser/test_idle_reset.py.
"""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from tests.conftest import Resident

IDLE_MARKUP = ('data-idle="180" data-warning="30" data-timeout-url="/timeout"',
               '<meta http-equiv="refresh" content="180;url=/idle?back=')
RESUME = "Reprendre mon diagnostic"


@pytest.fixture
def bilingual(make_app):
    """A resident on a kiosk offering French and English (the default delays)."""
    return Resident(make_app(LANGUAGES="fr,en").test_client())


def carries_idle_reset(page: str) -> bool:
    return all(markup in page for markup in IDLE_MARKUP)


def choose_english_and_high_contrast(resident: Resident) -> None:
    resident.get("/")
    assert resident.post("/display", {"contrast": "high", "next": "/"}).location == "/"
    resident.get("/language?next=/")
    assert resident.post("/language", {"lang": "en", "next": "/"}).location == "/"


def test_untouched_welcome_does_not_count_down(bilingual):
    """The default welcome screen is what a reset shows: nothing to forget there."""
    page = bilingual.get("/").get_data(as_text=True)
    assert not carries_idle_reset(page) and "data-idle" not in page


def test_welcome_resets_once_a_display_or_language_is_chosen(bilingual):
    bilingual.get("/")
    bilingual.post("/display", {"contrast": "high", "next": "/"})
    page = bilingual.get("/").get_data(as_text=True)
    assert 'class="contrast-high"' in page and carries_idle_reset(page)

    other = Resident(bilingual.client.application.test_client())
    other.get("/language?next=/")
    other.post("/language", {"lang": "en", "next": "/"})
    page = other.get("/").get_data(as_text=True)
    assert '<html lang="en"' in page and carries_idle_reset(page)


def test_language_list_resets_even_before_any_choice(bilingual):
    assert carries_idle_reset(bilingual.get("/language?next=/").get_data(as_text=True))


@pytest.mark.parametrize("url,status", [("/no-such-page", 404), ("/finish", 405)])
def test_error_pages_carry_the_idle_reset(resident, url, status):
    response = resident.client.get(url)
    assert response.status_code == status
    assert carries_idle_reset(response.get_data(as_text=True))


def test_error_page_mid_diagnostic_resets_like_the_others(resident):
    resident.start()
    resident.answer("internet_ever", {"answer": "no"})
    resident.get("/q/devices")
    response = resident.post("/q/reading", {"answer": "easy"})  # not reached yet
    assert response.status_code == 409
    assert carries_idle_reset(response.get_data(as_text=True))


def test_timeout_forgets_language_contrast_and_visit(bilingual):
    choose_english_and_high_contrast(bilingual)
    bilingual.post("/display", {"text": "large", "next": "/"})
    bilingual.post("/start")
    bilingual.answer("internet_ever", {"answer": "no"})

    assert bilingual.client.get("/timeout").location == "/"
    page = bilingual.get("/").get_data(as_text=True)
    assert '<html lang="fr"' in page
    assert "contrast-high" not in page and "text-large" not in page
    assert RESUME not in page and "data-idle" not in page
    with bilingual.client.session_transaction() as session:
        assert not {"sid", "lang", "text", "contrast"} & set(session)


def test_error_page_offers_resume_to_its_person_never_after_the_reset(resident, db):
    """Within the delay, the person who met the error goes back to the start and
    resumes (the message promises their answers are kept); after the reset, the next
    person sees the default welcome screen with nothing to resume."""
    resident.start()
    resident.answer("internet_ever", {"answer": "no"})
    resident.get("/q/devices")
    assert resident.post("/q/reading", {"answer": "easy"}).status_code == 409
    assert RESUME in resident.get("/").get_data(as_text=True)

    assert resident.client.get("/no-such-page").status_code == 404
    resident.client.get("/timeout")   # what the error page's countdown leads to
    page = resident.get("/").get_data(as_text=True)
    assert RESUME not in page
    (visit,) = db["visits"].rows
    assert visit["status"] != "active"


def test_server_forgets_welcome_choices_after_the_idle_limit(bilingual):
    """Without the browser's reset (JavaScript off, a crashed tab), the next request
    after the idle limit finds the default welcome, not the previous person's display."""
    choose_english_and_high_contrast(bilingual)
    with bilingual.client.session_transaction() as session:
        session["seen"] -= 3600  # an hour without a touch
    assert bilingual.client.get("/").location == "/"
    page = bilingual.get("/").get_data(as_text=True)
    assert '<html lang="fr"' in page and "contrast-high" not in page


def test_warning_page_without_javascript_also_on_the_welcome_screen(bilingual):
    """The no-JavaScript warning (the meta refresh's target) is shown for a welcome
    screen with choices, and leads to the reset; with nothing chosen it is not needed."""
    assert bilingual.client.get("/idle?back=/").location == "/"
    bilingual.get("/")
    bilingual.post("/display", {"contrast": "high", "next": "/"})
    page = bilingual.get("/idle?back=/").get_data(as_text=True)
    assert '<meta http-equiv="refresh" content="30;url=/timeout">' in page


# --- a clock stepping back (issue 8, item 11) --------------------------------------------

class Clock:
    """The kiosk's wall clock, set by the test: no sleeping."""

    def __init__(self, seconds: int):
        self.seconds = seconds

    def wall(self) -> int:
        return self.seconds

    def now(self) -> datetime:
        return datetime.fromtimestamp(self.seconds, timezone.utc)


@pytest.fixture
def clock(monkeypatch):
    from kiosk.web import resident as views

    clock = Clock(1_780_000_000)
    monkeypatch.setattr(views, "wall_seconds", clock.wall)
    monkeypatch.setattr(views, "now", clock.now)
    return clock


LIMIT = 180 + 30 + 10  # IDLE_SECONDS + IDLE_WARNING_SECONDS + the server's grace


def test_idle_limit_works_again_after_the_clock_steps_back(resident, db, clock):
    resident.start()
    resident.answer("internet_ever", {"answer": "no"})
    resident.get("/q/devices")

    clock.seconds -= 86_400          # the clock is set back a day (NTP, by hand)
    assert resident.get("/q/devices").status_code == 200   # counted as activity
    clock.seconds += LIMIT - 1
    assert resident.get("/q/devices").status_code == 200   # still within the limit

    clock.seconds += LIMIT + 1       # then silence, longer than the limit
    response = resident.client.get("/q/devices")
    assert response.status_code == 303 and response.location == "/"
    (visit,) = db["visits"].rows
    assert visit["status"] != "active"
    (result,) = db["results"].rows
    assert result["complete"] == 0 and result["last_screen"] == "devices"


def test_visit_stamped_before_the_clock_stepped_back_is_swept(make_app, clock):
    """A browser gone away before the clock was set back leaves a visit whose last
    answer is 'in the future': the next person's start closes it all the same."""
    app = make_app()
    first = Resident(app.test_client())
    first.start()
    first.answer("internet_ever", {"answer": "no"})

    clock.seconds -= 86_400
    Resident(app.test_client()).start()
    from kiosk.storage.db import connect

    database = connect(app.config["DATABASE"])
    statuses = sorted(v["status"] for v in database["visits"].rows)
    (result,) = database["results"].rows
    database.close()
    assert statuses == ["abandoned", "active"]
    assert result["complete"] == 0 and result["last_screen"] == "devices"
