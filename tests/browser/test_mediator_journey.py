"""A mediator's day across two kiosks and the hub, in Debian's Chromium, every process
as deployed, and axe-core on every mediator page.

- The hub (`KIOSK_ROLE=hub kiosk serve`): a staff account, kiosks A and B registered, a
  mediator made with `kiosk hub mediator add` (the printed code is read back), and
  records of every kind sent first through the records API by a third kiosk, so that the
  Accompagnements figures are above the disclosure threshold.
- Kiosk A (`kiosk serve`, French and Arabic, its hub configured): `kiosk sync` fetches
  the roster; the mediator unlocks with the on-screen keypad, runs a guided diagnostic in
  Arabic with observations and a note, prints the sheet, completes the activity record.
- Kiosk B (another database, no hub: the serving process has no network to go to): the
  person's follow-up code, read on kiosk A's result page, shows progress per area.
- After `kiosk sync` on both (B's sync command alone is given the hub), the dashboard's
  Accompagnements section counts the seeded records plus the synced ones.
- The mediator disabled on the hub is refused on kiosk A after its next sync.

The tests run in this order and share the journey's state (the code of the day, the
follow-up code): each says plainly when an earlier one did not leave what it needs.
"""
from __future__ import annotations

import json
import re
import subprocess
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.steps import go_on
from tests.browser.test_accessibility import TOUCH_PX, too_small
from tests.browser.test_accessibility import check_page as axe_and_targets
from tests.live import REPO, free_port, kiosk_command, serve, server_env, stop
from tests.test_hub_accompaniments import accompaniments, diagnostic_items

pytestmark = pytest.mark.browser

PLACES = REPO / "questionnaires" / "data" / "lieux_03.csv"
STAFF, PASSWORD = "alice", "une phrase de passe assez longue"
NAME, STRUCTURE = "Émilie Martin", "France Services Moulins"
NOTE = "Mme D. hésite devant le clavier"
PROXIES = ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "all_proxy",
           "ALL_PROXY", "no_proxy", "NO_PROXY")
NEXT = ".actions button.primary"
SKIP = ".actions button[name=idk]"
ONE_MESSAGE = "Nom ou code incorrect. Vérifiez et réessayez."


def run(env: dict, folder: Path, *args: str, stdin: str | None = None) -> str:
    """A `kiosk` command as an operator types it; its standard output."""
    done = subprocess.run(kiosk_command() + list(args), cwd=folder, env=env, input=stdin,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, f"kiosk {' '.join(args)}:\n{done.stdout}{done.stderr}"
    return done.stdout


def environment(database: Path, folder: Path, **settings) -> dict:
    """server_env, without any proxy of the test machine (everything is on 127.0.0.1)."""
    env = server_env(database, folder, **settings)
    for name in PROXIES:
        env.pop(name, None)
    return env


@dataclass
class Site:
    """One process served, with the environment its commands use."""
    url: str
    folder: Path
    env: dict
    code: str = ""     # the hub's: the mediator's unlock code, as printed once
    process: subprocess.Popen | None = field(default=None, repr=False)

    def kiosk(self, *args: str, stdin: str | None = None) -> str:
        return run(self.env, self.folder, *args, stdin=stdin)


def post_records(hub_url: str, token: str, items: list) -> None:
    """POST /api/v1/records as a kiosk does, in batches the hub accepts."""
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    for start in range(0, len(items), 200):
        body = json.dumps({"records": items[start:start + 200]}).encode()
        request = urllib.request.Request(
            f"{hub_url}/api/v1/records", data=body, method="POST",
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
        with opener.open(request, timeout=60) as response:
            answer = json.load(response)
        assert {r["status"] for r in answer["results"]} == {"stored"}, answer


def device(hub: Site, site: str) -> str:
    """`kiosk hub device add`: the token it prints, once."""
    return hub.kiosk("hub", "device", "add", "--site", site, "--commune", "03190").strip()


@pytest.fixture(scope="module")
def hub(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hub")
    env = environment(folder / "hub.db", folder, ROLE="hub")
    site = Site(url="", folder=folder, env=env)
    site.kiosk("hub", "init")
    site.kiosk("hub", "staff", "add", STAFF, "--password-stdin", stdin=PASSWORD + "\n")
    printed = site.kiosk("hub", "mediator", "add", NAME, "--structure", STRUCTURE)
    site.code = re.search(r"Unlock code of .*: ([\d ]+)\n", printed).group(1).replace(" ", "")
    site.process, site.url, _ = serve(folder, env, free_port(),
                                      ready_path="/api/v1/openapi.json")
    try:
        seeder = device(site, "Agence postale de Souvigny")
        post_records(site.url, seeder, diagnostic_items(seeder, 40) + accompaniments(seeder))
        yield site
    finally:
        stop(site.process)


def kiosk_site(folder: Path, token: str = "", hub_url: str = "", **settings) -> Site:
    """A kiosk served on its own database (``hub_url`` empty: no hub configured)."""
    hub_settings = {"HUB_URL": hub_url, "HUB_TOKEN": token} if hub_url else {}
    env = environment(folder / "kiosk.db", folder, **hub_settings, **settings)
    site = Site(url="", folder=folder, env=env)
    site.kiosk("init")
    site.kiosk("places", "import", str(PLACES))
    site.process, site.url, _ = serve(folder, env, free_port())
    return site


@pytest.fixture(scope="module")
def kiosk_a(tmp_path_factory, hub):
    site = kiosk_site(tmp_path_factory.mktemp("kiosk-a"), device(hub, "Agence postale A"),
                      hub.url, LANGUAGES="fr,ar")
    try:
        yield site
    finally:
        stop(site.process)


@pytest.fixture(scope="module")
def kiosk_b(tmp_path_factory):
    site = kiosk_site(tmp_path_factory.mktemp("kiosk-b"))
    try:
        yield site
    finally:
        stop(site.process)


@pytest.fixture(scope="module")
def journey() -> dict:
    """What a test leaves for the next: the follow-up code read on kiosk A."""
    return {}


def sync(site: Site, hub: Site, token: str | None = None) -> str:
    """`kiosk sync` as a separate command; ``token`` gives a kiosk served without a hub
    its hub for this command only."""
    env = dict(site.env)
    if token:
        env.update(KIOSK_HUB_URL=hub.url, KIOSK_HUB_TOKEN=token)
    return run(env, site.folder, "sync")


# The mediator's pages have fields check_page does not measure (it knows the resident's
# text field only): the code, dates, counts and notes are touched with a finger too.
FIELDS = "input[type=password], input[type=date], input[type=number], textarea, select"


def check_page(page: Page, what: str) -> None:
    """tests/browser/test_accessibility.py's check (axe, touch targets), and every other
    field at least 44 px high and wide."""
    axe_and_targets(page, what)
    small = too_small(page, FIELDS)
    assert small == [], f"{what}: fields under {TOUCH_PX} px: {small}"


def page_on(new_context, site: Site) -> Page:
    return new_context(base_url=site.url).new_page()


def heading(page: Page):
    return page.get_by_role("heading", level=1)


def type_on_keypad(page: Page, digits: str) -> None:
    """Each digit tapped on the on-screen keypad (never typed in the field)."""
    keypad = page.locator(".keypad")
    expect(keypad).to_be_visible()
    for digit in digits:
        keypad.locator(f'button[data-digit="{digit}"]').click()


def submit(page: Page, selector: str) -> None:
    """Press a form's button and wait for the next screen (every answer is redirected)."""
    go_on(page, page.locator(selector))


def unlock(page: Page, name: str, code: str) -> None:
    page.goto("/")
    page.get_by_role("link", name="Espace médiateur").click()
    expect(heading(page)).to_have_text("Espace médiateur")
    page.get_by_label("Votre nom").fill(name)
    type_on_keypad(page, code)
    expect(page.get_by_label("Votre code", exact=True)).to_have_value(code)
    page.get_by_role("button", name="Ouvrir l'espace médiateur").click()


# --- 1. The guided diagnostic on kiosk A ----------------------------------------------

def test_guided_diagnostic_in_arabic_with_the_record(new_context, hub, kiosk_a, journey):
    assert "Mediators' roster" in sync(kiosk_a, hub)
    page = page_on(new_context, kiosk_a)
    page.goto("/mediateur")
    page.get_by_label("Votre nom").fill(NAME)
    type_on_keypad(page, "000000")
    page.get_by_role("button", name="Ouvrir l'espace médiateur").click()
    expect(page.get_by_role("alert")).to_have_text(ONE_MESSAGE)
    check_page(page, "unlock page with an error")

    unlock(page, NAME, hub.code)
    expect(heading(page)).to_have_text(f"Bonjour, {NAME}")
    check_page(page, "mediator's home")
    page.get_by_role("button", name="العربية").click()
    expect(page.locator("html")).to_have_attribute("lang", "ar")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    page.locator("a.button.primary").first.click()   # the notice, in Arabic

    observed = noted = task_seen = False
    for _ in range(40):
        if page.url.endswith("/result"):
            break
        expect(page.locator("html")).to_have_attribute("dir", "rtl")
        expect(page.locator("html")).to_have_attribute("lang", "ar")
        screen = page.url.rsplit("/", 1)[-1]
        if screen == "internet_ever":
            page.locator("label.option").first.click()
            submit(page, NEXT)
        elif screen == "act_information":
            # The person did the first item with help; the mediator saw them need all of it.
            item = page.locator(".activity").first
            item.locator("label.option").first.click()
            item.locator("label.how-option").nth(1).click()
            item_id = item.locator("input[name=answer]").get_attribute("value")
            page.locator(f"label.observation-option:has(input[name='observed-{item_id}']"
                         "[value=entierement_accompagne])").click()
            page.locator("#mediator-note").fill(NOTE)
            check_page(page, "guided activities screen with an observation and a note")
            submit(page, NEXT)
            observed = noted = True
        elif page.locator("input[name=observed]").count():
            page.locator("label.observation-option:has(input[name=observed]"
                         "[value=entierement_accompagne])").click()
            check_page(page, f"guided task screen {screen} with an observation")
            page.locator("label.option:not(.observation-option)").first.click()
            submit(page, NEXT)
            task_seen = True
        else:
            submit(page, SKIP)
    assert page.url.endswith("/result") and observed and noted and task_seen

    expect(page.locator("html")).to_have_attribute("lang", "ar")
    expect(page.locator(".level-observed").first).to_be_visible()
    code = page.locator(".followup-code span[aria-hidden=true]").inner_text()
    assert re.fullmatch(r"\d{4} \d{4} \d{4} \d{4}", code), code
    journey["code"] = code
    check_page(page, "guided result")

    page.locator("a[href$='/result/print']").click()
    expect(page).to_have_url(re.compile(r"/result/print$"))
    expect(page.locator(".followup-code span[aria-hidden=true]")).to_have_text(code)
    check_page(page, "printable sheet of a guided diagnostic")
    page.go_back()
    expect(page).to_have_url(re.compile(r"/result$"))

    page.locator("form.finish button").click()
    expect(page).to_have_url(re.compile(r"/mediateur/compte-rendu/diagnostic/\d+$"))
    expect(heading(page)).to_have_text("Compte rendu du diagnostic accompagné")
    expect(page.get_by_label("Jour de l'accompagnement")).not_to_have_value("")
    expect(page.locator("input[name=duree]:checked")).to_have_count(1)
    expect(page.locator("input[name=thematiques][value=diagnostic_numerique]")).to_be_checked()
    check_page(page, "activity record of a guided diagnostic, prefilled")
    page.get_by_role("button", name="Enregistrer le compte rendu").click()
    expect(page).to_have_url(re.compile(r"/mediateur/compte-rendu/\d+$"))
    check_page(page, "activity record saved")


# --- 2. The person comes back at kiosk B, with no network ------------------------------

def test_the_code_shows_progress_on_another_kiosk(new_context, kiosk_b, journey):
    assert "code" in journey, "the guided diagnostic on kiosk A left no follow-up code"
    assert not any("HUB" in setting for setting in kiosk_b.env)   # no hub, no network
    page = page_on(new_context, kiosk_b)
    page.goto("/")
    page.get_by_role("link", name="J'ai un code de suivi").click()
    expect(heading(page)).to_have_text("J'ai un code de suivi")
    type_on_keypad(page, "1234567890123456")
    page.locator(".keypad .key-ok").click()
    expect(page.get_by_role("alert")).not_to_be_empty()
    check_page(page, "follow-up code page with its error")
    page.get_by_role("textbox", name="Votre code de suivi").fill("")
    type_on_keypad(page, journey["code"].replace(" ", ""))
    check_page(page, "follow-up code page")
    page.locator(".keypad .key-ok").click()

    # Kiosk A's diagnostic, mostly "je ne sais pas", proposed offers: was each taken up?
    expect(page).to_have_url(re.compile(r"/suivi/aide$"))
    expect(heading(page)).to_have_text("Depuis votre dernier diagnostic")
    check_page(page, "take-up page")
    page.locator("fieldset.takeup-offer").first.locator("label.option").first.click()
    submit(page, NEXT)
    page.get_by_role("link", name="D'accord, je commence").click()
    for _ in range(40):
        if page.url.endswith("/result"):
            break
        screen = page.url.rsplit("/", 1)[-1]
        item = page.locator(".activity")
        if item.count():
            for index in range(item.count()):
                item.nth(index).locator("label.option").first.click()
                item.nth(index).locator("label.how-option").first.click()
            submit(page, NEXT)
        elif screen in ("commune", "age_band", "situation"):
            submit(page, SKIP)
        else:
            page.locator("label.option").first.click()
            submit(page, NEXT)
    expect(heading(page)).to_have_text("Votre résultat")
    text = page.locator("main").inner_text()
    words = re.findall(r"En progrès|Stable|En recul", text)
    assert len(words) == 5 and "En progrès" in words, text
    check_page(page, "follow-up result with progress")


# --- 3. After the syncs, the hub's dashboard -------------------------------------------

def test_the_dashboard_counts_the_accompaniments(new_context, hub, kiosk_a, kiosk_b, journey):
    assert "code" in journey, "the guided diagnostic on kiosk A did not finish"
    # Each kiosk sends its diagnostic and, on A, the activity record; on B, the follow-up.
    # Kiosk B serves with no hub; its operator syncs it once, giving the hub to the command.
    for site, token in ((kiosk_a, None), (kiosk_b, device(hub, "Agence postale B"))):
        assert re.match(r"2 sent, 0 quarantined, 0 left", sync(site, hub, token))
    page = page_on(new_context, hub)
    page.goto("/")
    page.get_by_label("Nom").fill(STAFF)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(heading(page)).to_have_text("Tableau de bord")
    # Seeded: 30 activity records (12 guided, 18 at the counter), 24 follow-ups (12 guided,
    # 12 alone, "Chercher des informations" up for the guided ones), 20 screenings. Synced:
    # kiosk A's guided record, kiosk B's follow-up (alone, information up).
    assert figure_rows(page, "accompagnements-effectifs") == {
        "Accompagnements enregistrés": ["31"], "Suivis": ["25"],
        "Repérages au guichet": ["20"]}
    types = figure_rows(page, "accompagnements-types")
    assert types["Diagnostic accompagné"][0] == "13"
    assert types["Aide ponctuelle au guichet"][0] == "18"
    modes = figure_rows(page, "suivis-modes")
    assert (modes["En autonomie"][0], modes["Accompagné"][0]) == ("13", "12")
    progress = figure_rows(page, "suivis-progres")["Chercher des informations"]
    assert progress[:3] == ["0", "12", "13"], progress   # down, stable, up
    check_page(page, "dashboard with the accompaniments")


def figure_rows(page: Page, figure: str) -> dict[str, list[str]]:
    """A dashboard figure's table: row header -> the numbers of its cells (as shown)."""
    return page.locator(f"figure#{figure} table").evaluate("""table =>
        Object.fromEntries([...table.tBodies[0].rows].map(row => [
            row.cells[0].textContent.trim(),
            [...row.cells].slice(1).map(c => c.textContent.trim().split(/\\s/)[0])]))""")


# --- 4. axe-core on the mediator's other pages -------------------------------------------

def test_every_mediator_page_passes_axe(new_context, hub, kiosk_a, journey):
    page = page_on(new_context, kiosk_a)
    page.goto("/mediateur")
    check_page(page, "unlock page")
    unlock(page, NAME, hub.code)
    expect(heading(page)).to_have_text(f"Bonjour, {NAME}")

    page.get_by_role("link", name="Mes accompagnements").click()
    expect(heading(page)).to_have_text("Mes accompagnements")
    expect(page.locator("main")).to_contain_text("العربية")   # kiosk A's guided diagnostic
    check_page(page, "Mes accompagnements")
    # the right to erasure asks first: the page that asks, then back with nothing erased
    assert journey.get("code"), "the guided diagnostic of the first test left no code"
    page.locator("#erase-code").fill(journey["code"])
    page.get_by_role("button", name="Effacer ce diagnostic").click()
    expect(heading(page)).to_have_text("Effacer ce diagnostic ?")
    check_page(page, "erasure, asked")
    page.get_by_role("link", name="Non, revenir").click()
    expect(heading(page)).to_have_text("Mes accompagnements")

    page.goto("/mediateur/reperage")
    expect(heading(page)).to_have_text("Repérage au guichet")
    check_page(page, "screening, empty")
    page.get_by_role("button", name="Voir l'orientation").click()
    expect(page.get_by_role("alert")).to_have_text("Répondez aux trois questions.")
    check_page(page, "screening refused")
    for question, answer in (("internet", "helped"), ("procedure", "no"), ("help", "yes")):
        page.locator(f"label.option:has(input[name={question}][value={answer}])").click()
    page.get_by_role("button", name="Voir l'orientation").click()
    expect(heading(page)).to_have_text("Diagnostic complet tout de suite")
    check_page(page, "screening with an orientation")

    for path, title in (("guichet", "Compte rendu d'une aide au guichet"),
                        ("atelier", "Compte rendu d'un atelier collectif")):
        page.goto(f"/mediateur/compte-rendu/{path}")
        expect(heading(page)).to_have_text(title)
        check_page(page, f"activity record form: {path}")
    page.get_by_role("button", name="Enregistrer le compte rendu").click()
    expect(page.get_by_role("alert")).not_to_be_empty()
    check_page(page, "activity record form with an error")

    page.goto("/mediateur/compte-rendu/export")
    expect(heading(page)).to_have_text("Exporter mes comptes rendus")
    check_page(page, "export page")

    # The bus's day's stop: the list, one tap, the home that then names it; cleared after,
    # so that kiosk A's later records keep its own EPCI.
    page.goto("/mediateur/arret")
    expect(heading(page)).to_have_text("Arrêt du jour")
    check_page(page, "day's stop")
    page.locator("button.stop-button").first.click()
    expect(heading(page)).to_have_text(f"Bonjour, {NAME}")
    expect(page.locator("main")).to_contain_text("Le bus est à ")
    check_page(page, "home with the day's stop")
    page.goto("/mediateur/arret")
    page.get_by_role("button", name="Le bus n'est à aucun arrêt").click()
    expect(page.locator("main")).not_to_contain_text("Le bus est à ")


# --- 5. A mediator disabled on the hub ---------------------------------------------------

def test_a_mediator_disabled_on_the_hub_is_refused_after_the_next_sync(new_context, hub,
                                                                       kiosk_a):
    hub.kiosk("hub", "mediator", "disable", NAME)
    page = page_on(new_context, kiosk_a)
    unlock(page, NAME, hub.code)      # the kiosk's roster still holds the account
    expect(heading(page)).to_have_text(f"Bonjour, {NAME}")
    page.get_by_role("button", name="Terminer").click()

    assert "Mediators' roster" in sync(kiosk_a, hub)
    unlock(page, NAME, hub.code)
    expect(page.get_by_role("alert")).to_have_text(ONE_MESSAGE)
    expect(heading(page)).to_have_text("Espace médiateur")
