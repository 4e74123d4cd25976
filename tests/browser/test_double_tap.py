"""A second tap on "Suivant" while the next page loads does nothing visible: no red
error on the next screen, the answer sent once (issue 9, §3)."""
from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.steps import NEXT, button, expect_screen, option, start

pytestmark = pytest.mark.browser


def expect_no_error(page: Page):
    expect(page.locator("#error")).to_have_text("")
    expect(page.get_by_role("heading", level=1)).not_to_have_text("Oups !")


def test_second_tap_landing_on_the_next_screen_shows_no_error(page: Page):
    start(page)
    option(page, "Oui.").click()
    button(page, NEXT).click()
    # The finger taps again where "Suivant" was, as the next screen appears.
    page.wait_for_url("**/q/last_use", wait_until="commit")
    button(page, NEXT).click()
    expect_screen(page, "last_use", 2)
    expect_no_error(page)


def test_after_a_submit_a_second_one_is_not_sent_and_the_button_keeps_the_focus(page: Page):
    start(page)
    option(page, "Oui.").click()
    page.evaluate("""() => {   // hold the page as it is when the form leaves
        window.sent = 0;
        document.querySelector("form.question").addEventListener("submit", (event) => {
            if (!event.defaultPrevented) { window.sent += 1; }
            event.preventDefault();
        });
    }""")
    nxt = button(page, NEXT)
    nxt.focus()
    page.keyboard.press("Enter")
    page.keyboard.press("Enter")
    expect(nxt).to_have_attribute("aria-disabled", "true")
    expect(nxt).to_be_focused()
    assert page.evaluate("window.sent") == 1
