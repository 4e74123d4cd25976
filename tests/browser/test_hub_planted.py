"""The Département's two minutes: on a hub filled by the bench's filler with a planted
pattern (bench/hubfill.py: one under-reached EPCI, illectronisme falling week after week,
guided diagnostics and mediators' records), each planted fact is found on the first
screen or one click away, axe finds no violation, no id is repeated, and the summary
prints on one A4 page.

The hub runs as deployed (`kiosk hub staff add`, `KIOSK_ROLE=hub kiosk serve`); the
facts are read as a reader finds them: a sentence under a heading, or a table opened with
the keyboard.
"""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from bench.hubfill import UNDER_REACHED, fill
from kiosk.hub.epci import load_epci
from kiosk.hub.dashboard import EPCI_FILE
from tests.browser.test_accessibility import check_axe
from tests.browser.test_hub_dashboard import log_in, serve_hub

pytestmark = pytest.mark.browser

RECORDS = 8_000
UNDER_REACHED_NAME = load_epci(EPCI_FILE)[UNDER_REACHED]


@pytest.fixture(scope="module")
def planted_hub(tmp_path_factory):
    folder = tmp_path_factory.mktemp("planted")
    database = folder / "hub.db"
    fill(database, RECORDS, planted=True)
    yield from serve_hub(folder, database)


def open_table(page, figure_id: str):
    """A figure's table, unfolded with the keyboard (one click away); its locator."""
    summary = page.locator(f"#{figure_id} details.table-box > summary")
    summary.focus()
    page.keyboard.press("Enter")
    table = page.locator(f"#{figure_id} table")
    expect(table).to_be_visible()
    return table


def assert_unique_ids(page, what: str) -> None:
    repeated = page.evaluate("""() => {
        const seen = {}; for (const el of document.querySelectorAll('[id]'))
            seen[el.id] = (seen[el.id] || 0) + 1;
        return Object.keys(seen).filter(id => seen[id] > 1);
    }""")
    assert repeated == [], f"{what}: ids used more than once: {repeated}"


def test_each_planted_fact_is_found_on_the_first_screen_or_one_click_away(new_context,
                                                                         planted_hub):
    page = new_context(base_url=planted_hub).new_page()
    log_in(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Tableau de bord")
    check_axe(page, "dashboard of the planted hub")
    assert_unique_ids(page, "dashboard of the planted hub")
    # First screen: the key figures and when the last data came in.
    expect(page.locator("#chiffres-cles")).to_contain_text("Dernière donnée reçue le 6 mars 2026")
    expect(page.locator("#chiffres-cles")).to_contain_text(f"Diagnostics {RECORDS:,}".replace(",", "\u202f"))

    # 1. The under-reached EPCI: said under the heading, and last of its table's rates.
    reach = page.locator("#epci-residence")
    expect(reach.locator(".finding")).to_contain_text(
        f"Le taux le plus bas est celui de « {UNDER_REACHED_NAME} »")
    table = open_table(page, "epci-residence")
    ranked = table.locator("tbody:not(.apart) tr th[scope=row]").all_inner_texts()
    assert ranked[-1] == UNDER_REACHED_NAME, ranked

    # ... and on its map, whose table (one click away) says the same rate.
    map_table = open_table(page, "carte-epci-residence")
    rate = table.get_by_role("row", name=re.compile(f"^{UNDER_REACHED_NAME}")).locator("td").first
    expect(map_table.get_by_role("row", name=re.compile(f"^{UNDER_REACHED_NAME}"))
           .locator("td").first).to_have_text(rate.inner_text())
    expect(page.locator("#carte-epci-residence svg[role=img]")).to_have_attribute(
        "aria-labelledby", "carte-epci-residence-heading")
    # drawn in the map's lowest class, which its legend says is under half the average
    fill = page.evaluate("""name => [...document.querySelectorAll(
        '#carte-epci-residence use.map-area')].find(area => area.querySelector('title')
        .textContent.startsWith(name + ' :')).getAttribute('fill')""", UNDER_REACHED_NAME)
    assert fill == "url(#carte-epci-residence-c0)", fill
    expect(page.locator("#carte-epci-residence .map-legend li").first).to_contain_text(
        "moins de la moitié de la moyenne de l'Allier")

    # 2. Illectronisme falling: said under the trend's heading, over the whole period.
    expect(page.locator("#evolution-illectronisme .finding")).to_contain_text(
        re.compile(r"Depuis le 1er trimestre 2025 : de [0-9,]+\xa0% à [0-9,]+\xa0%, en baisse"))
    trend = open_table(page, "evolution-illectronisme")
    expect(trend.locator("tbody tr")).to_have_count(5)  # 2025-T1 to 2026-T1

    # 3. Guided diagnostics and the mediators' records.
    mode = open_table(page, "mode")
    guided = mode.get_by_role("row", name=re.compile("^Accompagné"))
    share = float(guided.locator("td").nth(1).inner_text().replace("\u00a0%", "")
                  .replace(",", "."))
    assert 12 <= share <= 18, share  # 15 % planted
    expect(page.locator("#impact")).to_contain_text("Diagnostic accompagné")

    check_axe(page, "dashboard of the planted hub, tables open")
    assert_unique_ids(page, "dashboard of the planted hub, tables open")

    # A preset instead of ISO weeks; the page says its period runs past the last data.
    page.locator("details.filters > summary").focus()
    page.keyboard.press("Enter")
    page.get_by_role("radio", name="12 derniers mois").check()
    page.get_by_role("button", name="Afficher").click()
    assert "periode=12mois" in page.url
    expect(page.locator("main")).to_contain_text("la dernière donnée reçue date du 6 mars 2026")
    check_axe(page, "dashboard of the last 12 months")


def test_the_summary_of_the_planted_hub_prints_on_one_a4_page(new_context, planted_hub):
    page = new_context(base_url=planted_hub).new_page()
    log_in(page)
    page.get_by_role("link", name=re.compile("^Synthèse d'une page")).click()
    expect(page.locator("#portee")).to_contain_text(UNDER_REACHED_NAME)
    # What an elected official should remember: the fall, and the least reached EPCI.
    expect(page.locator("#a-retenir")).to_contain_text("Depuis le 1er trimestre 2025")
    expect(page.locator("#a-retenir")).to_contain_text("en baisse")
    expect(page.locator("#a-retenir")).to_contain_text(
        f"Le taux le plus bas est celui de « {UNDER_REACHED_NAME} »")
    check_axe(page, "summary of the planted hub")
    assert_unique_ids(page, "summary of the planted hub")
    pdf = page.pdf(format="A4", prefer_css_page_size=True)
    assert len(re.findall(rb"/Type\s*/Page\b", pdf)) == 1
