"""The dashboard's "Accompagnements" section: what mediators record (activity records),
follow-ups and counter screenings. Pure: no Flask, no SQL.

The hub counts these records under dimensions named after their kind
(``activity.mode``, ``followup.change:<area>``: kiosk.hub.tally.kind_facts), so they
never add up with the diagnostics' counts. Each kind is a population of its own (its
records), partitioned by each of its variables like the diagnostics are
(kiosk.hub.tables), and goes through the same publication rule (1 to 10 hidden, then
enough others that no hidden count can be worked out from the totals).
"""
from __future__ import annotations

from collections import defaultdict
from typing import Iterable, Mapping

from ..sync import contract
from . import coop_labels as labels
from .sections import Figure, Figures, Row, Section
from .tables import (ALL, MODE_LABELS, N_, Published, Tables, Variable, binary, one_of,
                     population_key, population_label)

KINDS = (contract.ACTIVITY, contract.FOLLOWUP, contract.SCREENING)

NONE_YET = {
    contract.ACTIVITY: N_("Aucun compte rendu d'accompagnement sur cette période."),
    contract.FOLLOWUP: N_("Aucun suivi sur cette période."),
    contract.SCREENING: N_("Aucun repérage au guichet sur cette période."),
}
INTRO = N_(
    "Les comptes rendus des médiateurs (diagnostics accompagnés, aides au guichet, "
    "ateliers), les suivis (une personne revenue avec son code de suivi, sur une borne ou "
    "une autre) et les repérages faits au guichet, sur la période choisie (toute la période "
    "de service si aucune ne l'est). Le hub ne reçoit aucun nom, aucune note et aucun code "
    "de suivi. Ces chiffres suivent la même règle de publication que les autres. Ils sont "
    "comptés à l'EPCI de la borne (la commune de la personne n'est pas transmise) et ne "
    "s'additionnent pas aux diagnostics : un atelier compte pour un accompagnement, quel "
    "que soit le nombre de participants.")


def _values(seen: Iterable[tuple[str, str]]) -> dict[str, set[str]]:
    values = defaultdict(set)
    for dimension, value in seen:
        values[dimension].add(value)
    return values


def _keys(known: Mapping[str, str], counted: set[str],
          only_seen: bool = False) -> list[tuple[str, str]]:
    """(code, label) of the ``known`` codes (with ``only_seen``, those ``counted``
    only), then of the ``counted`` codes ``known`` lacks (their code as label)."""
    pairs = [(code, label) for code, label in known.items()
             if not only_seen or code in counted]
    return pairs + [(code, code) for code in sorted(counted - set(known))]


def _suffixes(values: Mapping[str, set], prefix: str) -> set[str]:
    return {dimension[len(prefix):] for dimension in values if dimension.startswith(prefix)}


def variables(seen: Iterable[tuple[str, str]], areas: Iterable[tuple[str, str]],
              offers: Iterable[tuple[str, str]]) -> dict[str, list[Variable]]:
    """The variables of each kind, in display order. ``seen``: the (dimension, value)
    pairs present in the counts (values an older version sent still count); ``areas``
    and ``offers``: the (id, label) pairs of the page's frame and questionnaire."""
    values = _values(seen)

    def one(var_id, label, dimension, kind, known, **extra):
        return one_of(var_id, label, f"{kind}.{dimension}", kind, list(known.items()),
                      values[f"{kind}.{dimension}"], **extra)

    activity, followup = contract.ACTIVITY, contract.FOLLOWUP
    themes = _keys(labels.THEMES, values[f"{activity}.theme"] - {""}, only_seen=True)
    areas = _keys(dict(areas), _suffixes(values, f"{followup}.change:"))
    offers = _keys(dict(offers), _suffixes(values, f"{followup}.takeup:"), only_seen=True)
    return {
        activity: [
            one("activite_mode", N_("Type d'accompagnement"), "mode", activity,
                labels.ACTIVITY_MODES),
            *[binary(f"activite_theme_{code}", label, f"{activity}.theme", code, activity)
              for code, label in themes],
            one("activite_autonomie", N_("Autonomie de la personne"), "autonomy", activity,
                labels.AUTONOMY),
            one("activite_orientation", N_("Structure vers laquelle la personne est orientée"),
                "referral", activity, labels.REFERRALS,
                not_given=N_("Pas d'orientation, ou non renseigné")),
            one("activite_duree", N_("Durée de l'accompagnement"), "duration_band", activity,
                labels.DURATION_BANDS),
        ],
        followup: [
            one("suivi_mode", N_("Suivis, en autonomie ou accompagnés"), "mode", followup,
                MODE_LABELS),
            one("suivi_delai", N_("Temps écoulé depuis le diagnostic précédent"), "weeks_band",
                followup, labels.WEEKS_BANDS),
            *[one(f"suivi_progres_{area}", label, f"change:{area}", followup, labels.CHANGES,
                  not_given=N_("Domaine non comparé"))
              for area, label in areas],
            *[one(f"suivi_recours_{offer}", label, f"takeup:{offer}", followup, labels.TAKEUP,
                  not_given=N_("Pas proposée la fois précédente"))
              for offer, label in offers],
        ],
        contract.SCREENING: [
            one("reperage_orientation", N_("Orientation donnée"), "orientation",
                contract.SCREENING, labels.ORIENTATIONS),
        ],
    }


def tables(counts: Mapping, by_kind: Mapping[str, list[Variable]]) -> Tables:
    """One population per kind (its records: ``(<kind>.all, "", "*")`` in ``counts``),
    each variable a partition of it; no cell is shared with the diagnostics' tables."""
    result = Tables()
    for kind, kind_variables in by_kind.items():
        total = result.cell(population_key(kind, ALL), counts.get((f"{kind}.all", "", ALL), 0))
        for variable in kind_variables:
            result.split(total, variable, counts)
    return result


def section(diagnostics: Figures, published: Published,
            by_kind: Mapping[str, list[Variable]], frame) -> Section:
    """The section: how many records of each kind, diagnostics by mode (from their own
    figures, ``diagnostics``), then each kind's figures, or one sentence when the period
    holds none of it."""
    every = [v for kind_variables in by_kind.values() for v in kind_variables]
    figures = Figures(published, every, frame)
    totals = {kind: published.values[population_key(kind, ALL)] for kind in KINDS}
    rows = [Row(population_label(kind), published.shown(population_key(kind, ALL)))
            for kind in KINDS]
    modes = diagnostics.distribution("mode", "mode",
                                     N_("Diagnostics, en autonomie ou accompagnés"))
    result = [Figure("accompagnements-effectifs", N_("Comptes rendus, suivis et repérages reçus"),
                     rows, None, columns=(N_("Enregistrement"),)),
              modes]

    def empty(kind: str, title: str) -> Figure:
        return Figure(f"{kind}-aucun", title, [], note=NONE_YET[kind], table="empty")

    if totals[contract.ACTIVITY]:
        result += [
            figures.distribution("accompagnements-types", "activite_mode",
                                 N_("Accompagnements, par type")),
            figures.yes_counts("accompagnements-thematiques",
                               N_("Thématiques des accompagnements"), "activite_theme_",
                               contract.ACTIVITY, N_(
                                   "Un accompagnement peut en avoir plusieurs : les parts ne "
                                   "s'additionnent pas. Les thématiques qu'aucun accompagnement "
                                   "n'a abordées ne sont pas listées.")),
            figures.distribution("accompagnements-autonomie", "activite_autonomie"),
            figures.distribution("accompagnements-orientations", "activite_orientation"),
            figures.distribution("accompagnements-durees", "activite_duree")]
    else:
        result.append(empty(contract.ACTIVITY, N_("Accompagnements")))
    if totals[contract.FOLLOWUP]:
        kind_variables = by_kind[contract.FOLLOWUP]
        result.append(figures.distribution("suivis-modes", "suivi_mode"))
        result.append(figures.distribution("suivis-delais", "suivi_delai"))
        result.append(figures.matrix(
            "suivis-progres", N_("Progrès par domaine depuis le diagnostic précédent"),
            [v for v in kind_variables if v.id.startswith("suivi_progres_")],
            description=N_("Une barre par domaine, partagée entre recul, stabilité et progrès ; "
                           "le tableau qui suit donne les effectifs.")))
        takeup = [v for v in kind_variables if v.id.startswith("suivi_recours_")]
        if takeup:
            result.append(figures.matrix(
                "suivis-recours", N_("Suite donnée aux offres proposées la fois précédente"),
                takeup, row_header=N_("Offre"), note=N_(
                    "Seules les personnes à qui l'offre avait été proposée sont comptées "
                    "dans sa ligne."), description=N_(
                    "Une barre par offre, partagée selon la suite donnée ; le tableau qui "
                    "suit donne les effectifs.")))
    else:
        result.append(empty(contract.FOLLOWUP, N_("Suivis")))
    if totals[contract.SCREENING]:
        result.append(figures.distribution("reperages-orientations", "reperage_orientation",
                                           N_("Repérages au guichet, par orientation")))
    else:
        result.append(empty(contract.SCREENING, N_("Repérages au guichet")))
    return Section("accompagnements", N_("Accompagnements"), result, INTRO)
