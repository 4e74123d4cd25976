"""A whole diagnostic in each of the seven languages, with axe on every screen.

Nothing here reads French labels: the resident's path is found by structure (the first
answer, the "next" button), so the same walk runs in every language. On each screen the
page must say its language and direction, and no French catalogue string may appear in
text whose nearest ``lang`` is the page's language (French on purpose, such as place
names, carries lang="fr").
"""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from kiosk.languages import catalogues, locales as languages
from kiosk import config, paths
from kiosk.languages.cli import template_path
from tests.browser.steps import SCREENS, first_answer, go_on
from tests.browser.test_accessibility import check_page
from tests.live import start_server

pytestmark = pytest.mark.browser

SHIPPED = config.languages(config.DEFAULTS)
ALL = ",".join(SHIPPED)
NEXT = ".actions button.primary"
FIRST_ANSWER = "label.option >> nth=0"


@pytest.fixture(scope="module")
def polyglot_server(tmp_path_factory):
    yield from start_server(tmp_path_factory.mktemp("polyglot"), LANGUAGES=ALL)


@pytest.fixture(scope="module")
def polyglot_idle_server(tmp_path_factory):
    yield from start_server(tmp_path_factory.mktemp("polyglot-idle"), LANGUAGES=ALL,
                            IDLE_SECONDS=2, IDLE_WARNING_SECONDS=60)


@pytest.fixture
def polyglot(new_context, polyglot_server):
    return new_context(base_url=polyglot_server.url).new_page()


def french_strings(lang: str) -> tuple[set[str], list[str]]:
    """The French source strings, except those this language keeps as they are (proper
    names): (short ones, matched whole; long ones, matched inside a text)."""
    if lang == "fr":
        return set(), []
    catalog = catalogues.read_catalog(catalogues.po_path(paths.TRANSLATIONS, lang), lang)
    same = {m.id for m in catalog if m.id and m.string == m.id}    # proper names
    french = {text for m in catalogues.read_catalog(template_path()) if m.id
              for text in ((m.id,) if isinstance(m.id, str) else m.id)} - same  # (plurals)
    french = {re.sub(r"%\(\w+\)s", "", text).strip() for text in french}
    # What is left of a frame such as "%(start)s – %(end)s" is no French: no letter.
    french = {text for text in french if any(char.isalpha() for char in text)}
    return ({t for t in french if len(t) < 12}, sorted(t for t in french if len(t) >= 12))


# Text and text attributes of the page, each with the language of its nearest lang.
TEXTS_BY_LANG = """() => {
  const out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode, el = node.parentElement;
    if (!el || el.closest('script,style,svg') || !node.textContent.trim()) continue;
    out.push([el.closest('[lang]').getAttribute('lang'), node.textContent.trim()]);
  }
  for (const el of document.querySelectorAll('[aria-label],[alt],[title],[placeholder]')) {
    for (const name of ['aria-label', 'alt', 'title', 'placeholder']) {
      const value = el.getAttribute(name);
      if (value) out.push([el.closest('[lang]').getAttribute('lang'), value]);
    }
  }
  out.push([document.documentElement.lang, document.title]);
  return out;
}"""


def check_language(page: Page, lang: str, what: str) -> None:
    tag = languages.tag(lang)
    expect(page.locator("html")).to_have_attribute("lang", tag)
    expect(page.locator("html")).to_have_attribute(
        "dir", "rtl" if languages.is_rtl(lang) else "ltr")
    short, long = french_strings(lang)
    leaks = []
    for text_lang, text in page.evaluate(TEXTS_BY_LANG):
        if text_lang != tag:
            continue
        text = re.sub(r"\s+", " ", text)
        if text in short or any(french in text for french in long):
            leaks.append(text)
    assert leaks == [], f"{lang} {what}: French text in {tag} context: {leaks}"


def check(page: Page, lang: str, what: str) -> None:
    check_language(page, lang, what)
    check_page(page, f"{lang} {what}")   # axe: zero violations; touch targets >= 44 px


@pytest.mark.parametrize("lang", SHIPPED)
def test_a_whole_diagnostic_in_each_language(polyglot: Page, lang: str):
    page = polyglot
    page.goto("/")
    check(page, "fr", "welcome")         # the kiosk's default language until one is chosen
    page.locator(f"button[name=lang][value={lang}]").click()
    expect(page).to_have_url(re.compile(r"/notice$"))
    check(page, lang, "notice")
    page.locator("main a.button.primary").click()
    seen = set()
    while re.search(r"/q/\w+$", page.url):
        screen_id = page.url.rsplit("/", 1)[1]
        kind = page.locator("main form.question input:not([type=hidden])").first.get_attribute("type")
        screen_type = SCREENS[screen_id]["type"]     # choice, multi, scale, task, commune...
        seen.add(screen_type)
        check(page, lang, f"question {screen_id}")      # axe on every screen
        if kind == "text":                                   # the commune
            page.locator("#query").fill("03000")
            page.locator(NEXT).click()
            expect(page.locator(FIRST_ANSWER)).to_be_visible()
            check(page, lang, "commune choice")
            page.locator(FIRST_ANSWER).click()
        elif screen_id == "devices":
            # Nothing chosen, twice (a first tap soon after "Suivant" may be taken as a
            # double tap, forgiven once): an error.
            for _ in range(2):
                page.locator(NEXT).click()
            expect(page.get_by_role("alert")).not_to_be_empty()
            check(page, lang, "error message")
            first_answer(page)
        elif screen_id == "act_information":
            # Two items ticked: their "how" groups shown; sent without saying how, the
            # answer is refused with a message.
            for item in page.locator(".activity").all()[:2]:
                item.locator("label.option").first.click()
                expect(item.locator("fieldset.how")).to_be_visible()
            check(page, lang, "activities with items ticked")
            page.locator(NEXT).click()
            expect(page.get_by_role("alert")).not_to_be_empty()
            check(page, lang, "activities refused")
            first_answer(page)
            second = page.locator(".activity").nth(1)
            if second.locator("input[name=answer]").is_checked():
                second.locator("label.how-option").nth(1).click()
        else:
            first_answer(page)
        go_on(page, page.locator(NEXT))
    expect(page).to_have_url(re.compile(r"/result$"))
    assert seen == {screen["type"] for screen in SCREENS.values()}
    check(page, lang, "result")
    page.locator("a[href$='/result/print']").click()
    check(page, lang, "printable sheet")
    page.goto("/language?next=/result")
    check(page, lang, "language list")
    page.goto("/nowhere")
    check(page, lang, "error page")


@pytest.mark.parametrize("lang", SHIPPED)
def test_timeout_warning_in_each_language(new_context, polyglot_idle_server, lang):
    page = new_context(base_url=polyglot_idle_server.url).new_page()
    page.goto("/")
    page.locator(f"button[name=lang][value={lang}]").click()
    page.locator("main a.button.primary").click()
    expect(page.get_by_role("dialog")).to_be_visible(timeout=10_000)
    check(page, lang, "timeout warning")


def test_switching_language_mid_diagnostic_keeps_the_answers(polyglot: Page):
    page = polyglot
    page.goto("/")
    page.locator("button[name=lang][value=uk]").click()
    page.locator("main a.button.primary").click()
    page.locator(FIRST_ANSWER).click()
    page.locator(NEXT).click()
    page.locator(".display-tools a").click()                 # the language button
    check(page, "uk", "language list")
    page.locator("button[name=lang][value=ar]").click()
    expect(page).to_have_url(re.compile(r"/q/last_use$"))
    check_language(page, "ar", "last_use")
    page.locator("a[rel=prev]").click()
    expect(page.locator("label.option input").first).to_be_checked()


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_larger_text_and_high_contrast_stay_accessible(polyglot: Page, lang: str):
    page = polyglot
    page.goto("/")
    page.locator(f"button[name=lang][value={lang}]").click()
    page.locator("main a.button.primary").click()
    page.locator(".display-tools button[name=text]").click()
    page.locator(".display-tools button[name=contrast]").click()
    expect(page.locator("html")).to_have_class("text-large contrast-high")
    expect(page.locator(".display-tools button[name=contrast]")).to_have_attribute(
        "aria-pressed", "true")
    page.wait_for_load_state("load")  # measured with its stylesheet (see steps.expect_screen)
    size = page.evaluate("parseFloat(getComputedStyle(document.documentElement).fontSize)")
    assert size > 20 * 1.2                                    # larger than the 20 px default
    check(page, lang, "question in large text and high contrast")
    page.locator(FIRST_ANSWER).click()
    page.locator(NEXT).click()
    expect(page.locator("html")).to_have_class("text-large contrast-high")


def test_listen_buttons_play_the_clip_of_the_text_shown(polyglot: Page):
    page = polyglot
    page.goto("/")
    page.locator("button[name=lang][value=tr]").click()
    page.locator("main a.button.primary").click()
    players = page.locator("audio.listen")
    buttons = page.locator("button.listen-button")
    expect(buttons).to_have_count(players.count())
    # The first screen's four texts: the question, its example, "Oui." and "Non, jamais.".
    expect(players).to_have_count(4)
    first = buttons.first
    first.click()
    expect(first).to_have_attribute("aria-pressed", "true")
    page.wait_for_function("() => document.querySelector('audio.listen').currentTime > 0")
    first.click()                                            # a second press stops it
    expect(first).to_have_attribute("aria-pressed", "false")


def test_without_javascript_each_text_has_a_plain_player(new_context, polyglot_server):
    page = new_context(base_url=polyglot_server.url, java_script_enabled=False).new_page()
    page.goto("/")
    page.locator("button[name=lang][value=pt_PT]").click()
    page.locator("main a.button.primary").click()
    players = page.locator("audio.listen[controls]")
    expect(players).to_have_count(4)   # the first screen's four texts
    expect(players.first).to_be_visible()
    source = players.first.get_attribute("src")
    assert page.request.get(source).headers["content-type"].startswith(("audio/ogg", "audio/opus"))
