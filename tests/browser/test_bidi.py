"""Phone numbers, addresses and postal codes keep their left-to-right order on Arabic and
Dari pages, as Chromium really lays them out.

In right-to-left text the Unicode bidirectional algorithm lays runs of digits separated by
spaces from right to left: without isolation "04 70 47 37 76" reads "76 37 47 70 04", and an
address "1 Place du Huit Mai, 03240 Le Montet" puts its "1" at the far end. The test reads
where the browser drew the first and the last character of each such text (a DOM Range's
box): the first must stand left of the last.

The resident lives in Le Montet (typed as its postal code 03240, then chosen among the
communes sharing it): every step leads to "France services Le Montet", phone +33470473776.
"""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.steps import first_answer, go_on
from tests.browser.test_accessibility import check_page
from tests.live import start_server

pytestmark = pytest.mark.browser

NEXT = ".actions button.primary"
LE_MONTET = "input[name=commune][value='03183']"

# The x of the first and of the last visible character of an element's text, as drawn.
ENDS_X = """el => {
  const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
  const nodes = [];
  while (walker.nextNode()) if (walker.currentNode.textContent.trim()) nodes.push(walker.currentNode);
  const box = (node, at) => {
    const range = document.createRange();
    range.setStart(node, at); range.setEnd(node, at + 1);
    return range.getBoundingClientRect();
  };
  const first = nodes[0], last = nodes[nodes.length - 1];
  const box1 = box(first, first.textContent.search(/\\S/));
  const box2 = box(last, last.textContent.trimEnd().length - 1);
  return [box1.left + box1.width / 2, box2.left + box2.width / 2, el.textContent.trim()];
}"""


@pytest.fixture(scope="module")
def rtl_server(tmp_path_factory):
    yield from start_server(tmp_path_factory.mktemp("bidi"), LANGUAGES="fr,ar,fa_AF")


@pytest.fixture
def rtl_page(browser, rtl_server):
    """A page on that server (the session browser's contexts carry the offsite guard)."""
    context = browser.new_context(base_url=rtl_server.url)
    yield context.new_page()
    context.close()


def reads_left_to_right(page: Page, selector: str) -> None:
    """Every element matching ``selector`` is drawn with its first character leftmost."""
    elements = page.locator(selector)
    assert elements.count() > 0, f"nothing matches {selector}"
    for index in range(elements.count()):
        first_x, last_x, text = elements.nth(index).evaluate(ENDS_X)
        assert first_x < last_x, f"{text!r} is drawn right to left ({first_x} > {last_x})"


@pytest.mark.parametrize("lang", ["ar", "fa_AF"])
def test_numbers_and_addresses_read_left_to_right_in_rtl_pages(rtl_page: Page, lang: str):
    page = rtl_page
    page.goto("/")
    page.locator(f"button[name=lang][value={lang}]").click()
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    page.locator("main a.button.primary").click()
    while re.search(r"/q/\w+$", page.url):
        if page.locator("#query").count():                 # the commune
            page.locator("#query").fill("03240")
            page.locator(NEXT).click()
            expect(page.locator(LE_MONTET)).to_have_count(1)
            # "Le Montet (03240)": the closing bracket stays after the postal code.
            reads_left_to_right(page, "label.option span[lang=fr]")
            page.locator(LE_MONTET).check()
        else:
            first_answer(page)
        go_on(page, page.locator(NEXT))
    expect(page).to_have_url(re.compile(r"/result$"))
    expect(page.locator(".place .phone").first).to_have_text("04 70 47 37 76")
    for url in ("/result", "/result/print"):
        page.goto(url)
        reads_left_to_right(page, ".place .phone")
        reads_left_to_right(page, ".place .address")
    check_page(page, f"{lang} printable sheet")
