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
    assert sorted(TYPES) == ["commune", "multiple", "scale", "single", "task"]
    for kind in TYPES.values():
        assert (TEMPLATES / kind.template).is_file(), kind.template


def test_only_the_scale_asks_can_you_do_this_under_its_question():
    assert [name for name, kind in TYPES.items() if kind.prompt] == ["scale"]
    assert str(TYPES["scale"].prompt) == "Savez-vous faire cela ?"


def test_a_single_choice_is_one_option_of_the_screen():
    assert read("last_use", {"answer": "never"}) == "never"
    with pytest.raises(BadAnswer) as none_chosen:
        read("last_use", {})
    assert none_chosen.value.status == 422
    with pytest.raises(BadAnswer) as two:
        read("last_use", {"answer": ["never", "3m"]})
    assert two.value.status == 400


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
    for screen_id in ("last_use", "devices", "info_search", "task_back", "commune"):
        assert read(screen_id, {"idk": "1"}) == IDK


def test_an_answer_in_one_line():
    assert summary("last_use", "never") == "Jamais."
    assert summary("devices", ["smartphone", "tablet"]) == \
        "Un téléphone avec internet (smartphone). Une tablette."
    assert summary("info_search", IDK) == "Je ne sais pas"
    assert summary("commune", "03321") == "Yzeure"
    assert summary("reading", None) == ""


def test_a_commune_screen_seen_again_shows_the_commune_chosen():
    kind = TYPES["commune"]
    assert kind.prefill("03321", COMMUNES) == "Yzeure"
    assert kind.prefill(IDK, COMMUNES) == "" and kind.prefill(None, COMMUNES) == ""
    assert TYPES["single"].prefill("never", COMMUNES) == ""
