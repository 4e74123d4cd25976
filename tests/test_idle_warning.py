"""The inactivity warning as the page carries it: a countdown in words with its unit,
its words read aloud with a chime (unless sound is off), and a longer delay on the
result than on a question. The browser side is in tests/browser/test_idle_reset_in_browser.py."""
from __future__ import annotations

import html
import json
import re

from kiosk import paths
from kiosk.web import inactivity
from tests.test_idle_reset import clock  # noqa: F401 (the kiosk's wall clock, set by tests)

BODY = re.compile(r"<body([^>]*)>")
TEXTS = re.compile(r"<p id=\"idle-countdown\"[^>]* data-texts='([^']*)'>([^<]*)</p>")
VOICE = re.compile(r'<audio preload="none" src="/static/([^"]+)" data-idle-voice>')


def attribute(page: str, name: str) -> str | None:
    found = re.search(rf'\b{name}(?:="([^"]*)")?', BODY.search(page).group(1))
    return None if found is None else (found.group(1) or "")


def countdown(page: str):
    """(the words shown first, {seconds left: words}) of the page's warning."""
    texts, first = TEXTS.search(page).groups()
    return first, {int(k): v for k, v in json.loads(html.unescape(texts)).items()}


def test_the_countdown_moments_every_ten_seconds_then_the_last_five():
    assert inactivity.countdown_moments(30) == [30, 20, 10, 5, 4, 3, 2, 1]
    assert inactivity.countdown_moments(25) == [25, 20, 10, 5, 4, 3, 2, 1]
    assert inactivity.countdown_moments(3) == [3, 2, 1]


def test_the_warning_counts_down_in_seconds_with_the_unit(resident):
    resident.start()
    page = resident.get("/q/internet_ever").get_data(as_text=True)
    first, texts = countdown(page)
    assert first == "Retour au début dans 30 secondes."
    assert texts[20] == "Retour au début dans 20 secondes."
    assert texts[1] == "Retour au début dans 1 seconde."      # the singular, too
    assert sorted(texts, reverse=True) == [30, 20, 10, 5, 4, 3, 2, 1]
    assert 'aria-describedby="idle-text idle-countdown"' in page


def test_the_countdown_words_keep_their_quotes_inside_a_single_quoted_attribute(
        app, monkeypatch):
    # JSON's double quotes are left as they are (a &#34; each would weigh five bytes);
    # what could end the attribute or open a tag is escaped as JSON reads it.
    monkeypatch.setattr(inactivity, "countdown_text", lambda n: f"l'écran <\"{n}\"> & co")
    with app.test_request_context("/"):
        words = str(inactivity.countdown(2))
    assert words == ('{"2":"l\\u0027écran \\u003c\\"2\\"\\u003e \\u0026 co",'
                     '"1":"l\\u0027écran \\u003c\\"1\\"\\u003e \\u0026 co"}')
    assert json.loads(words)["2"] == "l'écran <\"2\"> & co"


def test_the_countdown_starts_from_the_configured_warning(make_app):
    from tests.conftest import Resident

    resident = Resident(make_app(IDLE_WARNING_SECONDS=25).test_client())
    resident.start()
    first, _ = countdown(resident.get("/q/internet_ever").get_data(as_text=True))
    assert first == "Retour au début dans 25 secondes."


def test_the_page_without_javascript_says_it_too(resident):
    resident.start()
    page = resident.get("/idle?back=/q/internet_ever").get_data(as_text=True)
    assert "Retour au début dans 30 secondes." in page


def test_the_warning_reads_its_title_and_sentence_from_their_clips(resident):
    resident.start()
    page = resident.get("/q/internet_ever").get_data(as_text=True)
    assert attribute(page, "data-idle-sound") == ""
    clips = VOICE.findall(page)
    assert len(clips) == 2                        # "Êtes-vous toujours là ?", then the sentence
    for clip in clips:
        assert (paths.STATIC / clip).is_file()


def test_sound_off_leaves_a_silent_warning_with_its_words(make_app):
    from tests.conftest import Resident

    resident = Resident(make_app(IDLE_SOUND="false").test_client())
    resident.start()
    page = resident.get("/q/internet_ever").get_data(as_text=True)
    assert attribute(page, "data-idle-sound") is None and not VOICE.findall(page)
    assert countdown(page)[0] == "Retour au début dans 30 secondes."


# --- the result waits longer than a question ----------------------------------------

def test_the_result_waits_longer_than_a_question(resident):
    resident.start()
    question = resident.get("/q/internet_ever").get_data(as_text=True)
    resident.complete({"internet_ever": {"answer": "no"}})
    result = resident.get("/result").get_data(as_text=True)
    sheet = resident.get("/result/print").get_data(as_text=True)
    assert attribute(question, "data-idle") == "180"
    assert attribute(result, "data-idle") == attribute(sheet, "data-idle") == "300"
    assert '<meta http-equiv="refresh" content="300;url=/idle?back=/result">' in result
    assert attribute(result, "data-warning") == attribute(question, "data-warning") == "30"


def test_the_server_keeps_a_result_as_long_as_its_page_waits(resident, db, clock):
    resident.complete({"internet_ever": {"answer": "no"}})
    clock.seconds += 300 + 30 + 10 - 1       # longer than a question may wait (220 s)
    assert resident.get("/result").status_code == 200
    clock.seconds += 300 + 30 + 10 + 1       # longer than the result's own delay
    response = resident.client.get("/result")
    assert response.status_code == 303 and response.location == "/"


def test_a_question_left_silent_still_ends_at_its_own_limit(resident, clock):
    resident.start()
    resident.get("/q/internet_ever")
    clock.seconds += 180 + 30 + 10 + 1
    response = resident.client.get("/q/internet_ever")
    assert response.status_code == 303 and response.location == "/"


def test_a_sign_of_life_from_the_warning_keeps_the_visit(resident, clock):
    """"Je suis là" sends a HEAD of the page: the server counts it as activity."""
    resident.start()
    resident.get("/q/internet_ever")
    clock.seconds += 200
    assert resident.client.head("/q/internet_ever").status_code == 200
    clock.seconds += 200                     # 400 s after the page, 200 after the sign
    assert resident.get("/q/internet_ever").status_code == 200
