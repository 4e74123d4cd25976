"""Period presets, outcome trends by month or quarter, and the quarterly open-data file.

The presets are pinned with literal dates (a week belongs to the month of its
Thursday); the trends with literal counts on small planted tables and on a hub; the
quarterly file by exporting a hub with the real command.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date, datetime, timezone
from types import SimpleNamespace

import pytest

from kiosk.hub import periods, trends
from kiosk.hub.opendata import read_csv
from kiosk.hub.suppression import determined
from kiosk.hub.tables import ALL, Modality, Tables, Variable, population_key
from kiosk.hub import store
from kiosk.storage.db import write_transaction
from tests import hubdata as h
from tests.test_hub_web import client, hub, tables_of, text  # noqa: F401


# --- Presets -----------------------------------------------------------------------------

def test_the_last_quarter_is_the_weeks_whose_thursday_falls_in_it():
    period = periods.last_quarter(date(2026, 11, 15))
    assert (period.start, period.end) == (date(2026, 7, 1), date(2026, 9, 30))
    # W27 starts on Monday 29 June (its Thursday is 2 July); 28-30 September belong to
    # W40, whose Thursday is 1 October.
    assert (period.first, period.last) == ("2026-W27", "2026-W39")
    # In January, the last quarter is the previous year's fourth.
    period = periods.last_quarter(date(2026, 1, 10))
    assert (period.start, period.end, period.first, period.last) == (
        date(2025, 10, 1), date(2025, 12, 31), "2025-W40", "2025-W52")


def test_twelve_months_end_with_the_current_month_and_a_year_has_its_53rd_week():
    period = periods.last_twelve_months(date(2026, 11, 15))
    assert (period.start, period.end, period.first, period.last) == (
        date(2025, 12, 1), date(2026, 11, 30), "2025-W49", "2026-W48")
    period = periods.year(2026)
    assert (period.first, period.last) == ("2026-W01", "2026-W53")
    assert periods.resolve("annee-2026", date(2026, 11, 15), [2025, 2026]) == period
    assert periods.resolve("annee-2019", date(2026, 11, 15), [2025, 2026]) is None


def test_the_query_string_chooses_a_preset_or_the_typed_weeks():
    today, years = date(2026, 11, 15), [2026]
    period, rest, errors = periods.read({"periode": "trimestre", "du": "2026-W05",
                                         "epci": h.MOULINS}, today, years)
    assert period.preset == "trimestre" and errors == []
    assert rest == {"periode": "trimestre", "epci": h.MOULINS}  # the folded weeks ignored
    period, rest, errors = periods.read({"du": "2026-W05"}, today, years)
    assert period.preset == "semaines" and rest == {"du": "2026-W05"}
    period, _, errors = periods.read({}, today, years)
    assert period.preset == "tout" and errors == []
    period, _, errors = periods.read({"periode": "hier"}, today, years)
    assert period.preset == "tout"
    assert errors == ["La période « hier » n'est pas proposée : toute la période est montrée."]


def test_the_scope_says_the_period_in_words():
    period = periods.last_quarter(date(2026, 11, 15))
    assert periods.scope(period, period.first, period.last) == (
        "Dernier trimestre : du 1er juillet au 30 septembre 2026 (semaines ISO 2026-W27 à "
        "2026-W39, du 29 juin au 27 septembre 2026).")
    assert periods.span_text(date(2025, 12, 1), date(2026, 11, 30)) == \
        "du 1er décembre 2025 au 30 novembre 2026"


def test_a_period_past_the_last_data_received_says_its_last_weeks_are_incomplete():
    year = periods.year(2026)
    assert periods.past_data(year, date(2026, 11, 12)) == (
        "La période choisie va jusqu'au 31 décembre 2026 ; la dernière donnée reçue date du "
        "12 novembre 2026 : les dernières semaines sont incomplètes.")
    assert periods.past_data(periods.last_quarter(date(2026, 11, 15)), date(2026, 11, 12)) is None
    assert periods.past_data(periods.resolve("tout", date(2026, 11, 15), []), date(2026, 1, 2)) is None
    typed = periods.Period("semaines", "", first="2026-W40", last="2026-W46")
    assert "va jusqu'au 15 novembre 2026 ;" in periods.past_data(typed, date(2026, 11, 12))


# --- Trend rows on planted tables ---------------------------------------------------------

ILL = Variable("indicateur_ill", "Illectronisme", "indicator:ill", "complete", (
    Modality("oui", "true", "Oui"), Modality("non", "false", "Non")))


def planted(months: dict[str, tuple[int, int]]):
    """Published tables of one indicator: month -> (completed, illectronic)."""
    counts = Counter()
    for month, (done, yes) in months.items():
        counts[("complete", "true", ALL, month)] += done
        counts[("indicator:ill", "true", ALL, month)] += yes
        counts[("indicator:ill", "false", ALL, month)] += done - yes
    period = Counter()
    for (dimension, value, column, _), n in counts.items():
        period[(dimension, value, column)] += n
    tables = Tables()
    tables.variables(period, [ILL], [ALL])
    trends.add(tables, counts, sorted(months), [ILL], [ALL], trends.DASHBOARD)
    return tables, tables.publish()


def test_a_fall_is_called_a_fall_only_when_the_intervals_do_not_overlap():
    _, published = planted({"2026-01": (100, 60), "2026-02": (100, 20), "2026-03": (100, 25)})
    rows = trends.rows(published, ILL, ["2026-01", "2026-02", "2026-03"], set())
    assert [r.label for r in rows] == ["janvier 2026", "février 2026", "mars 2026"]
    assert [(r.row.count, r.population) for r in rows] == [(60, 100), (20, 100), (25, 100)]
    assert [round(r.row.share, 2) for r in rows] == [0.6, 0.2, 0.25]
    # 60 % [50-69] then 20 % [13-29]: a fall; then 25 % [18-34]: within chance.
    assert [r.change for r in rows] == [None, "en baisse", "stable, l'écart peut venir du hasard"]
    assert rows[1].row.interval.high < rows[0].row.interval.low


def test_a_slow_fall_is_said_over_the_whole_period():
    # 40 %, 33 %, 27 %, 20 %: each step within chance, the whole fall not.
    months = {"2026-01": (100, 40), "2026-02": (100, 33), "2026-03": (100, 27),
              "2026-04": (100, 20)}
    _, published = planted(months)
    figure = trends.Figure("t", "t", trends.rows(published, ILL, sorted(months), set()), None,
                           table="trend")
    said = trends.finding(figure, lambda text, **kw: text % kw,
                          lambda share: f"{share * 100:.0f} %")
    assert said == ("Entre mars 2026 et avril 2026, la part passe de 27 % à 20 % : stable, "
                    "l'écart peut venir du hasard. Depuis janvier 2026 : de 40 % à 20 %, en "
                    "baisse (les intervalles de confiance ne se recoupent pas).")
    # Two periods: the step alone.
    figure = trends.Figure("t", "t", figure.rows[2:], None, table="trend")
    assert "Depuis" not in trends.finding(figure, lambda text, **kw: text % kw, str)


def test_a_small_month_is_hidden_and_cannot_be_recomputed_from_the_period():
    tables, published = planted({"2026-01": (100, 30), "2026-02": (6, 2), "2026-03": (90, 27)})
    rows = trends.rows(published, ILL, ["2026-01", "2026-02", "2026-03"], set())
    assert rows[1].population is None and rows[1].row.count is None and rows[1].row.share is None
    assert rows[1].change is None and rows[2].change is None  # nothing to compare with
    # The period's total and the other months are published or hidden so that no hidden
    # month follows from them.
    assert determined(tables.sums, set(published.hidden)) == set()
    shown_months = [published.shown(trends.key(trends.DASHBOARD, m, "population", "complete"))
                    for m in ("2026-01", "2026-03")]
    assert None in shown_months or published.shown(population_key("complete", ALL)) is None


def test_a_period_of_one_month_is_the_whole_period_not_a_second_cell():
    # A quarterly publication's quarter, a month's dashboard: the one period's counts are
    # the whole period's, read under its keys and hidden with them.
    tables, published = planted({"2026-01": (100, 7)})
    month = trends.key(trends.DASHBOARD, "2026-01", ILL.id, "oui")
    assert month not in tables.values and tables.same[month] == ("indicateur_ill", "oui", ALL)
    assert published.is_hidden(month) and published.is_hidden(("indicateur_ill", "oui", ALL))
    assert published.shown(trends.key(trends.DASHBOARD, "2026-01", "population", "complete")) == 100
    # Two months are cells of their own, adding up to the period's.
    tables, published = planted({"2026-01": (100, 30), "2026-02": (90, 27)})
    assert tables.same == {} and tables.values[month] == 30


def test_the_unit_is_the_month_up_to_twelve_months_then_the_quarter():
    year = [f"2026-W{n:02d}" for n in range(1, 54)]  # 2026 has 53 weeks
    assert trends.unit(year) == "mois"
    assert trends.periods(year, "mois")[:2] == ["2026-01", "2026-02"]
    longer = year + ["2027-W01", "2027-W02"]
    assert trends.unit(longer) == "trimestre"
    assert trends.periods(longer, "trimestre") == ["2026-T1", "2026-T2", "2026-T3", "2026-T4",
                                                   "2027-T1"]
    assert trends.partial(longer, "trimestre") == {"2027-T1"}
    assert trends.label("2026-T1") == "1er trimestre 2026"
    assert trends.label("2026-T3") == "3e trimestre 2026"
    # In a finding's sentence a quarter takes its article, a month none.
    assert [trends._the(trends.label(p)) for p in ("2026-T1", "2026-01")] == [
        "le 1er trimestre 2026", "janvier 2026"]


# --- On the dashboard ------------------------------------------------------------------

def falling(hub):
    """January: 60 of 100 in illectronisme; February: 20 of 100."""
    db = hub.hub_db
    kiosk = h.add_device(db, "Agence postale de Souvigny", h.MOULINS)
    h.receive(db, kiosk, h.many(60, week="2026-W03", illectronism=True)
              + h.many(40, week="2026-W03", needs=("equipment",))
              + h.many(20, week="2026-W07", illectronism=True)
              + h.many(80, week="2026-W07"))
    with write_transaction(db):
        store.touch_device(db, kiosk["id"], datetime(2026, 11, 12, 10, tzinfo=timezone.utc), 200)


def test_the_dashboard_shows_a_falling_trend_for_a_year(hub, client):
    falling(hub)
    page = text(client.get("/?periode=annee-2026"))
    assert ("Année 2026 : du 1er janvier au 31 décembre 2026 (semaines ISO 2026-W01 à "
            "2026-W53, du 29 décembre 2025 au 3 janvier 2027).") in page
    assert ("La période choisie va jusqu'au 31 décembre 2026 ; la dernière donnée reçue date "
            "du 12 novembre 2026 : les dernières semaines sont incomplètes.") in page
    assert 'name="periode" value="annee-2026" checked' in page
    assert 'name="periode" value="trimestre"' in page and 'name="periode" value="12mois"' in page
    table = tables_of(page)["evolution-illectronisme"]
    # The page's weeks are those of the year with data, W03 to W07: January lacks its
    # first two, February its last two.
    assert table[1][0] == "janvier 2026 (partiel)" and table[2][0] == "février 2026 (partiel)"
    assert table[2][-1] == "en baisse"
    assert [row[3] for row in table[1:]] == ["60", "20"]
    assert ("Entre janvier 2026 et février 2026, la part passe de 60,0\xa0% à 20,0\xa0% : en baisse "
            "(les intervalles de confiance ne se recoupent pas).") in page
    assert "par mois (la période choisie compte 12 mois ou moins)" in page


def test_an_unknown_preset_is_said_and_the_whole_period_shown(hub, client):
    falling(hub)
    page = text(client.get("/?periode=demain"))
    assert "La période « demain » n'est pas proposée : toute la période est montrée." in page
    assert "Du lundi 12 janvier 2026 au dimanche 15 février 2026 (semaines 2026-W03 à 2026-W07)." in page
    assert 'name="periode" value="tout" checked' in page


# --- The quarterly open-data file -------------------------------------------------------

@pytest.fixture(scope="module")
def quarterly(tmp_path_factory):
    """Two quarters, three EPCI of residence, one of them small in the second quarter."""
    from kiosk import create_app

    folder = tmp_path_factory.mktemp("hub")
    db = h.new_hub_db(folder / "hub.db")
    kiosk = h.add_device(db, "Agence postale de Souvigny", h.MOULINS)
    h.receive(db, kiosk, h.many(40, week="2026-W05", illectronism=True)
              + h.many(60, week="2026-W05", needs=("equipment",))
              + h.many(30, week="2026-W05", residence=h.VICHY)
              + h.many(15, week="2026-W15", illectronism=True)
              + h.many(45, week="2026-W15")
              + h.many(25, week="2026-W15", residence=h.VICHY)
              + h.many(4, week="2026-W15", residence=h.MONTLUCON, illectronism=True))
    db.close()
    app = create_app({"TESTING": True, "ROLE": "hub", "DATABASE": str(folder / "hub.db"),
                      "SECRET_KEY": "t", "EXPORT_DIR": str(folder / "exports")})
    result = app.test_cli_runner().invoke(args=["hub", "export", "--output", str(folder / "out")])
    assert result.exit_code == 0, result.output
    return folder / "out"


def test_the_quarterly_file_gives_each_quarter_its_counts(quarterly):
    raw = (quarterly / "indicateurs-par-trimestre.csv").read_bytes()
    assert raw.startswith("\ufeffcadre;cadre_libelle;ligne_total;trimestre;".encode())
    rows = read_csv(quarterly / "indicateurs-par-trimestre.csv")
    ill = {(r["trimestre"], r["epci_residence"]): r for r in rows
           if r["indicateur"] == "indicateur_insee2021_illectronism"}
    q1, q2 = ill[("2026-T1", h.MOULINS)], ill[("2026-T2", h.MOULINS)]
    assert (q1["diagnostics_termines"], q1["oui"], q1["repondants"], q1["part"]) == (
        "100", "40", "100", "40.0")
    assert (q2["diagnostics_termines"], q2["oui"], q2["part"]) == ("60", "s", "s")
    allier = ill[("2026-T2", "ensemble")]
    assert (allier["diagnostics_termines"], allier["oui"], allier["part"]) == (
        "89", "19", "21.3")
    assert (q1["premiere_semaine"], q1["derniere_semaine"], q1["debut"], q1["fin"]) == (
        "2026-W05", "2026-W13", "2026-01-26", "2026-03-29")
    assert q2["trimestre_libelle"] == "2e trimestre 2026" and q2["ligne_total"] == "non"
    assert ill[("2026-T1", "ensemble")]["ligne_total"] == "oui"
    # 4 people from Montluçon in the second quarter: hidden, and so is what would give
    # them away (the Allier's count, or another EPCI's: here Moulins's "yes" above).
    assert ill[("2026-T2", h.MONTLUCON)]["diagnostics_termines"] == "s"
    allier = ill[("2026-T2", "ensemble")]["diagnostics_termines"]
    others = [ill[("2026-T2", c)]["diagnostics_termines"] for c in (h.MOULINS, h.VICHY)]
    assert "s" in [allier, *others]
    needs = {(r["trimestre"], r["epci_residence"]): r["oui"] for r in rows
             if r["indicateur"] == "besoin_equipment"}
    assert needs[("2026-T1", h.VICHY)] == "0" and needs[("2026-T2", h.MOULINS)] == "0"
    # The 60 of Moulins in the first quarter are hidden with Montluçon's group of 4 (its
    # zero "yes" would tell each of them had no such need): the chain of sums reaches it.
    assert needs[("2026-T2", h.MONTLUCON)] == "s"


def test_the_quarters_are_suppressed_with_the_breakdown(quarterly):
    """A cell of the breakdown published with all its quarters but one: that one would
    be the difference. Never."""
    quarters = defaultdict(list)
    for r in read_csv(quarterly / "indicateurs-par-trimestre.csv"):
        quarters[(r["indicateur"], r["epci_residence"])].append(r["oui"])
    breakdown = {(r["variable"], r["epci_residence"]): r["effectif"]
                 for r in read_csv(quarterly / "repartitions-par-epci-residence.csv")
                 if r["modalite"] == "oui"}
    checked = 0
    for cell, values in quarters.items():
        assert len(values) == 2
        if breakdown[cell] != "s":
            assert values.count("s") != 1, cell
            if "s" not in values:
                assert sum(map(int, values)) == int(breakdown[cell]), cell
                checked += 1
    assert checked >= 5


def test_a_publication_registered_before_the_quarterly_file_does_not_hide_its_quarters(
        tmp_path):
    """An export audited against a publication that wrote no quarterly file: the audit
    knows a reader never saw its quarters, and does not hide them all again."""
    from kiosk import create_app
    from kiosk.storage.db import connect

    db = h.new_hub_db(tmp_path / "hub.db")
    kiosk = h.add_device(db, "Agence postale de Souvigny", h.MOULINS)
    h.receive(db, kiosk, h.many(40, week="2026-W05", illectronism=True)
              + h.many(60, week="2026-W05") + h.many(30, week="2026-W15", residence=h.VICHY))
    db.close()
    app = create_app({"TESTING": True, "ROLE": "hub", "DATABASE": str(tmp_path / "hub.db"),
                      "SECRET_KEY": "t", "EXPORT_DIR": str(tmp_path / "exports")})
    runner = app.test_cli_runner()
    first = runner.invoke(args=["hub", "export", "--output", str(tmp_path / "a"), "--publish"])
    assert first.exit_code == 0, first.output
    db = connect(tmp_path / "hub.db")
    with write_transaction(db):  # as written before the quarterly file existed
        db.execute("DELETE FROM publication_cells WHERE cell LIKE '[\"trimestre\"%'")
    db.close()
    second = runner.invoke(args=["hub", "export", "--output", str(tmp_path / "b")])
    assert second.exit_code == 0, second.output
    before = read_csv(tmp_path / "a" / "indicateurs-par-trimestre.csv")
    after = read_csv(tmp_path / "b" / "indicateurs-par-trimestre.csv")
    assert [r["oui"] for r in after] == [r["oui"] for r in before]
    shown = [r for r in after if r["oui"] not in ("s", "0")]
    assert len(shown) >= 4
