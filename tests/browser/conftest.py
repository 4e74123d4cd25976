"""Browser tests: Debian's Chromium, driven by Playwright, against a live `kiosk serve`.

Fixtures
- ``live_server``: a real waitress server (``kiosk init``, ``kiosk places import``,
  ``kiosk serve``) on a fresh database in a temporary folder, for the whole session.
- ``idle_server``: the same with a 3-second inactivity delay and a 2-second warning,
  started only by the inactivity-reset tests.
- ``page`` / ``context`` / ``new_context`` (pytest-playwright's, ``base_url`` set to the
  live server): every browser context, however it is made, gets the offsite guard.

The offsite guard: every request of every context goes through ``context.route``; a
request to any host other than 127.0.0.1 is aborted and recorded, and the test fails at
teardown if the record is not empty. The kiosk is offline: nothing may leave the PC.

No browser test is ever skipped: without Chromium the launch fails, and so do the tests.
"""
from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.live import start_server

CHROMIUM = os.environ.get("KIOSK_TEST_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
ALLOWED_HOSTS = {"127.0.0.1"}


# --- The live servers -------------------------------------------------------------------

@pytest.fixture(scope="session")
def live_server(tmp_path_factory):
    """The kiosk as deployed, with the default (long) inactivity delays."""
    yield from start_server(tmp_path_factory.mktemp("live"))


@pytest.fixture(scope="session")
def idle_server(tmp_path_factory):
    """The kiosk with a 3 s inactivity delay and a 2 s warning (reset tests only)."""
    yield from start_server(tmp_path_factory.mktemp("idle"), IDLE_SECONDS=3,
                            IDLE_WARNING_SECONDS=2)


# --- The browser ------------------------------------------------------------------------

@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """pytest-playwright's launch options, with Debian's Chromium (never Playwright's)."""
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        pytest.fail(f"Chromium not found at {CHROMIUM}: install Debian's `chromium` "
                    "(make chromium); the browser tests must not be skipped.")
    return {**browser_type_launch_args, "executable_path": CHROMIUM,
            "args": [*CHROMIUM_ARGS, *browser_type_launch_args.get("args", [])],
            # Playwright turns the back/forward cache off by default; a kiosk's Chromium
            # has it on, and it is what could show a page of the previous person.
            "ignore_default_args": ["--disable-back-forward-cache"]}


# Offsite requests seen during the current test: (context, url).
OFFSITE: list[tuple[str, str]] = []


def is_local(url: str) -> bool:
    parts = urlsplit(url)
    if parts.scheme in ("data", "blob", "about"):
        return True
    return parts.hostname in ALLOWED_HOSTS


def install_guard(context, label: str) -> None:
    """Abort and record every request to a host other than 127.0.0.1."""
    def record(url):
        if (label, url) not in OFFSITE:
            OFFSITE.append((label, url))

    def route(route):
        url = route.request.url
        if is_local(url):
            route.continue_()
        else:
            record(url)
            route.abort("blockedbyclient")

    def request(req):  # whatever bypasses routing (it should be nothing) is recorded too
        if not is_local(req.url):
            record(req.url)

    context.route("**/*", route)
    context.on("request", request)
    context._kiosk_guarded = True


@pytest.fixture(scope="session")
def base_url():
    """No global base URL (each context gets its server's); replaces the plugin's own."""
    return None


@pytest.fixture(scope="session")
def browser(browser):
    """pytest-playwright's browser: every context it makes gets the offsite guard."""
    original = browser.new_context
    count = 0

    def new_context(**kwargs):
        nonlocal count
        count += 1
        context = original(**kwargs)
        install_guard(context, f"context {count}")
        return context

    browser.new_context = new_context
    yield browser


@pytest.fixture(autouse=True)
def offsite_guard():
    """Fail the test if any page asked for anything outside 127.0.0.1."""
    OFFSITE.clear()
    yield OFFSITE
    found, OFFSITE[:] = list(OFFSITE), []
    assert not found, f"requests left 127.0.0.1 (aborted): {found}"


@pytest.fixture
def new_context(new_context, live_server):
    """pytest-playwright's context factory; base_url is the live server unless given."""
    def factory(**kwargs):
        kwargs.setdefault("base_url", live_server.url)
        context = new_context(**kwargs)
        assert getattr(context, "_kiosk_guarded", False), "context without the offsite guard"
        return context
    return factory


@pytest.fixture
def context(new_context):
    return new_context()


@pytest.fixture
def page(context):
    return context.new_page()


@pytest.fixture
def idle_page(new_context, idle_server):
    """A page on the short-inactivity server, JavaScript on."""
    return new_context(base_url=idle_server.url).new_page()


def pytest_collection_modifyitems(config, items):
    """Every test in this folder is a browser test (also marked in each module)."""
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)

