"""The open data: aggregated CSV files and their datapackage.json. Pure: no Flask, no SQL.

An export is of one measurement frame (kiosk.hub.frames: what was asked; two frames'
counts never add up): every row says which in its ``cadre`` column, and the
datapackage describes it. Two tables, built and suppressed together (kiosk.hub.tables)
so that solving every total of one export determines no hidden cell:

- ``diagnostics-par-semaine.csv``: diagnostics per ISO week and EPCI of the kiosk;
- ``repartitions-par-epci-residence.csv``: every variable of a record (completion,
  where people stopped, language, mode, age band, situation, profile, levels,
  indicators, needs, offers) per EPCI of residence.

A third file, ``synthese-par-epci.csv`` (kiosk.hub.synthese), is computed from the
cells of these two as published and from public populations: it needs no audit of its
own. All carry their totals ("ensemble"), each marked ``ligne_total = oui`` so that a sum
over the other rows never counts anyone twice. A hidden cell is written ``s`` (secret
statistique); zeros are published unless they would disclose a small group's
attribute. Which cells are hidden is decided by the audit (kiosk.hub.publications),
together with the registered publications. Beside them, LISEZMOI.md (kiosk.hub.lisezmoi),
written from the same layout. ISO dates, Licence Ouverte 2.0.

The CSV files are UTF-8 with a byte-order mark and ``;`` between fields: a French
spreadsheet opens them by a double click with their accents and columns right (without
the mark it reads the accents as Windows-1252, with ``,`` it puts a row in one cell);
Frictionless and pandas (``sep=";"``) read them as the descriptor declares them.
"""
from __future__ import annotations

import csv
import json
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from importlib import metadata
from pathlib import Path

from . import lisezmoi, publications, stats, synthese, trends
from .frames import Frame
from .publications import Release, Snapshot
from .suppression import HIGH, LOW
from .tables import (ALL, NOT_GIVEN, NOT_GIVEN_LABEL, POPULATIONS, Published, Tables,
                     Variable, cell_key, population_key)

WEEKLY = "diagnostics-par-semaine.csv"
BREAKDOWN = "repartitions-par-epci-residence.csv"
QUARTERLY = "indicateurs-par-trimestre.csv"
README = "LISEZMOI.md"
SECRET = "s"
TOTAL = "ensemble"
YES, NO = "oui", "non"
# The CSV dialect: see the module's docstring.
ENCODING = "utf-8-sig"
DELIMITER = ";"
POPULATION_CODES = {"all": "diagnostics", "complete": "diagnostics_termines",
                    "incomplete": "diagnostics_abandonnes"}
LICENCE = {"name": "etalab-2.0", "title": "Licence Ouverte / Open Licence version 2.0",
           "path": "https://www.etalab.gouv.fr/licence-ouverte-open-licence/"}


@dataclass(frozen=True)
class Export:
    """What was written: rows per file, and how many cells were hidden."""

    files: dict
    cells: int
    hidden: int
    primary: int
    first_pass: int          # hidden by the dashboard's method alone
    published: Published     # every cell: its value, and whether it is hidden


@dataclass(frozen=True)
class Layout:
    """The frame, the rows and columns of the two tables, and the variables."""

    weeks: list[str]
    site_columns: list[str]
    residence_columns: list[str]
    variables: list[Variable]
    frame: Frame


def linked_tables(layout: Layout, weeks: list[str], weekly: Counter,
                  breakdown: Counter) -> Tables:
    """The linked tables of ``weeks``. ``weekly``: (week, site EPCI) -> diagnostics;
    ``breakdown``: (dimension, value, residence EPCI) -> diagnostics. The grand total
    is one cell shared by both tables. When ``breakdown`` carries its quarters
    (kiosk.hub.trends.tagged), the quarterly indicators too: each quarter's cells add
    up, over the quarters of ``weeks``, to the cells of the whole period."""
    plain, quarters = trends.untag(breakdown)
    tables = Tables()
    tables.variables(plain, layout.variables, layout.residence_columns)
    tables.cross("semaine", weekly, weeks, layout.site_columns, population_key("all", ALL))
    if quarters or not plain:
        trends.add(tables, quarters, trends.periods(weeks, trends.QUARTER),
                   trends.chosen(layout.variables, layout.frame), layout.residence_columns,
                   trends.QUARTERS)
    return tables


def with_quarters(snapshot: Snapshot) -> Snapshot:
    """``snapshot`` whose breakdown carries its quarters (kiosk.hub.trends.tagged)."""
    return Snapshot(snapshot.weeks, snapshot.weekly, trends.tagged(snapshot.breakdown))


def build(snapshot: Snapshot, layout: Layout, registered: list[Release] = (), *,
          protection: int, without_quarters=()) -> publications.Outcome:
    """The tables of ``snapshot`` (the period of ``layout.weeks``) and the cells to hide,
    audited together with the ``registered`` publications. ``without_quarters``: the
    indexes of those published before the quarterly file existed (a reader knows none
    of their quarters' cells)."""
    def make(weeks, weekly, breakdown):
        return linked_tables(layout, weeks, weekly, breakdown)

    releases = []
    for index, release in enumerate(registered):
        tagged = with_quarters(release.snapshot)
        unpublished = release.unpublished
        if index in set(without_quarters):
            weeks = list(tagged.weeks)
            unpublished |= {key for key in make(weeks, *tagged.over(weeks)).values
                            if key[0] == trends.QUARTERS}
        releases.append(Release(tagged, release.hidden, frozenset(unpublished)))
    return publications.secure([*releases, Release(with_quarters(snapshot))], make,
                               protection)


def _code(column: str) -> str:
    return TOTAL if column == ALL else (NOT_GIVEN if column == "" else column)


def _name(column: str, names: dict[str, str]) -> str:
    if column == ALL:
        return "Allier (ensemble)"
    return NOT_GIVEN_LABEL if column == "" else names.get(column, column)


def _value(published: Published, key: tuple) -> str:
    count = published.shown(key)
    return SECRET if count is None else str(count)


def write(folder: Path, layout: Layout, published: Published, names: dict[str, str], *,
          first: str | None, last: str | None, now: datetime, contact: str = "",
          protection: int | None = None,
          populations: dict[str, int] | None = None) -> dict[Path, int]:
    """Write the three CSV files, datapackage.json and LISEZMOI.md into ``folder``; rows
    per file. ``populations``: inhabitants of the Allier communes of each EPCI."""
    folder.mkdir(parents=True, exist_ok=True)
    written = {}
    rows = []
    for week in layout.weeks + [ALL]:
        start = "" if week == ALL else stats.week_start(week).isoformat()
        for column in layout.site_columns + [ALL]:
            key = population_key("all", ALL) if (week, column) == (ALL, ALL) else (
                "semaine", week, column)
            rows.append([*_frame(layout.frame), _flag(ALL in (week, column)),
                         TOTAL if week == ALL else week, start, _code(column),
                         _name(column, names), _value(published, key)])
    written[folder / WEEKLY] = _write_csv(folder / WEEKLY, [f["name"] for f in WEEKLY_FIELDS], rows)
    rows = []
    for variable in layout.variables:
        population = POPULATION_CODES[variable.population]
        for modality in list(variable.modalities) + [None]:
            for column in layout.residence_columns + [ALL]:
                if modality is None:
                    key = population_key(variable.population, column)
                    code, label = TOTAL, POPULATIONS[variable.population]
                else:
                    key = cell_key(variable, modality, column)
                    code, label = modality.code, modality.label
                rows.append([*_frame(layout.frame), _flag(modality is None or column == ALL),
                             variable.id, variable.label, code, label, population,
                             _code(column), _name(column, names), _value(published, key)])
    written[folder / BREAKDOWN] = _write_csv(folder / BREAKDOWN,
                                             [f["name"] for f in BREAKDOWN_FIELDS], rows)
    rows = synthese.rows(layout, published, populations or {}, code=_code,
                         name=lambda column: _name(column, names),
                         frame_cells=_frame(layout.frame), flag=_flag, secret=SECRET)
    written[folder / synthese.FILE] = _write_csv(
        folder / synthese.FILE, [f["name"] for f in synthesis_fields(layout)], rows)
    written[folder / QUARTERLY] = _write_csv(
        folder / QUARTERLY, [f["name"] for f in QUARTERLY_FIELDS],
        quarterly_rows(layout, published, names))
    package = datapackage(first, last, now, layout.frame, contact=contact, layout=layout)
    (folder / "datapackage.json").write_text(
        json.dumps(package, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    (folder / README).write_text(
        lisezmoi.text(package, layout, published, protection=protection), encoding="utf-8")
    return written


def _frame(frame: Frame) -> list[str]:
    return [frame.id, frame.name]


def _flag(total: bool) -> str:
    return YES if total else NO


def read_csv(path: Path) -> list[dict]:
    """The rows of one file of an export, read with its dialect."""
    with open(path, encoding=ENCODING, newline="") as handle:
        return list(csv.DictReader(handle, delimiter=DELIMITER))


def _write_csv(path: Path, header: list[str], rows: list[list[str]]) -> int:
    with open(path, "w", encoding=ENCODING, newline="") as handle:
        writer = csv.writer(handle, delimiter=DELIMITER, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
    return len(rows)


def _field(name, type_, description, **extra) -> dict:
    return {"name": name, "type": type_, "description": description, **extra}


EPCI_PATTERN = r"^([0-9]{9}|non_renseigne|ensemble)$"
COUNT_DESCRIPTION = (f"Nombre de diagnostics ; « {SECRET} » (secret statistique) quand il "
                     f"compte de {LOW} à {HIGH} personnes ou permettrait d'en recalculer "
                     "ou d'en encadrer un de trop près")
FRAME_FIELD = _field(
    "cadre", "string",
    "Cadre de mesure (version du questionnaire) dont viennent les chiffres : « 2 » pour les "
    "questionnaires 2026.3 et suivants (ce que la personne a fait ces 3 derniers mois, comme "
    "dans l'enquête de l'INSEE et d'Eurostat), « 1 » pour ceux jusqu'à 2026.2 (ce que la "
    "personne pensait savoir faire). Les chiffres de deux cadres ne s'additionnent pas",
    constraints={"required": True})
FRAME_FIELDS = [
    FRAME_FIELD,
    _field("cadre_libelle", "string", "Libellé du cadre de mesure"),
    _field("ligne_total", "string",
           f"« {YES} » pour une ligne de total (une de ses colonnes vaut « {TOTAL} »), "
           f"« {NO} » pour une ligne de détail. La somme des lignes « {NO} » (d'une même "
           "variable dans le fichier des répartitions) ne compte personne deux fois ; y "
           f"ajouter les lignes « {YES} » compterait chacun plusieurs fois",
           constraints={"required": True, "enum": [YES, NO]}),
]
WEEKLY_FIELDS = [
    *FRAME_FIELDS,
    _field("semaine", "string", "Semaine ISO 8601 (AAAA-Www), ou « ensemble » pour le total",
           constraints={"required": True, "pattern": r"^([0-9]{4}-W[0-9]{2}|ensemble)$"}),
    _field("debut_semaine", "date", "Lundi de la semaine (date ISO 8601) ; vide pour le total"),
    _field("epci_site", "string",
           "SIREN de l'EPCI où se trouve la borne, « non_renseigne » ou « ensemble »",
           constraints={"required": True, "pattern": EPCI_PATTERN}),
    _field("epci_site_nom", "string", "Nom de l'EPCI"),
    _field("diagnostics", "integer", COUNT_DESCRIPTION, constraints={"minimum": 0}),
]
BREAKDOWN_FIELDS = [
    *FRAME_FIELDS,
    _field("variable", "string", "Code de la variable (ex. langue, niveau_safety, besoin_equipment)",
           constraints={"required": True}),
    _field("variable_libelle", "string", "Libellé de la variable"),
    _field("modalite", "string",
           "Code de la modalité ; « ensemble » pour le total de la population",
           constraints={"required": True}),
    _field("modalite_libelle", "string", "Libellé de la modalité"),
    _field("population", "string",
           "Les diagnostics comptés : tous, les terminés seulement (niveaux, indicateurs, "
           "profil, besoins, offres) ou les abandonnés seulement (écran d'abandon)",
           constraints={"required": True, "enum": sorted(POPULATION_CODES.values())}),
    _field("epci_residence", "string",
           "SIREN de l'EPCI où habite la personne, « non_renseigne » ou « ensemble »",
           constraints={"required": True, "pattern": EPCI_PATTERN}),
    _field("epci_residence_nom", "string", "Nom de l'EPCI"),
    _field("effectif", "integer", COUNT_DESCRIPTION, constraints={"minimum": 0}),
]


def quarterly_rows(layout: Layout, published: Published, names: dict[str, str]) -> list[list]:
    """The rows of the quarterly file: per quarter, EPCI of residence (then the Allier)
    and followed variable, the quarter's completed diagnostics split into "yes", "no"
    and the rest (outside the ages compared; none for a need), then the respondents and
    the share, worked out from the published cells only (``s`` when one of theirs is)."""
    rows = []
    followed = trends.chosen(layout.variables, layout.frame)
    for quarter in trends.periods(layout.weeks, trends.QUARTER):
        weeks = [w for w in layout.weeks if trends.period_of(w, trends.QUARTER) == quarter]
        dates = [weeks[0], weeks[-1], stats.week_start(weeks[0]).isoformat(),
                 stats.week_end(weeks[-1]).isoformat()]
        for column in layout.residence_columns + [ALL]:
            population = published.shown(trends.key(trends.QUARTERS, quarter, trends.POPULATION,
                                                    "complete", column))
            for variable in followed:
                counts = [published.shown(trends.key(trends.QUARTERS, quarter, variable.id,
                                                     m.code, column))
                          for m in variable.modalities]
                yes, no, *rest = counts
                answered = None if yes is None or no is None else yes + no
                rows.append([*_frame(layout.frame), _flag(column == ALL), quarter,
                             trends.label(quarter), *dates, _code(column),
                             _name(column, names), variable.id, variable.label,
                             *(SECRET if v is None else str(v)
                               for v in (population, yes, no)),
                             (SECRET if rest[0] is None else str(rest[0])) if rest else "",
                             SECRET if answered is None else str(answered),
                             synthese.percent(yes, answered, SECRET)])
    return rows


def synthesis_fields(layout: Layout) -> list[dict]:
    return synthese.fields(layout, _field, FRAME_FIELDS, COUNT_DESCRIPTION)


SECRET_RULE = COUNT_DESCRIPTION.split(" ; ", 1)[1]
QUARTERLY_FIELDS = [
    *FRAME_FIELDS,
    _field("trimestre", "string",
           "Trimestre (AAAA-Tn) : les semaines ISO dont le jeudi tombe dans ce trimestre",
           constraints={"required": True, "pattern": r"^[0-9]{4}-T[1-4]$"}),
    _field("trimestre_libelle", "string", "Le trimestre en toutes lettres"),
    _field("premiere_semaine", "string",
           "Première semaine ISO du trimestre dans cet export (un trimestre au bord de la "
           "période de l'export, ou pas fini, n'a que certaines de ses semaines)",
           constraints={"required": True, "pattern": r"^[0-9]{4}-W[0-9]{2}$"}),
    _field("derniere_semaine", "string", "Dernière semaine ISO du trimestre dans cet export",
           constraints={"required": True, "pattern": r"^[0-9]{4}-W[0-9]{2}$"}),
    _field("debut", "date", "Lundi de la première semaine (date ISO 8601)"),
    _field("fin", "date", "Dimanche de la dernière semaine (date ISO 8601)"),
    _field("epci_residence", "string",
           "SIREN de l'EPCI où habite la personne, « non_renseigne » ou « ensemble »",
           constraints={"required": True, "pattern": EPCI_PATTERN}),
    _field("epci_residence_nom", "string", "Nom de l'EPCI"),
    _field("indicateur", "string",
           "Code de la variable suivie (les mêmes que dans le fichier des répartitions : "
           "illectronisme, au moins les bases, chaque besoin)", constraints={"required": True}),
    _field("indicateur_libelle", "string", "Libellé de la variable"),
    _field("diagnostics_termines", "integer",
           "Diagnostics terminés du trimestre et de l'EPCI ; " + SECRET_RULE, constraints={"minimum": 0}),
    _field("oui", "integer", "Diagnostics terminés concernés (modalité « oui ») ; "
           + SECRET_RULE, constraints={"minimum": 0}),
    _field("non", "integer", "Diagnostics terminés non concernés (modalité « non ») ; "
           + SECRET_RULE, constraints={"minimum": 0}),
    _field("hors_ages", "integer",
           "Diagnostics terminés hors des âges que l'indicateur compare, ou sans âge dit "
           "(modalité « non_renseigne ») ; vide pour un besoin, demandé à tous ; "
           + SECRET_RULE, constraints={"minimum": 0}),
    _field("repondants", "integer",
           "oui + non : les diagnostics terminés comptés par l'indicateur ; « s » si l'un "
           "des deux est masqué", constraints={"minimum": 0}),
    _field("part", "number",
           "Part en % (oui / repondants, une décimale), parmi les personnes venues à "
           "une borne ; « s » si l'un des deux est masqué, vide si aucun répondant",
           constraints={"minimum": 0, "maximum": 100}),
]


def datapackage(first: str | None, last: str | None, now: datetime, frame: Frame, *,
                contact: str = "", layout: Layout | None = None) -> dict:
    """The Frictionless Data Package descriptor of one export (of one frame), with what a
    data.gouv.fr publisher fills in (frequency, spatial coverage and granularity, contact,
    methodology, version) under the names of data.gouv.fr's own fields."""
    def resource(name, path, title, fields, key):
        return {
            "name": name, "path": path, "title": title, "profile": "tabular-data-resource",
            # UTF-8 by its standard name: Frictionless, pandas and Excel skip the mark.
            "format": "csv", "mediatype": "text/csv", "encoding": "utf-8",
            "dialect": {"delimiter": DELIMITER, "header": True, "lineTerminator": "\n"},
            "schema": {"fields": fields, "missingValues": ["", SECRET], "primaryKey": key},
        }

    return {
        "profile": "tabular-data-package",
        "name": f"diagnostic-numerique-allier-cadre-{frame.id.lower()}",
        "title": f"Diagnostic numérique de l'Allier : résultats agrégés ({frame.name})",
        "cadre": frame.id,
        "description": (
            "Diagnostics des compétences numériques faits sur les bornes des agences "
            "postales de l'Allier et du bus Bourbon'Net, agrégés par semaine ISO et par "
            f"EPCI. {frame.description} "
            + "".join(note + " " for note in frame.notes)
            + "Aucune donnée individuelle. Règle de publication (secret statistique) : "
            f"aucune case de {LOW} à {HIGH} personnes n'est publiée ; d'autres cases sont "
            "masquées (secret secondaire) pour que, à partir de tout ce qui a été publié "
            "(cet export, ses totaux et les publications antérieures, périodes qui se "
            "recouvrent comprises), aucune case masquée ne puisse être recalculée ni "
            "encadrée de trop près. Une case masquée vaut "
            f"« {SECRET} » ; les zéros sont publiés, sauf ceux qui révéleraient que tout un "
            "petit groupe partage une même caractéristique. Les personnes qui font le "
            "diagnostic ne sont pas un échantillon aléatoire de la population."),
        "created": now.isoformat(timespec="seconds"),
        "temporal": {"start": stats.week_start(first).isoformat() if first else None,
                     "end": stats.week_end(last).isoformat() if last else None},
        "licenses": [LICENCE],
        "contributors": [{"title": "Département de l'Allier", "role": "publisher"}]
        + ([{"title": "Contact", "email": contact, "role": "contact"}]
           if "@" in contact else
           [{"title": contact, "role": "contact"}] if contact else []),
        "version": f"{now:%Y-%m-%d}-cadre{frame.id}",
        "logiciel": {"nom": "kiosk-diagnostic-allier", "version": _software_version()},
        "frequency": "irregular",
        "frequence": "à chaque export publié (kiosk hub export --publish)",
        "spatial": {"zones": ["fr:departement:03"], "granularity": "fr:epci",
                    "couverture": "Département de l'Allier (03)",
                    "granularite": "EPCI (intercommunalité), SIREN et nom"},
        "methodologie": f"Voir {README} dans ce dossier : méthode, définitions, périodes "
                        "de référence, biais, secret statistique, calcul d'une part.",
        "keywords": ["illectronisme", "inclusion numérique", "Allier", "compétences numériques"],
        "resources": [
            resource("diagnostics-par-semaine", WEEKLY,
                     "Diagnostics par semaine et par EPCI de la borne", WEEKLY_FIELDS,
                     ["cadre", "semaine", "epci_site"]),
            resource("repartitions-par-epci-residence", BREAKDOWN,
                     "Répartition des diagnostics par EPCI de résidence", BREAKDOWN_FIELDS,
                     ["cadre", "variable", "modalite", "epci_residence"]),
        ] + ([resource("synthese-par-epci", synthese.FILE,
                       "Synthèse par EPCI de résidence : population, diagnostics pour 1 000 "
                       "habitants et parts des indicateurs principaux",
                       synthesis_fields(layout), ["cadre", "epci_residence"]),
                resource("indicateurs-par-trimestre", QUARTERLY,
                         "Indicateurs par trimestre et par EPCI de résidence : illectronisme, "
                         "au moins les bases, besoins", QUARTERLY_FIELDS,
                         ["cadre", "trimestre", "epci_residence", "indicateur"])]
             if layout is not None else []),
    }


def _software_version() -> str:
    try:
        return metadata.version("kiosk-diagnostic-allier")
    except metadata.PackageNotFoundError:
        return "inconnue"


def export(folder: Path, snapshot: Snapshot, layout: Layout, names: dict[str, str],
           registered: list[Release] = (), *, protection: int, now: datetime,
           contact: str = "", populations: dict[str, int] | None = None,
           without_quarters=()) -> Export:
    """Build, audit and write one export of the weeks of ``snapshot``
    (``without_quarters``: see build())."""
    outcome = build(snapshot, layout, registered, protection=protection,
                    without_quarters=without_quarters)
    published = outcome.tables.published(outcome.hidden)
    first, last = (snapshot.weeks[0], snapshot.weeks[-1]) if snapshot.weeks else (None, None)
    files = write(folder, layout, published, names, first=first, last=last, now=now,
                  contact=contact, protection=protection, populations=populations)
    named = outcome.tables.named
    return Export(files, len(published.values), len(published.hidden),
                  len(named(outcome.primary)), len(named(outcome.first_pass)), published)
