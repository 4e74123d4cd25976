"""``synthese-par-epci.csv``: one row per EPCI of residence, its population and shares.

The wide file a journalist opens first. Every figure in it is computed from cells the
export already publishes (kiosk.hub.opendata) and from the communes' populations, which
are public: it tells nothing the audit has not cleared, and adding it leaves the hidden
cells as they are. A figure computed from a hidden cell is hidden too (``s``). Pure: no
Flask, no SQL.
"""
from __future__ import annotations

from . import reach
from .tables import ALL, NOT_GIVEN, Published, cell_key, population_key

FILE = "synthese-par-epci.csv"
YES, NO = "oui", "non"


def _share(part: int | None, whole: int | None) -> str | None:
    if part is None or whole is None:
        return None
    return "" if whole == 0 else f"{100 * part / whole:.1f}"


def percent(part: int | None, whole: int | None, secret: str) -> str:
    """A share in % with one decimal as the files write it: ``secret`` when either count
    is hidden, empty when nobody answered."""
    share = _share(part, whole)
    return secret if share is None else share


def rows(layout, published: Published, populations: dict[str, int], *, code, name,
         frame_cells: list[str], flag, secret: str) -> list[list[str]]:
    """The rows of the file, in the order of ``fields``'s columns."""
    out = []
    for column in layout.residence_columns + [ALL]:
        # "" (not None, which is a hidden cell): no population for "not given".
        population = (sum(populations.values()) if column == ALL
                      else populations.get(column, "") if column else "")
        everyone = published.shown(population_key("all", column))
        done = published.shown(population_key("complete", column))
        rate = None if everyone is None else reach.per_thousand(everyone, population or 0)
        per_thousand = None if everyone is None else "" if rate is None else f"{rate:.2f}"
        cells = [population, everyone, per_thousand, done]
        for variable, _ in figures(layout):
            modalities = {m.code: m for m in variable.modalities}
            yes = published.shown(cell_key(variable, modalities[YES], column))
            no = published.shown(cell_key(variable, modalities[NO], column))
            answered = None if yes is None or no is None else yes + no
            cells += [yes, answered, _share(yes, answered)]
        out.append([*frame_cells, flag(column == ALL), code(column), name(column),
                    *(secret if value is None else "" if value == "" else str(value)
                      for value in cells)])
    return out


def figures(layout) -> list[tuple]:
    """The frame's key figures this export has, yes/no indicators: (variable, label)."""
    variables = {v.id: v for v in layout.variables}
    return [(variables[v], label) for v, label in layout.frame.key_figures.items()
            if v in variables and {YES, NO} <= {m.code for m in variables[v].modalities}]


def fields(layout, field, frame_fields: list[dict], count_description: str) -> list[dict]:
    """The Table Schema fields of the file."""
    numbers = [
        field("population_allier", "integer",
              "Habitants des communes de l'Allier de l'EPCI (population du fichier des "
              "communes de l'application, questionnaires/data/SOURCES.md ; la partie "
              "hors de l'Allier d'un EPCI n'est pas comptée) ; vide pour « non_renseigne »",
              constraints={"minimum": 0}),
        field("diagnostics", "integer", count_description, constraints={"minimum": 0}),
        field("diagnostics_pour_1000_habitants", "number",
              "Diagnostics de personnes qui habitent l'EPCI pour 1 000 habitants de sa "
              "partie dans l'Allier (pour l'ensemble : tous les diagnostics, résidence "
              "non renseignée comprise) ; « s » si le nombre de diagnostics est masqué",
              constraints={"minimum": 0}),
        field("diagnostics_termines", "integer", count_description, constraints={"minimum": 0}),
    ]
    for variable, label in figures(layout):
        variable = variable.id
        stem = variable.removeprefix("indicateur_")
        numbers += [
            field(f"{stem}_oui", "integer", f"{label} : diagnostics terminés concernés "
                  f"(modalité « oui » de `{variable}`)", constraints={"minimum": 0}),
            field(f"{stem}_repondants", "integer",
                  f"{label} : diagnostics terminés comptés par l'indicateur (« oui » + "
                  "« non », sans les personnes hors des âges comparés ni sans réponse)",
                  constraints={"minimum": 0}),
            field(f"{stem}_part", "number",
                  f"{label} : part en % ({stem}_oui / {stem}_repondants, une décimale), "
                  "parmi les personnes venues à une borne ; « s » si l'un des deux est "
                  "masqué, vide si aucun répondant",
                  constraints={"minimum": 0, "maximum": 100}),
        ]
    return [*frame_fields,
            field("epci_residence", "string",
                  f"SIREN de l'EPCI où habite la personne, « {NOT_GIVEN} » ou « ensemble »",
                  constraints={"required": True}),
            field("epci_residence_nom", "string", "Nom de l'EPCI"),
            *numbers]
