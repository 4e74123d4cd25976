"""The dashboard's sections: rows, figures and charts built from published counts.
No Flask, no SQL: kiosk.hub.overview reads the counts and suppresses them; this module
only lays out what may be shown.
"""
from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field

from . import charts, reach, stats
from .frames import HEADLINE_AND_STRICT
from .tables import (ALL, NOT_GIVEN, NOT_GIVEN_LABEL, N_, POPULATIONS, Published, Variable,
                     cell_key, epci_order, population_key, population_label)

INSEE_2019_ALLIER = 0.22  # INSEE, Insee Première / AURA study of December 2022, 2019 data


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
    # how the table reads: counts, weeks, shares, matrix; "empty": no table, only the note
    table: str = "counts"
    row_header: str = N_("Domaine")    # the first column of a matrix
    description: str = ""              # the chart's, for a reader who cannot see it
    counted: str = N_("Personnes en illectronisme")   # what a shares table counts
    reach: "Reach | None" = None       # table "reach": diagnostics per 1,000 inhabitants


@dataclass
class Section:
    id: str
    title: str
    figures: list[Figure]
    intro: str = ""


@dataclass(frozen=True)
class Kiosk:
    """One kiosk's health: when it last synced, whether it has gone silent, and its
    latest health report (version, `kiosk doctor`'s failing checks), if any."""

    site: str
    epci: str
    last_seen_at: str | None
    days: int | None
    state: str
    flagged: bool
    version: str | None = None
    failing: tuple[str, ...] | None = None  # None: no report yet
    count: int | None = 0   # its site's diagnostics in the page's scope; None: hidden
    behind: str | None = None  # the newest release another kiosk reports, when newer


def _share(published: Published, part: tuple, whole: tuple) -> float | None:
    count, total = published.shown(part), published.shown(whole)
    return count / total if count is not None and total else None


def _proportion(published: Published, yes: tuple, no: tuple) -> stats.Share | None:
    k, other = published.shown(yes), published.shown(no)
    if k is None or other is None or k + other == 0:
        return None
    return stats.share(k, k + other)


def share_row(label: str, published: Published, yes: tuple, no: tuple, **extra) -> Row:
    """A share with its interval: count None when either count is hidden (the share is
    then hidden too); a published 0 with no share when there is nothing to divide."""
    if published.is_hidden(yes) or published.is_hidden(no):
        return Row(label, None, **extra)
    s = _proportion(published, yes, no)
    return Row(label, published.values[yes], s.value if s else None, s, **extra)


class Figures:
    """Builds the figures of one page (of one frame, kiosk.hub.frames) from its
    published counts."""

    def __init__(self, published: Published, variables: list[Variable], frame):
        self.published = published
        self.variables = variables
        self.by_id = {v.id: v for v in variables}
        self.frame = frame
        # What the indicators' shares are shares of (the ages compared, when scoped).
        self.compared = (N_("Diagnostics terminés, des âges comparés") if frame.scoped
                         else POPULATIONS["complete"])

    def rows(self, variable: Variable) -> list[Row]:
        whole = population_key(variable.population, ALL)
        result = []
        for m in variable.modalities:
            key = cell_key(variable, m, ALL)
            if m.code == NOT_GIVEN and self.published.values[key] == 0:
                continue  # a published zero, left out of the picture
            result.append(Row(m.label, self.published.shown(key),
                              _share(self.published, key, whole)))
        return result

    def distribution(self, fig_id: str, variable_id: str, title: str | None = None,
                     note: str = "") -> Figure:
        """One variable's modalities: counts and shares of its population."""
        variable = self.by_id[variable_id]
        rows = self.rows(variable)
        return Figure(fig_id, title or variable.label, rows, _bars(rows),
                      population_label(variable.population), note)

    def yes_counts(self, fig_id: str, title: str, prefix: str, population: str = "complete",
                   note: str = N_("Une personne peut en avoir plusieurs : les parts ne "
                                  "s'additionnent pas.")) -> Figure:
        """The "yes" of every binary variable named ``prefix...`` (needs, offers)."""
        rows = []
        whole = population_key(population, ALL)
        for variable in (v for v in self.variables if v.id.startswith(prefix)):
            key = cell_key(variable, variable.modalities[0], ALL)
            rows.append(Row(variable.label, self.published.shown(key),
                            _share(self.published, key, whole)))
        return Figure(fig_id, title, rows, _bars(rows), population_label(population), note)

    def headline(self) -> list[Row]:
        """The key figures: diagnostics, completed, abandoned, and the three shares."""
        published, total = self.published, population_key("all", ALL)
        rows = [Row(N_("Diagnostics"), published.shown(total))]
        for population, label in (("complete", N_("Diagnostics terminés")),
                                  ("incomplete", N_("Diagnostics abandonnés"))):
            key = population_key(population, ALL)
            rows.append(Row(label, published.shown(key), _share(published, key, total)))
        for variable_id, label in self.frame.key_figures.items():
            if variable_id in self.by_id:
                yes, no = self._yes_no(variable_id, ALL)
                rows.append(share_row(label, published, yes, no, extra="share"))
        return rows

    def _yes_no(self, variable_id: str, column: str) -> tuple[tuple, tuple]:
        variable = self.by_id[variable_id]
        return tuple(cell_key(variable, m, column) for m in variable.modalities[:2])

    def _shares(self, variable_ids) -> list[Row]:
        return [share_row(self.by_id[i].label, self.published, *self._yes_no(i, ALL))
                for i in variable_ids if i in self.by_id]

    def illectronism(self, columns: list[str], names: dict[str, str], axis: str,
                     per_epci: bool) -> Section:
        """The INSEE shares, "at least basic", and by EPCI (kiosk.hub.compare)."""
        from . import compare
        return compare.illectronism(self, columns, names, axis, per_epci,
                                    compare.standardised(self))

    def levels(self) -> Figure:
        """Levels per area: one stacked bar per area, a matrix table."""
        return self.matrix("niveaux-domaines", N_("Niveau par domaine"), [
            v for v in self.variables if v.dimension.startswith(("level:", "level_strict:"))])

    def matrix(self, fig_id: str, title: str, variables: list[Variable],
               row_header: str = N_("Domaine"), note: str = "",
               description: str = "") -> Figure:
        """Variables of the same modalities, one row each: one stacked bar per row (its
        "not given" left out), a matrix table."""
        headers = tuple(m.label for m in variables[0].modalities
                        if m.code != NOT_GIVEN) if variables else ()
        rows, cells, stacks = [], [], []
        for variable in variables:
            parts = [(m.label, self.published.shown(cell_key(variable, m, ALL)))
                     for m in variable.modalities if m.code != NOT_GIVEN]
            cells.append([value for _, value in parts])
            rows.append(Row(variable.label, None))
            stacks.append((variable.label, parts))
        population = population_label(variables[0].population) if variables else None
        return Figure(fig_id, title, rows, charts.stacked(stacks), population, note,
                      columns=headers, cells=cells, table="matrix", row_header=row_header,
                      description=description)

    def sections(self, weeks, per, keys, columns, names, filters,
                 populations=None) -> list[Section]:
        """Every section of the page, in reading order."""
        return [
            weeks_section(self.published, weeks),
            territory_section(self.published, per, keys, names, filters, populations),
            self.illectronism(columns, names, filters.axis, per_epci=filters.epci is None),
            Section("niveaux", N_("Niveaux par domaine"), [
                self.levels(), self.distribution("profils", "profil")],
                N_("Niveaux des diagnostics terminés, par domaine : aucune compétence, "
                   "compétences de base, au-delà des bases (seuils d'Eurostat).")
                + (" " + HEADLINE_AND_STRICT if self.frame.strict else "")),
            Section("parcours", N_("Diagnostics terminés et abandons"), [
                self.distribution("termines", "diagnostic_termine",
                                  N_("Diagnostics terminés ou abandonnés")),
                self.distribution("abandons", "derniere_etape", note=N_(
                    "L'écran affiché quand la personne a quitté le diagnostic."))]),
            Section("langues-du-diagnostic", N_("Langues"), [self.distribution("langues", "langue")]),
            Section("besoins", N_("Besoins repérés et offres proposées"), [
                self.yes_counts("besoins-reperes", N_("Besoins repérés"), "besoin_"),
                self.yes_counts("offres-proposees", N_("Offres proposées"), "offre_")]),
            Section("personnes", N_("Les personnes"), [
                self.distribution("ages", "tranche_age"),
                self.distribution("situations", "situation")]),
        ]


def _text(count: int | None) -> str:
    return "s" if count is None else f"{count:,}".replace(",", "\u202f")


def _bars(rows: list[Row]) -> charts.Chart:
    return charts.bars([(row.label, row.count, _text(row.count)) for row in rows])


def weeks_section(published: Published, weeks: list[str]) -> Section:
    rows = [Row(week, published.shown(("semaine", week, ALL)),
                extra=stats.week_start(week).isoformat()) for week in weeks]
    chart = charts.columns([(row.label, row.count) for row in rows]) if rows else None
    return Section("semaines", N_("Diagnostics par semaine"), [
        Figure("par-semaine", N_("Diagnostics par semaine"), rows, chart, table="weeks")])


def epci_label(code: str, names: dict[str, str]) -> str:
    return NOT_GIVEN_LABEL if code == "" else names.get(code, code)


def _natural(text: str) -> list:
    """Sort key that puts "n°2" before "n°10"."""
    return [int(part) if part.isdigit() else part.casefold() for part in re.split(r"(\d+)", text)]


@dataclass(frozen=True)
class ReachRow:
    row: Row                           # label, count, share of the page's total
    rate: reach.Rate


@dataclass(frozen=True)
class Reach:
    """An EPCI figure read per inhabitant: the EPCIs by rate, the rows kept apart ("non
    renseigné"), and the Allier's average (None on the page of one EPCI)."""

    ranked: list[ReachRow]
    apart: list[ReachRow]
    average: ReachRow | None


def number_text(n) -> str:
    """8000 -> "8 000": whole, a narrow no-break space between thousands, as Babel's
    French pattern "#,##0" writes it (rounded half to even, as Babel does), without
    Babel's pattern machinery, which a dashboard of 5,000 numbers felt."""
    return f"{round(n):,}".replace(",", "\u202f")


def rate_text(rate: float | None) -> str:
    """12.34 -> "12,3 ‰" (a non-breaking space before the sign); None -> "s"."""
    return "s" if rate is None else f"{rate:,.1f}".replace(",", "\u202f").replace(".", ",") + "\u00a0‰"


TERRITORY_NOTE = N_(
    "Diagnostics pour 1\u00a0000 habitants : les habitants comptés sont ceux des communes de "
    "l'EPCI situées dans l'Allier (population municipale de l'INSEE), les seuls que les "
    "bornes peuvent atteindre. Pour un EPCI qui a des communes hors de l'Allier, la "
    "population de tout l'EPCI (population totale) est donnée à côté. Un effectif caché "
    "cache aussi son taux ; « Non renseigné » n'a pas de population, donc pas de taux.")
FILTERED_NOTE = N_("La moyenne de l'Allier est sur la page de tout l'Allier.")


def territory_section(published, per, keys, names, filters, populations=None) -> Section:
    """Diagnostics per EPCI (of residence, of the kiosk), with their rate per 1,000
    inhabitants, sorted by it, and per site, counts only. On the page of one EPCI only the
    figure of its axis is a rate (the other counts its people at other EPCIs' kiosks)."""
    populations = reach.allier_populations() if populations is None else populations
    total = population_key("all", ALL)
    figures = []
    for name, title, per_inhabitant in (
            ("epci_residence", N_("Par EPCI de résidence"),
             N_("Diagnostics pour 1\u00a0000 habitants, par EPCI de résidence")),
            ("epci_site", N_("Par EPCI du lieu de diagnostic"),
             N_("Diagnostics pour 1\u00a0000 habitants, par EPCI du lieu de diagnostic"))):
        axis = "epci_site" if filters.axis == "site" else "epci_residence"
        if filters.epci is not None and name != axis:
            rows = [Row(epci_label(code, names), published.shown(keys[name][code]),
                        _share(published, keys[name][code], total))
                    for code in epci_order(per[name], names)]
            figures.append(Figure(name.replace("_", "-"), title, rows, _bars(rows),
                                  POPULATIONS["all"], columns=(N_("EPCI"),)))
            continue
        counts = {code: published.shown(keys[name][code]) for code in per[name]}
        # An EPCI with no diagnostic is the least reached of all: a zero, shown (a zero
        # is no cell of the tables, and adds nothing to their sums).
        for code in populations:
            if code not in counts and filters.epci in (None, code):
                counts[code] = 0
        ranked, apart = reach.rates(counts, populations)

        def row(rate: reach.Rate) -> ReachRow:
            share = (_share(published, keys[name][rate.code], total) if rate.count
                     else 0.0 if rate.count == 0 and published.shown(total) else None)
            return ReachRow(Row(epci_label(rate.code, names), rate.count, share,
                                flagged=rate.code == filters.epci), rate)
        average = None
        if filters.epci is None:
            average = ReachRow(Row(N_("Allier (moyenne du département)"),
                                   published.shown(total), 1.0 if published.shown(total)
                                   else None, extra="average"),
                               reach.average(published.shown(total), populations))
        table = Reach([row(r) for r in ranked], [row(r) for r in apart], average)
        from .compare import reach_chart
        chart = reach_chart(table)
        note = TERRITORY_NOTE if filters.epci is None else f"{TERRITORY_NOTE} {FILTERED_NOTE}"
        figures.append(Figure(
            name.replace("_", "-"), per_inhabitant,
            [r.row for r in table.ranked + table.apart], chart, POPULATIONS["all"], note,
            columns=(N_("EPCI"),), table="reach", reach=table))
    sites = [Row(site, published.shown(keys["site"][(site, epci)]))
             for site, epci in sorted(per["site"], key=lambda code: _natural(code[0]))]
    figures.append(Figure("par-site", N_("Par site (effectifs seulement)"), sites, None,
                          note=N_("Le nom du site permet presque de reconnaître une "
                                  "personne : seuls les effectifs sont montrés."),
                          columns=(N_("Site"),)))
    return Section("territoires", N_("Diagnostics par territoire et par site"), figures)


def site_counts(published: Published, site_keys: dict) -> dict[str, int | None]:
    """Site name -> its diagnostics, from the published cells of "Par site" only: a
    site counted at several EPCI (the bus) adds its cells, hidden if any one is (the
    others and the sum would give it away)."""
    parts = defaultdict(list)
    for (site, _), key in site_keys.items():
        parts[site].append(published.shown(key))
    return {site: None if None in values else sum(values) for site, values in parts.items()}


def kiosks(devices, names, filters, now, silent_days, health=None,
           counts=None) -> list[Kiosk]:
    """Every kiosk of the territory (by its own EPCI), with its latest health report
    (``health``: device id -> kiosk.hub.reports.Health) and its site's published count
    (``counts``: site_counts); silent ones flagged and first, then by site name, the
    natural way ("n°2" before "n°10")."""
    health, counts = health or {}, counts or {}
    # The newest release any kiosk in service reports, wherever it stands: a kiosk on an
    # older one missed an upgrade (its fixes, its questionnaire).
    running = [health[d.id].version for d in devices if not d.revoked and d.id in health]
    newest = max((v for v in running if _release(v)), key=_release, default=None)
    bar = _release(newest)
    kiosks = []
    for device in devices:
        if filters.epci and device.epci != filters.epci:
            continue
        days = stats.days_since(device.last_seen_at, now)
        if device.revoked:  # not expected to sync any more
            state, flagged = N_("Révoquée"), False
        elif stats.is_silent(device.last_seen_at, now, silent_days):
            never = device.last_seen_at is None
            state, flagged = (N_("Jamais synchronisée") if never else N_("Silencieuse")), True
        else:
            state, flagged = N_("À jour"), False
        report = health.get(device.id)
        release = _release(report.version) if report and not device.revoked else ()
        behind = newest if release and release < bar else None
        kiosks.append(Kiosk(device.site, epci_label(device.epci, names), device.last_seen_at,
                            days, state, flagged, report.version if report else None,
                            report.failing if report else None,
                            counts.get(device.site, 0), behind))
    return sorted(kiosks, key=lambda kiosk: (not kiosk.flagged, _natural(kiosk.site)))


def _release(version: str | None) -> tuple[int, ...]:
    """A version's numbers, compared as numbers (0.10.0 is after 0.9.2); () for one
    with none ("unknown": a kiosk run from a bare checkout)."""
    return tuple(int(n) for n in re.findall(r"\d+", version or ""))
