"""The hub's dashboard in Debian's Chromium: log in, filter by an EPCI, choose the
questionnaire's version (the measurement frame), and axe-core finds no violation (every rule axe has, on the whole page, with the CSP in force).

The hub runs as deployed: a hub database filled the way ingestion fills it, an account
made with `kiosk hub staff add --password-stdin`, and `KIOSK_ROLE=hub kiosk serve`.
"""
from __future__ import annotations

import re
import subprocess
from datetime import datetime, timedelta, timezone

import pytest
from playwright.sync_api import expect

from kiosk.hub import store
from kiosk.storage.db import write_transaction
from tests import hubdata as h
from tests.browser.test_accessibility import check_axe as check_page
from tests.live import free_port, kiosk_command, serve, server_env, stop

pytestmark = pytest.mark.browser

PASSWORD = "une phrase de passe assez longue"
MONTLUCON_NAME = "CA Montluçon Communauté"


@pytest.fixture(scope="module")
def hub_server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hub")
    database = folder / "hub.db"
    db = h.new_hub_db(database)
    now = datetime.now(timezone.utc)
    souvigny = h.add_device(db, "Agence postale de Souvigny", h.MOULINS,
                            last_seen=(now - timedelta(days=1)).isoformat())
    bus = h.add_device(db, "Bus Bourbon'Net", h.MONTLUCON,
                       last_seen=(now - timedelta(days=12)).isoformat())
    h.receive(db, souvigny, h.many(120) + h.many(40, illectronism=True)
              + h.many(14, complete=False) + h.many(25, week="2026-W06", language="ar")
              + h.many(45, frame="1", illectronism=True, age_band="15-29"))
    h.receive(db, bus, h.many(60, residence=h.MONTLUCON, illectronism=True)
              + h.many(90, residence=h.MONTLUCON, week="2026-W07")
              + h.many(6, residence=None, complete=False, last_screen="devices"))
    with write_transaction(db):   # the sync that brought them, as ingestion records it
        store.touch_device(db, souvigny["id"], now - timedelta(days=1), 244)
    db.close()
    yield from serve_hub(folder, database)


def serve_hub(folder, database):
    """`KIOSK_ROLE=hub kiosk serve` on ``database``, with the account "alice" made as
    an administrator makes it; yields its URL, then stops it."""
    env = server_env(database, folder, ROLE="hub")
    added = subprocess.run(kiosk_command() + ["hub", "staff", "add", "alice", "--password-stdin"],
                           input=PASSWORD + "\n", env=env, cwd=folder, capture_output=True,
                           text=True, timeout=60)
    assert added.returncode == 0, added.stderr
    process, url, _ = serve(folder, env, free_port())
    try:
        yield url
    finally:
        stop(process)


def open_filters(page) -> None:
    """Unfold the filter form as a keyboard user would."""
    page.locator("details.filters > summary").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_label("EPCI", exact=True)).to_be_visible()


def log_in(page) -> None:
    page.goto("/")
    page.get_by_label("Nom").fill("alice")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()


def test_the_summary_for_elected_officials_prints_on_one_a4_page(new_context, hub_server):
    page = new_context(base_url=hub_server).new_page()
    log_in(page)
    page.get_by_role("link", name=re.compile("^Synthèse d'une page")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("synthèse")
    expect(page.locator("#portee table")).to_contain_text("Allier (moyenne du département)")
    expect(page.locator("form[method=get]")).to_have_count(0)
    check_page(page, "summary for elected officials")
    pdf = page.pdf(format="A4", prefer_css_page_size=True)
    assert len(re.findall(rb"/Type\s*/Page\b", pdf)) == 1


def test_login_filter_by_an_epci_and_no_axe_violation(new_context, hub_server):
    page = new_context(base_url=hub_server).new_page()
    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Connexion au tableau de bord")
    check_page(page, "login")
    page.get_by_label("Nom").fill("alice")
    page.get_by_label("Mot de passe").fill("pas le bon mot de passe")
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("alert")).to_have_text("Nom ou mot de passe incorrect.")
    check_page(page, "login with an error")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Tableau de bord")
    expect(page.get_by_text("Connecté : alice")).to_be_visible()
    check_page(page, "dashboard, all of the Allier")
    # The key figures and the freshness of the data come before the folded filters.
    expect(page.locator("#chiffres-cles")).to_contain_text("Dernière donnée reçue")
    expect(page.get_by_label("EPCI", exact=True)).to_be_hidden()

    open_filters(page)
    page.get_by_label("EPCI", exact=True).select_option(label=MONTLUCON_NAME)
    page.get_by_role("button", name="Afficher").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Tableau de bord – {MONTLUCON_NAME}")
    assert "epci=200071082" in page.url
    charts = page.locator("svg.chart[role=img]")
    assert charts.count() >= 12
    # Each chart's table, opened as a keyboard user would.
    summaries = page.locator("details.table-box > summary")
    assert summaries.count() == charts.count()
    for index in range(summaries.count()):
        summaries.nth(index).focus()
        page.keyboard.press("Enter")
    expect(page.locator("details.table-box[open]")).to_have_count(charts.count())
    done = page.locator("#termines table")
    expect(done.get_by_role("row", name=re.compile("^Terminé"))).to_contain_text("150")
    health = page.locator("#bornes table")
    expect(health.get_by_role("row", name=re.compile("Bus Bourbon'Net"))).to_contain_text(
        "Silencieuse depuis 12 jours")
    check_page(page, "dashboard filtered by an EPCI, tables open")

    # The records of older kiosks (version 1) are one choice of the form away, apart.
    expect(page.locator("#version")).to_contain_text("Questionnaire 2026.3 et suivants")
    open_filters(page)
    page.get_by_label("EPCI", exact=True).select_option(label="Tous les EPCI")
    page.get_by_role("radio", name=re.compile("^Version 1")).check()
    page.get_by_role("button", name="Afficher").click()
    assert "version=1" in page.url
    expect(page.locator("#version")).to_contain_text("Questionnaires jusqu'à 2026.2")
    # Its 45 diagnostics alone, not added to the 355 of version 2.
    expect(page.locator("#chiffres-cles dl > div").first).to_have_text(re.compile(
        r"^\s*Diagnostics\s+45\s*$"))
    check_page(page, "dashboard of version 1")

    page.get_by_role("button", name="Se déconnecter").click()
    expect(page.get_by_role("status")).to_have_text("Vous êtes déconnecté.")
    page.goto("/?epci=200071082")
    expect(page.get_by_role("heading", level=1)).to_have_text("Connexion au tableau de bord")
