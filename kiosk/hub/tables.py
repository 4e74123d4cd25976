"""What the hub publishes, as linked frequency tables. Pure: no Flask, no SQL.

The dashboard and the open data show the same variables of a record (completion, where
people stopped, language, levels, indicators, needs, offers...), each a partition of a
population of diagnostics, by EPCI or overall. This module names them, builds their
cells and the sums that link the cells (so that suppression solves them together), and
says which cells may be shown.

Cell keys are tuples of text: ``("population", "complete", column)`` for the number of
diagnostics of a population, ``(variable, modality, column)`` for the others; the column
is an EPCI code, ``""`` for an unknown EPCI, or ``"*"`` for all.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Callable, Iterable, Mapping

from .suppression import Sum, protect

ALL = "*"
UNKNOWN = ""


def N_(text: str) -> str:
    """Marks French text for the "hub" catalogue (babel-hub.cfg); translated at display."""
    return text


POPULATIONS = {
    "all": N_("Diagnostics"),
    "complete": N_("Diagnostics terminés"),
    "incomplete": N_("Diagnostics abandonnés"),
}
# The populations of the other kinds of record (kiosk.hub.accompaniments): their own
# tables, never added to the diagnostics'.
RECORD_POPULATIONS = {
    "activity": N_("Accompagnements enregistrés"),
    "followup": N_("Suivis"),
    "screening": N_("Repérages au guichet"),
}


def population_label(population: str) -> str:
    return POPULATIONS.get(population) or RECORD_POPULATIONS[population]
LEVEL_LABELS = {"0": N_("Aucune compétence"), "1": N_("Compétences de base"),
                "2": N_("Au-delà des bases")}
MODE_LABELS = {"self": N_("En autonomie"), "guided": N_("Accompagné")}
# Answers an earlier questionnaire offered and the current one does not: their records
# still count, under words a reader understands rather than their code.
RETIRED_LABELS = {("situation", "no_answer"): N_("Préfère ne pas le dire (version antérieure)")}
YES, NO, NOT_GIVEN = "oui", "non", "non_renseigne"
NOT_GIVEN_LABEL = N_("Non renseigné")
OUT_OF_AGES_LABEL = N_("Hors des âges comparés ou âge non dit")
HEADLINE, STRICT = N_("chiffre principal"), N_("chiffre strict (fait seul)")


@dataclass(frozen=True)
class Modality:
    code: str    # in the open data
    value: str   # in the tally ("" for unknown)
    label: str


@dataclass(frozen=True)
class Variable:
    """One partition of a population: its modalities add up to the population."""

    id: str
    label: str
    dimension: str
    population: str
    modalities: tuple[Modality, ...]
    binary: bool = False  # one code of a list (a need, an offer): yes or no

    def count(self, counts: Mapping, modality: Modality, column: str, population: int) -> int:
        """The count of ``modality`` in ``column``; "not given" (else "no") is what is
        left of the population, so the modalities always add up to it."""
        rest = NOT_GIVEN if any(m.code == NOT_GIVEN for m in self.modalities) else NO
        if modality.code == rest:
            known = sum(counts.get((self.dimension, m.value, column), 0)
                        for m in self.modalities if m.code != rest)
            return population - known
        return counts.get((self.dimension, modality.value, column), 0)


def _strip(label: str) -> str:
    return label.strip().rstrip(".")


def variables(questionnaire, seen: Iterable[tuple[str, str]],
              language_name: Callable[[str], str], frame=None) -> list[Variable]:
    """The published variables of one frame (kiosk.hub.frames; default: the
    questionnaire's), in display order, labelled from ``questionnaire`` where the frame
    has no labels of its own.

    ``seen`` holds the (dimension, value) pairs present in the counts: a value the
    current questionnaire does not know (an older version's) is still counted.
    """
    if frame is None:
        from .frames import spec

        frame = spec(questionnaire.frame)
    seen_values = defaultdict(set)
    for dimension, value in seen:
        seen_values[dimension].add(value)

    def single(var_id, label, dimension, population, known: list[tuple[str, str]]):
        return one_of(var_id, label, dimension, population, known, seen_values[dimension])

    def boolean(var_id, label, dimension):
        modalities = [Modality(YES, "true", N_("Oui")), Modality(NO, "false", N_("Non"))]
        if frame.scoped:  # not computed outside the ages it compares with
            modalities.append(Modality(NOT_GIVEN, UNKNOWN, OUT_OF_AGES_LABEL))
        return Variable(var_id, label, dimension, "complete", tuple(modalities))

    def options(field):
        screen = questionnaire.profile_screen(field)
        return [(o.id, _strip(o.label)) for o in screen.options] if screen else []

    def keys(prefix: str, known) -> list[tuple[str, str]]:
        """``known`` (id, label) pairs, then the ids counted as ``prefix:<id>`` that
        ``known`` lacks (their id as label): no count is ever left out."""
        known = list(known)
        listed = {key for key, _ in known}
        extra = {d.split(":", 1)[1] for d in seen_values if d.startswith(prefix + ":")}
        return known + [(key, key) for key in sorted(extra - listed)]

    screens = frame.screens or [(s.id, s.text) for s in questionnaire.screens]
    languages = sorted(seen_values["language"] - {UNKNOWN} | {"fr"},
                       key=lambda code: (code != "fr", code))
    result = [
        Variable("diagnostic_termine", N_("Diagnostic terminé"), "complete", "all", (
            Modality(YES, "true", N_("Terminé")), Modality(NO, "false", N_("Abandonné")))),
        single("derniere_etape", N_("Écran où le diagnostic a été abandonné"), "last_screen",
               "incomplete", [(screen_id, f"{i}. {_strip(text)}")
                              for i, (screen_id, text) in enumerate(screens, start=1)]),
        single("langue", N_("Langue"), "language", "all",
               [(code, language_name(code)) for code in languages]),
        single("mode", N_("Mode"), "mode", "all", list(MODE_LABELS.items())),
        single("tranche_age", N_("Tranche d'âge"), "age_band", "all",
               list(frame.age_bands or options("age_band"))),
        single("situation", N_("Situation"), "situation", "all", options("situation")),
        single("profil", N_("Profil"), "profile", "complete",
               [(p.id, _strip(p.label)) for p in questionnaire.profiles]),
    ]
    areas = keys("level", frame.areas or [(a.id, a.label) for a in questionnaire.areas])
    for area, label in areas:
        if not frame.strict:
            result.append(single(f"niveau_{area}", label, f"level:{area}", "complete",
                                 list(LEVEL_LABELS.items())))
            continue
        # Headline and strict side by side.
        for var_id, dimension, rule in ((f"niveau_{area}", f"level:{area}", HEADLINE),
                                        (f"niveau_strict_{area}", f"level_strict:{area}",
                                         STRICT)):
            result.append(single(var_id, f"{label} : {rule}", dimension, "complete",
                                 list(LEVEL_LABELS.items())))
    result += [boolean(f"indicateur_{key}", label, f"indicator:{key}")
               for key, label in keys("indicator", frame.indicators.items())]
    result += [binary(f"besoin_{need.id}", need.label, "need", need.id)
               for need in questionnaire.needs]
    result += [binary(f"offre_{offer.id}", offer.title, "offer", offer.id)
               for offer in questionnaire.offers]
    return result


def one_of(var_id: str, label: str, dimension: str, population: str,
           known: list[tuple[str, str]], seen: set[str],
           not_given: str = NOT_GIVEN_LABEL) -> Variable:
    """A variable with one value per record: the ``known`` (value, label) pairs, then
    the values ``seen`` in the counts that ``known`` lacks (an older version's, labelled
    by their code: no count is ever left out), then "not given"."""
    known_values = [value for value, _ in known]
    extra = sorted(set(seen) - set(known_values) - {UNKNOWN})
    modalities = [Modality(value, value, text) for value, text in known]
    modalities += [Modality(value, value, RETIRED_LABELS.get((dimension, value), value))
                   for value in extra]
    modalities.append(Modality(NOT_GIVEN, UNKNOWN, not_given))
    return Variable(var_id, label, dimension, population, tuple(modalities))


def binary(var_id: str, label: str, dimension: str, code: str,
            population: str = "complete") -> Variable:
    return Variable(var_id, _strip(label), dimension, population, (
        Modality(YES, code, N_("Oui")), Modality(NO, "", N_("Non"))), binary=True)


def epci_order(codes, names: dict[str, str]) -> list[str]:
    """EPCI codes in the order of the EPCI file, others after, the unknown one last."""
    rank = {code: index for index, code in enumerate(names)}
    return sorted(codes, key=lambda code: (code == UNKNOWN, rank.get(code, len(rank)), code))


def population_key(population: str, column: str) -> tuple:
    return ("population", population, column)


def cell_key(variable: Variable, modality: Modality, column: str) -> tuple:
    """A variable's cell; completion's cells are the populations themselves."""
    if variable.dimension == "complete":
        return population_key("complete" if modality.code == YES else "incomplete", column)
    return (variable.id, modality.code, column)


@dataclass
class Tables:
    """Cells and the sums linking them; ``publish()`` applies the publication rule."""

    values: dict = field(default_factory=dict)
    sums: list = field(default_factory=list)
    # The sums that partition a population by one variable (its modalities in one
    # column): where a published zero can disclose a group's attribute.
    groups: list = field(default_factory=list)
    # Keys that name a cell under another key: the same count, published (or hidden)
    # with it, not a cell of its own (a quarter that is the whole period).
    same: dict = field(default_factory=dict)

    def cell(self, key: tuple, count: int) -> tuple:
        if count < 0:
            raise ValueError(f"negative count for {key}: {count}")
        if self.values.setdefault(key, count) != count:
            raise ValueError(f"{key} counted twice: {self.values[key]} and {count}")
        return key

    def alias(self, key: tuple, cell: tuple) -> None:
        """``key`` names the cell ``cell``: a reader sees the same count under both, so
        suppression and the audit solve one unknown, not two bound by an equation."""
        if key in self.values or cell not in self.values:
            raise ValueError(f"{key} cannot name {cell}")
        self.same[key] = cell

    def add_sum(self, total: tuple, parts: Iterable[tuple], group: bool = False) -> None:
        self.sums.append(Sum(total, tuple(parts)))
        if group:
            self.groups.append(self.sums[-1])

    def partition(self, name: str, counts: Mapping[str, int], total: tuple) -> None:
        """A 1-D table: ``counts`` by row, adding up to the cell ``total``."""
        self.add_sum(total, [self.cell((name, row, ALL), n) for row, n in counts.items()])

    def cross(self, name: str, counts: Mapping[tuple[str, str], int], rows: list[str],
              columns: list[str], total: tuple) -> None:
        """A 2-D table ``name`` (rows x columns) with its margins; the grand total is the
        cell ``total`` (shared with the other tables)."""
        for row in rows:
            parts = [self.cell((name, row, col), counts.get((row, col), 0)) for col in columns]
            self.add_sum(self.cell((name, row, ALL), sum(self.values[p] for p in parts)), parts)
        for col in columns:
            parts = [(name, row, col) for row in rows]
            self.add_sum(self.cell((name, ALL, col), sum(self.values[p] for p in parts)), parts)
        self.add_sum(total, [(name, row, ALL) for row in rows])
        self.add_sum(total, [(name, ALL, col) for col in columns])

    def variables(self, counts: Mapping, variables: list[Variable], columns: list[str]) -> None:
        """``variables`` by ``columns`` (keys of ``counts`` are (dimension, value,
        column)), with their margins; the column ``*`` is the sum of the others. With
        ``columns == ["*"]``, one column and no margin."""
        margins = columns != [ALL]
        totals = Counter()
        if margins:
            for (dimension, value, _), n in counts.items():
                totals[(dimension, value, ALL)] += n
        counts = {**counts, **totals}
        every = columns + [ALL] if margins else [ALL]
        pops = {}
        for column in every:
            for pop, (dimension, value) in (("all", ("all", "")), ("complete", ("complete", "true")),
                                            ("incomplete", ("complete", "false"))):
                pops[pop, column] = self.cell(population_key(pop, column),
                                              counts.get((dimension, value, column), 0))
            self.add_sum(pops["all", column], [pops["complete", column], pops["incomplete", column]],
                         group=True)
        if margins:
            for pop in POPULATIONS:
                self.add_sum(pops[pop, ALL], [pops[pop, c] for c in columns])
        for variable in variables:
            for column in every:
                self.split(pops[variable.population, column], variable, counts, column)
            if margins:
                for m in variable.modalities:
                    self.add_sum(cell_key(variable, m, ALL),
                                 [cell_key(variable, m, c) for c in columns])

    def split(self, population: tuple, variable: Variable, counts: Mapping,
              column: str = ALL) -> None:
        """The cells of ``variable`` in ``column``, adding up to the cell ``population``
        (a partition of it: a group, see ``groups``)."""
        total = self.values[population]
        parts = [self.cell(cell_key(variable, m, column), variable.count(counts, m, column, total))
                 for m in variable.modalities]
        self.add_sum(population, parts, group=True)

    def publish(self) -> "Published":
        """The dashboard's rule: 1 to 10 hidden, then enough others that no hidden cell
        is determined exactly (fast; the open data is audited further, see
        kiosk.hub.publications)."""
        return self.published(protect(self.values, self.sums))

    def published(self, hidden) -> "Published":
        """The cells, with ``hidden`` hidden, as a reader sees them: each alias beside
        its cell, hidden with it."""
        values = dict(self.values)
        values.update((key, self.values[cell]) for key, cell in self.same.items())
        return Published(values, self.named(hidden))

    def named(self, cells) -> frozenset:
        """``cells`` and every key that names one of them."""
        cells = frozenset(cells)
        return cells | {key for key, cell in self.same.items() if cell in cells}


@dataclass(frozen=True)
class Published:
    """Counts after the publication rule: ``shown(key)`` is None for a hidden cell."""

    values: dict
    hidden: frozenset

    def shown(self, key: tuple) -> int | None:
        return None if key in self.hidden else self.values[key]

    def is_hidden(self, key: tuple) -> bool:
        return key in self.hidden
