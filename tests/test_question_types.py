"""Each question type is one class: how it reads a form, its template, its answer in a line.

Its configuration checks (file:line problems) are pinned with the other questionnaire
problems in test_questionnaire.py.
"""
from __future__ import annotations

import pytest
from werkzeug.datastructures import MultiDict

from kiosk import paths
from kiosk.diagnostic.questions import TYPES, BadAnswer, read_answer
from kiosk.diagnostic.resources import COMMUNES_FILE, load_questionnaire_files
from kiosk.diagnostic.scoring import IDK
from kiosk.places.communes import load_communes

Q = load_questionnaire_files(paths.QUESTIONNAIRES / "diagnostic.yaml",
                             paths.QUESTIONNAIRES / "offers.yaml")
COMMUNES = load_communes(COMMUNES_FILE)
TEMPLATES = paths.ROOT / "kiosk" / "templates"


def read(screen_id, form):
    return read_answer(Q.screen(screen_id), MultiDict(form), COMMUNES)


def summary(screen_id, value):
    screen = Q.screen(screen_id)
    return TYPES[screen.type].summary(screen, value, COMMUNES)


def test_every_type_of_the_schema_is_a_class_with_its_template():
    assert sorted(TYPES) == ["activities", "commune", "multiple", "single", "task"]
    for kind in TYPES.values():
        assert (TEMPLATES / kind.template).is_file(), kind.template


def test_only_the_activities_say_how_to_answer_under_their_question():
    assert [name for name, kind in TYPES.items() if kind.prompt] == ["activities"]
    assert str(TYPES["activities"].prompt) == "Cochez ce que vous avez fait, puis dites comment."


def test_a_single_choice_is_one_option_of_the_screen():
    assert read("last_use", {"answer": "older"}) == "older"
    with pytest.raises(BadAnswer) as none_chosen:
        read("last_use", {})
    assert none_chosen.value.status == 422
    with pytest.raises(BadAnswer) as two:
        read("last_use", {"answer": ["older", "3m"]})
    assert two.value.status == 400


def test_activities_are_ticked_then_said_how_and_the_rest_is_not_done():
    assert read("act_information", {"answer": ["info_news", "info_goods"],
                                    "how-info_news": "helped", "how-info_goods": "alone",
                                    "how-info_check": "alone"}) == {
        "info_goods": "alone", "info_health": "not_done", "info_news": "helped",
        "info_check": "not_done"}  # a "how" left on an item ticked off does not count
    assert read("procedures", {"answer": "_none"}) == {"eadmin": "not_done",
                                                       "health": "not_done"}
    assert read("procedures", {"answer": "eadmin", "how-eadmin": "done_for_me"}) == {
        "eadmin": "done_for_me", "health": "not_done"}


@pytest.mark.parametrize("form,status,kept,words", [
    # nothing ticked: also what a stray second tap on "Suivant" sends
    ({}, 422, None, "Rien de tout cela"),
    ({"answer": ["eadmin", "health"], "how-eadmin": "alone"}, 422,
     {"eadmin": "alone", "health": ""}, "dites comment"),
    ({"answer": ["eadmin", "_none"], "how-eadmin": "alone"}, 422,
     {"eadmin": "alone", "_none": ""}, "ne va pas avec"),
    ({"answer": "eadmin", "how-eadmin": "sometimes"}, 400, None, ""),
    ({"answer": "shopping", "how-shopping": "alone"}, 400, None, ""),
    ({"answer": ["eadmin", "eadmin"], "how-eadmin": "alone"}, 400, None, ""),
])
def test_activities_refused_keep_what_was_ticked(form, status, kept, words):
    with pytest.raises(BadAnswer) as refused:
        read("procedures", form)
    assert refused.value.status == status
    assert refused.value.kept == kept
    assert words in str(refused.value.message)


def test_a_multiple_choice_keeps_the_questionnaires_order_and_none_stands_alone():
    assert read("devices", {"answer": ["tablet", "smartphone"]}) == ["smartphone", "tablet"]
    with pytest.raises(BadAnswer) as both:
        read("devices", {"answer": ["none", "tablet"]})
    assert both.value.status == 422 and "Aucun" in str(both.value.message)


def test_a_commune_is_found_by_name_or_offered_among_several_by_postal_code():
    assert read("commune", {"query": "Yzeure"}) == "03321"
    with pytest.raises(BadAnswer) as several:
        read("commune", {"query": "03500"})
    assert len(several.value.candidates) == 15
    assert read("commune", {"commune": "03321"}) == "03321"
    with pytest.raises(BadAnswer) as elsewhere:
        read("commune", {"commune": "75056"})  # Paris: not a choice on an Allier kiosk
    assert elsewhere.value.status == 400


def test_i_dont_know_is_an_answer_of_every_type():
    for screen_id in ("last_use", "devices", "act_safety", "task_back", "commune"):
        assert read(screen_id, {"idk": "1"}) == IDK


def test_an_answer_in_one_line():
    assert summary("last_use", "older") == "Il y a plus d'un an."
    assert summary("devices", ["smartphone", "tablet"]) == \
        "Un téléphone avec internet (smartphone). Une tablette."
    assert summary("act_safety", IDK) == "Je ne sais pas"
    assert summary("procedures", {"eadmin": "helped", "health": "not_done"}) == (
        "Fait une démarche : la CAF, ameli, les impôts, France Travail, la carte grise ou "
        "les papiers d'identité (ANTS). (Avec l'aide de quelqu'un)")
    assert summary("procedures", {"eadmin": "not_done", "health": "not_done"}) == \
        "Rien de tout cela."
    assert summary("commune", "03321") == "Yzeure"
    assert summary("reading", None) == ""


def test_a_commune_screen_seen_again_shows_the_commune_chosen():
    kind = TYPES["commune"]
    assert kind.prefill("03321", COMMUNES) == "Yzeure"
    assert kind.prefill(IDK, COMMUNES) == "" and kind.prefill(None, COMMUNES) == ""
    assert TYPES["single"].prefill("older", COMMUNES) == ""
