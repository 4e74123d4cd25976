"""The few crossings the officer asks for, counted at ingestion like every other count,
and published under the same rule as the page's other figures. Pure: no Flask, no SQL.

- age band x indicator (illectronism, "at least basic") and age band x need: each a
  2-D table whose margins are cells the page already publishes (the indicator's and
  the need's counts, the completed diagnostics), so they are added to the page's tables
  with every sum that links them, and suppressed with them as one system;
- need x offer (offers proposed to the people with each need): a person may have several
  needs and several offers, so no sum links these cells to any other; only the 1-to-10
  rule applies to them.

Need -> offer -> take-up cannot be crossed: take-up comes from follow-up records, which
carry the offers proposed but not the needs (kiosk/sync/contract.py), and records are
counted, never linked to one another.

Tally dimensions start with "cross." (a dot: kiosk.hub.reports reads them apart, so no
existing figure or file counts them); the value joins the two codes with "|". Counted
for a complete diagnostic only, as its outcomes are.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Mapping

from . import charts
from .tables import ALL, N_, NO, NOT_GIVEN, Tables, Variable, cell_key, population_key

PREFIX = "cross."
AGE = "cross.age_band"                      # the completed diagnostics per age band
AGE_BY = "cross.age_band:"                  # + "indicator:<id>" or "need"
NEED_OFFER = "cross.need:offer"
SEP = "|"
# The indicators crossed with the age band: each frame's illectronism of INSEE's
# definition and Eurostat's "at least basic", headline figures (kiosk.hub.frames). The
# others are not counted: each would add as many rows to the counts as these.
INDICATORS = ("insee2021_illectronism", "insee2019_illectronism", "dsi_at_least_basic")


def facts(payload: Mapping) -> list[tuple[str, str]]:
    """The crossing facts of one complete diagnostic's ``payload``."""
    age = payload.get("age_band") or ""
    pairs = [(AGE, age)]
    for key, flag in sorted((payload.get("indicators") or {}).items()):
        if key in INDICATORS:
            pairs.append((f"{AGE_BY}indicator:{key}",
                          f"{age}{SEP}{'true' if flag else 'false'}"))
    needs = list(dict.fromkeys(payload.get("needs") or ()))
    offers = list(dict.fromkeys(payload.get("offers") or ()))
    pairs += [(f"{AGE_BY}need", f"{age}{SEP}{need}") for need in needs]
    pairs += [(NEED_OFFER, f"{need}{SEP}{offer}") for need in needs for offer in offers]
    return pairs


def key(variable_id: str, code: str, age: str) -> tuple:
    """A crossing's cell: ``variable_id``'s modality ``code`` in the age band ``age``."""
    return ("croisement", variable_id, code, age)


def age_key(age: str) -> tuple:
    return ("croisement", "tranche_age", age, "termines")


@dataclass
class Crossed:
    """What the page's tables hold of the crossings (None: not available over the
    period: some of its diagnostics were counted before the crossings were)."""

    ages: list                                    # the age band modalities (codes, labels)
    by_age: list[Variable] = field(default_factory=list)   # crossed with the age band
    needs: list[Variable] = field(default_factory=list)
    offers: list[Variable] = field(default_factory=list)
    need_offer: dict = field(default_factory=dict)          # (need, offer) -> cell key


def _parse(counts: Mapping) -> tuple[Counter, Counter, Counter]:
    """Tally counts (dimension, value, "*") -> age band totals, (dimension, value, age)
    counts for the variables crossed with the age band, (need, offer) counts."""
    ages, by_age, need_offer = Counter(), Counter(), Counter()
    for (dimension, value, _), n in counts.items():
        if dimension == AGE:
            ages[value] += n
        elif dimension.startswith(AGE_BY):
            age, _, code = value.partition(SEP)
            by_age[(dimension[len(AGE_BY):], code, age)] += n
        elif dimension == NEED_OFFER:
            need, _, offer = value.partition(SEP)
            need_offer[(need, offer)] += n
    return ages, by_age, need_offer


def _counted(variable: Variable) -> list:
    """The modalities counted as such (the last, "not given" or "no", is the rest)."""
    rest = NOT_GIVEN if any(m.code == NOT_GIVEN for m in variable.modalities) else NO
    return [m for m in variable.modalities if m.code != rest]


def add(tables: Tables, counts: Mapping, variables: list[Variable],
        crossed_ids) -> Crossed | None:
    """Add the crossings of ``counts`` (from kiosk.hub.reports.cross_counts) to the
    page's ``tables``, which hold ``variables`` over all the page's EPCIs (column "*");
    ``crossed_ids``: the variables crossed with the age band. None when the crossings do
    not cover every diagnostic of the period (their margins would not be the page's)."""
    by_id = {v.id: v for v in variables}
    if "tranche_age" not in by_id:
        return None
    ages_counts, by_age, pairs = _parse(counts)
    ages = [m for m in by_id["tranche_age"].modalities]
    crossed = [by_id[i] for i in crossed_ids if i in by_id]
    needs = [v for v in variables if v.id.startswith("besoin_")]
    offers = [v for v in variables if v.id.startswith("offre_")]
    complete = population_key("complete", ALL)
    # Every diagnostic of the period must be in the crossings, or none of them is shown.
    if sum(ages_counts.values()) != tables.values[complete] or any(
            sum(by_age.get((v.dimension, m.value, a.value), 0) for a in ages)
            != tables.values[cell_key(v, m, ALL)]
            for v in crossed + needs for m in _counted(v)):
        return None
    if set(ages_counts) - {a.value for a in ages}:
        return None  # an age band the page does not know: its margins would not add up
    tables.add_sum(complete, [tables.cell(age_key(a.code), ages_counts.get(a.value, 0))
                              for a in ages])
    for variable in crossed + needs:
        for a in ages:
            population = tables.values[age_key(a.code)]
            parts = [tables.cell(key(variable.id, m.code, a.code),
                                 variable.count(by_age, m, a.value, population))
                     for m in variable.modalities]
            tables.add_sum(age_key(a.code), parts, group=True)
        for m in variable.modalities:
            tables.add_sum(cell_key(variable, m, ALL),
                           [key(variable.id, m.code, a.code) for a in ages])
    need_offer = {}
    for need in needs:
        for offer in offers:
            cell = key(need.id, offer.id, ALL)
            need_offer[(need.id, offer.id)] = tables.cell(
                cell, pairs.get((need.modalities[0].value, offer.modalities[0].value), 0))
    return Crossed([(a.code, a.label) for a in ages], crossed, needs, offers, need_offer)


AGE_HEADER = N_("Tranche d'âge")
COMPLETED = POPULATION = N_("Diagnostics terminés")
UNAVAILABLE = N_(
    "Non disponible pour cette période : les croisements sont comptés à la réception des "
    "diagnostics depuis la mise à jour du hub (avec ceux qu'il gardait encore), et la "
    "période choisie en contient d'autres. Choisissez une période plus récente.")
NO_TAKEUP = N_(
    "Une personne peut avoir plusieurs besoins et se voir proposer plusieurs offres : ces "
    "chiffres ne s'additionnent pas. Le recours aux offres ne se croise pas avec le besoin : "
    "les suivis disent quelles offres avaient été proposées, pas quel besoin avait été "
    "repéré (voir « Impact des accompagnements » pour le recours par offre).")


def section(published, crossed: Crossed | None) -> "Section":
    """The section "Croisements": each indicator by age band (a stacked bar per band),
    the needs by age band, the offers proposed per need."""
    from .sections import Figure, Row, Section

    title = N_("Croisements : âge, indicateurs, besoins et offres")
    if crossed is None:
        return Section("croisements", title, [], UNAVAILABLE)
    ages = [(code, label) for code, label in crossed.ages
            if code != NOT_GIVEN or published.values[age_key(code)]]
    figures = []
    for variable in crossed.by_age:
        shown = [m for m in variable.modalities if m.code != NOT_GIVEN]
        cells = [[published.shown(key(variable.id, m.code, code)) for m in shown]
                 for code, _ in ages]
        figures.append(Figure(
            f"croisement-age-{variable.id.replace('_', '-')}",
            N_("%(indicator)s, par tranche d'âge") % {"indicator": variable.label},
            [Row(label, None) for _, label in ages],
            charts.stacked([(label, list(zip((m.label for m in shown), row)))
                            for (_, label), row in zip(ages, cells)]),
            POPULATION, N_("Les personnes hors des âges comparés ne sont dans aucune "
                           "colonne."), columns=tuple(m.label for m in shown), cells=cells,
            table="matrix", row_header=AGE_HEADER,
            description=N_("Une barre par tranche d'âge, partagée entre oui et non ; le "
                           "tableau qui suit donne les effectifs.")))
    if crossed.needs:
        figures.append(Figure(
            "croisement-age-besoins", N_("Besoins repérés, par tranche d'âge"),
            [Row(label, None) for _, label in ages], None, POPULATION,
            N_("Une personne peut avoir plusieurs besoins : les colonnes ne s'additionnent "
               "pas. La dernière colonne donne les diagnostics terminés de chaque tranche."),
            columns=tuple(v.label for v in crossed.needs) + (COMPLETED,),
            cells=[[published.shown(key(v.id, v.modalities[0].code, code))
                    for v in crossed.needs] + [published.shown(age_key(code))]
                   for code, _ in ages],
            table="matrix", row_header=AGE_HEADER))
    if crossed.needs and crossed.offers:
        figures.append(Figure(
            "croisement-besoins-offres", N_("Offres proposées, selon le besoin repéré"),
            [Row(v.label, None) for v in crossed.needs], None, POPULATION, NO_TAKEUP,
            columns=tuple(v.label for v in crossed.offers),
            cells=[[published.shown(crossed.need_offer[(need.id, offer.id)])
                    for offer in crossed.offers] for need in crossed.needs],
            table="matrix", row_header=N_("Besoin repéré")))
    return Section("croisements", title, figures, N_(
        "Diagnostics terminés, croisés à leur réception. Les chiffres cachés (« s ») le sont "
        "avec ceux du reste de la page, qui donnent les totaux de ces tableaux."))



def crossed_ids(frame) -> list[str]:
    """The variables crossed with the age band on a page of ``frame``: its illectronism
    share per EPCI (INSEE's definition) and its first "at least basic"."""
    return [i for i in (frame.per_epci, *frame.basics[:1]) if i]
