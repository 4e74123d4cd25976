"""The issue's three residents walk the real kiosk by touch, on a 1280x1024 screen.

- a woman of 78 who has never used the internet (Cérilly);
- a man of 45, job seeker, with a smartphone: he looks things up and talks with others
  alone, but every procedure and every problem-solving activity he did, he did with
  someone's help (Montluçon);
- a woman of 25 at ease with digital tools, most activities done alone (Vichy).

What each is shown is pinned with literal values worked out from the rules (areas'
thresholds and profiles in questionnaires/diagnostic.yaml, offers in offers.yaml, the
sample places in questionnaires/data/lieux_03.csv), not computed by the code under test.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from playwright.sync_api import Page, expect

from tests.browser.steps import (IDK, NEXT, button, heading, option, skip_label, start,
                                 tick_activities)

pytestmark = pytest.mark.browser

VIEWPORT = {"width": 1280, "height": 1024}
AREAS = ["Chercher des informations", "Communiquer avec les autres",
         "Utiliser des outils et créer des documents", "Se protéger sur internet",
         "Faire ses démarches et régler un problème"]
PROCEDURES = "Faire ses démarches et régler un problème"
AT_EASE = "À l'aise"
AUTONOMOUS = "Vous êtes à l'aise avec le numérique."
MAX_SCREENS = 20  # a typical internet user (issue 9, §1)

EADMIN = ("Fait une démarche : la CAF, ameli, les impôts, France Travail, la carte grise ou "
          "les papiers d'identité (ANTS).")
HEALTH = ("Utilisé Mon espace santé, votre dossier de santé en ligne (ordonnances, vaccins, "
          "analyses).")
SCAM = ("« Ameli : un remboursement de 48,50 € vous attend. Pour le recevoir, confirmez vos "
        "informations sur ameli-fr.info »")


@dataclass
class Resident:
    name: str
    answers: dict      # screen id -> labels tapped, IDK, a commune typed, or {item: how}
    screens: list      # the question screens seen, in order
    profile: str
    levels: list       # the word shown for each area, in AREAS' order
    steps: list        # the titles of the next steps, in order
    place: str         # the first place the first step names
    place_detail: str  # something of that place the page shows with it


ACCESS = ["internet_ever", "last_use", "devices", "home_connection"]
ACTIVITIES = ["act_information", "act_communication", "act_content", "act_safety",
              "act_problem_solving", "procedures"]
AFTER = ["task_phishing", "task_back", "age_band", "commune", "situation", "reading"]

NEVER_ONLINE = Resident(
    "78, never used the internet",
    {"internet_ever": ["Non, jamais."], "devices": ["Aucun de ces appareils."],
     "home_connection": ["Non."], "task_phishing": IDK, "task_back": IDK,
     "age_band": ["75 ans ou plus."], "commune": "Cérilly",
     "situation": ["Je suis à la retraite."], "reading": ["Facile."]},
    # "Non, jamais." skips last use and every activity screen.
    ["internet_ever", "devices", "home_connection", *AFTER],
    # No activity, no task passed: 0 points.
    "Vous découvrez le numérique.",
    ["À découvrir"] * 5,
    # Needs in diagnostic.yaml's order: basics (never used), equipment (no device),
    # connection (none at home; its offer free_access also answers equipment, but
    # solidarity_device came first), safety (level 0): learning before buying.
    ["Apprendre les bases en groupe, près de chez vous.", "Avoir un ordinateur à petit prix.",
     "Utiliser un ordinateur près de chez vous.", "Apprendre à reconnaître les arnaques."],
    # No sample place offers workshops: the nearest France Services is the place to ask,
    # the Bourbon'Net bus, shown by its stop in her own commune.
    "France services La Bourbon’NET",
    "Cérilly, Place de la Mairie",
)

HELP_WITH_PROCEDURES = Resident(
    "45, smartphone, help with procedures",
    {"internet_ever": ["Oui."], "last_use": ["Ces 3 derniers mois."],
     "devices": ["Un téléphone avec internet (smartphone)."],
     "home_connection": ["Oui, seulement avec mon téléphone."],
     "act_information": {
         "Cherché un produit, un service ou un prix.": "alone",
         "Cherché une information sur la santé (une maladie, un médicament).": "alone",
         "Lu les nouvelles (un journal, un site d'actualités).": "alone"},
     "act_communication": {
         "Appelé quelqu'un par internet, avec ou sans la vidéo (par exemple avec WhatsApp).":
             "alone",
         "Envoyé des messages avec une application (WhatsApp, Messenger…).": "alone",
         "Utilisé un réseau social (Facebook, Instagram…).": "alone"},
     "act_content": {},
     "act_safety": {"Refusé qu'une application sache où vous êtes (la localisation).": "alone"},
     "act_problem_solving": {
         "Regardé votre compte en banque ou fait un virement.": "helped",
         "Cherché un emploi ou envoyé une candidature.": "helped",
         "Acheté quelque chose (un objet, un billet), cette fois sur les 12 derniers mois.":
             "helped"},
     "procedures": {EADMIN: "helped", HEALTH: "helped"},
     "task_phishing": [SCAM], "task_back": ["Le bouton 1."], "age_band": ["De 45 à 59 ans."],
     "commune": "Montluçon", "situation": ["Je cherche un travail."], "reading": ["Facile."]},
    [*ACCESS, *ACTIVITIES, *AFTER],
    # Shown levels: information 3 done (above basic), communication 3 (above basic),
    # content none, safety 1 (basic), problem solving 3 done but all with help: above
    # basic reported, "Les bases" shown. 2+2+0+1+1 and both tasks: 8 points.
    "Vous vous débrouillez bien.",
    [AT_EASE, AT_EASE, "À découvrir", "Les bases", "Les bases"],
    # Needs: e_administration (démarche with help), health (with help), employment (job
    # seeker), accompaniment (answers with help): four steps.
    ["Faire vos démarches avec une personne de confiance.", "Utiliser Mon espace santé.",
     "Faire reconnaître vos compétences pour l'emploi.",
     "Être accompagné par un conseiller numérique."],
    # The nearest place helping with procedures (France Services, Aidants Connect).
    "France services Huriel",
    "6 rue des Calaubys, 03380 Huriel",
)

AT_EASE_25 = Resident(
    "25, at ease",
    {"internet_ever": ["Oui."], "last_use": ["Ces 3 derniers mois."],
     "devices": ["Un téléphone avec internet (smartphone).", "Un ordinateur."],
     "home_connection": ["Oui, avec une box (fibre, ADSL ou satellite)."],
     "act_information": {
         "Cherché un produit, un service ou un prix.": "alone",
         "Lu les nouvelles (un journal, un site d'actualités).": "alone",
         "Vérifié si une information est vraie, par exemple sur un autre site.": "alone"},
     "act_communication": {
         "Envoyé ou reçu un e-mail (un courrier par internet).": "alone",
         "Envoyé des messages avec une application (WhatsApp, Messenger…).": "alone",
         "Utilisé un réseau social (Facebook, Instagram…).": "alone"},
     "act_content": {
         "Écrit un texte (une lettre, un CV).": "alone",
         "Copié ou rangé des fichiers : dans un dossier, sur une clé USB, d'un téléphone à "
         "un ordinateur.": "alone",
         "Retouché une photo, une vidéo ou un son (couper, recadrer, éclaircir).": "alone"},
     "act_safety": {
         "Refusé qu'une application sache où vous êtes (la localisation).": "alone",
         "Choisi qui peut voir votre profil, vos photos ou vos documents.": "alone",
         "Refusé que vos informations servent à la publicité.": "alone"},
     "act_problem_solving": {
         "Regardé votre compte en banque ou fait un virement.": "alone",
         "Installé une application ou un logiciel.": "alone",
         "Appris quelque chose avec un cours ou une vidéo.": "alone",
         "Acheté quelque chose (un objet, un billet), cette fois sur les 12 derniers mois.":
             "alone"},
     "procedures": {EADMIN: "alone", HEALTH: "alone"},
     "task_phishing": [SCAM], "task_back": ["Le bouton 1."], "age_band": ["De 16 à 29 ans."],
     "commune": "Vichy", "situation": ["J'ai un travail."], "reading": ["Facile."]},
    [*ACCESS, *ACTIVITIES, *AFTER],
    # Every area above basic (3 or more where 3 is needed), all done alone: 10 + 2 tasks
    # = 12 points, "autonomous" from 11.
    AUTONOMOUS,
    [AT_EASE] * 5,
    # No need: the two fallback offers, which fit a person told she could help others.
    ["Aller plus loin.", "Partager ce que vous savez."],
    # No sample place runs workshops: the nearest France Services to ask.
    "France services Le Mayet de Montagne",
    "26 rue Roger Dégoulange, 03250 Le Mayet-de-Montagne",
)


@pytest.fixture
def screen(new_context):
    """A kiosk's touch screen, 1280x1024."""
    context = new_context(viewport=VIEWPORT, has_touch=True)
    yield context.new_page()
    context.close()


def walk(page: Page, resident: Resident) -> list[str]:
    """The resident answers every screen shown by touch; the question screens seen."""
    seen = []
    start(page, tap=True)
    while match := re.search(r"/q/(\w+)$", page.url):
        screen_id = match.group(1)
        assert screen_id not in seen, f"{screen_id} shown twice"
        seen.append(screen_id)
        answer = resident.answers[screen_id]
        if answer == IDK:
            button(page, skip_label(screen_id)).tap()
        else:
            if screen_id == "commune":
                page.get_by_label("Nom de la commune ou code postal").fill(answer)
            elif isinstance(answer, dict):
                tick_activities(page, answer, tap=True)
            else:
                for label in answer:
                    option(page, label).tap()
            button(page, NEXT).tap()
        # Taken: the next screen (or the result) comes, not the same one with a message.
        expect(page).not_to_have_url(re.compile(rf"/q/{screen_id}$"))
    return seen


@pytest.mark.parametrize("resident", [NEVER_ONLINE, HELP_WITH_PROCEDURES, AT_EASE_25],
                         ids=["78-never-online", "45-help-with-procedures", "25-at-ease"])
def test_each_resident_sees_levels_and_first_step_that_fit(screen: Page, resident: Resident):
    page = screen
    seen = walk(page, resident)
    assert seen == resident.screens
    if resident is not NEVER_ONLINE:
        assert len(seen) <= MAX_SCREENS

    expect(page).to_have_url(re.compile(r"/result$"))
    expect(heading(page)).to_have_text("Votre résultat")
    expect(page.locator("#profile-title")).to_have_text(resident.profile)
    levels = page.locator("ul.levels > li")
    expect(levels.locator(".level-area")).to_have_text(AREAS)
    expect(levels.locator(".level-word")).to_have_text(resident.levels)

    steps = page.locator("ol.steps > li.step")
    expect(steps.locator("h3")).to_have_text(resident.steps)
    first = steps.first
    place = first.locator(".place").first
    expect(place.locator("strong")).to_have_text(resident.place)
    expect(place).to_contain_text(resident.place_detail)
    expect(place.locator(".phone")).to_have_text(re.compile(r"^0\d( \d\d){4}$"))
    # The first step and its place are seen without scrolling.
    page.wait_for_load_state("load")  # measured with its stylesheet (see steps.expect_screen)
    box = place.locator("strong").bounding_box()
    assert box and box["y"] + box["height"] <= VIEWPORT["height"]


def test_help_with_procedures_is_never_shown_as_at_ease_with_them(screen: Page):
    """Every procedure and problem-solving activity done with help: reported above
    basic (3 activities), shown "Les bases", and the profile says there is work left,
    as the steps (be accompanied) do."""
    page = screen
    walk(page, HELP_WITH_PROCEDURES)
    area = page.locator("ul.levels > li").filter(has_text=PROCEDURES)
    expect(area.locator(".level-word")).to_have_text("Les bases")
    expect(area.locator(".level-word")).not_to_have_text(AT_EASE)
    expect(area.locator(".pip.on")).to_have_count(2)  # two pips of three, not three
    expect(page.locator("#profile-title")).not_to_have_text(AUTONOMOUS)
    expect(page.locator(".profile")).to_contain_text("Quelques points restent à travailler.")
    expect(page.locator("ol.steps")).to_contain_text("Être accompagné par un conseiller numérique.")
