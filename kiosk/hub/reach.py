"""Reach: diagnostics per 1,000 inhabitants of each EPCI, and the Allier's average. Pure.

A count ranks the biggest EPCI first; a rate per inhabitant shows which EPCI the kiosks
under-reach. The denominator is the population of the EPCI's **Allier communes**
(questionnaires/data/communes_03.csv): the kiosks stand in the Allier and reach no one
else, so CC Le Grand Charolais (3 Allier communes of 44) is measured against its 3
communes, not its 40,000 inhabitants. The EPCI's total population
(questionnaires/data/epci_03.csv) is shown beside it where the two differ.

A rate is derived from a published count: a hidden count gives no rate. "Non renseigné"
(no EPCI) has no population, hence no rate, and is kept apart from the EPCIs.
"""
from __future__ import annotations

import csv
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

PER = 1000  # rates are per 1,000 inhabitants


@dataclass(frozen=True)
class Population:
    allier: int          # inhabitants of the EPCI's Allier communes: the denominator
    # The whole EPCI, in and out of the Allier. INSEE's "population totale" (with people
    # counted elsewhere, students, boarders): a little above the sum of its communes'
    # "population municipale" even for an EPCI wholly in the Allier, so not a denominator.
    total: int
    communes_allier: int
    communes_total: int

    @property
    def partial(self) -> bool:
        """True when part of the EPCI lies outside the Allier."""
        return self.communes_allier < self.communes_total


@dataclass(frozen=True)
class Rate:
    code: str
    count: int | None                 # None: hidden by the publication rule
    rate: float | None                # per 1,000 inhabitants; None when not derivable
    population: Population | None     # None: "non renseigné", or an EPCI not in the file


def load_populations(communes: str | Path, epcis: str | Path) -> dict[str, Population]:
    """EPCI SIREN -> its population in the Allier (sum of its communes of the communes
    file) and in all (the EPCI file's population_totale, nb_membres_total)."""
    allier, members = Counter(), Counter()
    with open(communes, encoding="utf-8-sig", newline="") as handle:
        for row in csv.DictReader(handle):
            allier[row["epci_siren"]] += int(row["population"])
            members[row["epci_siren"]] += 1
    result = {}
    with open(epcis, encoding="utf-8-sig", newline="") as handle:
        for row in csv.DictReader(handle):
            code = row["epci_siren"]
            result[code] = Population(allier[code], int(row["population_totale"]),
                                      members[code], int(row["nb_membres_total"]))
    return result


def per_thousand(count: int | None, population: int | None) -> float | None:
    """``count`` per 1,000 of ``population``; None for a hidden count or no population."""
    if count is None or not population:
        return None
    return count * PER / population


def rates(counts: dict[str, int | None], populations: dict[str, Population],
          unknown: str = "") -> tuple[list[Rate], list[Rate]]:
    """(EPCIs sorted by rate, highest first, those with no rate after, ties in the
    order of ``populations`` (the EPCI file's);
    the rows kept apart: "non renseigné" and any code not in the EPCI file)."""
    ranked, apart = [], []
    for code, count in counts.items():
        population = populations.get(code) if code != unknown else None
        if population is None:
            apart.append(Rate(code, count, None, None))
        else:
            ranked.append(Rate(code, count, per_thousand(count, population.allier),
                               population))
    order = {code: index for index, code in enumerate(populations)}  # ties: file order
    ranked.sort(key=lambda r: (r.rate is None, -(r.rate or 0), order[r.code]))
    apart.sort(key=lambda r: (r.code == unknown, r.code))
    return ranked, apart


def average(total: int | None, populations: dict[str, Population]) -> Rate:
    """The Allier's average: every diagnostic counted (those of unknown EPCI too) per
    1,000 inhabitants of the Allier; no rate when the total is hidden."""
    allier = sum(p.allier for p in populations.values())
    whole = Population(allier, allier, sum(p.communes_allier for p in populations.values()),
                       sum(p.communes_allier for p in populations.values()))
    return Rate("", total, per_thousand(total, allier), whole)


@lru_cache(maxsize=1)
def allier_populations() -> dict[str, Population]:
    """The populations of the project's reference files (questionnaires/data), read once."""
    from ..paths import DATA
    return load_populations(DATA / "communes_03.csv", DATA / "epci_03.csv")
