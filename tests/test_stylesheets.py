"""The mediators' stylesheet: on their pages and a guided question screen only, so that a
resident's pages (the result first) carry none of its bytes; and nothing a resident's page
shows is styled there alone."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from kiosk import paths
from tests.test_guided_observations import MEDIATOR, USER, start, walk_to

KIOSK_CSS = '<link rel="stylesheet" href="/static/css/kiosk.css">'
MEDIATOR_CSS = '<link rel="stylesheet" href="/static/css/mediator.css">'


def stylesheets(page: str) -> list[str]:
    return re.findall(r'<link rel="stylesheet" href="/static/css/([^"]+)"', page)


def test_a_residents_result_page_loads_no_mediator_stylesheet(resident):
    resident.complete(how="alone")
    page = resident.get("/result").get_data(as_text=True)
    assert stylesheets(page) == ["fonts.css", "kiosk.css"]


@pytest.mark.parametrize("guided,mediator", [(False, False), (False, True), (True, False)])
def test_a_question_screen_without_a_guiding_mediator_loads_only_the_kiosk_stylesheet(
        client, guided, mediator):
    resident = start(client, guided=guided, mediator=mediator)
    walk_to(resident, "act_information", USER)
    page = resident.get("/q/act_information").get_data(as_text=True)
    assert stylesheets(page) == ["fonts.css", "kiosk.css"]


def test_a_guided_question_screen_loads_the_mediator_stylesheet_after_the_kiosks(client):
    resident = start(client)
    walk_to(resident, "act_information", USER)
    page = resident.get("/q/act_information").get_data(as_text=True)
    assert 'class="observation mediator-only"' in page
    assert stylesheets(page) == ["fonts.css", "kiosk.css", "mediator.css"]


@pytest.mark.parametrize("url", ["/mediateur", "/mediateur/accueil",
                                 "/mediateur/accompagnements", "/mediateur/reperage",
                                 "/mediateur/compte-rendu/guichet",
                                 "/mediateur/compte-rendu/atelier",
                                 "/mediateur/compte-rendu/export"])
def test_every_mediator_page_loads_the_mediator_stylesheet(client, url):
    if url != "/mediateur":  # the unlock page is shown before a session opens
        with client.session_transaction() as session:
            session["mediator"] = dict(MEDIATOR)
    response = client.get(url)
    assert response.status_code == 200, url
    assert stylesheets(response.get_data(as_text=True)) == [
        "fonts.css", "kiosk.css", "mediator.css"]


def test_the_mediator_stylesheet_is_served(client):
    css = client.get("/static/css/mediator.css").get_data(as_text=True)
    assert ".mediator-only {" in css and ".cra-group {" in css


# Templates of the mediators' pages, and the part of a question screen only a guiding
# mediator sees: the only ones that may use a class styled in mediator.css.
MEDIATOR_TEMPLATES = ("mediator/", "activity/", "questions/_observation.html")


def test_no_residents_template_uses_a_class_styled_only_for_mediators():
    css = (paths.STATIC / "css" / "mediator.css").read_text(encoding="utf-8")
    styled = set(re.findall(r"\.([a-z][a-z0-9-]*)", re.sub(r"/\*.*?\*/", "", css, flags=re.S)))
    kiosk_css = (paths.STATIC / "css" / "kiosk.css").read_text(encoding="utf-8")
    mediators_only = {name for name in styled
                      if not re.search(rf"\.{name}(?![\w-])", kiosk_css)}
    assert {"mediator-only", "observation-options", "cra-group", "orientation"} <= mediators_only
    templates = Path(paths.__file__).parent / "templates"
    used = []
    for template in templates.rglob("*.html"):
        name = template.relative_to(templates).as_posix()
        if name.startswith(MEDIATOR_TEMPLATES) or name.startswith("hub/"):
            continue
        for attribute in re.findall(r'class="([^"]*)"', template.read_text(encoding="utf-8")):
            used += [(name, word) for word in re.findall(r"[a-z][a-z0-9-]*", attribute)
                     if word in mediators_only]
    assert used == []
