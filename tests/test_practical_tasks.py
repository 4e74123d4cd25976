"""The two practical tasks as a resident meets them: the scam message and what it
teaches, the back-button phone whose drawn buttons are the answers."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from kiosk.diagnostic.resources import get_questionnaire

EXPLANATION = ("L'arnaque était le message d'Ameli : son lien mène à « ameli-fr.info », "
               "pas à ameli.fr, le vrai site. Ce piège trompe beaucoup de monde.")
REPO = Path(__file__).resolve().parents[1]
BEFORE_TASKS = {"internet_ever": {"answer": "no"}, "devices": {"idk": "1"},
                "home_connection": {"idk": "1"}}


def reach_scam_task(resident):
    resident.start()
    for screen_id, data in BEFORE_TASKS.items():
        response = resident.answer(screen_id, data)
    assert response.location.endswith("/q/task_phishing")


def html(text):
    """``text`` as the page writes it (Jinja escapes the apostrophe)."""
    return text.replace("'", "&#39;")


@pytest.mark.parametrize("data", [{"answer": "refund"}, {"answer": "family"}, {"idk": "1"}],
                         ids=["right", "wrong", "idk"])
def test_the_scam_is_explained_on_the_next_screen_until_it_is_answered(resident, data):
    reach_scam_task(resident)
    resident.get("/q/task_phishing")
    assert html(EXPLANATION) not in resident.page          # not before answering
    response = resident.post("/q/task_phishing", data)
    assert response.location.endswith("/q/task_back")
    page = resident.get("/q/task_back").get_data(as_text=True)
    assert html(EXPLANATION) in page
    # First in the page and focused, so that a screen reader says it before the question.
    assert page.index('class="explained') < page.index("<h1")
    assert page.index("data-focus") > page.index('class="explained')
    assert page.index("data-focus") < page.index("<h1")
    # Still there on that screen (seen again after a language or display change), even
    # with an answer to fix; gone once that screen is answered.
    assert html(EXPLANATION) in resident.get("/q/task_back").get_data(as_text=True)
    for _ in range(2):  # a first empty tap may be forgiven as a double tap
        refused = resident.post("/q/task_back", {})
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    assert html(EXPLANATION) in page
    # There, the message to fix is what is read first.
    assert page.count("data-focus") == 1 and 'role="alert" data-focus' in page
    assert resident.post("/q/task_back", {"answer": "2"}).status_code == 303
    assert html(EXPLANATION) not in resident.get("/q/task_back").get_data(as_text=True)


def test_other_screens_explain_nothing(resident):
    reach_scam_task(resident)
    for screen_id in ("last_use", "task_phishing"):
        assert 'class="explained' not in resident.get(f"/q/{screen_id}").get_data(as_text=True)


def test_the_scam_message_looks_like_a_real_one(app):
    """No plea for a card number: an ordinary refund notice with a look-alike address."""
    with app.app_context():
        task = get_questionnaire().screen("task_phishing")
    scam = next(o for o in task.options if o.correct)
    assert scam.id == "refund"
    assert "carte" not in scam.label and "vite" not in scam.label
    assert "ameli-fr.info" in scam.label
    assert "ameli-fr.info" in task.explanation and "ameli.fr" in task.explanation


def test_the_back_task_pictogram_draws_no_arrow(app):
    """The picture beside the question must not show the answer (a back arrow)."""
    with app.app_context():
        task = get_questionnaire().screen("task_back")
    svg = (REPO / "static" / "img" / task.pictogram).read_text("utf-8")
    # The old pictogram drew a left arrow as two paths: a shaft and its head.
    assert "<path" not in svg.replace('<path d="M26 10h12"', "")


def test_the_back_task_answers_are_the_drawn_buttons(resident):
    """No list of "Le bouton 1." under the picture: four radio buttons on the phone
    itself, named by the option's words, numbered as drawn, in the questionnaire's order."""
    reach_scam_task(resident)
    resident.post("/q/task_phishing", {"answer": "family"})
    page = resident.get("/q/task_back").get_data(as_text=True)
    phone = page[page.index('class="phone options"'):page.index('class="actions"')]
    assert re.findall(r'value="(\d)"', phone) == ["1", "2", "3", "4"]
    assert re.findall(r'class="phone-number" aria-hidden="true">(\d)<', phone) == ["1", "2", "3", "4"]
    assert re.findall(r'class="visually-hidden">([^<]+)<', phone) == [
        "Le bouton 1.", "Le bouton 2.", "Le bouton 3.", "Le bouton 4."]
    assert page.count('class="illustration"') == 0 and page.count("task-back-screen.svg") == 1
    assert "vers la gauche" not in page      # the drawing is mirrored in Arabic and Dari


def test_the_scam_task_keeps_its_list_of_messages(resident):
    reach_scam_task(resident)
    page = resident.get("/q/task_phishing").get_data(as_text=True)
    assert 'class="options task-options"' in page and 'class="phone' not in page
    assert page.count('type="radio" name="answer"') == 3
