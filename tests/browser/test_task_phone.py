"""The back-button task on a kiosk's screen: the buttons drawn on the phone are the
answers (tapped, 44 px and more, named for a screen reader), "Suivant" is on screen
without scrolling, and in Arabic the drawn phone is mirrored but its numbers are not.

The walk: never used the internet, "Je ne sais pas" twice, the scam task answered; so
the back-button screen also carries the note that explains the scam, as it does for
every resident, and must still fit.
"""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.live import start_server

pytestmark = pytest.mark.browser

NEXT = ".actions button.primary"
IDK = ".actions button.secondary"
SCREENS = {"1280x1024": {"width": 1280, "height": 1024},
           "1920x1080": {"width": 1920, "height": 1080}}
# Where the drawing's buttons are, in its 320-unit width: the back arrow is the first.
DRAWN_X = [55, 125, 195, 265]
TOUCH_PX = 44


@pytest.fixture(scope="module")
def fr_ar_server(tmp_path_factory):
    yield from start_server(tmp_path_factory.mktemp("task-phone"), LANGUAGES="fr,ar")


@pytest.fixture
def screen(new_context, fr_ar_server, request):
    context = new_context(base_url=fr_ar_server.url, viewport=SCREENS[request.param],
                          has_touch=True)
    yield context.new_page()
    context.close()


def walk_to_back_task(page: Page, lang: str) -> None:
    page.goto("/")
    page.locator(f"button[name=lang][value={lang}]").tap()
    page.locator("main a.button.primary").tap()
    page.locator("input[name=answer][value=no]").check()
    page.locator(NEXT).tap()
    for _ in ("devices", "home_connection"):
        page.locator(IDK).tap()
    expect(page).to_have_url(re.compile(r"/q/task_phishing$"))
    page.locator("label.option", has=page.locator("input[value=refund]")).tap()
    page.locator(NEXT).tap()
    expect(page).to_have_url(re.compile(r"/q/task_back$"))
    # The URL changes when the new page commits, before its stylesheet and script have
    # run: measured then, on a busy machine, "Suivant" lay unstyled 5,000 px down.
    page.wait_for_load_state("load")


def box(locator) -> dict:
    found = locator.bounding_box()
    assert found is not None, f"{locator} is not drawn"
    return found


@pytest.mark.parametrize("screen", list(SCREENS), indirect=True)
@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_the_drawn_buttons_are_the_answers(screen: Page, lang):
    page = screen
    walk_to_back_task(page, lang)
    rtl = lang == "ar"
    expect(page.locator("html")).to_have_attribute("dir", "rtl" if rtl else "ltr")
    expect(page.locator(".explained")).to_be_visible()
    if lang == "fr":
        expect(page.locator(".explained")).to_contain_text("L'arnaque était le message d'Ameli")

    # "Suivant" is seen whole without scrolling.
    assert page.evaluate("window.scrollY") == 0
    viewport = page.viewport_size
    suivant = box(page.locator(NEXT))
    assert suivant["y"] >= 0 and suivant["y"] + suivant["height"] <= viewport["height"]
    assert 0 <= suivant["x"] and suivant["x"] + suivant["width"] <= viewport["width"]

    # The drawing is mirrored in Arabic, the numbers laid over it are not.
    picture = page.locator(".phone-screen")
    transform = picture.evaluate("el => getComputedStyle(el).transform")
    assert transform == ("matrix(-1, 0, 0, 1, 0, 0)" if rtl else "none")
    assert page.locator(".phone-number").evaluate_all(
        "els => els.every(el => { for (let e = el; e; e = e.parentElement) "
        "{ if (getComputedStyle(e).transform !== 'none') return false; } return true; })")
    drawing = box(picture)

    radios = page.get_by_role("radio")
    expect(radios).to_have_count(4)
    for index in range(4):
        radio = radios.nth(index)
        label = page.locator("label.phone-button").nth(index)
        spot = box(label)
        assert spot["width"] >= TOUCH_PX and spot["height"] >= TOUCH_PX, spot
        # Each answer lies over the button it stands for, where the picture draws it.
        x = DRAWN_X[index] if not rtl else 320 - DRAWN_X[index]
        drawn = drawing["x"] + drawing["width"] * x / 320
        assert spot["x"] <= drawn <= spot["x"] + spot["width"], (index, spot, drawn)
        assert spot["y"] >= drawing["y"] and spot["y"] + spot["height"] <= drawing["y"] + drawing["height"] / 2
        # A screen reader hears a name, not only a number.
        name = radio.evaluate("el => el.labels[0].innerText.trim() || el.labels[0].textContent.trim()")
        assert len(name) > 3, name
        label.tap()
        expect(radio).to_be_checked()
    if lang == "fr":
        expect(page.get_by_role("radio", name="Le bouton 1.", exact=True)).to_have_count(1)

    # The first drawn button (the back arrow) is chosen by a tap, and the answer kept.
    page.locator("label.phone-button").first.tap()
    page.locator(NEXT).tap()
    expect(page).to_have_url(re.compile(r"/q/age_band$"))
    page.go_back()
    expect(page.locator("input[name=answer][value='1']")).to_be_checked()
