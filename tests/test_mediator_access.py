"""No mediator page opens without an unlocked mediator: the URL map is walked, so that
pages added later under /mediateur are covered by themselves."""
from __future__ import annotations

import re

import pytest

from tests.conftest import CSRF

UNLOCK = "/mediateur"


def mediator_rules(app):
    """Every rule of the "mediator" blueprint or under /mediateur, with sample values
    for its variables (a record id that does not exist)."""
    found = [rule for rule in app.url_map.iter_rules()
             if rule.endpoint.startswith("mediator.") or rule.rule.startswith(UNLOCK)]
    assert len(found) >= 6, [r.rule for r in found]   # the walk finds the pages
    return found


def url_of(rule) -> str:
    return re.sub(r"<(?:[^:>]+:)?[^>]+>", "1", rule.rule)


def some_token(client) -> str:
    """A valid form token of this session (the unlock page is open to all)."""
    return CSRF.search(client.get(UNLOCK).get_data(as_text=True)).group(1)


def assert_closed(app, client):
    for rule in mediator_rules(app):
        url = url_of(rule)
        if "GET" in rule.methods:
            response = client.get(url)
            if rule.rule == UNLOCK:
                assert response.status_code == 200, url
            else:
                assert response.status_code == 303, url
                assert response.location == UNLOCK, url
        elif url != UNLOCK:   # the unlock page's form posts to the page's own URL
            assert client.get(url).status_code == 405, url
        if "POST" in rule.methods:
            # without a form token: refused before the page is reached
            assert client.post(url, data={"lang": "fr"}).status_code == 400, url
            # with one: the page itself refuses (the unlock form: a wrong name or code)
            response = client.post(url, data={"csrf_token": some_token(client), "lang": "fr",
                                              "name": "x", "code": "1"})
            assert response.status_code == (422 if rule.rule == UNLOCK else 403), url


def test_every_mediator_page_refuses_an_anonymous_browser(app):
    assert_closed(app, app.test_client())


def test_every_mediator_page_refuses_a_residents_session(app, resident):
    resident.start()
    resident.answer("internet_ever", {"answer": "no"})
    assert_closed(app, resident.client)
    with resident.client.session_transaction() as session:
        assert "mediator" not in session


def test_a_self_service_visit_cannot_reach_the_mediators_home(resident):
    resident.start()
    for url in ("/mediateur/accueil", "/mediateur/accompagnements", "/mediateur/reperage"):
        response = resident.client.get(url)
        assert response.status_code == 303 and response.location == UNLOCK
    resident.get("/notice")
    assert resident.post("/mediateur/guide", {"lang": "fr"}).status_code == 403


@pytest.mark.parametrize("held", [{"name": "Émilie Martin"}, "Émilie Martin", None,
                                  {"name": 1, "structure": "x", "source": "local"}])
def test_a_session_value_that_is_not_a_whole_mediator_opens_nothing(app, held):
    """The cookie is signed, so only the kiosk writes it; an older or partial value
    (a kiosk upgraded mid-session) still opens nothing, and breaks nothing."""
    client = app.test_client()
    with client.session_transaction() as session:
        session["mediator"] = held
    response = client.get("/mediateur/accueil")
    assert response.status_code == 303 and response.location == UNLOCK

