"""French labels of the codes an activity record, a follow-up and a screening carry
(kiosk/sync/contract.py, kiosk.mediation.coop), as the dashboard shows them. Pure data.

The themes, autonomy levels and referral structures are La Coop de la médiation
numérique's (``../shared/data/coop_cra.md``); the labels are written for the hub's
readers, close to La Coop's own wording.
"""
from __future__ import annotations

from .tables import N_

THEMES = {
    "diagnostic_numerique": N_("Diagnostic numérique"),
    "prendre_en_main_du_materiel": N_("Prendre en main du matériel"),
    "maintenance_de_materiel": N_("Entretenir son matériel"),
    "gere_ses_contenus_numeriques": N_("Gérer ses contenus numériques"),
    "navigation_sur_internet": N_("Naviguer sur internet"),
    "email": N_("E-mail"),
    "bureautique": N_("Bureautique"),
    "reseaux_sociaux": N_("Réseaux sociaux"),
    "sante": N_("Santé"),
    "banque_et_achats_en_ligne": N_("Banque et achats en ligne"),
    "entrepreneuriat": N_("Entrepreneuriat"),
    "insertion_professionnelle": N_("Insertion professionnelle"),
    "securite_numerique": N_("Sécurité numérique"),
    "parentalite": N_("Parentalité"),
    "scolarite_et_numerique": N_("Scolarité et numérique"),
    "creer_avec_le_numerique": N_("Créer avec le numérique"),
    "culture_numerique": N_("Culture numérique"),
    "intelligence_artificielle": N_("Intelligence artificielle"),
    "aide_aux_demarches_administratives": N_("Aide aux démarches administratives"),
    "papiers_elections_citoyennete": N_("Démarche : papiers, élections, citoyenneté"),
    "famille_scolarite": N_("Démarche : famille, scolarité"),
    "social_sante": N_("Démarche : social, santé"),
    "travail_formation": N_("Démarche : travail, formation"),
    "logement": N_("Démarche : logement"),
    "transports_mobilite": N_("Démarche : transports, mobilité"),
    "argent_impots": N_("Démarche : argent, impôts"),
    "justice": N_("Démarche : justice"),
    "etrangers_europe": N_("Démarche : étrangers, Europe"),
    "loisirs_sports_culture": N_("Démarche : loisirs, sports, culture"),
    "associations": N_("Démarche : associations"),
}

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
