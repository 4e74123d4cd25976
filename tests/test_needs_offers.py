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
