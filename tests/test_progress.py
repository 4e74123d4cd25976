"""The progress shown on each question never promises a wrong length: the number of the
screen, and its total only once no answer to come can change it. A person who never
used the internet used to read "Question 3 sur 25" and finish at 9."""
from __future__ import annotations

import re

from kiosk import paths
from kiosk.diagnostic.questionnaire import Option, Questionnaire, Screen
from kiosk.diagnostic.resources import load_questionnaire_files
from kiosk.diagnostic.scoring import IDK
from kiosk.diagnostic.visit import Route

Q = load_questionnaire_files(paths.QUESTIONNAIRES / "diagnostic.yaml",
                             paths.QUESTIONNAIRES / "offers.yaml")
LABEL = re.compile(r'<p id="progress-label">([^<]*)</p>')
BAR = re.compile(r'<progress max="(\d+)" value="(\d+)" aria-labelledby="progress-label">')


# --- the route: when its total is settled --------------------------------------------

def test_no_total_before_the_branching_answer_then_the_length_of_the_path():
    assert Route(Q, {}).settled_total is None
    assert Route(Q, {"internet_ever": "no"}).settled_total == 9
    assert Route(Q, {"internet_ever": IDK}).settled_total == 9  # as "no": not every screen
    # "yes": the length waits on when they last used it
    assert Route(Q, {"internet_ever": "yes"}).settled_total is None
    assert Route(Q, {"internet_ever": "yes", "last_use": "3m"}).settled_total == 16
    assert Route(Q, {"internet_ever": "yes", "last_use": "older"}).settled_total == 11


def chain():
    """a; b only if a is x; c only if b is y: c's fate waits on b, if b is asked."""
    yes_no = (Option("x", "X."), Option("y", "Y."), Option("z", "Z."))
    screens = (Screen("a", "single", "A ?", options=yes_no),
               Screen("b", "single", "B ?", options=yes_no,
                      show_if={"question": "a", "in": ["x"]}),
               Screen("c", "single", "C ?", options=yes_no,
                      show_if={"any": [{"question": "b", "in": ["y"]}]}))
    return Questionnaire("t", "1", "T", (), screens, (), (), ())


def test_a_screen_hidden_for_good_settles_the_screens_that_depend_on_it():
    q = chain()
    assert Route(q, {}).settled_total is None
    assert Route(q, {"a": "z"}).settled_total == 1        # b hidden, so c too: for good
    assert Route(q, {"a": "x"}).settled_total is None     # b asked, c still open
    assert Route(q, {"a": "x", "b": "z"}).settled_total == 2
    assert Route(q, {"a": "x", "b": "y"}).settled_total == 3


# --- what each screen shows -------------------------------------------------------------

def walk(resident, answers):
    """Answer every screen shown (``answers``: screen id -> form, else "idk"); the
    progress read on each: (label, bar max or None, bar value or None)."""
    seen = []
    resident.start()
    location = "/q/internet_ever"
    while not location.endswith("/result"):
        page = resident.get(location).get_data(as_text=True)
        (label,) = LABEL.findall(page)
        bar = BAR.search(page)
        seen.append((label, *(map(int, bar.groups()) if bar else (None, None))))
        screen_id = location.rsplit("/", 1)[-1]
        response = resident.post(location, answers.get(screen_id, {"idk": "1"}))
        assert response.status_code == 303, screen_id
        location = response.location
    return seen


def check_never_promises_more(seen):
    """Numbers run 1..n, and every total shown is n, the screens actually seen."""
    n = len(seen)
    for number, (label, bar_max, bar_value) in enumerate(seen, start=1):
        if bar_max is None:
            assert label == f"Question {number}"
        else:
            assert label == f"Question {number} sur {n}"
            assert (bar_max, bar_value) == (n, number)


def test_a_non_user_never_sees_a_total_larger_than_the_screens_they_see(resident):
    seen = walk(resident, {"internet_ever": {"answer": "no"}, "commune": {"query": "Yzeure"}})
    assert len(seen) == 9
    check_never_promises_more(seen)
    assert seen[0] == ("Question 1", None, None)      # before the branch: no total
    assert seen[1] == ("Question 2 sur 9", 9, 2)      # right after it: the whole path
    assert seen[-1] == ("Question 9 sur 9", 9, 9)


def test_an_internet_user_sees_the_long_path_announced_right(resident):
    seen = walk(resident, {"internet_ever": {"answer": "yes"}, "last_use": {"answer": "3m"}})
    assert len(seen) == 16
    check_never_promises_more(seen)
    assert seen[1] == ("Question 2", None, None)       # "when" decides the length
    assert seen[2] == ("Question 3 sur 16", 16, 3)


def test_the_progress_in_arabic_is_translated_and_on_a_right_to_left_page(make_app):
    from tests.conftest import Resident

    resident = Resident(make_app(LANGUAGES="fr,ar").test_client())
    resident.get("/")
    resident.post("/start", {"lang": "ar"})
    resident.answer("internet_ever", {"answer": "no"})
    page = resident.get("/q/devices").get_data(as_text=True)
    assert '<html lang="ar" dir="rtl"' in page
    assert LABEL.findall(page) == ["السؤال 2 من 9"]
    assert BAR.search(page).groups() == ("9", "2")   # named by that text
