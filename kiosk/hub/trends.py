"""Outcome trends: the illectronisme share, the "at least basic" share and the main needs
per month or quarter, with their n, their 95 % interval and the change from one period
to the next. Pure: no Flask, no SQL.

A month or quarter is the weeks whose Thursday falls in it (kiosk.hub.periods). Its
counts are cells of the same linked tables as the period's (kiosk.hub.tables), added
before they are published: each period's population splits by each indicator like the
whole period's, and the periods of a cell add up to the cell of the whole period. So
the publication rule solves them together with every other figure, and no month can be
subtracted from the period to give away a hidden count. The open data's quarterly file
(kiosk.hub.opendata) is built the same way, per EPCI of residence, and audited with the
rest.

A change is called a rise or a fall only when the two periods' 95 % intervals do not
overlap; otherwise it is "stable": the gap may come from chance alone.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Callable, Iterable, Mapping

from . import charts, stats
from .periods import MONTH_NAMES, month_of, quarter_of, weeks_for
from .sections import Figure, Row, Section, share_row
from .tables import ALL, N_, Published, Tables, Variable, cell_key, population_key

ID = "evolution"
DASHBOARD, QUARTERS = "tendance", "trimestre"   # the first item of their cells' keys
POPULATION = "population"
MONTH, QUARTER = "mois", "trimestre"
MOST_MONTHS = 12   # a longer period is shown by quarter
MAIN_NEEDS = 3
RISE, FALL, STABLE = N_("en hausse"), N_("en baisse"), N_("stable, l'écart peut venir du hasard")
FINDING = N_("Entre %(before)s et %(after)s, la part passe de %(old)s à %(new)s : %(change)s.")
APART = N_("les intervalles de confiance ne se recoupent pas")
# Over the whole period shown, when it has more than two: the trend, not only the last step.
SINCE = N_("Depuis %(first)s : de %(old)s à %(new)s, %(change)s.")
NO_FINDING = N_("Pas de comparaison entre les deux dernières périodes : l'une d'elles est "
                "sous secret statistique ou n'a aucun diagnostic.")
# The breakdown dimensions a quarter is kept for in the open data: the populations,
# the indicators and the needs.
TAGGED = ("complete", "indicator:", "need")
TAG = "trimestre|"


def unit(weeks: Iterable[str]) -> str:
    """By month for a period of at most 12 months, by quarter beyond."""
    return MONTH if len({month_of(week) for week in weeks}) <= MOST_MONTHS else QUARTER


def period_of(week: str, by: str) -> str:
    return month_of(week) if by == MONTH else quarter_of(week)


def bounds(code: str) -> tuple[date, date]:
    """The first and last days of a month ``YYYY-MM`` or a quarter ``YYYY-Tn``."""
    year = int(code[:4])
    first_month, months = ((int(code[6:]) - 1) * 3 + 1, 3) if code[5] == "T" else (int(code[5:]), 1)
    start = date(year, first_month, 1)
    after = date(year + (first_month + months - 1) // 12, (first_month + months - 1) % 12 + 1, 1)
    return start, after - timedelta(days=1)


def label(code: str) -> str:
    """``juillet 2026``, ``3e trimestre 2026`` (``1er trimestre 2026``)."""
    if code[5] == "T":
        number = int(code[6:])
        return f"{number}{'er' if number == 1 else 'e'} trimestre {code[:4]}"
    return f"{MONTH_NAMES[int(code[5:]) - 1]} {code[:4]}"


def periods(weeks: Iterable[str], by: str) -> list[str]:
    return sorted({period_of(week, by) for week in weeks})


def partial(weeks: Iterable[str], by: str) -> set[str]:
    """The periods some of whose weeks ``weeks`` lacks (a period asked from or to the
    middle of a month, or one not over)."""
    weeks = set(weeks)
    result = set()
    for code in periods(weeks, by):
        first, last = weeks_for(*bounds(code))
        if not set(stats.weeks_between(first, last)) <= weeks:
            result.add(code)
    return result


def chosen(variables: list[Variable], frame) -> list[Variable]:
    """The variables followed over time: the frame's illectronisme (the one shown per
    EPCI), its "at least basic", and every need."""
    by_id = {v.id: v for v in variables}
    wanted = [frame.per_epci, *frame.basics[:1]]
    return [by_id[i] for i in wanted if i in by_id] + [v for v in variables
                                                      if v.id.startswith("besoin_")]


def dimensions(frame) -> list[str]:
    """The tally dimensions the variables of chosen() are counted under: completion,
    the indicators (``indicateur_<key>`` is ``indicator:<key>``) and the needs."""
    indicators = [i for i in (frame.per_epci, *frame.basics[:1]) if i]
    return ["complete", *(f"indicator:{i.removeprefix('indicateur_')}" for i in indicators),
            "need"]


def key(name: str, period: str, variable: str, code: str, column: str = ALL) -> tuple:
    return (name, period, variable, code, column)


def add(tables: Tables, counts: Mapping, codes: list[str], variables: list[Variable],
        columns: list[str], name: str) -> None:
    """The cells of each period of ``codes`` (``counts``: (dimension, value, column,
    period) -> diagnostics), in ``columns`` (with their sum ``*`` when there are several)
    and the sums linking them to each other and to the whole period's cells, which
    ``tables`` must hold already."""
    margins = columns != [ALL]
    counts = Counter(counts)
    if margins:
        for (dimension, value, _, code), n in list(counts.items()):
            counts[(dimension, value, ALL, code)] += n
    every = columns + [ALL] if margins else [ALL]
    view = {(dimension, value, (column, code)): n
            for (dimension, value, column, code), n in counts.items()}
    if len(codes) == 1 and _the_whole(tables, view, codes[0], variables, every, name):
        return
    cells = [(POPULATION, "complete")] + [(v.id, m.code) for v in variables
                                          for m in v.modalities]
    for code in codes:
        for column in every:
            pop = tables.cell(key(name, code, POPULATION, "complete", column),
                              view.get(("complete", "true", (column, code)), 0))
            for variable in variables:
                parts = [tables.cell(key(name, code, variable.id, m.code, column),
                                     variable.count(view, m, (column, code), tables.values[pop]))
                         for m in variable.modalities]
                tables.add_sum(pop, parts, group=True)
        if margins:
            for cell in cells:
                tables.add_sum(key(name, code, *cell, ALL),
                               [key(name, code, *cell, column) for column in columns])
    if not codes:
        return
    by_id = {v.id: v for v in variables}
    for column in every:
        tables.add_sum(population_key("complete", column),
                       [key(name, code, POPULATION, "complete", column) for code in codes])
        for variable_id, modality in cells[1:]:
            variable = by_id[variable_id]
            m = next(m for m in variable.modalities if m.code == modality)
            tables.add_sum(cell_key(variable, m, column),
                           [key(name, code, variable_id, modality, column) for code in codes])


def _the_whole(tables: Tables, view: Mapping, code: str, variables: list[Variable],
               columns: list[str], name: str) -> bool:
    """When the one period ``code`` counts what the whole period's cells count, name
    those cells by its keys (Tables.alias) and say so: the same counts published twice
    would otherwise be two cells bound by an equation, for suppression and the audit to
    solve (twice the unknowns of a quarterly publication)."""
    same = {}
    for column in columns:
        whole = population_key("complete", column)
        n = view.get(("complete", "true", (column, code)), 0)
        if tables.values.get(whole) != n:
            return False
        same[key(name, code, POPULATION, "complete", column)] = whole
        for variable in variables:
            for m in variable.modalities:
                whole = cell_key(variable, m, column)
                if tables.values.get(whole) != variable.count(view, m, (column, code), n):
                    return False
                same[key(name, code, variable.id, m.code, column)] = whole
    for alias, cell in same.items():
        tables.alias(alias, cell)
    return True


def weekly_counts(weekly: Mapping[str, Mapping], by: str) -> Counter:
    """The dashboard's counts: {dimension: (week, EPCI, value) -> n} (the EPCIs of the
    page already chosen) -> (dimension, value, "*", period)."""
    result, of = Counter(), {}
    for dimension, counts in weekly.items():
        for (week, _, value), n in counts.items():
            if week not in of:
                of[week] = period_of(week, by)
            result[(dimension, value, ALL, of[week])] += n
    return result


def change(before: stats.Share | None, after: stats.Share | None) -> str | None:
    """A rise or a fall when the two intervals do not overlap, else stable; None when
    either share is not shown."""
    if before is None or after is None:
        return None
    if after.low > before.high:
        return RISE
    if after.high < before.low:
        return FALL
    return STABLE


@dataclass(frozen=True)
class TrendRow:
    """One period of a trend: its share (a sections.Row: count, share, interval), its
    population, and its change from the period before (None: not comparable)."""

    label: str
    row: Row
    population: int | None
    change: str | None = None
    partial: bool = False

    # What the charts and the findings read of a row.
    @property
    def count(self):
        return self.row.count

    @property
    def interval(self):
        return self.row.interval


def rows(published: Published, variable: Variable, codes: list[str], partly: set[str],
         name: str = DASHBOARD) -> list[TrendRow]:
    """A variable's share in each period, with its change from the one before."""
    result, before = [], None
    yes, no = variable.modalities[0].code, variable.modalities[1].code
    for code in codes:
        share = share_row(label(code), published, key(name, code, variable.id, yes),
                          key(name, code, variable.id, no))
        population = published.shown(key(name, code, POPULATION, "complete"))
        result.append(TrendRow(label(code), share, population,
                               change(before, share.interval) if result else None,
                               code in partly))
        before = share.interval
    return result


def figure(fig_id: str, title: str, trend: list[TrendRow], population: str,
           counted: str) -> Figure:
    chart = charts.intervals([(t.label, t.interval) for t in trend], None) if trend else None
    return Figure(fig_id, title, trend, chart, population, table="trend",
                  columns=(N_("Période"),), counted=counted, description=N_(
                      "Une ligne par période, de la plus ancienne à la plus récente : la part "
                      "est un point, son intervalle de confiance à 95\u00a0% un trait ; le tableau "
                      "qui suit donne les valeurs et l'évolution."))


def main_needs(published: Published, needs: list[Variable]) -> list[Variable]:
    """The needs most often found over the whole period (as published)."""
    def found(variable):
        return published.shown(cell_key(variable, variable.modalities[0], ALL)) or 0
    return sorted(needs, key=lambda v: (-found(v), v.id))[:MAIN_NEEDS]


def section(published: Published, variables: list[Variable], weeks: list[str],
            population: str) -> Section:
    """The section "Évolution" of the page (``variables``: as from chosen())."""
    by = unit(weeks)
    codes, partly = periods(weeks, by), partial(weeks, by)
    needs = [v for v in variables if v.id.startswith("besoin_")]
    figures = []
    for variable in variables[:len(variables) - len(needs)]:
        is_basics = "basic" in variable.id
        figures.append(figure(
            f"evolution-{'bases' if is_basics else 'illectronisme'}",
            (N_("Évolution : %(indicator)s") % {"indicator": variable.label}),
            rows(published, variable, codes, partly), population,
            N_("Personnes avec au moins les bases") if is_basics
            else N_("Personnes en illectronisme")))
    for variable in main_needs(published, needs):
        figures.append(figure(f"evolution-{variable.id.replace('_', '-')}",
                              N_("Évolution du besoin : %(need)s") % {"need": variable.label},
                              rows(published, variable, codes, partly), population,
                              N_("Personnes qui ont ce besoin")))
    step = N_("par mois (la période choisie compte 12 mois ou moins)") if by == MONTH else \
        N_("par trimestre (la période choisie compte plus de 12 mois)")
    intro = (N_("Les parts %(step)s, chacune avec son effectif et son intervalle de confiance "
                "à 95\u00a0%% (Wilson). Un mois ou un trimestre regroupe les semaines ISO dont le "
                "jeudi y tombe ; « partiel » : seules certaines de ses semaines sont dans "
                "la période montrée (la période choisie, des premières aux dernières "
                "données reçues). Une évolution n'est dite hausse ou baisse "
                "que si les intervalles des deux périodes ne se recoupent pas ; sinon elle est "
                "dite stable : l'écart peut venir du hasard. Les besoins montrés sont les "
                "%(needs)s plus fréquents sur la période.")
             % {"step": step, "needs": MAIN_NEEDS})
    return Section(ID, N_("Évolution des indicateurs"), figures, intro)


def place(sections: list[Section], trend: Section, after: str = "illectronisme-et-bases") -> list[Section]:
    """``sections`` with ``trend`` after the section ``after`` (at the end without it)."""
    index = next((i + 1 for i, s in enumerate(sections) if s.id == after), len(sections))
    return [*sections[:index], trend, *sections[index:]]


def finding(figure: Figure, translate: Callable[..., str],
            percent: Callable[[float], str]) -> str | None:
    """The last period against the one before, in words (None with one period), then,
    with three periods or more, the last against the first: a slow fall is stable from
    one period to the next and shows only over the whole period."""
    if len(figure.rows) < 2:
        return None
    before, after = figure.rows[-2], figure.rows[-1]
    if after.change is None:
        text = translate(NO_FINDING)
    else:
        text = translate(FINDING, before=_the(before.label), after=_the(after.label),
                         old=percent(before.row.share), new=percent(after.row.share),
                         change=_said(after.change, translate))
    first = figure.rows[0]
    overall = change(first.interval, after.interval) if len(figure.rows) > 2 else None
    if overall is not None:
        text += " " + translate(SINCE, first=_the(first.label), old=percent(first.row.share),
                                new=percent(after.row.share), change=_said(overall, translate))
    return text


def _the(label: str) -> str:
    """A period in a sentence: "le 1er trimestre 2026", "janvier 2026"."""
    return f"le {label}" if label[:1].isdigit() else label


def _said(verdict: str, translate: Callable[..., str]) -> str:
    """A change in words; a rise or a fall says why it is one."""
    return translate(verdict) + ("" if verdict == STABLE else f" ({translate(APART)})")


# --- The open data's quarterly file -------------------------------------------------------

def tagged(breakdown: Counter) -> Counter:
    """``breakdown`` ((dimension, value, EPCI, week) -> n) with, beside its counts, those
    of the populations, indicators and needs again under a dimension naming their
    quarter: summed over any weeks, they still say which quarter each count is of."""
    result = Counter(breakdown)
    for (dimension, value, epci, week), n in breakdown.items():
        if dimension.startswith(TAGGED) and not dimension.startswith(TAG):
            result[(f"{TAG}{quarter_of(week)}|{dimension}", value, epci, week)] += n
    return result


def untag(breakdown: Mapping) -> tuple[Counter, Counter]:
    """(the counts as they were, the quarters' as (dimension, value, EPCI, quarter))."""
    plain, quarters = Counter(), Counter()
    for (dimension, value, epci), n in breakdown.items():
        if dimension.startswith(TAG):
            _, quarter, dimension = dimension.split("|", 2)
            quarters[(dimension, value, epci, quarter)] += n
        else:
            plain[(dimension, value, epci)] += n
    return plain, quarters
