"""Needs and offers: who is offered what, pinned with literal answers and offer ids."""
from __future__ import annotations

import pytest

from kiosk import paths
from kiosk.diagnostic.recommend import choose_offers
from kiosk.diagnostic.resources import load_questionnaire_files
from kiosk.diagnostic.scoring import score

from test_scoring import answers_with


@pytest.fixture(scope="module")
def q():
    return load_questionnaire_files(paths.QUESTIONNAIRES / "diagnostic.yaml",
                                    paths.QUESTIONNAIRES / "offers.yaml")


@pytest.mark.parametrize("language", ["uk", "ar", "fa_AF", "tr", "pt_PT", "en"])
def test_the_interface_language_alone_raises_no_reading_need(q, language):
    # Someone who reads French easily may still prefer their own language on screen.
    assert "reading" not in score(q, answers_with(reading="easy"), language=language).needs


@pytest.mark.parametrize("reading,raised", [("easy", False), ("some", True), ("hard", True)])
def test_the_reading_answer_raises_the_reading_need(q, reading, raised):
    assert ("reading" in score(q, answers_with(reading=reading), language="fr").needs) is raised


def never_user(**overrides):
    """A person who has never used the internet: no device, no connection at home."""
    answers = {"last_use": "never", "devices": ["none"], "home_connection": "no",
               "task_phishing": "refund", "task_back": "1", "age_band": "75+",
               "commune": "03183", "situation": "retired", "reading": "easy"}
    return dict(answers, **overrides)


def test_a_person_who_never_used_the_internet_learns_with_someone_before_buying(q):
    s = score(q, never_user())
    assert s.needs == ("basics", "equipment", "connection", "safety")
    assert choose_offers(q, s.needs) == ("collective_workshops", "solidarity_device",
                                         "free_access", "safety_awareness")
