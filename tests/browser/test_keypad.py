"""The commune screen on a kiosk with no keyboard: the on-screen keypad types the postal
code, the communes using it are listed most populated first, one tap chooses (issue 9, §3)."""
from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.steps import (NEVER_SCREENS, NEXT, button, expect_screen, option,
                                 skip_label, start)

pytestmark = pytest.mark.browser

FIELD = "Nom de la commune ou code postal"
# 03210, from communes_03.csv: Souvigny 1698 inhabitants, Saint-Menoux 1116, Besson 728...
BY_POPULATION = ["Souvigny (03210)", "Saint-Menoux (03210)", "Besson (03210)",
                 "Noyant-d'Allier (03210)", "Chemilly (03210)", "Bresnay (03210)",
                 "Châtillon (03210)", "Autry-Issards (03210)", "Agonges (03210)",
                 "Gipcy (03210)", "Marigny (03210)", "Meillers (03210)"]


def to_commune_screen(page: Page, tap: bool = True) -> None:
    """The short path (never used the internet) up to the commune screen."""
    press = (lambda loc: loc.tap()) if tap else (lambda loc: loc.click())
    start(page, tap=tap)
    press(option(page, "Non, jamais."))
    press(button(page, NEXT))
    for screen_id in NEVER_SCREENS[1:NEVER_SCREENS.index("commune")]:
        expect_screen(page, screen_id)
        press(button(page, skip_label(screen_id)))
    expect_screen(page, "commune")


def test_keypad_types_a_postal_code_and_a_tap_chooses_the_commune(new_context):
    page = new_context(has_touch=True).new_page()
    to_commune_screen(page)
    field = page.get_by_label(FIELD)
    for digit in "03210":
        button(page, digit).tap()
    expect(field).to_have_value("03210")
    button(page, "5").tap()  # a postal code has five digits: a sixth is not typed
    expect(field).to_have_value("03210")
    button(page, "Effacer").tap()
    expect(field).to_have_value("0321")
    button(page, "0").tap()
    expect(page.get_by_role("status")).to_have_text("0 3 2 1 0")

    button(page, "Valider").tap()
    message = page.get_by_role("alert")
    expect(message).to_have_text("Plusieurs communes correspondent. Choisissez la vôtre.")
    # A choice to make, not a mistake: the message is in the text colour, not red.
    page.wait_for_load_state("load")  # compared with its stylesheet, not the defaults
    ink = page.evaluate("getComputedStyle(document.body).color")
    assert message.evaluate("el => getComputedStyle(el).color") == ink
    expect(page.locator(".commune-candidates label.option")).to_have_text(BY_POPULATION)

    page.get_by_text("Saint-Menoux (03210)", exact=True).tap()
    button(page, NEXT).tap()
    expect_screen(page, NEVER_SCREENS[NEVER_SCREENS.index("commune") + 1])


def test_keys_are_big_named_buttons_that_a_keyboard_reaches(page: Page):
    to_commune_screen(page, tap=False)
    keypad = page.get_by_role("group", name="Ou tapez le code postal :")
    keys = keypad.get_by_role("button")
    expect(keys).to_have_text([*"123456789", "Effacer", "0", "Valider"])
    for index in range(keys.count()):
        box = keys.nth(index).bounding_box()
        assert box["width"] >= 44 and box["height"] >= 44, keys.nth(index).inner_text()
    # By keyboard: from the field, Tab reaches the keys; Enter presses them.
    page.get_by_label(FIELD).fill("Moul")
    page.get_by_label(FIELD).focus()
    page.keyboard.press("Tab")
    expect(button(page, "1")).to_be_focused()
    page.keyboard.press("Enter")  # a digit replaces a name being typed
    expect(page.get_by_label(FIELD)).to_have_value("1")


def test_without_javascript_the_field_alone_works(new_context):
    page = new_context(java_script_enabled=False).new_page()
    to_commune_screen(page, tap=False)
    expect(page.get_by_role("group", name="Ou tapez le code postal :")).to_be_hidden()
    page.get_by_label(FIELD).fill("03210")
    button(page, NEXT).click()
    expect(page.locator(".commune-candidates label.option")).to_have_text(BY_POPULATION)
    page.get_by_text("Souvigny (03210)", exact=True).click()
    button(page, NEXT).click()
    expect_screen(page, NEVER_SCREENS[NEVER_SCREENS.index("commune") + 1])
