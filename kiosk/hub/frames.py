"""The measurement frames the hub shows apart, and their words. Pure: no Flask, no SQL.

A frame (kiosk/sync/contract.py) is what a count measures. Frame "1" (questionnaires up
to 2026.2) asked "Savez-vous faire… ?": what the person thought they could do. Frame "2"
(2026.3 and later) asks, as the survey of INSEE and Eurostat does, what the person did in
the last 3 months, and sends each level twice (headline: done alone or with help; strict:
done alone). Counts of two frames never add up: every page and every export is of one
frame, and says which.

Frame "2" is labelled from the current questionnaire; frame "1" has ids the current one
no longer knows (the area ``software``, its indicators, the age band ``15-29``, its
screens), labelled from the small table below.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..sync import contract
from .tables import HEADLINE, N_, STRICT

HEADLINE_AND_STRICT = N_(
    "Chiffre principal : une activité faite seul ou avec de l'aide compte comme faite "
    "(l'enquête n'a pas de réponse « avec de l'aide »). Chiffre strict : seulement ce que "
    "la personne a fait seule.")


@dataclass(frozen=True)
class Frame:
    """One frame: how the page names it, and which figures it has."""

    id: str
    name: str                     # in the frame choice
    description: str              # the sentence every page and export of it carries
    indicators: dict              # indicator id -> label, in display order
    key_figures: dict             # variable id -> short label, for the key figures
    illectronism: tuple           # variable ids of the illectronism figure
    basics: tuple                 # variable ids of the "at least basic" figure
    per_epci: str | None          # the variable shown per EPCI
    insee_reference: bool         # whether INSEE's 22 % for the Allier stands beside
    strict: bool = False          # levels and indicators also under the strict rule
    # Indicators are given only for the ages they compare with (others: "not given").
    scoped: bool = False
    # Labels of ids the current questionnaire does not know (None: the questionnaire's).
    areas: tuple | None = None
    age_bands: tuple | None = None
    screens: tuple | None = None
    notes: tuple = field(default_factory=tuple)   # sentences below the frame's


def _pair(label: str) -> tuple[str, str]:
    return label % {"rule": HEADLINE}, label % {"rule": STRICT}


_INSEE_2021 = _pair(N_("Illectronisme, définition INSEE 2021, 16 ans ou plus : %(rule)s"))
_DSI = _pair(N_("Au moins les bases dans les 5 domaines (Eurostat, DSI 2.0), 16 à 74 ans : "
                "%(rule)s"))
_INSEE_2019 = _pair(N_("Illectronisme, définition INSEE 2019 (approximation), 16 ans ou "
                       "plus : %(rule)s"))

FRAME_2 = Frame(
    id="2",
    name=N_("Version 2 : questionnaire 2026.3 et suivants"),
    description=N_("Questionnaire 2026.3 et suivants : ce que la personne a fait ces 3 "
                   "derniers mois, comme dans l'enquête de l'INSEE et d'Eurostat."),
    indicators={
        "insee2021_illectronism": _INSEE_2021[0],
        "insee2021_illectronism_strict": _INSEE_2021[1],
        "dsi_at_least_basic": _DSI[0],
        "dsi_at_least_basic_strict": _DSI[1],
        "insee2019_illectronism_approx": _INSEE_2019[0],
        "insee2019_illectronism_approx_strict": _INSEE_2019[1],
    },
    key_figures={
        "indicateur_insee2021_illectronism": N_("Illectronisme (INSEE 2021), chiffre principal"),
        "indicateur_insee2021_illectronism_strict": N_("Illectronisme (INSEE 2021), chiffre strict"),
        "indicateur_dsi_at_least_basic": N_("Au moins les bases (Eurostat), chiffre principal"),
        "indicateur_dsi_at_least_basic_strict": N_("Au moins les bases (Eurostat), chiffre strict"),
    },
    illectronism=("indicateur_insee2021_illectronism", "indicateur_insee2021_illectronism_strict",
                  "indicateur_insee2019_illectronism_approx",
                  "indicateur_insee2019_illectronism_approx_strict"),
    basics=("indicateur_dsi_at_least_basic", "indicateur_dsi_at_least_basic_strict"),
    per_epci="indicateur_insee2021_illectronism",
    insee_reference=True,
    strict=True,
    scoped=True,
    notes=(HEADLINE_AND_STRICT, N_(
        "Les indicateurs ne comptent que les âges de l'INSEE et d'Eurostat : 16 ans ou plus "
        "pour l'illectronisme (l'INSEE compte dès 15 ans, mais la borne demande « moins de "
        "16 ans »), 16 à 74 ans pour les bases ; les autres diagnostics, et ceux sans âge, "
        "sont à part (« hors des âges comparés »).")),
)

FRAME_1 = Frame(
    id="1",
    name=N_("Version 1 : questionnaires jusqu'à 2026.2"),
    description=N_("Questionnaires jusqu'à 2026.2 : ce que la personne pensait savoir faire "
                   "(« Savez-vous faire… ? ») ; ces chiffres ne se comparent ni à ceux de la "
                   "version 2, ni à l'INSEE."),
    indicators={
        "insee2019_illectronism": N_("Illectronisme, définition INSEE 2019"),
        "insee2021_illectronism": N_("Illectronisme, définition INSEE 2021"),
        "dsi_at_least_basic": N_("Au moins les bases dans les 5 domaines (Eurostat)"),
    },
    key_figures={
        "indicateur_insee2019_illectronism": N_("Illectronisme (INSEE 2019)"),
        "indicateur_insee2021_illectronism": N_("Illectronisme (INSEE 2021)"),
        "indicateur_dsi_at_least_basic": N_("Au moins les bases (Eurostat)"),
    },
    illectronism=("indicateur_insee2019_illectronism", "indicateur_insee2021_illectronism"),
    basics=("indicateur_dsi_at_least_basic",),
    per_epci="indicateur_insee2019_illectronism",
    insee_reference=False,
    areas=(("information", N_("Chercher des informations")),
           ("communication", N_("Communiquer avec les autres")),
           ("problem_solving", N_("Faire ses démarches et régler un problème")),
           ("software", N_("Utiliser des outils et créer des documents")),
           ("safety", N_("Se protéger sur internet"))),
    age_bands=(("15-29", N_("De 15 à 29 ans")), ("30-44", N_("De 30 à 44 ans")),
               ("45-59", N_("De 45 à 59 ans")), ("60-74", N_("De 60 à 74 ans")),
               ("75+", N_("75 ans ou plus"))),
    # The screens of questionnaire 2026.2, in its order (where people stopped).
    screens=(("last_use", N_("Dernière utilisation d'internet")),
             ("devices", N_("Appareils à la maison")),
             ("home_connection", N_("Internet à la maison")),
             ("info_search", N_("Chercher une information")),
             ("info_news", N_("Lire les nouvelles, regarder des vidéos")),
             ("info_check", N_("Vérifier une information")),
             ("com_email", N_("E-mails")), ("com_messages", N_("Messages et photos")),
             ("com_video", N_("Appels en vidéo")), ("eadmin", N_("Démarches en ligne")),
             ("health", N_("Mon espace santé")), ("ps_buy", N_("Acheter ou vendre")),
             ("ps_bank", N_("Compte en banque")),
             ("ps_fix", N_("Installer une application, changer un réglage")),
             ("sw_write", N_("Écrire une lettre")), ("sw_files", N_("Ranger des fichiers")),
             ("sw_attach", N_("Envoyer un papier en pièce jointe")),
             ("sf_password", N_("Mot de passe")), ("sf_privacy", N_("Qui voit vos informations")),
             ("sf_updates", N_("Mises à jour")), ("task_phishing", N_("Exercice : l'arnaque")),
             ("task_back", N_("Exercice : revenir en arrière")),
             ("age_band", N_("Âge")), ("commune", N_("Commune")),
             ("situation", N_("Situation")), ("reading", N_("Lecture du français"))),
)

KNOWN = {frame.id: frame for frame in (FRAME_1, FRAME_2)}


def order(frame_id: str) -> tuple:
    """Sort key: "2" before "10", numbers before names."""
    return tuple((0, int(part), "") if part.isdigit() else (1, 0, part)
                 for part in re.split(r"(\d+)", frame_id) if part)


def spec(frame_id: str) -> Frame:
    """The frame ``frame_id`` (one this program does not describe: its ids as labels)."""
    if frame_id in KNOWN:
        return KNOWN[frame_id]
    return Frame(id=frame_id, name=N_("Version %(frame)s") % {"frame": frame_id},
                 description=N_("Version %(frame)s du cadre de mesure.") % {"frame": frame_id},
                 indicators={}, key_figures={}, illectronism=(), basics=(), per_epci=None,
                 insee_reference=False)


def default(held: list[str]) -> str:
    """The frame shown when none is asked: the latest if it holds data, else the newest
    that does (the latest too when none does)."""
    if contract.LATEST_FRAME in held or not held:
        return contract.LATEST_FRAME
    return max(held, key=order)
