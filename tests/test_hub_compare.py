"""Comparing like with like on the dashboard: INSEE's reference beside its own definition
only, kiosk figures said to be of the people who came, the EPCIs ranked against the
département's mean, the age-standardised share and the predefined crossings."""
from __future__ import annotations

import json
import re

from kiosk.hub import crossings, schema
from kiosk.storage import migrations
from kiosk.storage.db import connect, write_transaction
from tests import hubdata as h
from tests.test_hub_accompaniments import _export, diagnostic_items, make  # noqa: F401
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


# --- The age-standardised share ---------------------------------------------------------

def by_age(hub, oldest: tuple[int, int]) -> None:
    """100 people in each age band from 16 to 74, of 20, 30, 40 and 50 % illectronism,
    and ``oldest`` (illectronic, not) aged 75 or more."""
    kiosk = h.add_device(hub.hub_db, "Agence postale de Souvigny", h.MOULINS)
    payloads = []
    for band, illectronic in (("16-29", 20), ("30-44", 30), ("45-59", 40), ("60-74", 50)):
        payloads += (h.many(illectronic, age_band=band, illectronism=True)
                     + h.many(100 - illectronic, age_band=band))
    yes, no = oldest
    payloads += h.many(yes, age_band="75+", illectronism=True) + h.many(no, age_band="75+")
    h.receive(hub.hub_db, kiosk, payloads)


def test_the_standardised_share_weights_each_band_by_the_allier_s_inhabitants(hub, client):
    by_age(hub, (180, 120))
    page = text(client.get("/"))
    table = tables_of(page)["illectronisme"]
    # Crude: (20 + 30 + 40 + 50 + 180) / 700 = 45.7 %. Weighted by the Allier's
    # inhabitants (INSEE, RP2012: 48,988 aged 15-29, 59,213 30-44, 72,341 45-59,
    # 62,740 60-74, 45,464 75+; 288,746 in all):
    # (48988 x .2 + 59213 x .3 + 72341 x .4 + 62740 x .5 + 45464 x .6) / 288746
    # = 115,146.3 / 288,746 = 39.9 %: the oldest, overrepresented here, weigh less.
    assert column(table, "Part")[HEADLINE] == "45,7 %"
    standardised = column(table, STANDARDISED)
    assert standardised[HEADLINE] == "39,9 %"
    assert set(standardised.values()) == {"39,9 %", "–"}   # beside the crude one only
    assert "« Part à âges comparables » : la même part si les personnes venues avaient les " \
           "âges des habitants de l'Allier" in page


def test_a_hidden_band_hides_the_standardised_share(hub, client):
    by_age(hub, (5, 3))   # 8 people aged 75 or more: their counts are secret
    page = text(client.get("/"))
    crossing = tables_of(page)["croisement-age-indicateur-insee2021-illectronism"]
    assert column(crossing, "Oui")["75 ans ou plus"] == "s"
    assert column(tables_of(page)["illectronisme"], STANDARDISED)[HEADLINE] == "s"


def test_without_anyone_in_a_band_the_standardised_share_is_not_available(hub, client):
    by_age(hub, (0, 0))
    table = tables_of(text(client.get("/")))["illectronisme"]
    assert column(table, STANDARDISED)[HEADLINE] == "non disponible"


# --- The crossings -----------------------------------------------------------------------

def test_the_crossings_count_each_age_band_and_add_up_to_the_page_s_figures(hub, client):
    kiosk = h.add_device(hub.hub_db, "Agence postale de Souvigny", h.MOULINS)
    h.receive(hub.hub_db, kiosk,
              h.many(30, age_band="30-44", needs=("basics",), offers=("digital_advisor",))
              + h.many(20, age_band="30-44", illectronism=True, needs=("basics", "equipment"),
                       offers=("digital_advisor", "solidarity_device"))
              + h.many(40, age_band="75+", illectronism=True, needs=("equipment",),
                       offers=("solidarity_device",))
              + h.many(25, age_band="60-74")
              + h.many(12, age_band="60-74", complete=False))
    tables = tables_of(text(client.get("/")))
    crossing = tables["croisement-age-indicateur-insee2021-illectronism"]
    assert column(crossing, "Oui") == {
        "Moins de 16 ans": "0", "De 16 à 29 ans": "0", "De 30 à 44 ans": "20",
        "De 45 à 59 ans": "0", "De 60 à 74 ans": "0", "75 ans ou plus": "40"}
    assert column(crossing, "Non")["De 30 à 44 ans"] == "30"
    assert column(crossing, "Non")["De 60 à 74 ans"] == "25"   # the abandoned ones: nowhere
    # Its margin is the page's illectronism count: 20 + 40.
    assert column(tables["illectronisme"], "Personnes en illectronisme")[HEADLINE] == "60"
    needs = tables["croisement-age-besoins"]
    assert column(needs, "Apprendre les bases")["De 30 à 44 ans"] == "50"
    assert column(needs, "Avoir un appareil") == {
        "Moins de 16 ans": "0", "De 16 à 29 ans": "0", "De 30 à 44 ans": "20",
        "De 45 à 59 ans": "0", "De 60 à 74 ans": "0", "75 ans ou plus": "40"}
    assert column(needs, "Diagnostics terminés")["De 60 à 74 ans"] == "25"
    offers = tables["croisement-besoins-offres"]
    need_offer = column(offers, "Avoir un ordinateur à petit prix")
    assert need_offer["Avoir un appareil"] == "60" and need_offer["Apprendre les bases"] == "20"
    assert column(offers, "Être accompagné par un conseiller numérique")[
        "Avoir un appareil"] == "20"


def test_a_small_crossed_cell_is_hidden_with_enough_others_to_stay_secret(hub, client):
    kiosk = h.add_device(hub.hub_db, "Agence postale de Souvigny", h.MOULINS)
    h.receive(hub.hub_db, kiosk,
              h.many(4, age_band="75+", illectronism=True) + h.many(40, age_band="75+")
              + h.many(30, age_band="60-74", illectronism=True) + h.many(50, age_band="60-74")
              + h.many(25, age_band="45-59", illectronism=True) + h.many(60, age_band="45-59"))
    tables = tables_of(text(client.get("/")))
    crossing = tables["croisement-age-indicateur-insee2021-illectronism"]
    yes, no = column(crossing, "Oui"), column(crossing, "Non")
    completed = column(tables["croisement-age-besoins"], "Diagnostics terminés")
    assert yes["75 ans ou plus"] == "s"
    # Not the page's 59 minus the other bands' "oui": another band's "oui" is hidden too.
    assert column(tables["illectronisme"], "Personnes en illectronisme")[HEADLINE] == "59"
    assert [yes[band] for band in ("De 45 à 59 ans", "De 60 à 74 ans")].count("s") >= 1
    # Nor the band's 44 minus its "non": its "non" or its total is hidden too.
    assert "s" in (no["75 ans ou plus"], completed["75 ans ou plus"])
    for band in ("De 45 à 59 ans", "De 60 à 74 ans", "75 ans ou plus"):
        row = (yes[band], no[band], completed[band])
        assert row.count("s") != 1, band    # never the only unknown of its sum


def test_the_crossings_leave_every_existing_figure_and_file_as_it_was(make, tmp_path,
                                                                      monkeypatch):
    with monkeypatch.context() as patch:
        patch.setattr(crossings, "facts", lambda payload: [])   # a hub before them
        before_app, before = make("before", diagnostic_items)
    after_app, after = make("after", diagnostic_items)
    for query in ("", "?epci=200071496", "?territoire=site&epci=200071496",
                  "?du=2026-W05&au=2026-W08"):
        old, new = text(before.get("/" + query)), text(after.get("/" + query))
        assert "Non disponible pour cette période" in old
        assert "croisement-age-besoins" in new
        old_figures, new_figures = _figures(old), _figures(new)
        for name in old_figures:
            assert old_figures[name] == new_figures[name], (query, name)
        assert len(old_figures) > 10 and old_figures.keys() == new_figures.keys()
    assert _export(before_app, tmp_path / "before-out") == _export(after_app,
                                                                   tmp_path / "after-out")


def _figures(page: str) -> dict:
    """Every table of the page outside the crossings' section, but the standardised
    share (worked out from the crossings)."""
    start = page.index('<section id="croisements"')
    tables = tables_of(page[:start] + page[page.index("</section>", start):])
    position = tables["illectronisme"][0].index(STANDARDISED)
    tables["illectronisme"] = [row[:position] + row[position + 1:]
                               for row in tables["illectronisme"]]
    return tables


def test_the_upgrade_recounts_the_crossings_from_the_records_still_held(tmp_path):
    db = connect(tmp_path / "hub.db")
    migrations.migrate(db, schema.MIGRATIONS[:schema.MIGRATIONS.index(schema.h017_crossings)])
    kiosk = h.add_device(db, "Agence postale de Souvigny", h.MOULINS)
    payloads = h.many(12, age_band="30-44", illectronism=True) + h.many(3, complete=False)
    with write_transaction(db):
        for number, payload in enumerate(payloads):
            db.execute("INSERT INTO records (id, device_id, received_at, week, content_hash, "
                       "payload) VALUES (?, ?, ?, ?, ?, ?)",
                       [f"r{number}", kiosk["id"], "2026-02-02T10:00:00+00:00",
                        payload["week"], f"h{number}", json.dumps(payload)])
    migrations.migrate(db, schema.MIGRATIONS)
    rows = dict(db.execute("SELECT value, SUM(n) FROM tally_residence WHERE dimension = "
                           "'cross.age_band:indicator:insee2021_illectronism' "
                           "GROUP BY value").fetchall())
    assert rows == {"30-44|true": 12}
    assert db.execute("SELECT COUNT(*) FROM tally WHERE dimension NOT GLOB 'cross.*'"
                      ).fetchone()[0] == 0      # nothing else counted twice
    db.close()


def test_the_reach_chart_writes_rate_and_n_against_the_allier_s_average(hub, client):
    planted(hub)
    page = text(client.get("/"))
    average = column(tables_of(page)["epci-residence"], "Pour 1 000 habitants")[
        "Allier (moyenne du département)"]
    chart = plain(figure(page, "epci-residence").split("<table")[0])
    assert chart.count('<line class="mean"') == 1
    assert f"Moyenne de l'Allier : {average}" in chart
    # CA Vichy Communauté: 100 of its 83,990 inhabitants of the Allier.
    assert "1,2 ‰ (n = 100)" in chart
