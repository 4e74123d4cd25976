"""Every resident screen goes back to the default welcome after inactivity, in a real
browser: the welcome screen after a language and a contrast were chosen there, and an
error page met in the middle of a diagnostic (which must not offer to resume it).
"""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.steps import STILL_THERE, WELCOME, heading, session_cookie
from tests.live import start_server

pytestmark = pytest.mark.browser

RESUME = "Reprendre mon diagnostic"


@pytest.fixture(scope="module")
def bilingual_idle_server(tmp_path_factory):
    """French and English, a 2 s inactivity delay and a 1 s warning."""
    yield from start_server(tmp_path_factory.mktemp("idle-bilingual"), LANGUAGES="fr,en",
                            IDLE_SECONDS=2, IDLE_WARNING_SECONDS=1)


@pytest.fixture
def idle_page(new_context, bilingual_idle_server):
    return new_context(base_url=bilingual_idle_server.url).new_page()


def expect_default_welcome(page: Page):
    """French, normal contrast and text, nothing to resume, nothing in the session."""
    html = page.locator("html")
    expect(html).to_have_attribute("lang", "fr", timeout=10_000)
    expect(heading(page)).to_have_text(WELCOME)
    expect(page).to_have_url(re.compile(r"^http://127\.0\.0\.1:\d+/$"))
    expect(html).not_to_have_attribute("class", re.compile("contrast-high"))
    expect(page.get_by_role("link", name=RESUME)).to_have_count(0)
    assert not {"sid", "lang", "contrast", "text"} & set(session_cookie(page))


def test_welcome_choices_are_forgotten_after_inactivity(idle_page: Page):
    page = idle_page
    page.goto("/")
    page.get_by_role("button", name="Contraste fort").click()
    page.get_by_role("link", name=re.compile("Français")).click()
    page.get_by_role("button", name="English").click()
    html = page.locator("html")
    expect(html).to_have_attribute("lang", "en")
    expect(html).to_have_class(re.compile("contrast-high"))

    # Silence: the warning (in the chosen language), then the default welcome screen.
    expect(page.get_by_role("dialog")).to_be_visible(timeout=6_000)
    expect_default_welcome(page)


def test_error_page_mid_diagnostic_resets_without_a_resume_offer(idle_page: Page):
    page = idle_page
    page.goto("/")
    page.get_by_role("button", name="Français").click()   # starts the diagnostic
    expect(heading(page)).to_have_text("Avant de commencer")
    page.get_by_role("link", name="D'accord, je commence").click()
    assert "sid" in session_cookie(page)

    page.goto("/no-such-page")
    expect(heading(page)).to_have_text("Oups !")
    dialog = page.get_by_role("dialog", name=STILL_THERE)
    expect(dialog).to_be_visible(timeout=6_000)
    expect_default_welcome(page)
