""""Arrêter et tout effacer" in a real browser, by keyboard alone and without
JavaScript: the kiosk goes back to the welcome screen and the database keeps nothing of
the visit (issue 9, §3)."""
from __future__ import annotations

import sqlite3

import pytest
from playwright.sync_api import Page, expect

from tests.browser.steps import NEXT, button, expect_screen, expect_welcome, heading, option, \
    session_cookie, start, tab_to
from tests.browser.test_accessibility import check_page

pytestmark = pytest.mark.browser

ERASE = "Arrêter et tout effacer"
TABLES = ("visits", "answers", "results", "scores", "outbox")


def newest_visit(database) -> int:
    """This test's visit: the newest. (The live server is shared: other tests' visits
    may be closed meanwhile, so whole-table counts move.)"""
    with sqlite3.connect(database) as db:
        return db.execute("select max(id) from visits").fetchone()[0]


def erased(database, visit) -> dict[str, int]:
    """What is left of ``visit`` in every table."""
    with sqlite3.connect(database) as db:
        results = "select id from results where visit_id = :visit"
        where = {"visits": "id = :visit", "answers": "visit_id = :visit",
                 "results": "visit_id = :visit", "scores": f"result_id in ({results})",
                 "outbox": f"result_id in ({results})"}
        return {table: db.execute(f"select count(*) from {table} where {where[table]}",  # noqa: S608
                                  {"visit": visit}).fetchone()[0] for table in TABLES}


NOTHING = dict.fromkeys(TABLES, 0)


def answer_two_screens(page: Page):
    start(page)
    option(page, "Oui.").click()
    button(page, NEXT).click()
    expect_screen(page, "last_use", 2)


def test_stop_and_erase_by_keyboard_leaves_nothing(page: Page, live_server):
    answer_two_screens(page)
    visit = newest_visit(live_server.database)
    assert erased(live_server.database, visit) == {**NOTHING, "visits": 1, "answers": 1}

    tab_to(page, page.get_by_role("link", name=ERASE))
    page.keyboard.press("Enter")
    expect(heading(page)).to_have_text(ERASE + " ?")
    expect(heading(page)).to_be_focused()
    tab_to(page, button(page, "Oui, tout effacer"))
    page.keyboard.press("Enter")

    expect_welcome(page)
    assert erased(live_server.database, visit) == NOTHING
    assert "sid" not in session_cookie(page)
    expect(page.get_by_role("link", name="Reprendre mon diagnostic")).to_have_count(0)


def test_no_keeps_the_answers_and_returns_to_the_same_screen(page: Page, live_server):
    answer_two_screens(page)
    check_page(page, "a question with the stop-and-erase link")
    page.get_by_role("link", name=ERASE).click()
    check_page(page, "the stop-and-erase confirmation")
    page.get_by_role("link", name="Non, je continue").click()
    expect_screen(page, "last_use", 2)
    assert "sid" in session_cookie(page)


def test_stop_and_erase_without_javascript(new_context, live_server):
    page = new_context(java_script_enabled=False).new_page()
    answer_two_screens(page)
    visit = newest_visit(live_server.database)
    assert erased(live_server.database, visit)["answers"] == 1
    page.get_by_role("link", name=ERASE).click()
    button(page, "Oui, tout effacer").click()
    expect_welcome(page)
    assert erased(live_server.database, visit) == NOTHING
