"""La Coop de la médiation numérique's vocabulary for activity records (CRA). Pure data.

Conseillers numériques record each accompaniment in La Coop (ANCT) with these field
names and values; the kiosk's activity records use them too, so a mediator can type a
kiosk record into La Coop as it is, and the hub counts the same categories. Source and
date: ``../shared/data/coop_cra.md`` (La Coop's public repository, read in 2026); a copy
of its provenance is in ``kiosk/mediation/SOURCES.md``.
"""
from __future__ import annotations


def N_(text: str) -> str:
    """Marks French text for the resident catalogue; translated where it is shown."""
    return text


# type_activite
ACTIVITY_TYPES = ("individuel", "collectif")

# duree: minutes; the form offers these, or another value up to 23 h 59
DURATIONS = (15, 30, 45, 60, 90, 120)
MAX_DURATION = 23 * 60 + 59

# type_lieu
PLACE_TYPES = ("lieu_activite", "domicile", "a_distance", "autre")

# materiel[]
EQUIPMENT = ("ordinateur", "telephone", "tablette", "autre", "aucun")

# thematiques[] (at least one): digital themes, then administrative procedures
DIGITAL_THEMES = (
    "diagnostic_numerique", "prendre_en_main_du_materiel", "maintenance_de_materiel",
    "gere_ses_contenus_numeriques", "navigation_sur_internet", "email", "bureautique",
    "reseaux_sociaux", "sante", "banque_et_achats_en_ligne", "entrepreneuriat",
    "insertion_professionnelle", "securite_numerique", "parentalite",
    "scolarite_et_numerique", "creer_avec_le_numerique", "culture_numerique",
    "intelligence_artificielle", "aide_aux_demarches_administratives",
)
PROCEDURE_THEMES = (
    "papiers_elections_citoyennete", "famille_scolarite", "social_sante",
    "travail_formation", "logement", "transports_mobilite", "argent_impots", "justice",
    "etrangers_europe", "loisirs_sports_culture", "associations",
)
THEMES = DIGITAL_THEMES + PROCEDURE_THEMES

# The themes in French, as the kiosk's record form words them (translated there; the
# hub's dashboard reads them too, kiosk.hub.coop_labels)
THEME_WORDS = {
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
    "papiers_elections_citoyennete": N_("Papiers, élections, citoyenneté"),
    "famille_scolarite": N_("Famille, scolarité"),
    "social_sante": N_("Social, santé"),
    "travail_formation": N_("Travail, formation"),
    "logement": N_("Logement"),
    "transports_mobilite": N_("Transports, mobilité"),
    "argent_impots": N_("Argent, impôts"),
    "justice": N_("Justice"),
    "etrangers_europe": N_("Étrangers, Europe"),
    "loisirs_sports_culture": N_("Loisirs, sports, culture"),
    "associations": N_("Associations"),
}

# autonomie (individual activity), also the mediator's observation of one activity
AUTONOMY = ("entierement_accompagne", "partiellement_autonome", "autonome")

# structure_de_redirection (with oriente_vers_structure)
REFERRALS = (
    "administration", "mediation_numerique", "operateur_ou_organisme_en_charge",
    "aide_sociale", "insertion_professionnelle", "aide_aux_demarches_administratives",
    "autre",
)

# niveau (group workshop)
WORKSHOP_LEVELS = ("debutant", "intermediaire", "avance")

# anonymous beneficiary fields (coop_cra.md names the ends of the age bands; the bands
# between are those of La Coop's schema, TrancheAge: check them before relying on them)
NOT_GIVEN = "non_communique"
GENDERS = ("masculin", "feminin", NOT_GIVEN)
AGE_BANDS = (
    "moins_de_douze", "douze_dix_huit", "dix_huit_vingt_quatre", "vingt_cinq_trente_neuf",
    "quarante_cinquante_neuf", "soixante_soixante_neuf", "soixante_dix_plus", NOT_GIVEN,
)
SOCIAL_STATUSES = ("scolarise", "sans_emploi", "en_emploi", "retraite", NOT_GIVEN)
