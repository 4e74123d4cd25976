"""The activities screens ("Ces 3 derniers mois, … avez-vous… ?"): tick what was done,
then say how. Usable by touch, by keyboard alone and with a screen reader (issue 9, §1:
several activities may share a screen only if a test shows that).

The "how" group of an item appears under it once it is ticked (CSS alone): before, it is
neither drawn, nor in the tab order, nor in the accessibility tree.
"""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.steps import (HOW, NEXT, SCREENS, button, expect_screen, first_answer,
                                 go_on, heading, how_group, option, start, tab_to,
                                 tick_activities)

pytestmark = pytest.mark.browser

HOW_LEGEND = "Comment l'avez-vous fait ?"
SAY_HOW = ("Pour chaque chose cochée, dites comment : seul ou seule, avec l'aide de "
           "quelqu'un, ou quelqu'un l'a fait pour vous.")
TICK_SOMETHING = ("Cochez ce que vous avez fait, ou « Rien de tout cela », ou appuyez sur "
                  "« Je ne sais pas ».")
NONE_WITH_OTHERS = ("« Rien de tout cela » ne va pas avec une autre réponse. Choisissez "
                    "l'un ou l'autre.")
GOODS = "Cherché un produit, un service ou un prix."
HEALTH = "Cherché une information sur la santé (une maladie, un médicament)."
NEWS = "Lu les nouvelles (un journal, un site d'actualités)."
KIOSK_SCREEN = {"width": 1280, "height": 1024}
LONG_SCREENS = ["act_content", "act_safety", "act_problem_solving"]  # seven items each


def labels(screen_id: str) -> list[str]:
    return [o["label"] for o in SCREENS[screen_id]["options"]]


def to_activities(page: Page, tap: bool = False) -> None:
    """Start, then a recent internet user's access answers: the first activities screen."""
    start(page, tap=tap)
    for _ in ("internet_ever", "last_use", "devices", "home_connection"):
        first_answer(page, tap=tap)
        go_on(page, button(page, NEXT), tap=tap)
    expect_screen(page, "act_information", 5)


def walk_to(page: Page, screen_id: str) -> None:
    """From the first activities screen to ``screen_id``, the first item done alone."""
    while not page.url.endswith(f"/q/{screen_id}"):
        first_answer(page)
        go_on(page, button(page, NEXT))


TAB_STOP = """() => {
    const el = document.activeElement;
    if (el.type === 'checkbox') return 'box ' + el.value;
    if (el.type === 'radio') return el.name + ' ' + el.value;
    return el.tagName.toLowerCase() + ' ' + (el.textContent || '').trim().slice(0, 20);
}"""


def tab_stops(page: Page, until) -> list[str]:
    """The answers' tab stops from the heading to ``until`` (the "listen" buttons left
    out): what a keyboard user passes through."""
    heading(page).focus()
    stops = []
    for _ in range(60):
        page.keyboard.press("Tab")
        if until.evaluate("el => el === document.activeElement"):
            return stops
        stop = page.evaluate(TAB_STOP)
        if not stop.startswith("button"):
            stops.append(stop)
    raise AssertionError(f"Tab never reached {until}: {stops}")


# --- Touch ------------------------------------------------------------------------------

def test_by_touch_tap_an_item_then_how(new_context):
    page = new_context(has_touch=True).new_page()
    to_activities(page, tap=True)
    expect(page.locator("fieldset.how:visible")).to_have_count(0)
    option(page, GOODS).tap()
    expect(page.get_by_label(GOODS, exact=True)).to_be_checked()
    group = how_group(page, GOODS)
    expect(group).to_be_visible()
    expect(page.locator("fieldset.how:visible")).to_have_count(1)
    group.locator("label.option").filter(has_text=HOW["helped"]).tap()
    expect(group.get_by_label(HOW["helped"])).to_be_checked()
    # Tapping the item again unticks it and hides its question.
    option(page, NEWS).tap()
    expect(how_group(page, NEWS)).to_be_visible()
    option(page, NEWS).tap()
    expect(how_group(page, NEWS)).to_be_hidden()
    button(page, NEXT).tap()
    expect_screen(page, "act_communication", 6)

    # Back: what was said is shown again, and only that.
    page.get_by_role("link", name="Retour").tap()
    expect_screen(page, "act_information", 5)
    expect(page.get_by_label(GOODS, exact=True)).to_be_checked()
    expect(how_group(page, GOODS).get_by_label(HOW["helped"])).to_be_checked()
    expect(page.locator("input[name=answer]:checked")).to_have_count(1)
    expect(page.locator("fieldset.how:visible")).to_have_count(1)


# --- Keyboard ---------------------------------------------------------------------------

def test_by_keyboard_only_box_then_how_then_next(page: Page):
    to_activities(page)
    items = [o["id"] for o in SCREENS["act_information"]["options"]]
    nxt = button(page, NEXT)
    # Nothing ticked: only the boxes, then "Rien de tout cela", are tab stops.
    assert tab_stops(page, nxt) == [f"box {i}" for i in [*items, "_none"]]

    # Tab to the first box, Space ticks it; its group is the next stop (past its "listen"
    # button); an arrow key chooses "Avec l'aide de quelqu'un"; Tab on to "Suivant".
    heading(page).focus()
    box = page.get_by_label(GOODS, exact=True)
    tab_to(page, box, limit=4)
    page.keyboard.press("Space")
    expect(box).to_be_checked()
    alone = how_group(page, GOODS).get_by_label(HOW["alone"])
    tab_to(page, alone, limit=2)
    page.keyboard.press("ArrowDown")
    helped = how_group(page, GOODS).get_by_label(HOW["helped"])
    expect(helped).to_be_checked()
    expect(helped).to_be_focused()
    assert tab_stops(page, nxt) == [f"box {items[0]}", f"how-{items[0]} helped",
                                    *[f"box {i}" for i in [*items[1:], "_none"]]]
    tab_to(page, nxt, limit=30)
    page.keyboard.press("Enter")
    expect_screen(page, "act_communication", 6)
    page.go_back()
    expect_screen(page, "act_information", 5)
    expect(how_group(page, GOODS).get_by_label(HOW["helped"])).to_be_checked()


# --- Screen reader ----------------------------------------------------------------------

def test_screen_reader_names_each_how_group_by_its_item(page: Page):
    to_activities(page)
    # Hidden groups are out of the accessibility tree.
    expect(page.get_by_role("group", name=HOW_LEGEND)).to_have_count(0)
    expect(page.get_by_role("radio")).to_have_count(0)
    for item in (GOODS, NEWS):
        box = page.get_by_role("checkbox", name=item, exact=True)
        expect(box).to_have_accessible_name(item)
        box.check()
    groups = page.get_by_role("group", name=HOW_LEGEND)
    expect(groups).to_have_count(2)
    for group, item in zip(groups.all(), (GOODS, NEWS)):
        # Its name asks how; its description says for which item.
        expect(group).to_have_accessible_name(HOW_LEGEND)
        expect(group).to_have_accessible_description(item)
        expect(group.get_by_role("radio")).to_have_count(3)
        for words in HOW.values():
            expect(group.get_by_role("radio", name=words, exact=True)).to_have_count(1)
    expect(page.get_by_role("checkbox", name="Rien de tout cela.")).to_have_count(1)


def test_refused_answers_are_announced_focused_and_keep_the_ticks(page: Page):
    to_activities(page)
    alert = page.get_by_role("alert")
    question = page.locator("form.question > fieldset")

    # Nothing ticked (twice: a first tap this soon after "Suivant" is taken as the second
    # tap of a double tap and forgiven once).
    for _ in range(2):
        button(page, NEXT).click()
    expect(alert).to_have_text(TICK_SOMETHING)
    expect(alert).to_be_focused()
    expect(question).to_have_attribute("aria-describedby", "error")

    # Ticked, but how not said: refused, and the ticks are still there.
    page.get_by_label(GOODS, exact=True).check()
    page.get_by_label(HEALTH, exact=True).check()
    how_group(page, HEALTH).get_by_label(HOW["alone"]).check()
    button(page, NEXT).click()
    expect(alert).to_have_text(SAY_HOW)
    expect(alert).to_be_focused()
    expect_screen(page, "act_information", 5)
    expect(page.get_by_label(GOODS, exact=True)).to_be_checked()
    expect(page.get_by_label(HEALTH, exact=True)).to_be_checked()
    expect(how_group(page, HEALTH).get_by_label(HOW["alone"])).to_be_checked()
    expect(how_group(page, GOODS)).to_be_visible()

    # "Rien de tout cela" with an item: refused.
    how_group(page, GOODS).get_by_label(HOW["done_for_me"]).check()
    page.get_by_label("Rien de tout cela.", exact=True).check()
    button(page, NEXT).click()
    expect(alert).to_have_text(NONE_WITH_OTHERS)
    expect(alert).to_be_focused()
    expect(page.get_by_label("Rien de tout cela.", exact=True)).to_be_checked()
    expect(how_group(page, GOODS).get_by_label(HOW["done_for_me"])).to_be_checked()

    # Said properly, it is taken.
    page.get_by_label("Rien de tout cela.", exact=True).uncheck()
    button(page, NEXT).click()
    expect_screen(page, "act_communication", 6)


# --- A long screen at the kiosk's size --------------------------------------------------

@pytest.mark.parametrize("screen_id", LONG_SCREENS)
def test_next_is_reachable_on_a_long_screen_with_three_ticked(new_context, screen_id):
    """At 1280x1024 a seven-item screen with three items ticked is taller than the
    screen: "Suivant" is below the fold (the practical tasks are held to no scrolling,
    these screens are not), and a tap on it still lands once the page scrolls."""
    page = new_context(viewport=KIOSK_SCREEN, has_touch=True).new_page()
    to_activities(page)
    walk_to(page, screen_id)
    ticked = {label: "alone" for label in labels(screen_id)[:3]}
    tick_activities(page, ticked, tap=True)
    expect(page.locator("fieldset.how:visible")).to_have_count(3)
    nxt = button(page, NEXT)
    page.evaluate("window.scrollTo(0, 0)")
    box = nxt.bounding_box()
    assert box["y"] + box["height"] > KIOSK_SCREEN["height"]  # below the fold: scroll
    nxt.tap()  # scrolled into view, and not covered by anything
    expect(page).not_to_have_url(re.compile(rf"/q/{screen_id}$"))
