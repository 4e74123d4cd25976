"""Nothing French is hard-coded: in a pseudo-language, every visible text is translated.

The catalogue is extracted afresh (templates, Python, questionnaire YAML through the
custom extractor), every msgstr becomes ‹msgid›, and a whole diagnostic is walked in
that language: any visible text outside ‹…› (and outside elements marked lang="fr",
such as place names) is a string that bypasses gettext.
"""
from __future__ import annotations

import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from tests.conftest import Resident

ROOT = Path(__file__).resolve().parent.parent
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}


@pytest.fixture(scope="module")
def pseudo_translations(tmp_path_factory):
    out = tmp_path_factory.mktemp("i18n")
    pot = out / "messages.pot"
    pybabel = Path(sys.executable).with_name("pybabel")
    subprocess.run([str(pybabel), "extract", "-F", "babel.cfg", "-k", "_l", "-o", str(pot), "."],
                   cwd=ROOT, check=True, capture_output=True)
    with pot.open("rb") as f:
        catalog = read_po(f, locale="en")
    for message in catalog:
        if message.id:
            message.string = f"‹{message.id}›"
    target = out / "en" / "LC_MESSAGES"
    target.mkdir(parents=True)
    with (target / "messages.mo").open("wb") as f:
        write_mo(f, catalog)
    return out, catalog


def test_questionnaire_text_is_extracted(pseudo_translations):
    _, catalog = pseudo_translations
    ids = {m.id for m in catalog if m.id}
    assert "Cherché un produit, un service ou un prix." in ids  # an activity item
    assert "Quels appareils avez-vous chez vous ?" in ids      # a question
    assert "Apprendre à reconnaître les arnaques." in ids      # an offer
    assert "Vous découvrez le numérique." in ids               # a profile
    assert "Question %(number)s sur %(total)s" in ids          # a template string
    assert "À découvrir" in ids                                 # a lazy string in Python


class VisibleText(HTMLParser):
    """Collects visible text and text attributes, skipping lang="fr" subtrees."""

    def __init__(self):
        super().__init__()
        self.stack, self.texts = [], []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        parent_french, parent_hidden = self.stack[-1][1:] if self.stack else (False, False)
        # lang="fr" marks French on purpose (place names); translate="no" marks names
        # that stay as they are in every language (each language's own name).
        french = parent_french or attrs.get("lang") == "fr" or attrs.get("translate") == "no"
        # <time> holds a date formatted by Babel for the locale: data, not a message.
        hidden = parent_hidden or tag in ("script", "style", "svg", "title", "time")
        if not french:
            for name in ("alt", "aria-label", "title", "placeholder"):
                if attrs.get(name):
                    self.texts.append(attrs[name])
            if tag == "input" and attrs.get("type") in ("submit", "button") and attrs.get("value"):
                self.texts.append(attrs["value"])
        if tag not in VOID:
            self.stack.append((tag, french, hidden))

    def handle_endtag(self, tag):
        while self.stack:
            if self.stack.pop()[0] == tag:
                break

    def handle_data(self, data):
        if self.stack and not self.stack[-1][1] and not self.stack[-1][2] and data.strip():
            self.texts.append(data)


def untranslated(html: str) -> list[str]:
    parser = VisibleText()
    parser.feed(html)
    # Joined, because a translated sentence may hold markup (a commune name in
    # <span lang="fr">) that splits its ‹…› across two text nodes.
    rest = re.sub(r"‹[^›]*›", "\n", "\n".join(parser.texts), flags=re.S)
    return [line.strip() for line in rest.split("\n") if re.search(r"[^\W\d_]{2,}", line)]


def test_every_page_is_translated(make_app, pseudo_translations):
    directory, _ = pseudo_translations
    app = make_app(LANGUAGES="fr,en", BABEL_TRANSLATION_DIRECTORIES=str(directory))
    resident = Resident(app.test_client())
    resident.get("/")
    resident.post("/start", {"lang": "en"})
    pages = {"/notice": resident.get("/notice").get_data(as_text=True)}
    location = "/q/internet_ever"
    while not location.endswith("/result"):
        screen = location.rsplit("/", 1)[-1]
        pages[location] = resident.get(location).get_data(as_text=True)
        if screen == "commune":
            response = resident.post(location, {"query": "03000"})  # several: the choice list
            pages["commune choice"] = response.get_data(as_text=True)
            response = resident.post(location, {"query": "zzzz"})   # an error message
            pages["commune error"] = response.get_data(as_text=True)
            response = resident.post(location, {"commune": "03190"})
        elif screen == "devices":
            resident.post(location, {})                             # the "choose one" error
            response = resident.post(location, {"answer": ["none", "tablet"]})
            pages["exclusive error"] = response.get_data(as_text=True)
            response = resident.post(location, {"answer": ["tablet"]})
        elif screen == "internet_ever":
            response = resident.post(location, {"answer": "yes"})
        elif screen == "last_use":
            response = resident.post(location, {"answer": "3m"})
        elif 'name="how-' in pages[location]:                     # an activities screen
            items = re.findall(r'name="how-([a-z_]+)" value="alone"', pages[location])
            resident.post(location, {})  # a stray tap right after "Suivant": forgiven once
            pages[f"{screen} nothing ticked"] = resident.post(location, {}).get_data(as_text=True)
            pages[f"{screen} how missing"] = resident.post(
                location, {"answer": items[0]}).get_data(as_text=True)   # ticks kept, shown
            response = resident.post(location, {"answer": items,
                                                **{f"how-{i}": "helped" for i in items}})
        else:
            response = resident.post(location, {"idk": "1"})
        location = response.location
    for url in ("/result", "/result/print", "/idle?back=/result", "/nowhere"):
        pages[url] = resident.client.get(url).get_data(as_text=True)
    assert len(pages) > 25  # 16 screens, 12 error pages or states, the result and more
    problems = {url: untranslated(html) for url, html in pages.items()}
    assert {url: found for url, found in problems.items() if found} == {}
    assert all('<html lang="en" dir="ltr">' in html for html in pages.values())
