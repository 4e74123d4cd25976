"""What the dashboard puts first, and what axe does not check: the freshness of the data
and the key figures before the folded filters, ids unique across the page, each chart
named by its own heading with a finding, a no-break space before every "%"."""
from __future__ import annotations

import re
from datetime import datetime, timezone
from html.parser import HTMLParser

from kiosk.hub import store
from kiosk.storage.db import write_transaction
from tests import hubdata as h
from tests.test_hub_web import client, fill, hub, text  # noqa: F401 (fixtures)


FORM = '<form method="get"'  # the filters' (the header holds the logout form)


def received(hub, device_id: int, moment: datetime, count: int) -> None:
    with write_transaction(hub.hub_db):
        store.touch_device(hub.hub_db, device_id, moment, count)


def devices(hub) -> dict[str, int]:
    return {site: id_ for id_, site in hub.hub_db.execute("SELECT id, site FROM devices")}


def test_the_latest_record_and_the_key_figures_come_before_the_folded_filters(hub, client):
    fill(hub)
    ids = devices(hub)
    received(hub, ids["Agence postale de Souvigny"],
             datetime(2026, 2, 10, 14, 5, tzinfo=timezone.utc), 30)
    # A later sync that brings nothing new does not make the data fresher.
    received(hub, ids["Agence postale de Souvigny"],
             datetime(2026, 2, 12, 9, 0, tzinfo=timezone.utc), 0)
    received(hub, ids["Bus Bourbon'Net"], datetime(2026, 2, 3, 8, 0, tzinfo=timezone.utc), 4)
    page = text(client.get("/"))
    latest = page.index("Dernière donnée reçue le 10 février 2026 à 14:05.")
    key, form = page.index('id="chiffres-cles"'), page.index(FORM)
    assert key < latest < form
    assert page.index("Diagnostics terminés") < form    # the first key figure
    folded = page[page.rindex("<details", 0, form):form]
    assert 'class="filters"' in folded and " open" not in folded
    assert "<summary" in folded and "Filtres" in folded


def test_a_refused_filter_opens_the_filters(client):
    page = text(client.get("/?du=semaine-5"))
    opened = page[page.index('<details class="filters"'):page.index(FORM)]
    assert " open" in opened
    assert "n'est pas une semaine" in page


def test_a_hub_without_records_says_so_first(client):
    page = text(client.get("/"))
    assert page.index("Aucune donnée reçue pour l'instant.") < page.index(FORM)
