"""The Bourbon'Net bus: eight tablets, one laptop. Eight browser contexts (eight tablets,
each its own cookies) complete a diagnostic at the same time, their steps interleaved on
one server, in different languages and with different answers: nothing crosses between
them. Each result shows its own language and the profile its own answers give; the
database holds eight results with the right languages; one tablet ending its visit
leaves the others' as they were.

Answers are found by structure, not words (every language): half the tablets take the
first answer of every screen, the others "Je ne sais pas" / "Je préfère ne pas répondre".
"""
from __future__ import annotations

import re
import sqlite3

import pytest
from babel.support import Translations
from playwright.sync_api import expect

from kiosk import config, paths
from kiosk.languages import locales
from tests.browser.steps import QUESTIONNAIRE, first_answer, go_on
from tests.live import start_server

pytestmark = pytest.mark.browser

LANGUAGES = ["fr", "en", "ar", "pt_PT", "tr", "uk", "fa_AF", "fr"]
NEXT = ".actions button.primary"
# What each way of answering leads to (questionnaires/diagnostic.yaml's profiles).
PROFILE_OF = {"first": "getting_along", "skip": "discovering"}
LABEL = {profile["id"]: profile["label"] for profile in QUESTIONNAIRE["profiles"]}


@pytest.fixture(scope="module")
def bus_server(tmp_path_factory):
    yield from start_server(tmp_path_factory.mktemp("bus"),
                            LANGUAGES=",".join(config.languages(config.DEFAULTS)))


def label_in(lang: str, profile: str) -> str:
    return Translations.load(str(paths.TRANSLATIONS), [lang]).gettext(LABEL[profile])


class Tablet:
    """One tablet: its own browser context, language and way of answering."""

    def __init__(self, context, lang: str, way: str):
        self.page, self.lang, self.way, self.done = context.new_page(), lang, way, False
        self.page.goto("/")
        self.page.locator(f"button[name=lang][value={lang}]").click()
        expect(self.page).to_have_url(re.compile(r"/notice$"))
        self.page.locator("main a.button.primary").click()

    def step(self) -> None:
        """Answer the screen shown (one step, so that tablets take turns)."""
        page = self.page
        if not re.search(r"/q/\w+$", page.url):
            self.done = True
            return
        if page.locator("#query").count():                  # the commune, typed
            page.locator("#query").fill("03000")
            page.locator(NEXT).click()
            page.locator("label.option").first.click()
            go_on(page, page.locator(NEXT))
        elif self.way == "skip":
            go_on(page, page.locator("button[name=idk]"))
        else:
            first_answer(page)
            go_on(page, page.locator(NEXT))


def test_eight_tablets_at_once_keep_their_own_diagnostics(new_context, bus_server):
    tablets = [Tablet(new_context(base_url=bus_server.url), lang,
                      "first" if number % 2 == 0 else "skip")
               for number, lang in enumerate(LANGUAGES)]
    for _ in range(40):
        for tablet in tablets:
            if not tablet.done:
                tablet.step()
        if all(tablet.done for tablet in tablets):
            break
    for tablet in tablets:
        page = tablet.page
        expect(page).to_have_url(re.compile(r"/result$"))
        expect(page.locator("html")).to_have_attribute("lang", locales.tag(tablet.lang))
        expect(page.locator("main")).to_contain_text(
            label_in(tablet.lang, PROFILE_OF[tablet.way]))
        other = "skip" if tablet.way == "first" else "first"
        expect(page.locator("main")).not_to_contain_text(
            label_in(tablet.lang, PROFILE_OF[other]))

    db = sqlite3.connect(bus_server.database)
    rows = db.execute("SELECT v.language, r.profile FROM results r "
                      "JOIN visits v ON v.id = r.visit_id").fetchall()
    db.close()
    assert sorted(rows) == sorted((lang, PROFILE_OF["first" if n % 2 == 0 else "skip"])
                                  for n, lang in enumerate(LANGUAGES))

    # One tablet's "Terminer" resets that tablet only.
    first, second = tablets[0].page, tablets[1].page
    first.locator("form[action$='/finish'] button").first.click()
    expect(first).to_have_url(re.compile(r"/$"))
    second.reload()
    expect(second).to_have_url(re.compile(r"/result$"))
    expect(second.locator("main")).to_contain_text(label_in("en", PROFILE_OF["skip"]))
