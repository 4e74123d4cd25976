"""The dashboard's "Impact des accompagnements" section: accompaniments per month by
type and theme, take-up of the offers proposed, progress per area at follow-up; figures
the hub cannot have yet read "non disponible", never 0, and a figure worked out from a
hidden count is hidden too."""
from __future__ import annotations

import re

from kiosk.hub.impact import month_of, partial
from kiosk.hub.stats import weeks_between
from tests.test_hub_accompaniments import (diagnostic_items, kind_items, make,  # noqa: F401
                                           rows, section_tables)
from tests.test_hub_web import tables_of, text

PERIOD = "/?du=2026-W01&au=2026-W19"   # January to May 2026, months of their Thursdays
OFFER = "Faire vos démarches avec une personne de confiance"
ND = "non disponible"


def impact_tables(page: str) -> dict:
    start = page.index('<section id="impact"')
    return tables_of(page[start:page.index("</section>", start)])


def activity(token: str, mode: str, themes: list[str], count: int, week: str) -> list:
    return kind_items(token, "activity", {"mode": mode, "themes": themes}, count, week)


def followup(token: str, change: dict, takeup: dict, count: int) -> list:
    return kind_items(token, "followup", {"frame": "2", "mode": "guided", "weeks_band": "5_12",
                                          "change": change, "takeup": takeup}, count)


def months_planted(token: str) -> list:
    # 2026-W09 (23 February – 1 March) is February's; 2026-W14 (30 March – 5 April)
    # is April's: its Thursday is 2 April.
    return (activity(token, "guided", ["email", "sante"], 12, "2026-W09")
            + activity(token, "counter", ["email"], 15, "2026-W14"))


def followups(token: str) -> list:
    return (followup(token, {"information": 1, "communication": 0},
                     {"aidants_connect": "yes"}, 12)
            + followup(token, {"information": 0, "communication": -1},
                       {"aidants_connect": "no_too_far"}, 12))


def test_a_week_belongs_to_the_month_of_its_thursday():
    assert month_of("2026-W14") == "2026-04"   # Monday 30 March, Thursday 2 April
    assert month_of("2026-W01") == "2026-01"   # Monday 29 December 2025, Thursday 1 January
    assert month_of("2020-W53") == "2020-12"   # Thursday 31 December 2020
    assert month_of("2026-W09") == "2026-02"


def test_a_month_the_period_covers_in_part_is_marked():
    # 2026-W05 is January's last week (Thursday 29 January), 2026-W14 April's first.
    assert partial(weeks_between("2026-W05", "2026-W14")) == {"2026-01", "2026-04"}
    # January 2026 is W01 (Thursday 1 January) to W05; May 2026 W19 to W22.
    assert partial(weeks_between("2026-W01", "2026-W22")) == set()


def test_accompaniments_per_month_by_type_and_theme(make):
    _, client = make("hub", diagnostic_items, months_planted, followups)
    page = text(client.get(PERIOD))
    assert '<a href="#impact">Impact des accompagnements</a>' in page
    assert "le jeudi tombe dans ce mois" in page
    found = impact_tables(page)
    by_type = found["impact-mois-types"]
    assert by_type[0] == ["Mois", "Diagnostic accompagné", "Aide ponctuelle au guichet",
                          "Atelier collectif", "Tous les accompagnements"]
    assert rows(by_type) == {
        "janvier 2026": [ND] * 4,           # before the first activity record: not a zero
        "février 2026": ["12", "0", "0", "12"],
        "mars 2026": ["0", "0", "0", "0"],  # after it, a month without any: a real zero
        "avril 2026": ["0", "15", "0", "15"],
        "mai 2026 (mois partiel)": ["0", "0", "0", "0"]}
    # The chart draws the months the hub can have only: January is not a zero bar.
    chart = page[page.index('<svg', page.index('id="impact-mois-types"')):]
    chart = chart[:chart.index("</svg>")]
    assert ">février 2026<" in chart and ">mars 2026<" in chart and "janvier" not in chart
    by_theme = found["impact-mois-thematiques"]
    assert by_theme[0] == ["Mois", "E-mail", "Santé", "Tous les accompagnements"]
    assert rows(by_theme)["février 2026"] == ["12", "12", "12"]
    assert rows(by_theme)["avril 2026"] == ["15", "0", "15"]
    assert rows(by_theme)["janvier 2026"] == [ND] * 3


def test_take_up_by_offer_and_progress_per_area(make):
    _, client = make("hub", diagnostic_items, months_planted, followups)
    raw = text(client.get(PERIOD))
    found = impact_tables(raw)
    takeup = found["impact-recours"]
    assert takeup[0] == ["Offre", "Suivis où l'offre avait été proposée",
                         "La personne y est allée", "Part"]
    assert rows(takeup) == {OFFER: ["24", "12", "50,0 %"]}
    section = raw[raw.index('<section id="impact"'):]
    section = section[:section.index("</section>")]
    assert "50,0\xa0%" in section and not re.search(r"\d %", section)
    # Each chart is named by its title, and followed by its table.
    assert '<h3 id="impact-recours-heading">Recours aux offres proposées, par offre</h3>' \
        in section and 'aria-labelledby="impact-recours-heading"' in section
    assert section.index('id="impact-progres-heading"') < section.index(
        "<summary>Tableau des chiffres : progrès par domaine au suivi</summary>")
    assert '<th scope="row">Chercher des informations</th>' in section
    progress = found["impact-progres"]
    assert progress[0] == ["Domaine", "Suivis qui comparent ce domaine",
                           "En progrès", "Part : en progrès", "Stable", "Part : stable",
                           "En recul", "Part : en recul"]
    assert rows(progress)["Chercher des informations"] == [
        "24", "12", "50,0 %", "12", "50,0 %", "0", "0,0 %"]
    assert rows(progress)["Communiquer avec les autres"] == [
        "24", "0", "0,0 %", "12", "50,0 %", "12", "50,0 %"]
    # Compared by no follow-up: nothing to take a share of.
    assert rows(progress)["Se protéger sur internet"] == [ND] * 7


def test_without_follow_ups_take_up_and_progress_are_not_available(make):
    _, client = make("hub", diagnostic_items, months_planted)
    page = text(client.get(PERIOD))
    found = impact_tables(page)
    assert rows(found["impact-recours"]) == {ND: []}
    assert "aucun suivi n'a encore rapporté" in page
    assert all(values == [ND] * 7 for values in rows(found["impact-progres"]).values())
    assert "0,0" not in str(found["impact-progres"])


def test_without_any_activity_record_no_month_reads_zero(make):
    _, client = make("hub", diagnostic_items)
    found = impact_tables(text(client.get(PERIOD)))
    assert rows(found["impact-mois-types"]) == {
        month: [ND] * 4 for month in ("janvier 2026", "février 2026", "mars 2026",
                                      "avril 2026", "mai 2026 (mois partiel)")}


def few(token: str) -> list:
    # 5 guided accompaniments in February: hidden (1 to 10), so another month's guided
    # count is hidden too (the months add up to the period's count, which is shown).
    return (activity(token, "guided", ["email"], 5, "2026-W09")
            + activity(token, "guided", ["email"], 20, "2026-W14")
            + activity(token, "counter", ["email"], 14, "2026-W14")
            + followup(token, {"information": 1}, {"aidants_connect": "yes"}, 4)
            + followup(token, {"information": 0}, {"aidants_connect": "no_hours"}, 20))


def test_a_hidden_count_hides_what_is_worked_out_from_it(make):
    _, client = make("hub", diagnostic_items, few)
    page = text(client.get(PERIOD))
    found = impact_tables(page)
    by_type = rows(found["impact-mois-types"])
    assert by_type["février 2026"] == ["s", "0", "0", "s"]
    # April's guided count (20) would give February's away with the period's: hidden,
    # and with it April's counter count and total; the period's counts hide too.
    assert by_type["avril 2026"] == ["s", "s", "0", "s"]
    assert rows(section_tables(page)["accompagnements-types"])["Diagnostic accompagné"] == [
        "s", "s"]
    assert rows(found["impact-mois-thematiques"]) == {
        "janvier 2026": [ND, ND], "février 2026": ["s", "s"], "mars 2026": ["0", "0"],
        "avril 2026": ["s", "s"], "mai 2026 (mois partiel)": ["0", "0"]}
    # 4 people went: hidden, and so is the share made of it; 24 were proposed it (the
    # follow-ups less those where it was not proposed: both shown).
    assert rows(found["impact-recours"])[OFFER] == ["24", "s", "s"]
    # 4 went up (hidden), so 20 stable is hidden too, and both shares.
    assert rows(found["impact-progres"])["Chercher des informations"] == [
        "24", "s", "s", "s", "s", "0", "0,0 %"]


def test_an_epci_without_accompaniments_reads_zero_once_the_hub_collects_them(make):
    # The kiosk stands in 200071496; the hub collects activity records from February on,
    # so another EPCI's months read 0 from then on (none there), not "non disponible".
    _, client = make("hub", diagnostic_items, months_planted)
    found = impact_tables(text(client.get(PERIOD + "&epci=200071140&territoire=site")))
    assert rows(found["impact-mois-types"]) == {
        "janvier 2026": [ND] * 4, "février 2026": ["0"] * 4, "mars 2026": ["0"] * 4,
        "avril 2026": ["0"] * 4, "mai 2026 (mois partiel)": ["0"] * 4}
