"""The kiosk in a real browser, as a resident uses it: by touch, by keyboard, without
JavaScript; and what the next person must never see.

Each test asserts what a person in front of the screen would notice. The offsite guard
(conftest.py) fails any test whose pages ask for anything outside 127.0.0.1.
"""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.steps import (
    ALL_SCREENS, DECLINE, HOW, IDK, LEVEL_WORDS, NEVER_SCREENS, NEXT, PROFILE_LABELS,
    SCREENS, STILL_THERE, WELCOME, button, choose_commune, complete_never, expect_screen,
    expect_welcome, heading, how_group, option, page_text, session_cookie, skip_label, start,
    storage, tab_to, tick_activities)

pytestmark = pytest.mark.browser


# --- 0. The guard itself ----------------------------------------------------------------

def test_offsite_guard_blocks_and_records(page: Page, live_server, offsite_guard):
    """A page asking for another host is refused, and the guard notices (sanity check)."""
    page.set_content('<img src="http://192.0.2.1/pixel.png" alt="">')
    page.wait_for_load_state("load")
    assert [url for _, url in offsite_guard] == ["http://192.0.2.1/pixel.png"]
    offsite_guard.clear()  # expected here: the test passes only if it was caught


# --- 1. A whole diagnostic by touch -----------------------------------------------------

# (screen, what the resident taps): option labels, IDK, the commune to type and pick, or
# on an activities screen each item done and how (a key of HOW).
TOUCH_FLOW = [
    ("internet_ever", ["Oui."]),
    ("last_use", ["Ces 3 derniers mois."]),
    ("devices", ["Un téléphone avec internet (smartphone).", "Un ordinateur."]),
    ("home_connection", ["Oui, avec une box (fibre, ADSL ou satellite)."]),
    ("act_information", {"Cherché un produit, un service ou un prix.": "alone",
                         "Lu les nouvelles (un journal, un site d'actualités).": "helped"}),
    ("act_communication", {"Envoyé ou reçu un e-mail (un courrier par internet).": "alone",
                           "Envoyé des messages avec une application (WhatsApp, Messenger…).":
                           "alone"}),
    ("act_content", {"Écrit un texte (une lettre, un CV).": "alone"}),
    ("act_safety", IDK),
    ("act_problem_solving", {"Regardé votre compte en banque ou fait un virement.": "helped",
                             "Installé une application ou un logiciel.": "done_for_me",
                             "Acheté quelque chose (un objet, un billet), cette fois sur les "
                             "12 derniers mois.": "alone"}),
    ("procedures", {"Fait une démarche : la CAF, ameli, les impôts, France Travail, la carte "
                    "grise ou les papiers d'identité (ANTS).": "helped"}),
    ("task_phishing", ["« Ameli : un remboursement de 48,50 € vous attend. Pour le recevoir, "
                       "confirmez vos informations sur ameli-fr.info »"]),
    ("task_back", ["Le bouton 1."]),
    ("age_band", ["De 60 à 74 ans."]),
    ("commune", ("03000", "Moulins (03000)")),
    ("situation", ["Je suis à la retraite."]),
    ("reading", ["Facile."]),
]
# What these answers give: information 2 done (above basic, one alone), communication 2
# (above basic), content 1 (basic), safety 0, problem solving 2 done (basic: done for me
# does not count) = 2+2+1+0+1, and both tasks passed: 8 points.
EXPECTED_PROFILE = "Vous vous débrouillez bien."
EXPECTED_LEVELS = [
    ("Chercher des informations", "À l'aise"),
    ("Communiquer avec les autres", "À l'aise"),
    ("Utiliser des outils et créer des documents", "Les bases"),
    ("Se protéger sur internet", "À découvrir"),
    ("Faire ses démarches et régler un problème", "Les bases"),
]


def test_whole_diagnostic_by_touch(new_context):
    page = new_context(has_touch=True).new_page()
    assert [screen for screen, _ in TOUCH_FLOW] == ALL_SCREENS
    start(page, tap=True)
    for number, (screen_id, action) in enumerate(TOUCH_FLOW, start=1):
        expect_screen(page, screen_id, number)
        if action == IDK:
            button(page, IDK).tap()
        elif isinstance(action, dict):
            tick_activities(page, action, tap=True)
            for item, how in action.items():
                expect(page.get_by_label(item, exact=True)).to_be_checked()
                expect(how_group(page, item).get_by_label(HOW[how])).to_be_checked()
            button(page, NEXT).tap()
        elif screen_id == "commune":
            typed, pick = action
            page.get_by_label("Nom de la commune ou code postal").fill(typed)
            button(page, NEXT).tap()
            expect(page.get_by_role("alert")).to_have_text(
                "Plusieurs communes correspondent. Choisissez la vôtre.")
            offered = page.locator("label.option")
            assert offered.count() > 1, "a postal code shared by several communes lists them"
            # Most populated first: Moulins (19,000 people) before Avermes.
            expect(offered).to_contain_text(["Moulins (03000)", "Avermes (03000)"])
            page.get_by_text(pick, exact=True).tap()
            button(page, NEXT).tap()
        else:
            for label in action:
                option(page, label).tap()
            for label in action:
                expect(page.get_by_label(label, exact=True)).to_be_checked()
            button(page, NEXT).tap()

        if screen_id == "home_connection":
            # "Retour" goes back one screen, with the earlier answer still chosen.
            expect_screen(page, "act_information", 5)
            page.get_by_role("link", name="Retour").tap()
            expect_screen(page, "home_connection", 4)
            expect(page.get_by_label(action[0], exact=True)).to_be_checked()
            page.get_by_role("link", name="Retour").tap()
            expect_screen(page, "devices", 3)
            expect(page.get_by_label("Un téléphone avec internet (smartphone).",
                                     exact=True)).to_be_checked()
            expect(page.get_by_label("Un ordinateur.", exact=True)).to_be_checked()
            expect(page.get_by_label("Une tablette.", exact=True)).not_to_be_checked()
            button(page, NEXT).tap()
            expect_screen(page, "home_connection", 4)
            button(page, NEXT).tap()  # still chosen: no need to choose again

    # The result page.
    expect(page).to_have_url(re.compile(r"/result$"))
    expect(heading(page)).to_have_text("Votre résultat")
    expect(page.locator("#profile-title")).to_have_text(EXPECTED_PROFILE)
    assert EXPECTED_PROFILE in PROFILE_LABELS
    levels = page.locator("ul.levels > li")
    expect(levels).to_have_count(5)
    expect(levels.locator(".level-area")).to_have_text([area for area, _ in EXPECTED_LEVELS])
    expect(levels.locator(".level-word")).to_have_text([word for _, word in EXPECTED_LEVELS])
    for word in levels.locator(".level-word").all_inner_texts():
        assert word in LEVEL_WORDS

    steps = page.locator("ol.steps > li")
    assert 2 <= steps.count() <= 4, steps.all_inner_texts()
    for step in steps.all():
        expect(step.get_by_role("heading", level=3)).not_to_be_empty()
    places = page.locator("li.place")
    expect(places.first).to_be_visible()
    expect(places.first).to_contain_text(re.compile(r"À \d+(,\d)? km"))
    expect(page.get_by_text("Distances à vol d'oiseau depuis Moulins.")).to_be_visible()

    qr = page.locator("figure.qr svg")
    expect(qr).to_be_visible()
    box = qr.bounding_box()
    assert box and box["width"] > 50 and box["height"] > 50

    assert "illectronis" not in page_text(page).lower()
    assert "illectronis" not in page.content().lower()
    expect(button(page, "Terminer")).to_be_visible()


# --- 2. The printable sheet -------------------------------------------------------------

def test_printable_sheet(page: Page):
    complete_never(page)
    page.get_by_role("link", name="Voir la feuille à imprimer").click()
    expect(page).to_have_url(re.compile(r"/result/print$"))
    expect(heading(page)).to_have_text("Mon diagnostic numérique")
    print_button = button(page, "Imprimer")
    expect(print_button).to_be_visible()  # shown by the script (hidden without it)

    page.emulate_media(media="print")
    expect(page.locator("header.site-header")).to_be_hidden()
    expect(print_button).to_be_hidden()
    expect(page.get_by_role("link", name="Retour au résultat")).to_be_hidden()
    expect(page.locator("#profile-title")).to_be_visible()
    expect(page.locator("#profile-title")).to_have_text(PROFILE_LABELS[0])
    expect(page.locator("ul.levels > li")).to_have_count(5)
    for level in page.locator("ul.levels > li").all():
        expect(level).to_be_visible()
        expect(level.locator(".level-word")).to_be_visible()
    expect(page.locator("figure.qr svg")).to_be_visible()
    expect(button(page, "Terminer")).to_have_count(0)

    # The result page printed as is: no header, no "Terminer" form, no QR/print links.
    page.emulate_media(media="screen")
    page.get_by_role("link", name="Retour au résultat").click()
    expect(heading(page)).to_have_text("Votre résultat")
    expect(button(page, "Terminer")).to_be_visible()
    page.emulate_media(media="print")
    expect(page.locator("header.site-header")).to_be_hidden()
    expect(page.locator("form.finish")).to_be_hidden()
    expect(button(page, "Terminer")).to_be_hidden()
    expect(page.locator("ul.levels > li").first).to_be_visible()


# --- 3. "Terminer", then the back button ------------------------------------------------

def test_finish_leaves_nothing_for_the_next_person(page: Page):
    complete_never(page)
    profile = page.locator("#profile-title").inner_text()
    assert profile in PROFILE_LABELS
    assert session_cookie(page).get("sid")

    button(page, "Terminer").click()
    expect_welcome(page)
    expect(page.get_by_role("link", name="Reprendre mon diagnostic")).to_have_count(0)
    assert "sid" not in session_cookie(page)

    def nothing_of_the_previous_person():
        expect_welcome(page)
        text = page_text(page)
        for words in ("Votre résultat", profile, "Ce que vous savez faire",
                      "Vos prochaines étapes", "Reprendre mon diagnostic"):
            assert words not in text, words
        expect(page.locator("input:checked")).to_have_count(0)

    page.go_back()  # the result page: asked again from the kiosk, which has forgotten it
    nothing_of_the_previous_person()
    page.go_back()  # the last question
    nothing_of_the_previous_person()
    page.go_back()
    nothing_of_the_previous_person()

    assert storage(page) == {"local": 0, "session": 0, "indexedDB": [], "caches": []}


# --- 4. Inactivity reset with JavaScript -----------------------------------------------

def test_inactivity_warning_then_reset(idle_page: Page):
    page = idle_page
    start(page)
    option(page, "Oui.").click()
    button(page, NEXT).click()
    expect_screen(page, "last_use", 2)

    # Silence: the warning comes; "Je suis là" keeps the person where they were.
    dialog = page.get_by_role("dialog", name=STILL_THERE)
    expect(dialog).to_be_visible(timeout=6_000)
    expect(dialog.get_by_role("heading", name=STILL_THERE)).to_be_visible()
    dialog.get_by_role("button", name="Je suis là, je continue").click()
    expect(dialog).to_be_hidden()
    expect_screen(page, "last_use", 2)

    # Silence again: the warning, then the welcome screen for the next person.
    expect(dialog).to_be_visible(timeout=6_000)
    expect(heading(page)).to_have_text(WELCOME, timeout=10_000)
    expect_welcome(page)
    expect(page.get_by_role("link", name="Reprendre mon diagnostic")).to_have_count(0)
    assert "sid" not in session_cookie(page)

    # The next person starts afresh: nothing chosen on question 1.
    start(page)
    expect(page.locator("input[name=answer]")).to_have_count(2)
    expect(page.locator("input:checked")).to_have_count(0)
    page.goto("/q/last_use")  # the previous person's next screen is not reachable
    expect_screen(page, "internet_ever", 1)


# --- 5. Without JavaScript --------------------------------------------------------------

def test_inactivity_reset_without_javascript(new_context, idle_server):
    page = new_context(base_url=idle_server.url, java_script_enabled=False).new_page()
    start(page)
    option(page, "Non, jamais.").click()
    button(page, NEXT).click()
    expect_screen(page, "devices", 2, len(NEVER_SCREENS))

    # The meta refresh shows the warning page; its button brings the person back.
    expect(heading(page)).to_have_text(STILL_THERE, timeout=6_000)
    expect(page).to_have_url(re.compile(r"/idle\?back=/q/devices$"))
    page.get_by_role("link", name="Je suis là, je continue").click()
    expect_screen(page, "devices", 2, len(NEVER_SCREENS))

    # Left alone: the warning page, then the welcome screen.
    expect(heading(page)).to_have_text(STILL_THERE, timeout=6_000)
    expect(page).to_have_url(re.compile(r"/idle"))
    expect(heading(page)).to_have_text(WELCOME, timeout=6_000)
    expect_welcome(page)
    assert "sid" not in session_cookie(page)

    start(page)
    expect(page.locator("input:checked")).to_have_count(0)


def test_whole_flow_without_javascript(new_context):
    page = new_context(java_script_enabled=False).new_page()
    total = len(NEVER_SCREENS)
    start(page)
    option(page, "Non, jamais.").click()
    button(page, NEXT).click()
    expect_screen(page, "devices", 2, total)
    option(page, "Un téléphone avec internet (smartphone).").click()
    button(page, NEXT).click()
    expect_screen(page, "home_connection", 3, total)
    page.get_by_role("link", name="Retour").click()
    expect_screen(page, "devices", 2, total)
    expect(page.get_by_label("Un téléphone avec internet (smartphone).",
                             exact=True)).to_be_checked()
    button(page, NEXT).click()
    for number, screen_id in enumerate(NEVER_SCREENS[2:], start=3):
        expect_screen(page, screen_id, number, total)
        if screen_id == "commune":
            choose_commune(page, "03000", pick="Moulins (03000)")
        elif screen_id == "home_connection":
            # Twice: a first tap this soon after "Suivant" may be taken as the second tap
            # of a double tap (forgiven once, without a message).
            for _ in range(2):
                button(page, NEXT).click()
            expect(page.get_by_role("alert")).to_have_text(
                "Choisissez une réponse, ou appuyez sur « Je ne sais pas ».")
            option(page, "Non.").click()
            button(page, NEXT).click()
        else:
            button(page, skip_label(screen_id)).click()
    expect(heading(page)).to_have_text("Votre résultat")
    expect(page.locator("#profile-title")).to_have_text(PROFILE_LABELS[0])
    expect(page.locator("ul.levels > li")).to_have_count(5)
    expect(page.locator("figure.qr svg")).to_be_visible()
    page.get_by_role("link", name="Voir la feuille à imprimer").click()
    expect(heading(page)).to_have_text("Mon diagnostic numérique")
    expect(button(page, "Imprimer")).to_be_hidden()  # window.print() needs the script
    page.get_by_role("link", name="Retour au résultat").click()
    button(page, "Terminer").click()
    expect_welcome(page)
    page.go_back()
    expect_welcome(page)


# --- 6. "Je ne sais pas" everywhere; bad input ------------------------------------------

ERRORS = {
    "profile": "Choisissez une réponse, ou appuyez sur « Je préfère ne pas répondre ».",
    "single": "Choisissez une réponse, ou appuyez sur « Je ne sais pas ».",
    "scale": "Choisissez une réponse, ou appuyez sur « Je ne sais pas ».",
    "task": "Choisissez une réponse, ou appuyez sur « Je ne sais pas ».",
    "multiple": "Choisissez au moins une réponse, ou appuyez sur « Je ne sais pas ».",
    "activities": "Cochez ce que vous avez fait, ou « Rien de tout cela », ou appuyez sur "
                  "« Je ne sais pas ».",
    "commune": "Écrivez le nom de votre commune ou son code postal.",
}


def test_i_dont_know_everywhere_and_bad_input(page: Page):
    """Every screen refuses an empty answer with its message, then takes "Je ne sais pas"
    ("Je préfère ne pas répondre" on the profile). The first screen is answered "Oui." so
    that every screen is shown: "Je ne sais pas" there would skip the activities."""
    start(page)
    alert = page.get_by_role("alert")
    region = page.locator("[role=alert]")  # hidden by the stylesheet while empty
    expect(region).to_be_empty()

    # Nothing chosen: an error, the same question, nothing stored.
    button(page, NEXT).click()
    expect(alert).to_have_text(ERRORS["single"])
    expect(alert).to_be_visible()
    expect_screen(page, "internet_ever", 1)
    page.goto("/q/last_use")  # the next screen is not reachable: nothing was stored
    expect_screen(page, "internet_ever", 1)
    expect(region).to_be_empty()
    page.goto("/result")
    expect_screen(page, "internet_ever", 1)

    for number, screen_id in enumerate(ALL_SCREENS, start=1):
        screen = SCREENS[screen_id]
        expect_screen(page, screen_id, number)
        skip = skip_label(screen_id)
        expect(button(page, skip)).to_be_visible()
        expect(button(page, IDK if skip == DECLINE else DECLINE)).to_have_count(0)
        expect(page.locator("input:checked")).to_have_count(0)
        # Twice right after "Oui." + "Suivant": a first tap this soon may be taken as the
        # second tap of a double tap (forgiven once, without a message).
        for _ in range(2 if number == 2 else 1):
            button(page, NEXT).click()
        kind = screen["type"]
        expect(alert).to_have_text(ERRORS["profile" if skip == DECLINE and kind == "single"
                                          else kind])
        expect_screen(page, screen_id, number)
        if screen_id == "devices":
            option(page, "Un ordinateur.").click()
            option(page, "Aucun de ces appareils.").click()
            button(page, NEXT).click()
            expect(alert).to_have_text(
                "« Aucun » ne va pas avec une autre réponse. Choisissez l'un ou l'autre.")
            expect_screen(page, screen_id, number)
        if screen_id == "commune":
            choose_commune(page, "Paris")
            expect(alert).to_contain_text("Nous ne trouvons pas cette commune dans l'Allier.")
            expect(page.get_by_label("Nom de la commune ou code postal")).to_have_value("Paris")
            expect_screen(page, screen_id, number)
        if screen_id == "internet_ever":
            option(page, "Oui.").click()
            button(page, NEXT).click()
        else:
            button(page, skip).click()
    expect(heading(page)).to_have_text("Votre résultat")
    expect(page.locator("ul.levels > li")).to_have_count(5)


# --- 7. Keyboard only -------------------------------------------------------------------

def expect_focus_on_heading(page: Page):
    expect(heading(page)).to_be_focused()
    assert page.evaluate("document.activeElement.tagName") == "H1"


def test_keyboard_only(page: Page):
    page.goto("/")
    expect_focus_on_heading(page)
    commencer = button(page, "Commencer")
    tab_to(page, commencer)
    page.keyboard.press("Enter")
    expect(heading(page)).to_have_text("Avant de commencer")
    expect_focus_on_heading(page)
    tab_to(page, page.get_by_role("link", name="D'accord, je commence"))
    page.keyboard.press("Enter")

    total = len(NEVER_SCREENS)
    expect_screen(page, "internet_ever", 1)
    expect_focus_on_heading(page)
    # Tab past the "listen" buttons into the radio group, arrow to "Non, jamais." (the
    # 2nd), Tab to "Suivant" (past the answers' "listen" buttons), Enter.
    tab_to(page, page.get_by_label("Oui.", exact=True), limit=4)
    page.keyboard.press("ArrowDown")
    expect(page.get_by_label("Non, jamais.", exact=True)).to_be_checked()
    expect(page.get_by_label("Non, jamais.", exact=True)).to_be_focused()
    tab_to(page, button(page, NEXT))
    page.keyboard.press("Enter")

    # devices: checkboxes, Space to tick.
    expect_screen(page, "devices", 2, total)
    expect_focus_on_heading(page)
    tab_to(page, page.get_by_label("Un téléphone avec internet (smartphone).", exact=True),
           limit=3)
    page.keyboard.press("Space")
    expect(page.get_by_label("Un téléphone avec internet (smartphone).",
                             exact=True)).to_be_checked()
    tab_to(page, button(page, NEXT))
    page.keyboard.press("Enter")

    for number, screen_id in enumerate(NEVER_SCREENS[2:], start=3):
        expect_screen(page, screen_id, number, total)
        if screen_id == "task_back":
            # The scam task's answer explained comes first: the focus is on it, read
            # before the question.
            expect(page.get_by_role("note")).to_be_focused()
        else:
            expect_focus_on_heading(page)
        screen = SCREENS[screen_id]
        if screen_id == "commune":
            field = page.get_by_label("Nom de la commune ou code postal")
            tab_to(page, field)
            page.keyboard.type("03000")
            page.keyboard.press("Enter")  # the form's first button: "Suivant"
            expect(page.get_by_role("alert")).to_have_text(
                "Plusieurs communes correspondent. Choisissez la vôtre.")
            # the message is read first: focus is on it, not on the heading
            expect(page.get_by_role("alert")).to_be_focused()
            first = page.locator("input[name=commune]").first
            tab_to(page, first)
            moulins = page.get_by_label("Moulins (03000)", exact=True)
            for _ in range(10):
                if moulins.is_checked():
                    break
                page.keyboard.press("ArrowDown")
            expect(moulins).to_be_checked()
            tab_to(page, button(page, NEXT))
            page.keyboard.press("Enter")
        elif screen_id == "age_band":
            tab_to(page, button(page, DECLINE))  # "Je préfère ne pas répondre" by keyboard
            page.keyboard.press("Space")
        else:
            # Tab to the group, Space chooses the focused answer, arrow to the next one.
            first = page.get_by_label(screen["options"][0]["label"], exact=True)
            tab_to(page, first, limit=4)
            page.keyboard.press("Space")
            page.keyboard.press("ArrowDown")
            second = page.get_by_label(screen["options"][1]["label"], exact=True)
            expect(second).to_be_checked()
            tab_to(page, button(page, NEXT))
            page.keyboard.press("Enter")

    expect(heading(page)).to_have_text("Votre résultat")
    expect_focus_on_heading(page)
    # Situation: the 2nd answer is "Je cherche un travail": the employment step is offered.
    expect(page.locator("ol.steps > li")).not_to_have_count(0)
    terminer = button(page, "Terminer")
    tab_to(page, terminer, limit=40)
    page.keyboard.press("Enter")
    expect_welcome(page)
    expect_focus_on_heading(page)


# --- 8. Nothing cached, nothing restored ------------------------------------------------

def test_pages_are_never_cached_and_restored_pages_reload(page: Page):
    documents = []
    page.on("response", lambda response: documents.append(response)
            if response.request.resource_type == "document" else None)
    complete_never(page)
    page.get_by_role("link", name="Voir la feuille à imprimer").click()
    expect(heading(page)).to_have_text("Mon diagnostic numérique")
    page.goto("/no-such-page")
    expect(heading(page)).to_have_text("Oups !")
    page.goto("/result")
    expect(heading(page)).to_have_text("Votre résultat")

    html = [r for r in documents if "text/html" in r.headers.get("content-type", "")]
    assert len(html) >= len(NEVER_SCREENS) + 4
    for response in html:
        assert "no-store" in response.headers.get("cache-control", ""), response.url

    # A page shown again from the back/forward cache (pageshow, persisted) reloads.
    with page.expect_request(re.compile(r"/result$")):
        page.evaluate("""() => window.dispatchEvent(
            new PageTransitionEvent('pageshow', {persisted: true}))""")
    expect(heading(page)).to_have_text("Votre résultat")

    # After "Terminer", Back asks the kiosk again (no cached copy) and gets nothing.
    button(page, "Terminer").click()
    expect_welcome(page)
    with page.expect_response(re.compile(r"/result$")) as back:
        page.go_back()
    assert back.value.status == 303
    assert "no-store" in back.value.headers.get("cache-control", "")
    expect_welcome(page)


PROBE = """<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>probe</title>
<script>
addEventListener("pageshow", function (event) {
  var seen = JSON.parse(sessionStorage.getItem("pageshows") || "[]");
  seen.push(event.persisted);
  sessionStorage.setItem("pageshows", JSON.stringify(seen));
});
</script>%s</head><body><h1>probe</h1><a href="/">away</a></body></html>"""


@pytest.mark.parametrize("with_kiosk_js", [True, False], ids=["kiosk.js", "control"])
def test_page_restored_from_back_forward_cache_reloads(page: Page, live_server, with_kiosk_js):
    """A cacheable page of the kiosk's origin: with kiosk.js, a restore from the
    back/forward cache (pageshow persisted) reloads it from the server; without it (the
    control, which shows that the browser under test does use the cache) it stays."""
    probe = f"{live_server.url}/bfcache-probe"
    script = '<script src="/static/js/kiosk.js" defer></script>' if with_kiosk_js else ""
    served = []

    def serve(route):
        served.append(route.request.url)
        route.fulfill(status=200, content_type="text/html; charset=utf-8",
                      body=PROBE % script, headers={"Cache-Control": "private, max-age=0"})

    page.route(probe, serve)
    page.goto(probe)
    expect(heading(page)).to_have_text("probe")
    page.get_by_role("link", name="away").click()
    expect_welcome(page)
    assert len(served) == 1

    page.go_back(wait_until="commit")
    expect(heading(page)).to_have_text("probe")
    if with_kiosk_js:
        page.wait_for_function("sessionStorage.getItem('pageshows') === '[false,true,false]'")
        assert len(served) == 2  # restored, then asked again from the server
    else:
        page.wait_for_function("sessionStorage.getItem('pageshows') === '[false,true]'")
        assert len(served) == 1
    page.evaluate("sessionStorage.clear()")
