"""The optional profile screens (age, commune, situation, reading) ask about the person,
not about what they know: the way out is "Je préfère ne pas répondre", never "Je ne sais
pas", and a declined answer leaves nothing about the person in the record."""
from __future__ import annotations

import json
import re

import pytest

from werkzeug.datastructures import MultiDict

from kiosk import paths
from kiosk.diagnostic.questions import TYPES, BadAnswer
from kiosk.diagnostic.resources import load_questionnaire_files
from kiosk.diagnostic.scoring import IDK

Q = load_questionnaire_files(paths.QUESTIONNAIRES / "diagnostic.yaml",
                             paths.QUESTIONNAIRES / "offers.yaml")
PROFILE_SCREENS = ["age_band", "commune", "situation", "reading"]
DECLINE = "Je préfère ne pas répondre"
IDK_BUTTON = re.compile(r'<button type="submit" name="idk" value="1"[^>]*>([^<]*)</button>')


def skip_button(page: str) -> str:
    (label,) = IDK_BUTTON.findall(page)
    return label


def test_the_profile_screens_are_the_four_the_issue_names():
    assert [s.id for s in Q.screens if s.section == "profile"] == PROFILE_SCREENS


def walk(resident, answers=None):
    """Every screen of a never-user's path: screen id -> the page as shown."""
    pages = {}
    resident.start()
    location = "/q/internet_ever"
    while not location.endswith("/result"):
        screen_id = location.rsplit("/", 1)[-1]
        pages[screen_id] = resident.get(location).get_data(as_text=True)
        data = (answers or {}).get(screen_id, {"idk": "1"})
        response = resident.post(location, data)
        assert response.status_code == 303, screen_id
        location = response.location
    return pages


def test_each_profile_screen_offers_to_decline_and_the_others_keep_i_dont_know(resident):
    pages = walk(resident, {"internet_ever": {"answer": "no"}})
    assert set(PROFILE_SCREENS) <= set(pages)
    for screen_id, page in pages.items():
        expected = DECLINE if screen_id in PROFILE_SCREENS else "Je ne sais pas"
        assert skip_button(page) == expected, screen_id
        assert ("Je ne sais pas" in page) == (screen_id not in PROFILE_SCREENS), screen_id


def test_no_profile_screen_offers_declining_twice():
    """The situation screen used to list "Je préfère ne pas le dire." among its answers,
    under a "Je ne sais pas" button: one way to decline now, the button."""
    for screen_id in PROFILE_SCREENS:
        labels = [o.label for o in Q.screen(screen_id).options]
        assert not [label for label in labels if "préfère" in label], screen_id


@pytest.mark.parametrize("screen_id", ["age_band", "situation", "reading"])
def test_nothing_chosen_on_a_profile_screen_names_the_right_button(screen_id):
    screen = Q.screen(screen_id)
    with pytest.raises(BadAnswer) as refused:
        TYPES[screen.type].parse(screen, MultiDict(), None)
    assert refused.value.status == 422 and str(refused.value) == (
        "Choisissez une réponse, ou appuyez sur « Je préfère ne pas répondre ».")


def test_a_declined_answer_is_summed_up_in_the_same_words():
    for screen_id in PROFILE_SCREENS:
        screen = Q.screen(screen_id)
        assert TYPES[screen.type].summary(screen, IDK, None) == DECLINE
    screen = Q.screen("last_use")
    assert TYPES[screen.type].summary(screen, IDK, None) == "Je ne sais pas"


def test_declining_every_profile_question_sends_no_profile(resident, db):
    walk(resident, {"internet_ever": {"answer": "no"}})
    (result,) = db["results"].rows
    assert result["complete"] == 1
    assert (result["age_band"], result["commune"], result["situation"]) == (None, None, None)
    (record,) = db["outbox"].rows
    payload = json.loads(record["payload"])
    assert payload["age_band"] is None and payload["situation"] is None
    assert payload["residence_epci"] is None
