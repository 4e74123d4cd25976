"""The hub's tables label every value they count, including answers an earlier version
of the questionnaire offered."""
from __future__ import annotations

from kiosk import paths
from kiosk.diagnostic.resources import load_questionnaire_files
from kiosk.hub import tables


def situation(seen):
    questionnaire = load_questionnaire_files(paths.QUESTIONNAIRES / "diagnostic.yaml",
                                             paths.QUESTIONNAIRES / "offers.yaml")
    found = [v for v in tables.variables(questionnaire, seen, lambda code: code)
             if v.id == "situation"]
    return {m.value: m.label for m in found[0].modalities}


def test_the_retired_prefer_not_to_say_keeps_words_a_reader_understands():
    # Version 1 of the situation screen had its own "Je préfère ne pas le dire." answer;
    # the skip button says so now, and the records of before still count.
    labels = situation([("situation", "no_answer"), ("situation", "retired")])
    assert labels["no_answer"] == "Préfère ne pas le dire (version antérieure)"
    assert labels["retired"] == "Je suis à la retraite"  # (the final stop stripped)


def test_a_value_no_version_knows_is_shown_as_it_is():
    assert situation([("situation", "astronaut")])["astronaut"] == "astronaut"
