"""axe-core (RGAA / WCAG 2.1 AA rules) and touch-target sizes on every kind of screen.

axe runs with every rule it has, on the whole page, with the kiosk's own CSP in force;
a violation fails the test, and so does a run that checked nothing. axe does not check
the 44 x 44 px touch targets that elderly fingers need: the bounding boxes are measured.
"""
from __future__ import annotations

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from tests.browser.steps import (ALL_SCREENS, DECLINE, NEXT, SCREENS, STILL_THERE, button,
                                 choose_commune, expect_screen, first_answer, heading, option,
                                 start)

pytestmark = pytest.mark.browser

AXE = Axe()
TOUCH_PX = 44
# Everything a finger may need to hit: answers (their whole label), buttons, links shown
# as buttons, the text field.
TARGETS = "label.option, button:visible, a.button:visible, input[type=text]"


def check_axe(page: Page, what: str) -> None:
    """axe-core with all its rules: no violation, and it really checked something."""
    results = AXE.run(page, options={"resultTypes": ["violations", "passes"]})
    response = results.response
    version = tuple(int(n) for n in re.findall(r"\d+", response["testEngine"]["version"])[:2])
    assert version >= (4, 11), f"axe {response['testEngine']['version']} lacks the RGAA tags"
    assert response["passes"], f"{what}: axe checked nothing"
    assert results.violations_count == 0, f"{what}:\n{results.generate_report()}"


def check_page(page: Page, what: str) -> None:
    """No axe violation, axe really ran, and every touch target is at least 44 x 44 px."""
    check_axe(page, what)
    small = too_small(page, TARGETS)
    assert small == [], f"{what}: touch targets under {TOUCH_PX} px: {small}"


def too_small(page: Page, selector: str) -> list:
    """The elements of ``selector`` shown smaller than 44 x 44 px: [html, width, height]."""
    page.wait_for_load_state("load")  # measured with the page's stylesheet, never before
    return page.eval_on_selector_all(selector, f"""els => els.map(el => {{
        const r = el.getBoundingClientRect();
        return [el.outerHTML.slice(0, 80), Math.round(r.width), Math.round(r.height)];
    }}).filter(([, w, h]) => w > 0 && (w < {TOUCH_PX} || h < {TOUCH_PX}))""")


def test_every_screen_of_a_diagnostic(page: Page):
    page.goto("/")
    check_page(page, "welcome")
    start(page)
    check_page(page, "notice is passed; question 1")
    for number, screen_id in enumerate(ALL_SCREENS, start=1):
        screen = SCREENS[screen_id]
        expect_screen(page, screen_id, number)
        check_page(page, screen_id)
        if screen_id == "devices":
            # Nothing chosen, twice (a first tap this soon after "Suivant" may be taken as
            # a double tap, forgiven once): the error state.
            for _ in range(2):
                button(page, NEXT).click()
            expect(page.get_by_role("alert")).not_to_be_empty()
            check_page(page, "devices with an error")
        if screen_id == "act_information":
            # Items ticked: their "how" groups shown; then sent without saying how, the
            # error state; then each item still ticked is said done alone.
            for item in screen["options"][:3]:
                option(page, item["label"]).click()
            expect(page.locator("fieldset.how:visible")).to_have_count(3)
            check_page(page, "activities with three items ticked")
            button(page, NEXT).click()
            expect(page.get_by_role("alert")).not_to_be_empty()
            check_page(page, "activities refused: how not said")
            for item in page.locator(".activity").all():
                if item.locator("input[name=answer]").is_checked():
                    item.locator("label.how-option").first.click()
        if screen["type"] == "activities":
            # The first item done alone (ticked again if the refusal did not keep it).
            first_answer(page)
            button(page, NEXT).click()
        elif screen["type"] == "commune":
            choose_commune(page, "03000")              # the list of communes to choose from
            check_page(page, "commune choice")
            page.get_by_text("Moulins (03000)", exact=True).click()
            button(page, NEXT).click()
        elif screen_id in ("age_band", "situation"):
            button(page, DECLINE).click()
        else:
            labels = [o["label"] for o in screen.get("options", [])] or ["Oui, seul ou seule."]
            option(page, labels[0]).click()
            button(page, NEXT).click()
    expect(heading(page)).to_have_text("Votre résultat")
    check_page(page, "result")
    page.get_by_role("link", name="Voir la feuille à imprimer").click()
    check_page(page, "printable sheet")
    page.goto("/nowhere")
    check_page(page, "error page")


def test_timeout_warnings(idle_page: Page, page: Page):
    start(idle_page)
    expect(idle_page.get_by_role("dialog")).to_be_visible(timeout=10_000)
    expect(idle_page.get_by_role("dialog")).to_contain_text(STILL_THERE)
    check_page(idle_page, "timeout warning dialog")
    # The warning page that a meta refresh shows when JavaScript is off, on the server
    # with the long delays so that it stays put while axe reads it.
    start(page)
    page.goto("/idle?back=/q/internet_ever")
    expect(heading(page)).to_have_text(STILL_THERE)
    check_page(page, "timeout warning page (no JavaScript)")
