"""Reach: diagnostics per 1,000 inhabitants of each EPCI (kiosk.hub.reach), on the
dashboard sorted by rate with the Allier's average apart."""
from __future__ import annotations

import pytest

from kiosk.hub import reach
from kiosk.hub.sections import rate_text
from tests import hubdata as h
from tests.test_hub_web import client, column, fill, hub, tables_of, text  # noqa: F401

GRAND_CHAROLAIS = "200071884"
POPULATIONS = {"A": reach.Population(2000, 2000, 10, 10),
               "B": reach.Population(50_000, 52_000, 20, 22)}


def test_a_rate_is_per_thousand_inhabitants_of_the_allier_communes():
    ranked, apart = reach.rates({"A": 30, "B": 100}, POPULATIONS)
    # A: 30 / 2,000 = 15 per 1,000; B: 100 / 50,000 (its Allier communes) = 2 per 1,000.
    assert [(r.code, r.rate) for r in ranked] == [("A", 15.0), ("B", 2.0)]
    assert apart == []


def test_equal_rates_keep_the_order_of_the_epci_file():
    in_file_order = {"Z": POPULATIONS["A"], "A": POPULATIONS["B"]}
    ranked, _ = reach.rates({"A": 0, "Z": 0}, in_file_order)
    assert [r.code for r in ranked] == ["Z", "A"]


def test_a_hidden_count_gives_no_rate_and_comes_after_the_rates():
    ranked, _ = reach.rates({"A": None, "B": 100}, POPULATIONS)
    assert [(r.code, r.count, r.rate) for r in ranked] == [("B", 100, 2.0), ("A", None, None)]


def test_not_given_is_kept_apart_without_a_rate():
    ranked, apart = reach.rates({"": 40, "A": 30}, POPULATIONS)
    assert [r.code for r in ranked] == ["A"]
    assert [(r.code, r.count, r.rate, r.population) for r in apart] == [("", 40, None, None)]


def test_the_average_is_every_diagnostic_over_the_allier_population():
    assert reach.average(208, POPULATIONS).rate == pytest.approx(4.0)  # 208 / 52,000
    assert reach.average(None, POPULATIONS).rate is None


def test_rates_are_written_in_french_with_a_non_breaking_space():
    assert rate_text(1234.56) == "1\u202f234,6\u00a0‰"
    assert rate_text(None) == "s"


def test_grand_charolais_is_measured_against_its_allier_communes():
    populations = reach.allier_populations()
    charolais = populations[GRAND_CHAROLAIS]
    # Its 3 Allier communes in communes_03.csv, not its 40,919 inhabitants in all.
    assert (charolais.allier, charolais.communes_allier) == (2412, 3)
    assert (charolais.total, charolais.communes_total) == (40919, 44)
    assert charolais.partial
    assert not populations[h.VICHY].partial
    assert sum(p.allier for p in populations.values()) == 333_298


def test_the_dashboard_ranks_epcis_by_rate_with_the_average_apart(hub, client):
    fill(hub)
    page = text(client.get("/"))
    table = tables_of(page)["epci-residence"]
    rates = column(table, "Pour 1 000 habitants")
    labels = list(rates)
    # Moulins 235 / 62,488 = 3.8 ‰, Montluçon 100 / 59,142 = 1.7 ‰: by rate, not by size.
    assert labels[:2] == ["CA Moulins Communauté", "CA Montluçon Communauté"]
    assert rates["CA Moulins Communauté"] == "3,8 ‰"
    assert rates["CA Montluçon Communauté"] == "1,7 ‰"
    # An EPCI no one came from is the least reached: a zero, not left out.
    assert rates["CC du Val de Cher"] == "0,0 ‰"
    assert column(table, "Effectif")["CC du Val de Cher"] == "0"
    # Vichy's 30 are hidden (else the 4 of unknown residence would be the total minus
    # the rest): its rate is hidden too, and ranked after the known rates.
    assert rates["CA Vichy Communauté"] == "s"
    assert labels.index("CA Vichy Communauté") == len(labels) - 3
    # "Non renseigné" has no population, so no rate even when its count is hidden; the
    # average row comes last: all 369 diagnostics / 333,298 inhabitants = 1.1 ‰.
    assert labels[-2:] == ["Non renseigné", "Allier (moyenne du département)"]
    assert rates["Non renseigné"] == "–"
    assert rates["Allier (moyenne du département)"] == "1,1 ‰"
    moulins = column(table, "Habitants de tout l'EPCI, où il déborde de l'Allier")
    assert moulins["CA Moulins Communauté"] == "66 443 (42 communes sur 44 dans l'Allier)"
    assert moulins["CA Vichy Communauté"] == "–"
    assert '<tfoot class="average">' in page
    assert "les seuls que les bornes peuvent atteindre" in page


def test_a_hidden_count_hides_its_rate_on_the_page(hub, client):
    db = hub.hub_db
    kiosk = h.add_device(db, "Agence postale de Souvigny", h.MOULINS)
    h.receive(db, kiosk, h.many(200) + h.many(5, residence=h.VICHY)
              + h.many(30, residence=h.MONTLUCON))
    table = tables_of(text(client.get("/")))["epci-residence"]
    counts, rates = column(table, "Effectif"), column(table, "Pour 1 000 habitants")
    assert counts["CA Vichy Communauté"] == "s" and rates["CA Vichy Communauté"] == "s"
    # and the second cell hidden with it (else it would be the total minus the rest)
    hidden = [label for label, value in counts.items() if value == "s"]
    assert len(hidden) >= 2 and all(rates[label] == "s" for label in hidden)


def test_the_page_of_one_epci_shows_its_rate_without_the_average(hub, client):
    fill(hub)
    table = tables_of(text(client.get(f"/?epci={h.MOULINS}")))["epci-residence"]
    rates = column(table, "Pour 1 000 habitants")
    assert rates == {"CA Moulins Communauté": "3,8 ‰"}


def reach_of(counts: dict, populations=POPULATIONS):
    """A reach figure as the page builds it, for the finding's tests."""
    from kiosk.hub.sections import Reach, ReachRow, Row

    ranked, apart = reach.rates(counts, populations)
    rows = [ReachRow(Row(code, r.count), r) for code, r in ((r.code, r) for r in ranked)]
    known = [c for c in counts.values() if c is not None]
    average = ReachRow(Row("Allier", sum(known)), reach.average(sum(known), populations))
    return Reach(rows, [], average)


def finding_of(figure_reach) -> str | None:
    from kiosk.hub import findings

    return findings.lowest_rate(figure_reach, lambda text, **kw: text % kw)


def test_the_finding_names_the_least_reached_epci_against_the_average():
    # A: 100 / 2,000 = 50 ‰; B: 50 / 50,000 = 1 ‰; average 150 / 52,000 = 2.9 ‰.
    assert finding_of(reach_of({"A": 100, "B": 50})) == (
        "Le taux le plus bas est celui de « B » (1,0\u00a0‰), 2,9 fois moins que la "
        "moyenne de l'Allier (2,9\u00a0‰).")
    # Near the average: no "N times" for a gap under 2.
    near = {"A": reach.Population(2000, 2000, 1, 1), "B": reach.Population(3000, 3000, 1, 1)}
    assert finding_of(reach_of({"A": 4, "B": 5}, near)) == (
        "Le taux le plus bas est celui de « B » (1,7\u00a0‰) ; la moyenne de l'Allier est "
        "de 1,8\u00a0‰.")
    assert finding_of(reach_of({"A": 30, "B": 0})) == "Aucun diagnostic sur la période pour : « B »."


def test_no_finding_when_a_rate_is_hidden_or_tied():
    # A hidden count could be the lowest rate: nothing is said.
    assert finding_of(reach_of({"A": 30, "B": None})) is None
    same = {"A": reach.Population(1000, 1000, 1, 1), "B": reach.Population(1000, 1000, 1, 1)}
    assert finding_of(reach_of({"A": 12, "B": 12}, same)) is None


def test_the_page_says_which_epci_is_least_reached(hub, client):
    db = hub.hub_db
    kiosk = h.add_device(db, "Agence postale de Souvigny", h.MOULINS)
    h.receive(db, kiosk, h.many(200) + h.many(30, residence=h.MONTLUCON))
    page = text(client.get("/"))
    # Ten EPCIs nobody came from: all named, in the order of the table (the EPCI file's).
    assert ("Aucun diagnostic sur la période pour : « CA Vichy Communauté », « CC Commentry "
            "Montmarault Néris Communauté », ") in page
    assert page.count("« CC du Val de Cher »") == 2  # by residence and by kiosk place
    h.receive(db, kiosk, [h.payload(residence=code) for code in reach.allier_populations()
                          for _ in range(12)])
    page = text(client.get("/"))
    # Every EPCI reached: the lowest rate, against the average. Moulins 212 / 62,488;
    # Vichy 12 / 83,990 = 0.14 per 1,000, 7.9 times less than the Allier (374 / 333,298).
    assert ("Le taux le plus bas est celui de « CA Vichy Communauté » (0,1 ‰), 7,9 fois "
            "moins que la moyenne de l'Allier (1,1 ‰).") in page
