"""Staff logins under attack: guessing is slowed, the real person is never locked out,
the client's address is taken from X-Forwarded-For only behind a trusted proxy, and a
session ends on the server (logout, disabled account), with Secure cookies over HTTPS."""
from __future__ import annotations

import http.cookiejar
import urllib.error
import urllib.parse
import urllib.request
from datetime import datetime, timedelta, timezone

import pytest

from kiosk import create_app
from kiosk.storage.db import connect
from kiosk.hub import dashboard, staff
from kiosk.hub.address import client_address, trusted_networks
from tests import hubdata as h
from tests.live import free_port, serve, server_env, stop
from tests.test_hub_web import CSRF, PASSWORD, text

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
X, Y = "198.51.100.7", "203.0.113.20"
WRONG = "pas le bon mot de passe"


class Clock:
    """The dashboard's clock, moved by the test."""

    def __init__(self, monkeypatch):
        self.now = T0
        monkeypatch.setattr(dashboard, "now", lambda: self.now)

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def hub(tmp_path):
    return make_hub(tmp_path)


def make_hub(tmp_path, **config):
    db = h.new_hub_db(tmp_path / "hub.db")
    staff.add(db, "alice", PASSWORD, T0)
    db.close()
    return create_app({"TESTING": True, "ROLE": "hub", "DATABASE": str(tmp_path / "hub.db"),
                       "SECRET_KEY": "test", **config})


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch)


def attempt(app, peer, name="alice", password=PASSWORD, forwarded_for=None):
    """One login from ``peer`` (a fresh browser), as a form post with its CSRF token."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = peer
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
    page = text(client.get("/connexion", headers=headers))
    return client.post("/connexion", headers=headers, data={
        "csrf_token": CSRF.search(page).group(1), "name": name, "password": password})


def test_an_attackers_failures_do_not_stop_the_real_person_elsewhere(hub, clock):
    # 50 wrong passwords for alice from X, each one waiting as long as it is told to, so
    # that every one of them is checked and counted.
    statuses = []
    for _ in range(50):
        response = attempt(hub, X, password=WRONG)
        if response.status_code == 429:
            clock.advance(int(response.headers["Retry-After"]))
            response = attempt(hub, X, password=WRONG)
        statuses.append(response.status_code)
    assert statuses == [401] * 50
    assert attempt(hub, X).status_code == 429          # alice from X is slowed too
    assert attempt(hub, Y).status_code == 303          # but not from her own address


def test_guesses_for_one_name_from_one_address_are_slowed(hub, clock):
    for _ in range(5):
        assert attempt(hub, X, password=WRONG).status_code == 401
    response = attempt(hub, X)                         # the right password, too early
    assert response.status_code == 429 and response.headers["Retry-After"] == "1"
    assert "Trop d'essais manqués. Réessayez dans 1 seconde." in text(response)
    clock.advance(1)
    assert attempt(hub, X, password=WRONG).status_code == 401
    response = attempt(hub, X, password=WRONG)
    assert response.status_code == 429 and response.headers["Retry-After"] == "2"
    assert "Réessayez dans 2 secondes." in text(response)
    clock.advance(2)
    assert attempt(hub, X).status_code == 303
    # A success forgets this name's failures from this address.
    assert attempt(hub, X, password=WRONG).status_code == 401


def test_guesses_across_names_from_one_address_are_slowed(hub, clock):
    for number in range(20):
        assert attempt(hub, X, name=f"agent{number}", password=WRONG).status_code == 401
    response = attempt(hub, X, name="agent20", password=WRONG)
    assert response.status_code == 429 and response.headers["Retry-After"] == "1"
    assert attempt(hub, Y).status_code == 303


def test_the_wait_doubles_up_to_fifteen_minutes():
    at = T0.isoformat()
    assert [staff.delay([at] * n, 5, T0) for n in (4, 5, 6, 7, 14, 15, 40)] == [
        0, 1, 2, 4, 512, 900, 900]
    assert staff.delay([at] * 6, 5, T0 + timedelta(seconds=1.5)) == 1
    assert staff.delay([at] * 6, 5, T0 + timedelta(seconds=2)) == 0


def test_a_refused_try_is_not_counted(hub, clock):
    for _ in range(5):
        attempt(hub, X, password=WRONG)
    for _ in range(10):                                # hammering during the wait
        assert attempt(hub, X, password=WRONG).status_code == 429
    clock.advance(1)
    assert attempt(hub, X).status_code == 303


# --- The client's address ---------------------------------------------------------------

PROXIES = trusted_networks("10.0.0.1, 192.168.10.0/24, 2001:db8::/32")


@pytest.mark.parametrize("peer, forwarded, expected", [
    (X, None, X),                                            # no header
    (X, "203.0.113.5", X),                                   # untrusted peer: ignored
    ("10.0.0.1", "203.0.113.5", "203.0.113.5"),              # one trusted proxy
    ("10.0.0.1", "1.2.3.4, 203.0.113.5", "203.0.113.5"),     # the client's own claim
    ("10.0.0.1", "203.0.113.5, 192.168.10.7", "203.0.113.5"),  # two proxies in a row
    ("10.0.0.1", "192.168.10.8, 192.168.10.7", "192.168.10.8"),  # all trusted: furthest
    ("10.0.0.1", "203.0.113.5, nonsense", "10.0.0.1"),       # garbage: stop at the proxy
    ("2001:db8::1", "2a01:e0a::7", "2a01:e0a::7"),           # IPv6
])
def test_client_address(peer, forwarded, expected):
    assert client_address(peer, forwarded, PROXIES) == expected


def test_no_trusted_proxy_means_the_header_is_never_believed():
    assert client_address("127.0.0.1", "203.0.113.5", trusted_networks("")) == "127.0.0.1"


def test_a_bad_trusted_proxy_entry_is_refused(tmp_path):
    with pytest.raises(ValueError, match="'10.0.0.300'"):
        make_hub(tmp_path, HUB_TRUSTED_PROXIES="10.0.0.1, 10.0.0.300")


def test_colleagues_behind_a_trusted_proxy_are_counted_apart(tmp_path, clock):
    hub = make_hub(tmp_path, HUB_TRUSTED_PROXIES="10.0.0.1")
    for number in range(25):
        attempt(hub, "10.0.0.1", name=f"agent{number}", password=WRONG, forwarded_for=X)
    assert attempt(hub, "10.0.0.1", forwarded_for=X).status_code == 429
    assert attempt(hub, "10.0.0.1", forwarded_for=Y).status_code == 303


def test_a_forged_header_from_an_untrusted_peer_changes_nothing(tmp_path, clock):
    hub = make_hub(tmp_path, HUB_TRUSTED_PROXIES="10.0.0.1")
    for number in range(20):
        attempt(hub, X, name=f"agent{number}", password=WRONG, forwarded_for=f"203.0.113.{number}")
    response = attempt(hub, X, name="agent99", password=WRONG, forwarded_for="203.0.113.99")
    assert response.status_code == 429


def test_the_served_hub_reads_the_header_of_its_trusted_proxy(tmp_path):
    """Through waitress (`kiosk serve`): proxy headers reach the hub when a trusted proxy
    is configured (waitress drops them otherwise)."""
    db = h.new_hub_db(tmp_path / "hub.db")
    staff.add(db, "alice", PASSWORD, T0)
    db.close()
    env = server_env(tmp_path / "hub.db", tmp_path, ROLE="hub", HUB_TRUSTED_PROXIES="127.0.0.1")
    process, url, _ = serve(tmp_path, env, free_port(), ready_path="/connexion")
    try:
        for number in range(20):
            assert http_login(url, f"agent{number}", WRONG, X) == 401
        assert http_login(url, "agent20", WRONG, X) == 429
        assert http_login(url, "alice", PASSWORD, Y) == 303
    finally:
        stop(process)


def http_login(url: str, name: str, password: str, forwarded_for: str) -> int:
    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(
        urllib.request.ProxyHandler({}), NoRedirect,
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    opener.addheaders = [("X-Forwarded-For", forwarded_for)]
    with opener.open(url + "/connexion", timeout=30) as response:
        token = CSRF.search(response.read().decode()).group(1)
    body = urllib.parse.urlencode({"csrf_token": token, "name": name, "password": password})
    try:
        with opener.open(url + "/connexion", data=body.encode(), timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


# --- Sessions end on the server ---------------------------------------------------------

def signed_in(app, peer=Y):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = peer
    page = text(client.get("/connexion"))
    response = client.post("/connexion", data={"csrf_token": CSRF.search(page).group(1),
                                               "name": "alice", "password": PASSWORD})
    assert response.status_code == 303
    return client


def with_cookie(app, value):
    client = app.test_client()
    client.set_cookie("session", value)
    return client


def test_a_cookie_copied_before_logout_opens_nothing_after(hub):
    client = signed_in(hub)
    copied = client.get_cookie("session").value
    assert "Connecté : alice" in text(with_cookie(hub, copied).get("/"))
    token = CSRF.search(text(client.get("/"))).group(1)
    assert client.post("/deconnexion", data={"csrf_token": token}).status_code == 303
    response = with_cookie(hub, copied).get("/")
    assert response.status_code == 302 and response.location.startswith("/connexion")


def test_disabling_an_account_ends_its_sessions(hub):
    client = signed_in(hub)
    copied = client.get_cookie("session").value
    result = hub.test_cli_runner().invoke(args=["hub", "staff", "disable", "alice"])
    assert result.exit_code == 0, result.output
    db = connect(hub.config["DATABASE"])
    ended = db.execute("SELECT count(*) FROM staff_sessions WHERE ended_at IS NOT NULL").fetchone()
    db.close()
    assert ended == (1,)
    assert with_cookie(hub, copied).get("/").status_code == 302


def test_the_database_never_holds_a_session_id(hub):
    client = signed_in(hub)
    session_id = hub.session_interface.get_signing_serializer(hub).loads(
        client.get_cookie("session").value)["hub_session"]
    dump = "\n".join(connect(hub.config["DATABASE"]).conn.iterdump())
    assert session_id not in dump


def test_a_session_started_in_the_future_ends(hub, monkeypatch):
    client = signed_in(hub)          # at the real time
    earlier = datetime.now(timezone.utc) - timedelta(hours=1)
    monkeypatch.setattr(dashboard, "now", lambda: earlier)   # the clock stepped back
    assert client.get("/").status_code == 302


@pytest.mark.parametrize("https", [True, "1", "true"])
def test_over_https_cookies_are_secure_and_hsts_is_sent(tmp_path, https):
    hub = make_hub(tmp_path, HUB_HTTPS=https)
    client = hub.test_client()
    client.environ_base["REMOTE_ADDR"] = Y
    page = client.get("/connexion", base_url="https://hub.example")
    assert page.headers["Strict-Transport-Security"] == "max-age=31536000"
    response = client.post("/connexion", base_url="https://hub.example", data={
        "csrf_token": CSRF.search(text(page)).group(1), "name": "alice", "password": PASSWORD})
    assert response.status_code == 303
    assert "; Secure" in response.headers["Set-Cookie"]
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000"


def test_over_plain_http_nothing_changes(hub):
    client = hub.test_client()
    client.environ_base["REMOTE_ADDR"] = Y
    page = client.get("/connexion")
    assert "Strict-Transport-Security" not in page.headers
    response = client.post("/connexion", data={
        "csrf_token": CSRF.search(text(page)).group(1), "name": "alice", "password": PASSWORD})
    assert response.status_code == 303 and "Secure" not in response.headers["Set-Cookie"]
