"""What a resident does in the browser, and what the tests read back: shared steps."""
from __future__ import annotations

import base64
import json
import re
import zlib
from pathlib import Path

import yaml
from playwright.sync_api import Page, expect

REPO = Path(__file__).resolve().parents[2]
QUESTIONNAIRE = yaml.safe_load((REPO / "questionnaires" / "diagnostic.yaml").read_text("utf-8"))
SCREENS = {screen["id"]: screen for screen in QUESTIONNAIRE["screens"]}
ALL_SCREENS = [screen["id"] for screen in QUESTIONNAIRE["screens"]]
TOTAL = len(ALL_SCREENS)  # 16
# "Non, jamais." (or "Je ne sais pas") to `internet_ever` skips every screen shown only to
# people who used the internet: 9 screens.
NEVER_SCREENS = [s["id"] for s in QUESTIONNAIRE["screens"] if "show_if" not in s]
# Each item of an activities screen, once ticked, asks how it was done.
HOW = {"alone": "Seul ou seule", "helped": "Avec l'aide de quelqu'un",
       "done_for_me": "Quelqu'un l'a fait pour moi"}
NONE_OF_THESE = "Rien de tout cela."
PROFILE_LABELS = [profile["label"] for profile in QUESTIONNAIRE["profiles"]]
LEVEL_WORDS = {"À découvrir", "Les bases", "À l'aise"}

WELCOME = "Où en êtes-vous avec le numérique ?"
STILL_THERE = "Êtes-vous toujours là ?"
IDK = "Je ne sais pas"
# The profile screens' way out: they ask about the person, not about what they know.
DECLINE = "Je préfère ne pas répondre"
PROFILE_SCREENS = [s["id"] for s in QUESTIONNAIRE["screens"] if s.get("section") == "profile"]
NEXT = "Suivant"


def skip_label(screen_id: str) -> str:
    """The button that skips this screen: "Je ne sais pas", or on a profile screen
    "Je préfère ne pas répondre"."""
    return DECLINE if screen_id in PROFILE_SCREENS else IDK


# --- What a resident does ---------------------------------------------------------------

def heading(page: Page):
    return page.get_by_role("heading", level=1)


def option(page: Page, label: str):
    """The <label> of one answer, found by its words (tapping it chooses the answer). The
    words may be for screen readers only, as on the drawn phone of the back-button task."""
    return page.locator("label.option").filter(has=page.get_by_text(label, exact=True))


def button(page: Page, name: str):
    return page.get_by_role("button", name=name, exact=True)


def presser(tap: bool):
    """How a finger (``tap``) or a mouse presses a locator."""
    return (lambda loc: loc.tap()) if tap else (lambda loc: loc.click())


def go_on(page: Page, locator, tap: bool = False):
    """Press ``locator`` (a form's "Suivant" or "Passer") and wait for the next screen to
    have loaded. A walk that reads ``page.url`` or counts elements right after a press may
    otherwise still see the screen it is leaving, on a busy machine, and answer it as if it
    were the next (a commune screen taken for a choice)."""
    here = page.url
    presser(tap)(locator)
    expect(page).not_to_have_url(here)
    page.wait_for_load_state("load")


def activity(page: Page, item: str):
    """One item of an activities screen (its box and its "how" group), by its words."""
    return page.locator(".activity").filter(has=page.get_by_text(item, exact=True))


def how_group(page: Page, item: str):
    """The "Comment l'avez-vous fait ?" group of one item (shown once the item is ticked)."""
    return activity(page, item).get_by_role("group", name="Comment l'avez-vous fait ?")


def tick_activities(page: Page, done: dict[str, str], tap: bool = False):
    """Tick each item done and tap how it was done (``done``: item label -> a key of
    HOW); an empty ``done`` ticks "Rien de tout cela."."""
    press = presser(tap)
    if not done:
        press(option(page, NONE_OF_THESE))
    for item, how in done.items():
        press(option(page, item))
        press(how_group(page, item).locator("label.option").filter(
            has=page.get_by_text(HOW[how], exact=True)))


def first_answer(page: Page, tap: bool = False):
    """The first answer of any screen, found by structure, not words (every language):
    the first option; on an activities screen, the first item, done alone (ticked only
    if it is not already, as after a refused answer)."""
    press = presser(tap)
    item = page.locator(".activity").first
    if item.count():
        box = item.locator("input[name=answer]")
        if not box.is_checked():
            press(item.locator("label.option").first)
        press(item.locator("label.how-option").first)
    else:
        press(page.locator("label.option").first)


def path_total(screen_id: str, total: int | None = TOTAL) -> int | None:
    """The total the progress shows on ``screen_id`` of a path of ``total`` screens: none
    before the branches that decide the path's length are answered (internet_ever, then
    last_use on the internet user's path; see kiosk.diagnostic.visit.Route.settled_total)."""
    return None if screen_id in ("internet_ever", "last_use") else total


def expect_screen(page: Page, screen_id: str, number: int | None = None,
                  total: int | None = TOTAL):
    """The screen by its question, and its progress: "Question 3 sur 16", or the number
    alone while the path's length is not settled (``total`` None, and on the first two
    screens, which come before the branches)."""
    expect(heading(page)).to_have_text(SCREENS[screen_id]["text"])
    # The heading is there as soon as it is parsed, before the page's deferred script has
    # turned the players into buttons: on a busy machine a test could otherwise press
    # keys on the page without its script (the tab stops of the no-script page).
    page.wait_for_load_state("load")
    if number is not None:
        total = path_total(screen_id, total)
        label = f"Question {number}" if total is None else f"Question {number} sur {total}"
        expect(page.locator("#progress-label")).to_have_text(label)


def expect_welcome(page: Page):
    expect(heading(page)).to_have_text(WELCOME)
    expect(page).to_have_url(re.compile(r"^http://127\.0\.0\.1:\d+/$"))


def start(page: Page, tap: bool = False):
    """Welcome -> "Commencer" -> the notice -> "D'accord, je commence" -> question 1."""
    page.goto("/")
    expect_welcome(page)
    press = presser(tap)
    press(button(page, "Commencer"))
    expect(heading(page)).to_have_text("Avant de commencer")
    press(page.get_by_role("link", name="D'accord, je commence"))
    expect_screen(page, "internet_ever", 1)


def tab_to(page: Page, locator, limit: int = 25):
    """Press Tab until ``locator`` has the focus (as a keyboard user would)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if locator.evaluate("el => el === document.activeElement"):
            return
    raise AssertionError(f"Tab never reached {locator}")


def choose_commune(page: Page, typed: str, pick: str | None = None):
    page.get_by_label("Nom de la commune ou code postal").fill(typed)
    button(page, NEXT).click()
    if pick:
        expect(page.get_by_role("alert")).to_have_text(
            "Plusieurs communes correspondent. Choisissez la vôtre.")
        page.get_by_text(pick, exact=True).click()
        button(page, NEXT).click()


def complete_never(page: Page):
    """The short diagnostic by clicks: never used the internet, "Je ne sais pas" elsewhere
    ("Je préfère ne pas répondre" on the profile; the commune typed, so distances are
    measured from it)."""
    start(page)
    option(page, "Non, jamais.").click()
    button(page, NEXT).click()
    for number, screen_id in enumerate(NEVER_SCREENS[1:], start=2):
        expect_screen(page, screen_id, number, len(NEVER_SCREENS))
        if screen_id == "commune":
            choose_commune(page, "Moulins")
        else:
            button(page, skip_label(screen_id)).click()
    expect(heading(page)).to_have_text("Votre résultat")


def page_text(page: Page) -> str:
    return page.locator("body").inner_text()


def session_cookie(page: Page) -> dict:
    """The (signed, not encrypted) Flask session as the browser holds it."""
    cookies = [c for c in page.context.cookies() if c["name"] == "session"]
    if not cookies:
        return {}
    payload = cookies[0]["value"]
    compressed = payload.startswith(".")
    data = payload.lstrip(".").split(".")[0]
    raw = base64.urlsafe_b64decode(data + "=" * (-len(data) % 4))
    return json.loads(zlib.decompress(raw) if compressed else raw)


def storage(page: Page) -> dict:
    return page.evaluate("""async () => ({
        local: localStorage.length,
        session: sessionStorage.length,
        indexedDB: (await indexedDB.databases()).map(db => db.name),
        caches: (typeof caches === 'undefined') ? [] : await caches.keys(),
    })""")
