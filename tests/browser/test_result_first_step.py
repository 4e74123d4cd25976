"""The result as a resident sees it at 1280x1024: the first step above the fold, and QR
codes a phone reads, in French and in Arabic.

The resident lives in Le Montet (postal code 03240, chosen among the communes sharing
it) and gives the first answer everywhere. Every place shown is "France services Le
Montet" (phone 04 70 47 37 76), the one sample place with a booking link (SOURCES.md).
The codes are read from what Chromium draws (an element's screenshot) by zbar.
"""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.steps import first_answer, go_on
from tests.browser.test_accessibility import check_page
from tests.live import start_server
from tests.zbar import decode_png

pytestmark = pytest.mark.browser

VIEWPORT = {"width": 1280, "height": 1024}
NEXT = ".actions button.primary"
LE_MONTET = "input[name=commune][value='03183']"
BOOKING = "https://www.rdv-solidarites.fr/"


@pytest.fixture(scope="module")
def fr_ar_server(tmp_path_factory):
    yield from start_server(tmp_path_factory.mktemp("first-step"), LANGUAGES="fr,ar")


@pytest.fixture
def screen(browser, fr_ar_server):
    """A kiosk's screen: 1280x1024 (the session browser's contexts carry the guard)."""
    context = browser.new_context(base_url=fr_ar_server.url, viewport=VIEWPORT)
    yield context.new_page()
    context.close()


def walk_to_result(page: Page, lang: str) -> None:
    """Choose ``lang``, start, give the first answer everywhere, live in Le Montet."""
    page.goto("/")
    page.locator(f"button[name=lang][value={lang}]").click()
    page.locator("main a.button.primary").click()
    while re.search(r"/q/\w+$", page.url):
        if page.locator("#query").count():                 # the commune
            page.locator("#query").fill("03240")
            page.locator(NEXT).click()
            page.locator(LE_MONTET).check()
        else:
            first_answer(page)
        go_on(page, page.locator(NEXT))
    expect(page).to_have_url(re.compile(r"/result$"))
    page.wait_for_load_state("load")  # measured with its stylesheet (see steps.expect_screen)


def bottom(locator) -> float:
    box = locator.bounding_box()
    assert box is not None, f"{locator} is not drawn"
    return box["y"] + box["height"]


def read_code(locator, path) -> str:
    locator.screenshot(path=path)
    return decode_png(path)


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_the_first_step_and_its_place_are_seen_without_scrolling(screen: Page, lang):
    page = screen
    walk_to_result(page, lang)
    assert page.evaluate("window.scrollY") == 0
    first_title = page.locator(".steps > .step h3").first
    # The first place on the page: the first step's, or (when that step names no place,
    # as reading does) the next step's.
    place = page.locator(".steps .place").first
    seen = [first_title, place.locator("strong"), place.locator(".phone"),
            place.locator(".hours")]
    for locator in seen:
        expect(locator).to_be_visible()
        assert bottom(locator) <= VIEWPORT["height"], f"{locator} is below the fold"
    expect(place.locator("strong")).to_have_text("France services Le Montet")
    expect(place.locator(".hours")).to_have_text(re.compile(r"\S"))
    assert page.locator(".steps").evaluate(
        "el => el.compareDocumentPosition(document.querySelector('.levels')) & 4"), \
        "the levels come after the steps"
    if lang == "fr":  # the first step itself names the place
        expect(page.locator(".steps > .step").first.locator(".place")).not_to_have_count(0)
    check_page(page, f"{lang} result")


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_the_codes_drawn_are_read_by_a_real_decoder(screen: Page, lang, tmp_path):
    page = screen
    walk_to_result(page, lang)
    title = page.locator(".steps > .step h3").first.inner_text().strip()
    taken = read_code(page.locator(".keep .qr-code"), tmp_path / "take-home.png")
    assert taken.startswith(title + "\n")
    assert "\nFrance services Le Montet\n04 70 47 37 76" in taken
    if lang == "fr":  # then the usual week and the address (Arabic may give way on them),
        # and last the follow-up code
        assert re.search("\nven. : 9\u00a0h – 12\u00a0h\n1 Place du Huit Mai, 03240 Le Montet\n"
                         r"Code de suivi : \d{4} \d{4} \d{4} \d{4}$", taken), taken
    bookings = page.locator(".booking .qr-code")
    expect(bookings).to_have_count(1)
    assert read_code(bookings, tmp_path / "booking.png") == BOOKING
    page.goto("/result/print")
    expect(page.locator(".booking .qr-code")).to_have_count(1)
    assert read_code(page.locator(".booking .qr-code"), tmp_path / "sheet.png") == BOOKING
    assert read_code(page.locator(".sheet > .qr .qr-code"), tmp_path / "sheet-qr.png") == taken
    check_page(page, f"{lang} printable sheet")
