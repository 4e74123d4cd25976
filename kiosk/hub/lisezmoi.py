"""LISEZMOI.md, the open data's README, written from what the export itself says.

Everything in it comes from the export's datapackage descriptor (files, columns, period,
frame, licence, contact, version), its layout (the variables and their modalities) and
its published cells (how many are hidden), with the disclosure thresholds of
kiosk.hub.suppression: it cannot say something the files do not do. Pure: no Flask, no
SQL, no import of kiosk.hub.opendata (which calls it).
"""
from __future__ import annotations

from .suppression import HIGH, LOW
from .tables import POPULATIONS, Published

# How each population code of the files reads in a sentence.
POPULATION_WORDS = {"diagnostics": "tous les diagnostics, terminés ou non",
                    "diagnostics_termines": "les diagnostics terminés",
                    "diagnostics_abandonnes": "les diagnostics abandonnés en cours de route"}


def text(package: dict, layout, published: Published, *, protection: int | None) -> str:
    """The Markdown text of LISEZMOI.md for one export."""
    frame = layout.frame
    weekly, breakdown, *others = package["resources"]
    wide = [r for r in others if r["name"] == "synthese-par-epci"]
    quarterly = [r for r in others if r["name"] == "indicateurs-par-trimestre"]
    start, end = package["temporal"]["start"], package["temporal"]["end"]
    lines = [
        f"# {package['title']}", "",
        f"Version {package['version']}, écrite le {package['created'][:10]} par "
        f"{package['logiciel']['nom']} {package['logiciel']['version']}. "
        f"Licence : {package['licenses'][0]['title']} ({package['licenses'][0]['name']}).",
        "",
        _contact(package),
        "",
        "## En bref", "",
        package["description"], "",
        "## Période et cadre de référence", "",
        (f"Diagnostics faits du {start} au {end} (semaines ISO {layout.weeks[0]} à "
         f"{layout.weeks[-1]}), dans le cadre de mesure « {frame.id} » ({frame.name}). "
         if start else "Aucun diagnostic dans cet export. ")
        + f"{frame.description} Les chiffres de deux cadres ne s'additionnent pas : chaque "
        "ligne nomme le sien (colonne `cadre`).",
        *(["", *frame.notes] if frame.notes else []),
        "",
        "## Méthode", "",
        "Une personne fait le diagnostic seule, ou avec un médiateur, sur une borne d'une "
        "agence postale ou du bus Bourbon'Net. La borne n'envoie au Département que les "
        "réponses, sans nom, adresse ni date de naissance, avec la semaine, l'EPCI de la "
        "borne et, si la personne les donne, sa tranche d'âge et son EPCI de résidence. Le "
        "Département compte ces réponses à leur arrivée ; les fichiers en donnent les "
        "comptes, jamais une réponse individuelle.",
        "",
        "## Biais : qui est compté", "",
        "Ces chiffres décrivent **les personnes venues faire le diagnostic à une borne**, "
        "pas la population de l'Allier. Elles viennent d'elles-mêmes ou envoyées par un "
        "service, là où une borne existe : les personnes à l'aise avec le numérique, celles "
        "qui habitent loin d'une borne et celles qui ne sortent pas y sont moins "
        "nombreuses. Une part calculée ici n'est donc pas un taux de la population et ne "
        "se compare pas telle quelle à un taux de l'INSEE, même de même définition. Un "
        "écart d'un EPCI à l'autre peut venir de qui vient à la borne plus que de ses "
        "habitants.",
        "",
        "## Les fichiers", "",
        *_resource(weekly, "Une ligne par semaine et par EPCI de la borne, plus les totaux."),
        *_resource(breakdown,
                   "Une ligne par variable, modalité et EPCI de résidence, plus les totaux. "
                   "Chaque variable partage les mêmes personnes entre ses modalités : "
                   "additionner deux variables compte chacun deux fois."),
        *(_resource(wide[0],
                    "Une ligne par EPCI de résidence, plus l'Allier entier : sa population, "
                    "ses diagnostics pour 1 000 habitants et, pour chaque indicateur "
                    "principal, l'effectif concerné, les répondants et la part. Tout y est "
                    "calculé à partir des deux autres fichiers et de la population des "
                    "communes : une part est masquée (« s ») quand l'un de ses deux "
                    "effectifs l'est.") if wide else []),
        *(_resource(quarterly[0],
                    "Une ligne par trimestre, par EPCI de résidence (plus l'Allier entier) et "
                    "par variable suivie dans le temps : l'illectronisme, « au moins les "
                    "bases » et chaque besoin repéré, parmi les diagnostics terminés. Un "
                    "trimestre regroupe les semaines ISO dont le jeudi y tombe (une semaine à "
                    "cheval compte entière dans le trimestre de son jeudi) ; le premier et le "
                    "dernier trimestre de l'export peuvent n'avoir que certaines de leurs "
                    "semaines (colonnes `premiere_semaine` et `derniere_semaine`). Les "
                    "trimestres d'un EPCI et d'une variable s'additionnent en l'effectif du "
                    "fichier des répartitions : ils sont masqués avec lui, comme un seul "
                    "ensemble de tableaux, pour qu'aucune soustraction ne révèle une case "
                    "masquée. Pour dire qu'une part a baissé d'un trimestre à l'autre, "
                    "vérifiez que l'écart dépasse ce que le hasard explique (intervalles de "
                    "confiance à 95 % qui ne se recoupent pas) : avec quelques dizaines de "
                    "répondants, une part varie de plusieurs points d'un trimestre à "
                    "l'autre.") if quarterly else []),
        "## Lignes de total", "",
        "Les lignes dont une colonne vaut « ensemble » sont des totaux (tous les EPCI, "
        "toutes les semaines, toutes les modalités) ; la colonne `ligne_total` les marque "
        "« oui ». Pour un total, prenez la ligne « oui » ou additionnez les lignes « non » "
        "(d'une même variable), jamais les deux. « non_renseigne » est une modalité ou un "
        "EPCI comme les autres : la personne n'a pas répondu ; les totaux le comprennent.",
        "",
        "## Variables", "",
        "| variable | libellé | population comptée | modalités |",
        "|---|---|---|---|",
        *(f"| `{v.id}` | {v.label} | {POPULATIONS[v.population]} | "
          + ", ".join(f"`{m.code}` {m.label}" for m in v.modalities) + " |"
          for v in layout.variables),
        "",
        *_secret(published, protection),
        "## Calculer une part", "",
        "Dans `repartitions-par-epci-residence.csv`, la part d'une modalité dans un EPCI est "
        "son `effectif` divisé par l'`effectif` de la ligne de la même variable et du même "
        "EPCI dont la `modalite` vaut « ensemble » (la population de la colonne "
        "`population` : " + " ; ".join(f"`{code}`, {words}" for code, words
                                       in POPULATION_WORDS.items()) + "). "
        "Pour une part parmi les personnes qui ont répondu, retirez d'abord la modalité "
        "« non_renseigne » du dénominateur. Si l'un des deux vaut « s », la part ne se "
        "calcule pas. Avec moins d'une centaine de personnes au dénominateur, une part "
        "varie beaucoup par hasard : donnez-la avec son effectif.",
        "",
        *_example(frame),
        "## Ouvrir les fichiers", "",
        "Fichiers CSV en UTF-8 avec marque d'ordre des octets (BOM), champs séparés par "
        "« ; » : un double clic les ouvre dans Excel ou LibreOffice Calc avec leurs accents "
        "et leurs colonnes. Avec Python : `pandas.read_csv(chemin, sep=\";\", "
        "encoding=\"utf-8-sig\")`. Dates au format ISO 8601 (AAAA-MM-JJ), semaines ISO "
        "(AAAA-Www). `datapackage.json` décrit chaque colonne (Frictionless Data Package).",
        "",
    ]
    return "\n".join(lines)


def _example(frame) -> list[str]:
    if not frame.illectronism:
        return []
    variable = frame.illectronism[0]
    return [f"Exemple : la part d'illectronisme dans un EPCI est l'`effectif` de la ligne "
            f"`variable` = `{variable}`, `modalite` = `oui` de cet EPCI, divisé par la somme "
            "des lignes `oui` et `non` de la même variable et du même EPCI"
            + (" (la modalité `non_renseigne` compte ici les personnes hors des âges de la "
               "définition, ou qui n'ont pas dit leur âge)." if frame.scoped else "."), ""]


def _contact(package: dict) -> str:
    contacts = [c for c in package["contributors"] if c["role"] == "contact"]
    if not contacts:
        return "Éditeur : Département de l'Allier."
    contact = contacts[0]
    return f"Éditeur : Département de l'Allier. Contact : {contact.get('email', contact['title'])}."


def _resource(resource: dict, what: str) -> list[str]:
    return [f"### `{resource['path']}` : {resource['title']}", "", what, "",
            "| colonne | signification |", "|---|---|",
            *(f"| `{field['name']}` | {field['description']} |"
              for field in resource["schema"]["fields"]), ""]


def _secret(published: Published, protection: int | None) -> list[str]:
    hidden, cells = len(published.hidden), len(published.values)
    width = (f" : pour une case masquée de x personnes, ce qui est publié doit laisser "
             f"possible au moins x + {protection} et au plus max(1, x − {protection})"
             if protection is not None else "")
    return [
        "## Secret statistique", "",
        f"Aucune case de {LOW} à {HIGH} personnes n'est publiée. D'autres cases sont "
        "masquées (secret secondaire) pour qu'aucune case masquée ne se recalcule, ni ne "
        "s'encadre de trop près, à partir de tout ce qui est publié (ces fichiers, leurs "
        f"totaux et les publications antérieures){width}. Une case masquée vaut « s ». "
        "Les zéros sont publiés, sauf ceux qui révéleraient que tout un petit groupe "
        "partage une même caractéristique.", "",
        f"Dans cet export, {hidden} cases sur {cells} sont masquées.", "",
    ]
