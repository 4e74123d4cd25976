"""The "Espace médiateur" through the Flask test client: unlocking, the home page, guided
diagnostics, the end of a mediator session, "Mes accompagnements"."""
from __future__ import annotations

import html
import re
from datetime import datetime, timedelta, timezone

import pytest

from kiosk.mediation.codes import hash_code
from kiosk.storage import store
from kiosk.storage.db import connect
from tests.conftest import Resident

ZOE, ZOE_CODE = "Zoé Martin", "11112222"
NOW = datetime(2026, 11, 30, 11, tzinfo=timezone.utc)   # a Monday, 12:00 in Moulins
WRONG = "Nom ou code incorrect. Vérifiez et réessayez."
ALERT = re.compile(r'role="alert"[^>]*>([^<]*)<')


class Clock:
    """The kiosk's clock, set by the test: no sleeping."""

    def __init__(self, moment: datetime):
        self.moment = moment

    def now(self) -> datetime:
        return self.moment

    def wall(self) -> int:
        return int(self.moment.timestamp())


@pytest.fixture
def clock(monkeypatch):
    from kiosk.web import resident as views

    clock = Clock(NOW)
    monkeypatch.setattr(views, "now", clock.now)
    monkeypatch.setattr(views, "wall_seconds", clock.wall)
    return clock


class Mediator(Resident):
    """A mediator at the kiosk: unlocks, then runs guided diagnostics (``complete``
    starts a guided one in French instead of a self-service visit)."""

    def unlock(self, name=ZOE, code=ZOE_CODE):
        self.get("/mediateur")
        return self.post("/mediateur", {"name": name, "code": code})

    def start(self, lang="fr"):
        self.get("/mediateur/accueil")
        response = self.post("/mediateur/guide", {"lang": lang})
        assert response.status_code == 303 and response.location == "/notice"
        return response

    def alert(self, response) -> str:
        return html.unescape(ALERT.search(response.get_data(as_text=True)).group(1).strip())


def add_mediator(app, name=ZOE, code=ZOE_CODE, structure="Médiathèque"):
    database = connect(app.config["DATABASE"])
    store.add_local_mediator(database, name, structure, hash_code(code), NOW)
    database.close()


@pytest.fixture
def kiosk(make_app, clock):
    app = make_app(LANGUAGES="fr,ar")
    add_mediator(app)
    return app


@pytest.fixture
def mediator(kiosk):
    return Mediator(kiosk.test_client())


def rows(app, sql):
    database = connect(app.config["DATABASE"])
    try:
        return list(database.query(sql))
    finally:
        database.close()


def is_unlocked(mediator) -> bool:
    return mediator.client.get("/mediateur/accueil").status_code == 200


# --- the entry and unlocking ---------------------------------------------------------

def test_welcome_screen_has_a_discreet_entry(mediator):
    page = mediator.get("/").get_data(as_text=True)
    assert '<p class="mediator-entry"><a href="/mediateur">Espace médiateur</a></p>' in page


def test_unlock_page_masks_the_code_and_offers_the_keypad(mediator):
    page = mediator.get("/mediateur").get_data(as_text=True)
    assert '<input type="text" id="name" name="name" value=""' in page
    assert 'type="password" id="code" name="code" value=""' in page
    assert 'inputmode="numeric" autocomplete="off"' in page
    assert 'data-keypad="code" data-keypad-max="16"' in page
    # a screen reader hears how many digits, never which
    assert "&#34;8&#34;:&#34;8 chiffres tapés.&#34;" in page
    assert "<select" not in page and ZOE not in page   # no list of names


def test_a_local_mediator_unlocks_and_is_greeted_by_name(mediator):
    response = mediator.unlock("  zoé   MARTIN ", "1111 2222")
    assert response.status_code == 303 and response.location == "/mediateur/accueil"
    page = mediator.get("/mediateur/accueil").get_data(as_text=True)
    assert "Bonjour, Zoé Martin" in page and "Médiathèque" in page
    for link in ('href="/mediateur/accompagnements"', 'href="/mediateur/reperage"',
                 'action="/mediateur/guide"', 'action="/mediateur/terminer"'):
        assert link in page
    # once unlocked, the unlock page leads home
    assert mediator.client.get("/mediateur").location == "/mediateur/accueil"


def test_persian_digits_unlock(mediator):
    assert mediator.unlock(ZOE, "۱۱۱۱ ۲۲۲۲").location == "/mediateur/accueil"


@pytest.mark.parametrize("name,code", [(ZOE, "11112223"), ("Personne Inconnue", ZOE_CODE)])
def test_wrong_code_and_unknown_name_get_one_same_message(mediator, name, code):
    response = mediator.unlock(name, code)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert mediator.alert(response) == WRONG
    assert f'name="name" value="{name}"' in page            # the name is kept
    assert 'name="code" value=""' in page and code not in page   # the code is not
    assert not is_unlocked(mediator)


def test_repeated_wrong_codes_bring_a_wait_with_a_clear_message(mediator):
    messages = [mediator.alert(mediator.unlock(ZOE, "00000000")) for _ in range(3)]
    assert messages == [WRONG, WRONG,
                        WRONG + " Patientez 2 secondes avant d'essayer encore."]
    fourth = mediator.unlock(ZOE, ZOE_CODE)       # even the right code waits
    assert fourth.status_code == 429
    assert mediator.alert(fourth) == "Patientez 2 secondes avant d'essayer encore."
    assert not is_unlocked(mediator)


def test_the_right_code_after_the_wait_unlocks(mediator, clock):
    for _ in range(3):
        mediator.unlock(ZOE, "00000000")
    clock.moment += timedelta(seconds=2)
    assert mediator.unlock().location == "/mediateur/accueil"


def test_an_old_roster_says_to_synchronise(make_app, clock):
    app = make_app()
    database = connect(app.config["DATABASE"])
    store.save_roster(database, (NOW - timedelta(days=31)).isoformat(), {"mediators": [
        {"name": "Amina Benali", "structure": "France Services", "active": True,
         "code_hash": hash_code("12345678")}]}, NOW - timedelta(days=31), "network")
    database.close()
    amina = Mediator(app.test_client())
    response = amina.unlock("Amina Benali", "12345678")
    assert response.status_code == 422
    assert amina.alert(response) == ("La liste des médiateurs de cette borne est trop "
                                     "ancienne. Synchronisez la borne.")


@pytest.mark.parametrize("name,code,message", [
    ("", ZOE_CODE, "Tapez votre nom."),
    ("   ", ZOE_CODE, "Tapez votre nom."),
    ("Z" * 81, ZOE_CODE, "Ce nom est trop long."),
    (ZOE, "", "Tapez votre code."),
    (ZOE, "1111abcd", "Le code ne contient que des chiffres."),
    (ZOE, "1" * 17, "Ce code est trop long."),
    (ZOE, " " * 100 + ZOE_CODE, "Ce code est trop long."),
])
def test_bad_input_is_refused_and_nothing_is_counted(mediator, kiosk, name, code, message):
    response = mediator.unlock(name, code)
    assert response.status_code == 422 and mediator.alert(response) == message
    assert rows(kiosk, "select * from unlock_failures") == []
    assert not is_unlocked(mediator)


def test_unlocking_needs_the_form_token(mediator):
    response = mediator.client.post("/mediateur", data={"name": ZOE, "code": ZOE_CODE})
    assert response.status_code == 400 and not is_unlocked(mediator)


def test_unlocking_ends_a_residents_visit_properly(mediator, kiosk):
    resident = Resident(mediator.client)    # a resident's visit left in this browser
    resident.start()
    resident.answer("internet_ever", {"answer": "no"})
    mediator.unlock()
    (visit,) = rows(kiosk, "select status from visits")
    assert visit["status"] == "abandoned"
    (result,) = rows(kiosk, "select complete from results")   # its record is left
    assert result["complete"] == 0
    with mediator.client.session_transaction() as session:
        assert "sid" not in session and session["mediator"]["name"] == ZOE


# --- ending a mediator session -------------------------------------------------------

def test_terminer_ends_the_session(mediator):
    mediator.unlock()
    mediator.get("/mediateur/accueil")
    response = mediator.post("/mediateur/terminer")
    assert response.status_code == 303 and response.location == "/"
    home = mediator.client.get("/mediateur/accueil")
    assert home.status_code == 303 and home.location == "/mediateur"


@pytest.mark.parametrize("action", ["start", "erase", "timeout"])
def test_a_residents_start_erase_or_timeout_drops_the_mediator(mediator, action):
    mediator.unlock()
    mediator.get("/")
    if action == "start":
        assert mediator.post("/start").location == "/notice"
    elif action == "erase":
        mediator.get("/erase?next=/")
        assert mediator.post("/erase").location == "/"
    else:
        assert mediator.client.get("/timeout").location == "/"
    assert not is_unlocked(mediator)
    with mediator.client.session_transaction() as session:
        assert "mediator" not in session


# --- guided diagnostics --------------------------------------------------------------

def test_guided_start_makes_a_guided_visit_in_the_residents_language(mediator, kiosk):
    mediator.unlock()
    mediator.start("ar")
    page = mediator.get("/notice").get_data(as_text=True)
    assert '<html lang="ar" dir="rtl"' in page
    (visit,) = rows(kiosk, "select mode, mediator, language, status from visits")
    assert visit == {"mode": "guided", "mediator": ZOE, "language": "ar", "status": "active"}
    assert is_unlocked(mediator)


def test_guided_start_refuses_a_language_not_offered(mediator, kiosk):
    mediator.unlock()
    mediator.get("/mediateur/accueil")
    assert mediator.post("/mediateur/guide", {"lang": "de"}).status_code == 400
    assert rows(kiosk, "select * from visits") == []


def test_self_service_visits_have_no_mediator(mediator, kiosk):
    Resident(kiosk.test_client()).start()
    (visit,) = rows(kiosk, "select mode, mediator from visits")
    assert visit == {"mode": "self", "mediator": None}


def test_guided_results_terminer_keeps_the_mediator_and_leads_to_the_record(mediator, kiosk):
    mediator.unlock()
    mediator.complete({"internet_ever": {"answer": "no"}})
    page = mediator.get("/result").get_data(as_text=True)
    assert "Votre résultat" in page
    (visit,) = rows(kiosk, "select id from visits")
    response = mediator.post("/finish")
    assert response.status_code == 303
    assert response.location == f"/mediateur/compte-rendu/diagnostic/{visit['id']}"
    page = mediator.get(response.location).get_data(as_text=True)
    assert "Compte rendu du diagnostic accompagné" in page
    page = mediator.get("/mediateur/accueil").get_data(as_text=True)
    assert "Bonjour, Zoé Martin" in page and '<html lang="fr"' in page
    with mediator.client.session_transaction() as session:
        assert "sid" not in session and "lang" not in session
    (visit,) = rows(kiosk, "select mode, status from visits")
    assert visit == {"mode": "guided", "status": "complete"}
    (result,) = rows(kiosk, "select mode from results")
    assert result["mode"] == "guided"


def test_self_service_terminer_still_goes_to_the_welcome_screen(kiosk):
    resident = Resident(kiosk.test_client())
    resident.complete({"internet_ever": {"answer": "no"}})
    resident.get("/result")
    assert resident.post("/finish").location == "/"


# --- inactivity ----------------------------------------------------------------------

RESIDENT_LIMIT = 180 + 30 + 10    # IDLE_SECONDS + IDLE_WARNING_SECONDS + the server's grace
MEDIATOR_LIMIT = 900 + 30 + 10    # MEDIATOR_IDLE_SECONDS + the same


def test_mediator_pages_count_down_with_the_mediators_delay(mediator):
    assert 'data-idle="180"' in mediator.get("/mediateur").get_data(as_text=True)
    mediator.unlock()
    for url in ("/mediateur/accueil", "/mediateur/accompagnements", "/mediateur/reperage"):
        page = mediator.get(url).get_data(as_text=True)
        assert 'data-idle="900" data-warning="30" data-timeout-url="/timeout"' in page
        assert "Arrêter et tout effacer" not in page
    mediator.start()
    assert 'data-idle="900"' in mediator.get("/notice").get_data(as_text=True)


@pytest.mark.parametrize("where", ["/mediateur/accueil", "/q/internet_ever"])
def test_idle_mediator_session_ends_after_its_own_limit_only(mediator, kiosk, clock, where):
    mediator.unlock()
    if where.startswith("/q/"):
        mediator.start()
    assert mediator.get(where).status_code == 200
    clock.moment += timedelta(seconds=RESIDENT_LIMIT + 1)   # a resident's limit: not ours
    assert mediator.get(where).status_code == 200
    clock.moment += timedelta(seconds=MEDIATOR_LIMIT + 1)
    response = mediator.client.get(where)
    assert response.status_code == 303 and response.location == "/"
    assert not is_unlocked(mediator)
    assert all(v["status"] != "active" for v in rows(kiosk, "select status from visits"))


def test_resident_delay_is_unchanged_without_a_mediator(kiosk, clock):
    resident = Resident(kiosk.test_client())
    resident.start()
    assert 'data-idle="180"' in resident.get("/q/internet_ever").get_data(as_text=True)
    clock.moment += timedelta(seconds=RESIDENT_LIMIT + 1)
    assert resident.client.get("/q/internet_ever").location == "/"


# --- Mes accompagnements --------------------------------------------------------------

def guided_by(app, name, code):
    add_mediator(app, name, code, "France Services")
    other = Mediator(app.test_client())
    other.unlock(name, code)
    other.complete({"internet_ever": {"answer": "no"}})
    other.get("/result")
    other.post("/finish")


def test_accompaniments_list_this_kiosks_guided_diagnostics_marking_mine(mediator, kiosk):
    guided_by(kiosk, "Paul Girard", "22223333")
    Resident(kiosk.test_client()).complete({"internet_ever": {"answer": "no"}})  # self
    mediator.unlock()
    mediator.complete({"internet_ever": {"answer": "no"}})
    mediator.get("/result")
    mediator.post("/finish")
    page = mediator.get("/mediateur/accompagnements").get_data(as_text=True)
    assert page.count("<tr") == 3      # a header and two guided diagnostics, not the self one
    assert page.count('<tr class="mine">') == 1
    assert "<strong>Zoé Martin (vous)</strong>" in page and "Paul Girard" in page
    assert "30 novembre 2026" in page and "Français" in page
    assert '{% block' not in page
    assert re.search(r"Diagnostics accompagnés</dt>\s*<dd>2 ", page)


@pytest.mark.parametrize("query,message", [
    ("du=2026-12-01&au=2026-12-02", "Une date ne peut pas être dans le futur."),
    ("du=2024-12-31&au=2025-01-31", "Une date ne peut pas être avant le 1er janvier 2025."),
    ("du=2026-11-20&au=2026-11-10", "La date de début doit venir avant la date de fin."),
    ("du=2026-W48-1&au=2026-11-30", "Une date n'est pas valable : elle s'écrit AAAA-MM-JJ."),
    ("du=20261101&au=2026-11-30", "Une date n'est pas valable : elle s'écrit AAAA-MM-JJ."),
    ("du=2026-02-30&au=2026-11-30", "Une date n'est pas valable : elle s'écrit AAAA-MM-JJ."),
])
def test_a_period_in_the_future_absurd_or_reversed_is_refused(mediator, query, message):
    mediator.unlock()
    response = mediator.get(f"/mediateur/accompagnements?{query}")
    page = html.unescape(response.get_data(as_text=True))
    assert response.status_code == 422 and message in page
    assert "Diagnostics accompagnés</dt>" not in page


def test_a_period_of_one_day_is_accepted(mediator):
    mediator.unlock()
    response = mediator.get("/mediateur/accompagnements?du=2026-11-30&au=2026-11-30")
    assert response.status_code == 200
    assert 'name="du" value="2026-11-30"' in response.get_data(as_text=True)


def test_a_second_tap_without_javascript_leads_where_the_session_stands(mediator, kiosk):
    """The first tap renews the session; the second carries the old form token."""
    mediator.get("/mediateur")
    form = {"name": ZOE, "code": ZOE_CODE, "csrf_token": mediator.token()}
    assert mediator.client.post("/mediateur", data=form).location == "/mediateur/accueil"
    assert mediator.client.post("/mediateur", data=form).location == "/mediateur/accueil"
    mediator.get("/mediateur/accueil")
    form = {"lang": "fr", "csrf_token": mediator.token()}
    assert mediator.client.post("/mediateur/guide", data=form).location == "/notice"
    assert mediator.client.post("/mediateur/guide", data=form).location == "/notice"
    assert len(rows(kiosk, "select id from visits")) == 1
