"""Comparing like with like on the dashboard: INSEE's reference beside its own definition
only, kiosk figures said to be of the people who came, the EPCIs ranked against the
département's mean, the age-standardised share and the predefined crossings."""
from __future__ import annotations

import re

from tests import hubdata as h
from tests.test_hub_web import client, column, fill, hub, tables_of, text  # noqa: F401

HEADLINE = "Illectronisme, définition INSEE 2021, 16 ans ou plus : chiffre principal"
REFERENCE = "Référence INSEE de même définition (habitants de l'Allier, 2019)"
STANDARDISED = "Part à âges comparables (structure d'âge de l'Allier)"
AT_A_KIOSK = "parmi les personnes venues à une borne"


def figure(page: str, fig_id: str) -> str:
    start = page.index(f'<figure class="figure" id="{fig_id}"')
    return page[start:page.index("</figure>", start)]


def plain(value: str) -> str:
    return re.sub(r"[\u202f\xa0]", " ", value)


def test_the_reference_sits_only_beside_the_indicator_of_its_definition(hub, client):
    fill(hub)
    page = text(client.get("/"))
    reference = column(tables_of(page)["illectronisme"], REFERENCE)
    assert reference == {
        HEADLINE: "22,0 %",
        "Illectronisme, définition INSEE 2021, 16 ans ou plus : chiffre strict (fait seul)": "–",
        "Illectronisme, définition INSEE 2019 (approximation), 16 ans ou plus : "
        "chiffre principal": "–",
        "Illectronisme, définition INSEE 2019 (approximation), 16 ans ou plus : "
        "chiffre strict (fait seul)": "–"}
    # In the chart, one short mark on the headline's row, no line across the others.
    chart = figure(page, "illectronisme")
    assert chart.count('class="reference"') == 1
    mark = re.search(r'<line class="reference" [^>]*y1="([\d.]+)"', chart)
    label = re.search(r'<text class="chart-label" x="8" y="([\d.]+)">'
                      + re.escape(HEADLINE), chart)
    assert float(mark.group(1)) - float(label.group(1)) == 2   # row y - 10 vs row y - 12
    assert "INSEE, habitants de l'Allier : 22 %" in plain(chart)
    # Nowhere else: neither "at least basic" nor the EPCIs.
    for other in ("bases", "illectronisme-epci"):
        assert 'class="reference"' not in figure(page, other)
        assert "INSEE" not in plain(figure(page, other)).split("<table")[0].split("</h3>")[1]


def test_kiosk_figures_say_whose_share_they_are_and_the_caveat_is_plain_text(hub, client):
    fill(hub)
    page = text(client.get("/"))
    for fig_id in ("illectronisme", "bases", "illectronisme-epci"):
        heading = re.search(r'<h3 id="%s-heading">([^<]+)</h3>' % fig_id, page).group(1)
        assert heading.endswith(", " + AT_A_KIOSK), heading
    section = page[page.index('<section id="illectronisme-et-bases"'):]
    intro = re.search(r"</h2>\s*<p>([^<]+)</p>", section).group(1)
    assert "ne ressemblent pas à l'ensemble des habitants" in intro
    chance = ("la marge due au hasard seulement (pas au fait que les personnes venues ne "
              "ressemblent pas à tous les habitants)")
    assert plain(page).count(chance) == 1 and chance in plain(intro)
    # The key figures say it too, in normal text, not in a grey note.
    key = page[page.index('id="chiffres-cles"'):page.index('id="version"')]
    assert 'class="note"' not in key
    assert "calculées parmi les personnes venues à une borne" in key


def planted(hub) -> None:
    """Three EPCIs of clearly different shares, and people of unknown residence."""
    db = hub.hub_db
    kiosk = h.add_device(db, "Agence postale de Souvigny", h.MOULINS)
    h.receive(db, kiosk, h.many(50, residence=h.MOULINS) + h.many(50, residence=h.MOULINS,
                                                                  illectronism=True)
              + h.many(80, residence=h.MONTLUCON) + h.many(20, residence=h.MONTLUCON,
                                                           illectronism=True)
              + h.many(20, residence=h.VICHY) + h.many(80, residence=h.VICHY,
                                                       illectronism=True)
              + h.many(15, residence=None) + h.many(15, residence=None, illectronism=True))


def test_epcis_are_ranked_by_share_against_the_mean_with_non_renseigne_apart(hub, client):
    planted(hub)
    page = text(client.get("/"))
    table = tables_of(page)["illectronisme-epci"]
    shares = column(table, "Part")
    # Highest first, "non renseigné" after the EPCIs, the Allier's mean last:
    # (80 + 50 + 20 + 15) / 330 = 50.0 %.
    assert list(shares.items()) == [
        ("CA Vichy Communauté", "80,0 %"), ("CA Moulins Communauté", "50,0 %"),
        ("CA Montluçon Communauté", "20,0 %"), ("Non renseigné", "50,0 %"),
        ("Allier (moyenne du département)", "50,0 %")]
    chart = plain(figure(page, "illectronisme-epci"))
    labels = re.findall(r'<text class="chart-label" x="8" y="([\d.]+)">([^<]+)</text>', chart)
    assert [label for _, label in labels] == list(shares)[:4]
    # Each row says its share and n; "non renseigné" comes after a gap.
    assert "80,0 % (n = 100)" in chart and "50,0 % (n = 30)" in chart
    steps = [float(b) - float(a) for (a, _), (b, _) in zip(labels, labels[1:])]
    assert steps == [44.0, 44.0, 66.0]
    # The mean is a line across the chart, with its label, on the 0-100 % axis.
    assert chart.count('<line class="mean"') == 1
    assert "Moyenne de l'Allier : 50,0 %" in chart
    ticks = re.findall(r'class="chart-tick"[^>]*>(\d+) %<', chart)
    assert ticks[0] == "0" and ticks[-1] == "100"


def test_comparable_charts_share_one_scale(hub, client):
    fill(hub)
    page = text(client.get("/"))
    for fig_id in ("illectronisme", "bases", "illectronisme-epci"):
        ticks = re.findall(r'class="chart-tick"[^>]*>(\d+)[\u00a0 ]%<', figure(page, fig_id))
        assert ticks == ["0", "20", "40", "60", "80", "100"], fig_id
