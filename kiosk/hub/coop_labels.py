"""French labels of the codes an activity record, a follow-up and a screening carry
(kiosk/sync/contract.py, kiosk.mediation.coop), as the dashboard shows them. Pure data.

The themes, autonomy levels and referral structures are La Coop de la médiation
numérique's (``../shared/data/coop_cra.md``); the labels are written for the hub's
readers, close to La Coop's own wording.
"""
from __future__ import annotations

from ..mediation import coop
from .tables import N_

# The kiosk's words for the themes (its record form), the administrative procedures
# named as such: a table lists both kinds of theme together.
THEMES = {**{code: coop.THEME_WORDS[code] for code in coop.DIGITAL_THEMES},
          **{code: "Démarche : " + coop.THEME_WORDS[code][0].lower()
             + coop.THEME_WORDS[code][1:] for code in coop.PROCEDURE_THEMES}}

AUTONOMY = {
    "entierement_accompagne": N_("Entièrement accompagné"),
    "partiellement_autonome": N_("Partiellement autonome"),
    "autonome": N_("Autonome"),
}

REFERRALS = {
    "administration": N_("Administration"),
    "mediation_numerique": N_("Médiation numérique"),
    "operateur_ou_organisme_en_charge": N_("Opérateur ou organisme en charge"),
    "aide_sociale": N_("Aide sociale"),
    "insertion_professionnelle": N_("Insertion professionnelle"),
    "aide_aux_demarches_administratives": N_("Aide aux démarches administratives"),
    "autre": N_("Autre structure"),
}

ACTIVITY_MODES = {
    "guided": N_("Diagnostic accompagné"),
    "counter": N_("Aide ponctuelle au guichet"),
    "workshop": N_("Atelier collectif"),
}

DURATION_BANDS = {
    "lt30": N_("Moins de 30 minutes"),
    "30_59": N_("De 30 à 59 minutes"),
    "60_119": N_("De 1 heure à 1 h 59"),
    "120_plus": N_("2 heures ou plus"),
}

WEEKS_BANDS = {
    "lt5": N_("Moins de 5 semaines"),
    "5_12": N_("De 5 à 12 semaines"),
    "13_26": N_("De 13 à 26 semaines"),
    "27_52": N_("De 27 à 52 semaines"),
    "53_plus": N_("53 semaines ou plus"),
}

# The change of level per area, as the tally writes it (kiosk.hub.tally._text).
CHANGES = {"-1": N_("En recul"), "0": N_("Stable"), "1": N_("En progrès")}

TAKEUP = {
    "yes": N_("Oui, la personne y est allée"),
    "not_yet": N_("Pas encore"),
    "no_too_far": N_("Non : trop loin"),
    "no_hours": N_("Non : horaires"),
    "no_not_needed": N_("Non : pas besoin"),
    "no_other": N_("Non : autre raison"),
}

ORIENTATIONS = {
    "diagnostic_now": N_("Diagnostic complet tout de suite"),
    "mediator": N_("Vers un médiateur"),
    "nothing_needed": N_("Pas de besoin"),
}
