"""Every figure of the dashboard for one period and one territory, through the
publication rule. No Flask: the blueprint hands in the database and the settings.

All the figures of a page are cells of one set of linked tables (kiosk.hub.tables),
suppressed together: a count hidden in one chart cannot be recomputed from the totals
shown in another. Shares are shown only when both their counts are.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from . import charts, reports, stats
from .tables import (ALL, NOT_GIVEN, NOT_GIVEN_LABEL, N_, POPULATIONS, Published, Tables,
                     Variable, cell_key, epci_order, population_key, variables)

INSEE_2019_ALLIER = 0.22  # INSEE, Insee Première / AURA study of December 2022, 2019 data
ILLECTRONISM = ("indicateur_insee2019_illectronism", "indicateur_insee2021_illectronism")


@dataclass(frozen=True)
class Filters:
    first: str | None = None
    last: str | None = None
    axis: str = "residence"
    epci: str | None = None


@dataclass(frozen=True)
class Row:
    label: str
    count: int | None                 # None: hidden by the publication rule
    share: float | None = None        # of the figure's population, when both are shown
    interval: stats.Share | None = None
    extra: str = ""                   # a second column (a date, a state)
    flagged: bool = False


@dataclass
class Figure:
    id: str
    title: str
    rows: list[Row]
    chart: charts.Chart | None = None
    population: str | None = None      # what the shares are shares of
    note: str = ""
    columns: tuple[str, ...] = ()      # headers of a table with several counts per row
    cells: list[list[int | None]] = field(default_factory=list)
    table: str = "counts"              # how the table reads: counts, weeks, shares, matrix


@dataclass
class Section:
    id: str
    title: str
    figures: list[Figure]
    intro: str = ""


@dataclass(frozen=True)
class Kiosk:
    """One kiosk's health: when it last synced, and whether it has gone silent."""

    site: str
    epci: str
    last_seen_at: str | None
    days: int | None
    state: str
    flagged: bool


@dataclass
class Page:
    filters: Filters
    first: str | None
    last: str | None
    total: int | None
    headline: list[Row]
    sections: list[Section]
    kiosks: list[Kiosk]
    epci_name: str | None = None


def _share(published: Published, part: tuple, whole: tuple) -> float | None:
    count, total = published.shown(part), published.shown(whole)
    return count / total if count is not None and total else None


def _proportion(published: Published, yes: tuple, no: tuple) -> stats.Share | None:
    k, other = published.shown(yes), published.shown(no)
    if k is None or other is None or k + other == 0:
        return None
    return stats.share(k, k + other)


def _filtered(counts: Counter, epci: str | None) -> Counter:
    """(dimension, value, EPCI) counts -> (dimension, value, "*"), one EPCI or all."""
    result = Counter()
    for (dimension, value, code), n in counts.items():
        if epci is None or code == epci:
            result[(dimension, value, ALL)] += n
    return result


def build(db, questionnaire, epci_names: dict[str, str], filters: Filters, *, now: datetime,
          silent_days: int, language_name) -> Page:
    """The dashboard for ``filters``: read in one snapshot, suppressed as one."""
    with reports.snapshot(db):
        bounds = reports.week_range(db)
        first = max(filters.first, bounds[0]) if filters.first and bounds else (
            bounds[0] if bounds else None)
        last = min(filters.last, bounds[1]) if filters.last and bounds else (
            bounds[1] if bounds else None)
        by_epci = reports.counts_by_epci(db, filters.axis, first, last)
        weekly = reports.weekly(db, filters.axis, first, last, filters.epci)
        by_device = reports.by_device(db, first, last)
        devices = reports.devices(db)
    counts = _filtered(by_epci, filters.epci)
    all_variables = variables(questionnaire, {(d, v) for d, v, _ in by_epci}, language_name)
    by_id = {v.id: v for v in all_variables}

    tables = Tables()
    tables.variables(counts, all_variables, [ALL])
    axis_columns = epci_order({code for _, _, code in by_epci} | set(epci_names), epci_names)
    if filters.epci is None:
        tables.variables(by_epci, [by_id[i] for i in ILLECTRONISM if i in by_id], axis_columns)
    total_key = population_key("all", ALL)
    weeks = stats.weeks_between(first, last) if first and last and first <= last else []
    week_counts = Counter()
    for (week, _, _), n in weekly.items():
        week_counts[week] += n
    tables.partition("semaine", {w: week_counts[w] for w in weeks}, total_key)
    axis_index = 1 if filters.axis == "site" else 2
    in_scope = Counter({key: n for key, n in by_device.items()
                        if filters.epci is None or key[axis_index] == filters.epci})
    site_of = {d.id: d.site for d in devices}
    per = {name: Counter() for name in ("site", "epci_site", "epci_residence")}
    for (device, site_epci, residence_epci), n in in_scope.items():
        per["site"][site_of.get(device, str(device))] += n
        per["epci_site"][site_epci] += n
        per["epci_residence"][residence_epci] += n
    for name, part in per.items():
        tables.partition(name, dict(sorted(part.items())), total_key)
    published = tables.publish()

    def rows_of(variable: Variable, hide_empty_unknown=True) -> list[Row]:
        whole = population_key(variable.population, ALL)
        result = []
        for m in variable.modalities:
            key = cell_key(variable, m, ALL)
            if m.code == NOT_GIVEN and hide_empty_unknown and published.values[key] == 0:
                continue  # a published zero, left out of the picture
            result.append(Row(m.label, published.shown(key), _share(published, key, whole)))
        return result

    def figure(fig_id, variable_id, title=None, note="") -> Figure:
        variable = by_id[variable_id]
        rows = rows_of(variable)
        return Figure(fig_id, title or variable.label, rows, _bars(rows),
                      POPULATIONS[variable.population], note)

    def yes_figure(fig_id, title, prefix) -> Figure:
        rows = []
        for variable in (v for v in all_variables if v.id.startswith(prefix)):
            key, whole = cell_key(variable, variable.modalities[0], ALL), population_key("complete", ALL)
            rows.append(Row(variable.label, published.shown(key), _share(published, key, whole)))
        return Figure(fig_id, title, rows, _bars(rows), POPULATIONS["complete"],
                      N_("Une personne peut en avoir plusieurs : les parts ne s'additionnent pas."))

    total = published.shown(total_key)
    shares = {}
    for variable_id in ILLECTRONISM + ("indicateur_dsi_at_least_basic",):
        if variable_id in by_id:
            v = by_id[variable_id]
            shares[variable_id] = _proportion(published, cell_key(v, v.modalities[0], ALL),
                                              cell_key(v, v.modalities[1], ALL))
    headline = [
        Row(N_("Diagnostics"), total),
        Row(N_("Diagnostics terminés"), published.shown(population_key("complete", ALL)),
            _share(published, population_key("complete", ALL), total_key)),
        Row(N_("Diagnostics abandonnés"), published.shown(population_key("incomplete", ALL)),
            _share(published, population_key("incomplete", ALL), total_key)),
    ]
    labels = {"indicateur_insee2019_illectronism": N_("Illectronisme (INSEE 2019)"),
              "indicateur_insee2021_illectronism": N_("Illectronisme (INSEE 2021)"),
              "indicateur_dsi_at_least_basic": N_("Au moins les bases (Eurostat)")}
    for variable_id, s in shares.items():
        v = by_id[variable_id]
        yes, no = (cell_key(v, m, ALL) for m in v.modalities[:2])
        # count None: the share is hidden (one of its counts is); 0 with no share: no data
        hidden = published.is_hidden(yes) or published.is_hidden(no)
        headline.append(Row(labels[variable_id], None if hidden else published.values[yes],
                            s.value if s else None, s, extra="share"))

    sections = [
        _weeks_section(published, weeks),
        _territory_section(published, per, epci_names, filters),
        _illectronism_section(published, shares, by_id, axis_columns, epci_names, filters),
        Section("niveaux", N_("Niveaux par domaine"), [
            _levels_figure(published, all_variables, questionnaire),
            figure("profils", "profil")],
            N_("Niveaux des diagnostics terminés, par domaine : aucune compétence, "
               "compétences de base, au-delà des bases (seuils d'Eurostat).")),
        Section("parcours", N_("Diagnostics terminés et abandons"), [
            figure("termines", "diagnostic_termine", N_("Diagnostics terminés ou abandonnés")),
            figure("abandons", "derniere_etape",
                   note=N_("L'écran affiché quand la personne a quitté le diagnostic."))]),
        Section("langues", N_("Langues"), [figure("langues", "langue")]),
        Section("besoins", N_("Besoins repérés et offres proposées"), [
            yes_figure("besoins-reperes", N_("Besoins repérés"), "besoin_"),
            yes_figure("offres-proposees", N_("Offres proposées"), "offre_")]),
        Section("modes", N_("Mode et suivis"), [figure("mode", "mode")],
                N_("Les diagnostics se font pour l'instant en autonomie ; les séances "
                   "accompagnées et les suivis par un médiateur seront comptés quand le "
                   "mode accompagné existera.")),
        Section("personnes", N_("Les personnes"), [
            figure("ages", "tranche_age"), figure("situations", "situation")]),
    ]
    return Page(filters, first, last, total, headline, sections,
                _kiosks(devices, epci_names, filters, now, silent_days),
                epci_names.get(filters.epci, filters.epci) if filters.epci else None)


def _text(count: int | None) -> str:
    return "s" if count is None else f"{count:,}".replace(",", "\u202f")


def _bars(rows: list[Row]) -> charts.Chart:
    return charts.bars([(row.label, row.count, _text(row.count)) for row in rows])


def _weeks_section(published: Published, weeks: list[str]) -> Section:
    rows = [Row(week, published.shown(("semaine", week, ALL)),
                extra=stats.week_start(week).isoformat()) for week in weeks]
    chart = charts.columns([(row.label, row.count) for row in rows]) if rows else None
    return Section("semaines", N_("Diagnostics par semaine"), [
        Figure("par-semaine", N_("Diagnostics par semaine"), rows, chart, table="weeks")])


def _epci_label(code: str, names: dict[str, str]) -> str:
    return NOT_GIVEN_LABEL if code == "" else names.get(code, code)


def _natural(text: str) -> list:
    """Sort key that puts "n°2" before "n°10"."""
    return [int(part) if part.isdigit() else part.casefold() for part in re.split(r"(\d+)", text)]


def _territory_section(published, per, names, filters) -> Section:
    figures = []
    for name, title in (("epci_residence", N_("Par EPCI de résidence")),
                        ("epci_site", N_("Par EPCI du lieu de diagnostic"))):
        rows = [Row(_epci_label(code, names), published.shown((name, code, ALL)),
                    _share(published, (name, code, ALL), population_key("all", ALL)),
                    flagged=code == filters.epci)
                for code in epci_order(per[name], names)]
        figures.append(Figure(name.replace("_", "-"), title, rows, _bars(rows),
                              POPULATIONS["all"], columns=(N_("EPCI"),)))
    sites = [Row(site, published.shown(("site", site, ALL)))
             for site in sorted(per["site"], key=_natural)]
    figures.append(Figure("par-site", N_("Par site (effectifs seulement)"), sites, None,
                          note=N_("Le nom du site permet presque de reconnaître une "
                                  "personne : seuls les effectifs sont montrés."),
                          columns=(N_("Site"),)))
    return Section("territoires", N_("Diagnostics par territoire et par site"), figures)


def _illectronism_section(published, shares, by_id, columns, names, filters) -> Section:
    reference = (N_("INSEE 2019, Allier : 22 %"), INSEE_2019_ALLIER)
    items = [(by_id[i].label, shares.get(i)) for i in ILLECTRONISM if i in by_id]
    rows = [Row(label, s.k if s else None, s.value if s else None, s) for label, s in items]
    rows.append(Row(N_("INSEE 2019 pour l'Allier (enquête nationale)"), None,
                    INSEE_2019_ALLIER, extra="reference"))
    figures = [Figure("illectronisme", N_("Part des personnes en illectronisme"), rows,
                      charts.intervals(items, reference), POPULATIONS["complete"],
                      columns=(N_("Définition"),), table="shares")]
    variable = by_id.get(ILLECTRONISM[0])
    if filters.epci is None and variable:
        yes, no = variable.modalities[0], variable.modalities[1]
        per_epci = []
        for code in epci_order(columns, names):
            s = _proportion(published, cell_key(variable, yes, code), cell_key(variable, no, code))
            count = published.shown(cell_key(variable, yes, code))
            if published.values[population_key("complete", code)] == 0:
                continue  # no diagnostic there: nothing to show, nothing hidden
            per_epci.append((_epci_label(code, names), s, count))
        title = (N_("Illectronisme (INSEE 2019) par EPCI de résidence")
                 if filters.axis == "residence"
                 else N_("Illectronisme (INSEE 2019) par EPCI du lieu de diagnostic"))
        figures.append(Figure(
            "illectronisme-epci", title,
            [Row(label, count, s.value if s else None, s) for label, s, count in per_epci],
            charts.intervals([(label, s) for label, s, _ in per_epci], reference),
            POPULATIONS["complete"], columns=(N_("EPCI"),), table="shares"))
    return Section("illectronisme", N_("Illectronisme"), figures, N_(
        "Part des diagnostics terminés qui relèvent de l'illectronisme, avec son intervalle "
        "de confiance à 95 % (Wilson), à côté des 22 % mesurés par l'INSEE pour l'Allier "
        "(données 2019). Attention : les personnes qui font le diagnostic sur une borne ne "
        "sont pas un échantillon tiré au hasard de la population ; l'intervalle ne mesure "
        "que l'aléa, pas ce biais, et la comparaison avec l'INSEE reste indicative."))


def _levels_figure(published, all_variables, questionnaire) -> Figure:
    level_vars = [v for v in all_variables if v.dimension.startswith("level:")]
    headers = tuple(m.label for m in level_vars[0].modalities if m.code != NOT_GIVEN) if level_vars else ()
    rows, cells, stacks = [], [], []
    for variable in level_vars:
        parts = [(m.label, published.shown(cell_key(variable, m, ALL)))
                 for m in variable.modalities if m.code != NOT_GIVEN]
        cells.append([value for _, value in parts])
        rows.append(Row(variable.label, None))
        stacks.append((variable.label, parts))
    return Figure("niveaux-domaines", N_("Niveau par domaine"), rows, charts.stacked(stacks),
                  POPULATIONS["complete"], columns=headers, cells=cells, table="matrix")


def _kiosks(devices, names, filters, now, silent_days) -> list[Kiosk]:
    """Every kiosk of the territory (by its own EPCI), silent ones flagged."""
    kiosks = []
    for device in devices:
        if filters.epci and device.epci != filters.epci:
            continue
        days = stats.days_since(device.last_seen_at, now)
        if device.revoked:  # not expected to sync any more
            state, flagged = N_("Révoquée"), False
        elif stats.is_silent(device.last_seen_at, now, silent_days):
            state, flagged = (N_("Jamais synchronisée") if days is None else N_("Silencieuse")), True
        else:
            state, flagged = N_("À jour"), False
        kiosks.append(Kiosk(device.site, _epci_label(device.epci, names), device.last_seen_at,
                            days, state, flagged))
    return kiosks
