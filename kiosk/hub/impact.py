"""The dashboard's "Impact des accompagnements" section: accompaniments per month by
type and by theme, take-up of the offers proposed at the previous diagnostic, and the
change per area at follow-up. Pure: no Flask, no SQL.

Every figure is a cell of the "Accompagnements" tables (kiosk.hub.accompaniments) or is
worked out from their cells: the months are added to those tables before they are
published, as one more column of each activity variable whose months add up to its
period's cell, so the publication rule solves them together; a share is shown only
when every cell it is worked out from is. A month is the month of its ISO weeks'
Thursdays (the ISO rule: a week straddling two months counts in the one holding most
of its days). A figure the hub cannot have yet (a month before the first record of its
kind, a share of nobody) reads "non disponible", never 0.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Iterable, Mapping

from babel.numbers import format_percent

from ..sync import contract
from . import charts
from .periods import MONTH_NAMES, month_of
from .sections import Figure, Row, Section, _bars
from .tables import (ALL, NOT_GIVEN, N_, Published, Tables, Variable, cell_key,
                     population_key)

ID = "impact"
MONTHLY = ("activity.all", "activity.mode", "activity.theme")
INTRO = N_(
    "Ce que les accompagnements ont produit, d'après les comptes rendus des médiateurs et "
    "les suivis. Un mois regroupe les semaines ISO dont le jeudi tombe dans ce mois : une "
    "semaine à cheval sur deux mois compte dans celui de son jeudi. « non disponible » "
    "veut dire que le hub ne peut pas encore avoir ce chiffre (un mois avant le premier "
    "compte rendu reçu, aucun suivi, une offre proposée à personne) : ce n'est pas un "
    "zéro. Un « mois partiel » n'a que certaines de ses semaines dans la période "
    "choisie, ou n'est pas fini. Les mêmes règles de publication s'appliquent, et une part n'est montrée que si "
    "tous les effectifs dont elle est tirée le sont.")


@dataclass(frozen=True)
class Value:
    """One cell of an impact table: a count or a share, hidden ("s") or not available
    yet ("non disponible")."""

    count: int | None = None
    share: float | None = None
    is_share: bool = False
    hidden: bool = False
    available: bool = True


    @property
    def percent(self) -> str:
        """The share in French, a no-break space before "%" (never alone on a line)."""
        return format_percent(self.share, format="#,##0.0 %", locale="fr").replace(" ", "\xa0")


UNAVAILABLE = Value(available=False)
HIDDEN = Value(hidden=True)


def month_label(month: str) -> str:
    return f"{MONTH_NAMES[int(month[5:]) - 1]} {month[:4]}"


def months(weeks: Iterable[str]) -> list[str]:
    """The months of ``weeks``, in order, each once."""
    return sorted({month_of(week) for week in weeks})


def partial(weeks: Iterable[str]) -> set[str]:
    """The months of ``weeks`` some of whose weeks (those with a Thursday in the month)
    ``weeks`` lacks: a period starting or ending within a month, or the current month."""
    weeks = set(weeks)
    result = set()
    for month in months(weeks):
        thursday = date(int(month[:4]), int(month[5:]), 1)
        thursday += timedelta(days=(3 - thursday.weekday()) % 7)
        while f"{thursday:%Y-%m}" == month:
            year, week, _ = thursday.isocalendar()
            if f"{year}-W{week:02d}" not in weeks:
                result.add(month)
            thursday += timedelta(days=7)
    return result


def month_counts(weekly: Mapping[tuple[str, str, str], int]) -> Counter:
    """(week, dimension, value) counts -> (dimension, value, month)."""
    result = Counter()
    for (week, dimension, value), n in weekly.items():
        result[(dimension, value, month_of(week))] += n
    return result


def add_months(tables: Tables, counts: Mapping, shown: list[str],
               activity: list[Variable]) -> None:
    """The activity records of each month of ``shown`` (``counts``: (dimension, value,
    month)) as cells of ``tables``: a month's records split by each variable of
    ``activity`` counted by month (type and themes) like the period's, the months adding
    up to the period's cells. The months of ``shown`` must hold every record of the
    period's cells."""
    kind = contract.ACTIVITY
    activity = [v for v in activity if v.dimension in MONTHLY]
    pops = [tables.cell(population_key(kind, month), counts.get((f"{kind}.all", "", month), 0))
            for month in shown]
    if not shown:
        return
    tables.add_sum(population_key(kind, ALL), pops)
    for variable in activity:
        for month, pop in zip(shown, pops):
            tables.split(pop, variable, counts, month)
        for modality in variable.modalities:
            tables.add_sum(cell_key(variable, modality, ALL),
                           [cell_key(variable, modality, month) for month in shown])


def _count(published: Published, key: tuple) -> Value:
    return HIDDEN if published.is_hidden(key) else Value(published.values[key])


def _sum(published: Published, keys: list[tuple]) -> int | None:
    """The sum of ``keys``, None if any is hidden."""
    if any(published.is_hidden(key) for key in keys):
        return None
    return sum(published.values[key] for key in keys)


def _share(part: int | None, whole: int | None) -> Value:
    """``part`` of ``whole``: hidden when either is, not available for a share of nobody."""
    if part is None or whole is None:
        return HIDDEN
    if whole == 0:
        return UNAVAILABLE
    return Value(share=part / whole, is_share=True)


def monthly(published: Published, fig_id: str, title: str, months_asked: list[str],
            since: str | None, partly: set[str],
            columns: list[tuple[str, tuple[Variable, object]]], note: str = "", chart: bool = False) -> Figure:
    """Months as rows, one column per (label, (variable, modality)) and the month's
    records last; the months before ``since`` (the first with a record) not available,
    those of ``partly`` labelled as partial.
    With ``chart``, the months' records as bars, from ``since`` on."""
    kind = contract.ACTIVITY
    rows, cells = [], []
    for month in months_asked:
        label = month_label(month)
        rows.append(Row(f"{label} (mois partiel)" if month in partly else label, None))
        if since is None or month < since:
            cells.append([UNAVAILABLE] * (len(columns) + 1))
            continue
        cells.append([_count(published, cell_key(variable, modality, month))
                      for _, (variable, modality) in columns]
                     + [_count(published, population_key(kind, month))])
    headers = (N_("Mois"), *[label for label, _ in columns], N_("Tous les accompagnements"))
    # The months the hub can have only: nothing is drawn for the others, not even a zero.
    drawn = [Row(row.label, line[-1].count) for row, line in zip(rows, cells)
             if line[-1].available]
    return Figure(fig_id, title, rows, _bars(drawn) if chart and drawn else None, None, note,
                  columns=headers, cells=cells, table=ID)


def _proposed(published: Published, variable: Variable, population: tuple) -> int | None:
    """How many records had the variable given (its modalities but "not given"): the
    sum of those cells, or the population less the "not given" cell, when either can
    be read off the published cells."""
    given = [cell_key(variable, m, ALL) for m in variable.modalities if m.code != NOT_GIVEN]
    total = _sum(published, given)
    if total is not None:
        return total
    rest = [cell_key(variable, m, ALL) for m in variable.modalities if m.code == NOT_GIVEN]
    if published.is_hidden(population) or _sum(published, rest) is None:
        return None
    return published.values[population] - _sum(published, rest)


def _stacked(rows: list[Row], cells: list[list[Value]],
             parts: list[tuple[str, int]]) -> charts.Chart | None:
    """One 100 % bar per available row, split into the counts at the ``parts``
    (label, column) of its cells; a row with a hidden part is not drawn."""
    drawn = [(row.label, [(label, line[column].count) for label, column in parts])
             for row, line in zip(rows, cells) if line[0].available]
    if not drawn:
        return None
    chart = charts.stacked(drawn)
    # A no-break space before "%", as in the tables.
    return replace(chart, items=tuple(
        replace(stack, segments=tuple(replace(s, text=s.text.replace(" %", "\xa0%"))
                                      for s in stack.segments)) if stack.segments else stack
        for stack in chart.items))


def _whole(count: int | None) -> Value:
    if count is None:
        return HIDDEN
    return Value(count) if count else UNAVAILABLE


def takeup(published: Published, offers: list[Variable], any_followup: bool) -> Figure:
    """Per offer proposed at the previous diagnostic: to how many people, how many went,
    and the share."""
    population = population_key(contract.FOLLOWUP, ALL)
    rows, cells = [], []
    for variable in offers:
        proposed = _proposed(published, variable, population)
        yes = next(m for m in variable.modalities if m.code == "yes")
        went = _count(published, cell_key(variable, yes, ALL))
        rows.append(Row(variable.label, None))
        if not proposed and proposed is not None:
            cells.append([UNAVAILABLE] * 3)
            continue
        other = Value(proposed - went.count) if None not in (proposed, went.count) else HIDDEN
        cells.append([_whole(proposed), went, _share(went.count, proposed), other])
    chart = _stacked(rows, cells, [(N_("La personne y est allée"), 1),
                                   (N_("Pas (encore) allée"), 3)])
    cells = [line[:3] for line in cells]
    note = "" if any_followup and offers else N_(
        "Non disponible : aucun suivi n'a encore rapporté la suite donnée à une offre.")
    return Figure("impact-recours", N_("Recours aux offres proposées, par offre"), rows, chart,
                  None, note, description=N_(
                      "Une barre par offre proposée : à gauche la part des personnes qui y "
                      "sont allées, à droite les autres ; le tableau qui suit donne les "
                      "effectifs."), columns=(N_("Offre"), N_("Suivis où l'offre avait été proposée"),
                                       N_("La personne y est allée"), N_("Part")),
                  cells=cells, table=ID)


CHANGES = (("1", N_("En progrès")), ("0", N_("Stable")), ("-1", N_("En recul")))


def progress(published: Published, areas: list[Variable], any_followup: bool) -> Figure:
    """Per area: how many follow-ups compared it with the previous diagnostic, and how
    many of them went up, stayed, went down, with their shares."""
    population = population_key(contract.FOLLOWUP, ALL)
    rows, cells = [], []
    headers = [N_("Domaine"), N_("Suivis qui comparent ce domaine")]
    for _, label in CHANGES:
        headers += [label, N_("Part : %(change)s") % {"change": label.lower()}]
    for variable in areas:
        compared = _proposed(published, variable, population)
        rows.append(Row(variable.label, None))
        if not compared and compared is not None:
            cells.append([UNAVAILABLE] * (1 + 2 * len(CHANGES)))
            continue
        line = [_whole(compared)]
        for code, _ in CHANGES:
            modality = next(m for m in variable.modalities if m.code == code)
            value = _count(published, cell_key(variable, modality, ALL))
            line += [value, _share(value.count, compared)]
        cells.append(line)
    note = "" if any_followup else N_("Non disponible : aucun suivi reçu sur cette période.")
    chart = _stacked(rows, cells, [(label, 1 + 2 * i) for i, (_, label) in enumerate(CHANGES)])
    return Figure("impact-progres", N_("Progrès par domaine au suivi"), rows, chart, None, note,
                  columns=tuple(headers), cells=cells, table=ID, description=N_(
                      "Une barre par domaine comparé : à gauche la part en progrès, puis "
                      "stable, puis en recul ; le tableau qui suit donne les effectifs."))


def section(published: Published, by_kind: Mapping[str, list[Variable]],
            months_asked: list[str], since: str | None, partly: set[str]) -> Section:
    """The section: the months of the period asked (``since``: the first month the hub
    holds an activity record in, None if none; ``partly``: those the period covers in
    part), take-up and progress."""
    activity = {v.id: v for v in by_kind[contract.ACTIVITY]}
    mode = activity["activite_mode"]
    by_type = [(m.label, (mode, m)) for m in mode.modalities
               if m.code != NOT_GIVEN or published.values.get(cell_key(mode, m, ALL))]
    by_theme = [(v.label, (v, v.modalities[0])) for v in activity.values()
                if v.id.startswith("activite_theme_")]
    followup = by_kind[contract.FOLLOWUP]
    any_followup = bool(published.values.get(population_key(contract.FOLLOWUP, ALL)))
    figures = [
        monthly(published, "impact-mois-types", N_("Accompagnements par mois, par type"),
                months_asked, since, partly, by_type, chart=True),
        monthly(published, "impact-mois-thematiques",
                N_("Accompagnements par mois, par thématique"), months_asked, since, partly,
                by_theme,
                N_("Un accompagnement peut avoir plusieurs thématiques : les colonnes ne "
                   "s'additionnent pas.")),
        takeup(published, [v for v in followup if v.id.startswith("suivi_recours_")],
               any_followup),
        progress(published, [v for v in followup if v.id.startswith("suivi_progres_")],
                 any_followup),
    ]
    return Section(ID, N_("Impact des accompagnements"), figures, INTRO)
