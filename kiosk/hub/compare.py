"""Comparing like with like: the illectronism and "at least basic" figures, by EPCI too.
Pure: no Flask, no SQL (kiosk.hub.sections lays out the other figures).

Three rules, each a way a reader was misled before:
- INSEE's 22 % for the Allier (2019 data) stands beside the one indicator of its own
  definition (INSEE 2021, headline figure: the survey has no "with help" answer), never
  beside the strict figure or the 2019 approximation, which measure something else;
- every share is "among the people who came to a kiosk", said in the titles, and the
  selection caveat is said in plain words in the text, not in small print; the 95 %
  interval is explained once as the margin due to chance only;
- EPCIs are ranked by their share, value and n written on each row, against the
  département's mean drawn as a line, "non renseigné" after a gap, on one 0–100 % scale
  shared with the overall charts.
"""
from __future__ import annotations

import csv
import functools

from ..paths import DATA
from . import charts
from .sections import (INSEE_2019_ALLIER, Figure, Row, Section, epci_label, number_text,
                       rate_text, share_row)
from .tables import ALL, N_, NO, UNKNOWN, YES, epci_order, population_key

POPULATION_FILE = DATA / "population_ages_03.csv"

# The indicator of INSEE's own definition: the only one the reference stands beside.
SAME_DEFINITION = "indicateur_insee2021_illectronism"
REFERENCE_MARK = N_("INSEE, habitants de l'Allier : 22\u00a0%")
AT_A_KIOSK = N_("parmi les personnes venues à une borne")
MEAN_LABEL = N_("Allier (moyenne du département)")
MEAN_MARK = N_("Moyenne de l'Allier : %(share)s")
SCALE = 1.0   # one axis, 0 to 100 %, for every chart of shares of the section

SELECTION = N_(
    "Ces parts sont celles des personnes venues faire le diagnostic à une borne, pas celles "
    "de tous les habitants. Les personnes qui viennent ne ressemblent pas à l'ensemble des "
    "habitants (on vient souvent parce qu'on a besoin d'aide) : une part plus haute ou plus "
    "basse que celle de l'INSEE ne dit pas, à elle seule, que l'Allier va plus mal ou mieux.")
CHANCE = N_(
    "L'intervalle de confiance à 95\u00a0% donne la marge due au hasard seulement (pas au "
    "fait que les personnes venues ne ressemblent pas à tous les habitants).")
REFERENCE_SENTENCE = N_(
    "La référence de l'INSEE, 22\u00a0% des habitants de l'Allier en illectronisme (données "
    "2019), n'est placée qu'à côté de la part calculée selon la même définition (INSEE 2021, "
    "chiffre principal) : les autres définitions mesurent autre chose et ne s'y comparent pas.")
NOT_COMPARABLE = N_(
    "Ces questionnaires demandaient ce que la personne pensait savoir faire, pas ce qu'elle "
    "avait fait : ces parts ne se comparent pas à celles de l'INSEE.")


def percent_text(value: float | None) -> str:
    """0.269 -> "26,9 %" (no-break space), None -> "s"."""
    return "s" if value is None else f"{value * 100:.1f}".replace(".", ",") + "\u00a0%"


def row_text(row: Row) -> str:
    """What a chart writes at a row's end: its share and its n ("s" when hidden)."""
    if row.count is None:
        return "s"
    if row.interval is None:
        return "–"
    return f"{percent_text(row.share)} (n\u00a0=\u00a0{number_text(row.interval.n)})"


def _chart(rows: list[Row], **options) -> charts.Chart:
    return charts.intervals([(row.label, row.interval) for row in rows],
                            options.pop("reference", None), top=SCALE,
                            labels=[row_text(row) for row in rows], **options)


def titled(title: str) -> str:
    """A kiosk figure's title, saying whose share it is."""
    return f"{title}, {AT_A_KIOSK}"


def illectronism(figures, columns, names, axis: str, per_epci: bool,
                 standardised: "float | None | str" = "") -> Section:
    """The section "Illectronisme et compétences de base" of ``figures``
    (kiosk.hub.sections.Figures): the INSEE shares, with two columns on the row of
    INSEE's own definition only (its age-standardised share, ``standardised``: None when
    hidden, a text when it cannot be worked out, and INSEE's reference), "at least
    basic", and (``per_epci``) the share per EPCI ranked."""
    frame = figures.frame
    present = [i for i in frame.illectronism if i in figures.by_id]
    rows = figures._shares(present)
    reference_row = (present.index(SAME_DEFINITION)
                     if frame.insee_reference and SAME_DEFINITION in present else None)
    reference = (REFERENCE_MARK, INSEE_2019_ALLIER) if reference_row is not None else None
    figure = Figure("illectronisme", titled(N_("Part des personnes en illectronisme")), rows,
                    _chart(rows, reference=reference, reference_row=reference_row),
                    figures.compared, columns=(N_("Définition"),), table="shares")
    if reference_row is not None:
        figure.columns += (STANDARDISED_COLUMN, REFERENCE_COLUMN)
        figure.cells = [[standardised, INSEE_2019_ALLIER] if index == reference_row
                        else [NOT_COMPARED, NOT_COMPARED] for index in range(len(rows))]
    result = [figure]
    basics = figures._shares(frame.basics)
    if basics:
        result.append(Figure(
            "bases", titled(N_("Part des personnes qui ont au moins les bases dans les 5 "
                               "domaines")),
            basics, _chart(basics), figures.compared, columns=(N_("Définition"),),
            table="shares", counted=N_("Personnes avec au moins les bases")))
    if per_epci and frame.per_epci in figures.by_id:
        result.append(by_epci(figures, columns, names, axis))
    sentences = [SELECTION, CHANCE]
    if reference is not None:
        sentences += [REFERENCE_SENTENCE, STANDARDISED_SENTENCE]
    elif not frame.insee_reference:
        sentences.insert(0, NOT_COMPARABLE)
    return Section("illectronisme-et-bases", N_("Illectronisme et compétences de base"),
                   result, " ".join(sentences))


NOT_COMPARED = "–"   # a cell of a definition the reference does not compare with
STANDARDISED_COLUMN = N_("Part à âges comparables (structure d'âge de l'Allier)")
REFERENCE_COLUMN = N_("Référence INSEE de même définition (habitants de l'Allier, 2019)")
STANDARDISED_SENTENCE = N_(
    "« Part à âges comparables » : la même part si les personnes venues avaient les âges des "
    "habitants de l'Allier (recensement de l'INSEE) ; elle corrige l'écart d'âge, pas les "
    "autres différences.")


def ranked(rows: list[tuple[str, Row]]) -> tuple[list[Row], list[Row]]:
    """(EPCI code, row) pairs -> the EPCIs by share, highest first (hidden or empty
    shares after: they could be anywhere), and the rows kept apart ("non renseigné")."""
    known = [row for code, row in rows if code != UNKNOWN]
    apart = [row for code, row in rows if code == UNKNOWN]
    known.sort(key=lambda row: (row.share is None, -(row.share or 0)))
    return known, apart


def by_epci(figures, columns, names, axis: str) -> Figure:
    """The frame's per-EPCI share, ranked, against the département's mean."""
    published, variable_id = figures.published, figures.frame.per_epci
    pairs = [(code, share_row(epci_label(code, names), published,
                              *figures._yes_no(variable_id, code)))
             for code in epci_order(columns, names)
             # no diagnostic there: nothing to show, nothing hidden
             if published.values[population_key("complete", code)]]
    known, apart = ranked(pairs)
    base = share_row(MEAN_LABEL, published, *figures._yes_no(variable_id, ALL))
    mean = Row(base.label, base.count, base.share, base.interval, extra="average")
    line = ((MEAN_MARK % {"share": percent_text(mean.share)}, mean.share)
            if mean.share is not None else None)
    label = figures.by_id[variable_id].label
    title = (N_("%(indicator)s, par EPCI de résidence") if axis == "residence"
             else N_("%(indicator)s, par EPCI du lieu de diagnostic"))
    drawn = known + apart
    return Figure("illectronisme-epci", titled(title % {"indicator": label}), drawn + [mean],
                  _chart(drawn, mean=line, apart=len(known) if apart else None),
                  figures.compared, columns=(N_("EPCI"),), table="shares")


def standardised(figures) -> "float | None | str":
    """The age-standardised share of INSEE's definition (direct standardisation on the
    Allier's population by age band, ``age_weights``): the share in each age band,
    weighted by that band's part of the Allier's inhabitants. Worked out from the
    published cells of the age crossing (kiosk.hub.crossings) only: None when one it
    needs is hidden, NOT_AVAILABLE when there is no crossing or a band has no one."""
    from . import crossings

    crossed = getattr(figures, "crossed", None)
    if crossed is None or SAME_DEFINITION not in {v.id for v in crossed.by_age}:
        return NOT_AVAILABLE
    published, total = figures.published, 0.0
    for band, weight in age_weights().items():
        yes, no = (published.shown(crossings.key(SAME_DEFINITION, code, band))
                   for code in (YES, NO))
        if yes is None or no is None:
            return None
        if yes + no == 0:
            return NOT_AVAILABLE
        total += weight * yes / (yes + no)
    return total


NOT_AVAILABLE = N_("non disponible")


@functools.cache
def age_weights() -> dict[str, float]:
    """The kiosk's age band -> its part of the Allier's inhabitants of those ages
    (questionnaires/data/population_ages_03.csv, INSEE; SOURCES.md says how INSEE's
    bands map to the kiosk's)."""
    with POPULATION_FILE.open(encoding="utf-8", newline="") as handle:
        rows = {row["tranche_borne"]: int(row["population"]) for row in csv.DictReader(handle)}
    everyone = sum(rows.values())
    return {band: n / everyone for band, n in rows.items()}


def reach_chart(table) -> charts.Chart:
    """The EPCIs by diagnostics per 1,000 inhabitants (kiosk.hub.sections.Reach, already
    ranked): each bar with its rate and n, the Allier's average as a labelled line."""
    average = table.average.rate.rate if table.average else None
    mean = ((MEAN_MARK % {"share": rate_text(average)}, average)
            if average is not None else None)
    return charts.bars([(r.row.label, r.rate.rate, _rate_and_n(r, rate_text))
                        for r in table.ranked], mean=mean, room=170)


def _rate_and_n(ranked, rate_text) -> str:
    if ranked.rate.rate is None:
        return rate_text(None)
    count = ranked.row.count
    return f"{rate_text(ranked.rate.rate)} (n\u00a0=\u00a0{number_text(count)})"
