"""Every resident screen goes back to the default welcome after inactivity, in a real
browser: the welcome screen after a language and a contrast were chosen there, and an
error page met in the middle of a diagnostic (which must not offer to resume it). The
warning itself counts down in words, chimes and speaks, and "I am here" reaches the server.
"""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.steps import STILL_THERE, WELCOME, heading, session_cookie, start
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


@pytest.fixture(scope="module")
def warning_server(tmp_path_factory):
    """A 2 s inactivity delay and a 12 s warning: time to watch it count down."""
    yield from start_server(tmp_path_factory.mktemp("idle-warning"), IDLE_SECONDS=2,
                            IDLE_WARNING_SECONDS=12)


# Counts the chimes: the browser makes the sound itself (Web Audio), there is no file.
COUNT_CHIMES = """(() => {
    window.chimes = 0;
    const Real = window.AudioContext;
    window.AudioContext = function () { window.chimes += 1; return new Real(); };
})();"""


def test_the_warning_counts_down_chimes_speaks_and_staying_reaches_the_server(
        new_context, warning_server):
    page = new_context(base_url=warning_server.url).new_page()
    page.add_init_script(COUNT_CHIMES)
    start(page)   # by clicks: the page may play sound after a person's touch
    dialog = page.get_by_role("dialog", name=STILL_THERE)
    expect(dialog).to_be_visible(timeout=6_000)
    countdown = dialog.locator("#idle-countdown")
    expect(countdown).to_have_text(re.compile(r"^Retour au début dans 1[02] secondes\.$"))
    expect(countdown).to_have_text("Retour au début dans 10 secondes.", timeout=4_000)
    assert page.evaluate("window.chimes") == 1
    # Then the title and the sentence, read from their clips, one after the other.
    page.wait_for_function("""() => {
        const clips = [...document.querySelectorAll("audio[data-idle-voice]")];
        return clips.length === 2 && clips.every(clip => clip.played.length > 0);
    }""", timeout=15_000)

    with page.expect_request(lambda request: request.method == "HEAD") as sign:
        dialog.get_by_role("button", name="Je suis là, je continue").click()
    assert sign.value.url.endswith("/q/internet_ever")
    expect(dialog).to_be_hidden()
    assert page.evaluate("""() => [...document.querySelectorAll("audio[data-idle-voice]")]
                                   .every(clip => clip.paused)""")
