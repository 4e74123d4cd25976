"""What the dashboard puts first, and what axe does not check: the freshness of the data
and the key figures before the folded filters, ids unique across the page, each chart
named by its own heading with a finding, a no-break space before every "%"."""
from __future__ import annotations

import html
import re
from datetime import datetime, timezone
from html.parser import HTMLParser

from kiosk.hub import store
from kiosk.storage.db import write_transaction
from tests import hubdata as h
from tests.test_hub_web import client, column, fill, hub, tables_of, text  # noqa: F401


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


class Ids(HTMLParser):
    """Every id of a page, in order, with repeats."""

    def __init__(self):
        super().__init__()
        self.ids = []

    def handle_starttag(self, tag, attrs):
        self.ids += [value for name, value in attrs if name == "id"]


def test_ids_are_unique_across_the_whole_page(hub, client):
    fill(hub)
    for path in ("/", "/?epci=" + h.MOULINS, "/?territoire=site"):
        parser = Ids()
        parser.feed(client.get(path).get_data(as_text=True))
        repeated = {i for i in parser.ids if parser.ids.count(i) > 1}
        assert len(parser.ids) > 50 and not repeated, (path, repeated)


def test_every_chart_is_named_by_its_own_heading(hub, client):
    fill(hub)
    page = text(client.get("/"))
    charts = re.findall(r'<svg class="chart[^"]*"[^>]*aria-labelledby="([^"]+)"'
                        r' aria-describedby="([^"]+)"', page)
    assert len(charts) >= 12
    for name, described in charts:
        assert re.search(rf'<h3 id="{name}">[^<]+</h3>', page), name
        for part in described.split():
            assert f'id="{part}"' in page
    # One name, the heading's: no svg carries a <title> of its own (a map's EPCIs have
    # theirs, inside the image).
    assert not re.search(r"<svg[^>]*>\s*<title", page.split("</head>")[1])


def test_a_chart_says_its_finding_in_one_sentence(hub, client):
    fill(hub)
    page = text(client.get("/"))
    # 30 of the 369 diagnostics were in Arabic, the 339 others in French.
    languages = page[page.index('<figure class="figure" id="langues"'):]
    finding = re.search(r'<p class="finding" id="langues-finding">([^<]+)</p>', languages)
    assert finding.group(1) == "La part la plus élevée est « français » (91,9\u00a0%)."
    assert 'aria-describedby="langues-finding langues-chart-desc"' in languages


def test_no_finding_where_a_hidden_row_could_be_the_largest(hub, client):
    fill(hub)
    page = text(client.get("/"))
    # The bus's 4 records without a residence are hidden ("s") in the EPCI figures.
    assert 'id="epci-residence-finding"' not in page
    assert 'id="illectronisme-finding"' not in page   # definitions, not rivals


def visible_text(page: str) -> str:
    """The characters a reader sees or hears: tags and comments out, entities decoded."""
    return html.unescape(re.sub(r"<!--.*?-->|<[^>]+>", " ", page, flags=re.S))


def test_a_no_break_space_before_every_percent_sign(hub, client):
    fill(hub)
    for path in ("/", "/?epci=" + h.MOULINS):
        page = client.get(path).get_data(as_text=True)
        seen = visible_text(page) + " ".join(re.findall(r'(?:aria-label|title)="([^"]*)"', page))
        assert seen.count("%") > 20
        assert not re.search(r"[ \t\n\u202f]%", seen), re.findall(r".{20}[ \n]%", seen)[:5]
        assert not re.search(r"\d%", seen), re.findall(r".{20}\d%", seen)[:5]


def test_one_kiosk_table_silent_first_then_by_site_naturally(hub, client):
    fill(hub)   # Souvigny: 265 diagnostics; the bus: 104, silent 9 days; Ébreuil: never
    h.add_device(hub.hub_db, "Borne n°10 de Moulins", h.MOULINS,
                 last_seen=datetime.now(timezone.utc).isoformat())
    h.add_device(hub.hub_db, "Borne n°2 de Moulins", h.MOULINS,
                 last_seen=datetime.now(timezone.utc).isoformat())
    page = text(client.get("/"))
    assert page.count('<section id="bornes"') == 1 and "par-site" in page
    table = tables_of(page)["bornes"]
    sites = [row[0] for row in table[1:]]
    assert sites == ["Agence postale d'Ébreuil", "Bus Bourbon'Net",       # silent, flagged
                     "Agence postale de Souvigny", "Ancienne borne",
                     "Borne n°2 de Moulins", "Borne n°10 de Moulins"]
    counts = column(table, "Diagnostics du site sur la période")
    assert counts == {"Agence postale d'Ébreuil": "0", "Bus Bourbon'Net": "104",
                      "Agence postale de Souvigny": "265", "Ancienne borne": "0",
                      "Borne n°2 de Moulins": "0", "Borne n°10 de Moulins": "0"}
    assert column(table, "Version")["Bus Bourbon'Net"] == "–"


def test_a_kiosk_count_hides_what_the_site_table_hides(hub, client):
    db = hub.hub_db
    small = h.add_device(db, "Agence postale de Lurcy", h.MOULINS,
                         last_seen=datetime.now(timezone.utc).isoformat())
    big = h.add_device(db, "Agence postale de Souvigny", h.MOULINS,
                       last_seen=datetime.now(timezone.utc).isoformat())
    h.receive(db, small, h.many(4))
    h.receive(db, big, h.many(40))
    tables = tables_of(text(client.get("/")))
    kiosks = column(tables["bornes"], "Diagnostics du site sur la période")
    sites = column(tables["par-site"], "Effectif")
    assert kiosks == sites
    assert kiosks["Agence postale de Lurcy"] == "s" == kiosks["Agence postale de Souvigny"]


def test_the_printable_summary_holds_the_key_figures_and_the_reach_table(hub, client):
    fill(hub)
    received(hub, devices(hub)["Bus Bourbon'Net"],
             datetime(2026, 2, 3, 8, 0, tzinfo=timezone.utc), 4)
    dashboard, summary = text(client.get("/")), text(client.get("/synthese"))
    assert FORM not in summary and "<svg" not in summary
    assert 'href="/synthese"' in dashboard
    for label in ("Diagnostics terminés", "Dernière donnée reçue le 3 février 2026 à 08:00.",
                  "Chiffres clés"):
        assert label in summary
    # The same published cells as the dashboard's, the EPCIs by rate, the average last.
    reach = tables_of(summary)[None]   # its one table, in no figure
    rates = column(reach, "Pour 1 000 habitants")
    full = column(tables_of(dashboard)["epci-residence"], "Pour 1 000 habitants")
    assert full.pop("Non renseigné") == "–"   # no population, no rate: left to the dashboard
    assert rates == full and len(rates) > 10
    assert list(rates)[-1] == "Allier (moyenne du département)"


def test_the_summary_prints_on_a4_without_the_page_chrome(hub, client):
    css = client.get("/static/css/hub.css").get_data(as_text=True)
    assert "@page { size: A4;" in css
    printed = css[css.index("@media print"):]
    assert ".hub-header" in printed and ".filters" in printed


def test_the_summary_needs_a_login(hub):
    assert hub.test_client().get("/synthese").status_code == 302


def test_the_summary_says_what_to_remember_in_the_dashboard_s_own_words(hub, client):
    from tests.test_hub_trends import falling

    falling(hub)
    dashboard, summary = text(client.get("/")), text(client.get("/synthese"))
    said = re.findall(r'<li>([^<]*)</li>', summary[summary.index('id="a-retenir"'):])
    # Illectronisme fell from 60 of 100 in January to 20 of 100 in February; nobody
    # came from ten EPCIs: the dashboard's sentences, word for word.
    assert said[0] == ("Entre janvier 2026 et février 2026, la part passe de 60,0\xa0% à "
                       "20,0\xa0% : en baisse (les intervalles de confiance ne se recoupent "
                       "pas).")
    assert said[1].startswith("Aucun diagnostic sur la période pour : « CA Montluçon")
    assert all(sentence in dashboard for sentence in said)
