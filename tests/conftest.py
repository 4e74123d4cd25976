"""Shared fixtures: a fresh database per test, an app factory, a diagnostic driver."""
from __future__ import annotations

import re

import pytest

from kiosk import create_app
from kiosk.storage.db import connect
from kiosk.storage.migrations import migrate


@pytest.fixture
def make_app(tmp_path):
    """Factory: an app on its own fresh, migrated database (CSRF on, as in production)."""
    def factory(**overrides):
        db_path = tmp_path / f"kiosk-{len(list(tmp_path.glob('kiosk-*.db')))}.db"
        db = connect(db_path)
        migrate(db)
        db.close()
        config = {"TESTING": True, "DATABASE": str(db_path), "SECRET_KEY": "test-secret",
                  "LANGUAGES": "fr", "SITE_COMMUNE": "03190",
                  "EXPORT_DIR": str(tmp_path / "exports")}
        config.update(overrides)
        return create_app(config)
    return factory


@pytest.fixture
def app(make_app):
    return make_app()


@pytest.fixture
def db(app):
    database = connect(app.config["DATABASE"])
    yield database
    database.close()


@pytest.fixture
def client(app):
    return app.test_client()


# A never-user's answers up to the commune screen (form data per screen, in order).
BEFORE_COMMUNE = [("internet_ever", {"answer": "no"}), ("devices", {"idk": "1"}),
                  ("home_connection", {"idk": "1"}), ("task_phishing", {"idk": "1"}),
                  ("task_back", {"idk": "1"}), ("age_band", {"idk": "1"})]

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
ITEM = re.compile(r'name="how-([a-z0-9_]+)" value="alone"')


class Resident:
    """Drives the test client like a person: reads each page's CSRF token, posts forms."""

    def __init__(self, client):
        self.client = client
        self.page = None

    def get(self, url):
        response = self.client.get(url)
        if response.status_code == 200:
            self.page = response.get_data(as_text=True)
        return response

    def token(self):
        return CSRF.search(self.page).group(1)

    def post(self, url, data=None, *, token=True):
        data = dict(data or {})
        if token:
            data.setdefault("csrf_token", self.token())
        return self.client.post(url, data=data)

    def start(self):
        self.get("/")
        response = self.post("/start")
        assert response.status_code == 303
        return response

    def answer(self, screen_id, data):
        self.get(f"/q/{screen_id}")
        return self.post(f"/q/{screen_id}", data)

    def complete(self, answers=None, default=None, how=None):
        """Answer every screen shown; ``answers`` maps screen id -> form data, ``default``
        is the form of any other screen ("Je ne sais pas" when None), and ``how``
        ("alone", "helped", "done_for_me") ticks every item of an activities screen not
        in ``answers``, done that way."""
        answers = answers or {}
        self.start()
        location = "/q/internet_ever"
        for _ in range(40):
            screen_id = location.rsplit("/", 1)[-1]
            self.get(f"/q/{screen_id}")
            items = ITEM.findall(self.page)
            if screen_id in answers:
                data = answers[screen_id]
            elif items and how:
                data = {"answer": items, **{f"how-{item}": how for item in items}}
            else:
                data = default or {"idk": "1"}
            response = self.post(f"/q/{screen_id}", data)
            assert response.status_code == 303, (screen_id, response.status_code)
            location = response.location
            if location.endswith("/result"):
                return response
        raise AssertionError("the questionnaire never ended")


@pytest.fixture
def resident(client):
    return Resident(client)
