"""Questionnaire validation: the shipped files pass, broken copies fail with file:line."""
from __future__ import annotations


import pytest

from kiosk import paths
from kiosk.diagnostic.resources import load_questionnaire_files
from kiosk.diagnostic.yamlfile import DataFileError

SHIPPED = paths.QUESTIONNAIRES / "diagnostic.yaml"
OFFERS = paths.QUESTIONNAIRES / "offers.yaml"


def test_shipped_questionnaire_loads():
    q = load_questionnaire_files(SHIPPED, OFFERS)
    assert q.id == "diagnostic-allier"
    assert len(q.screens) <= 26
    assert [a.id for a in q.areas] == ["information", "communication", "problem_solving",
                                       "software", "safety"]
    for area in q.areas:
        activities = [s for s in q.screens if s.area == area.id]
        assert 3 <= len(activities) <= 4
    assert sum(s.type == "task" for s in q.screens) >= 2
    scale = q.screen("info_search")
    assert [o.id for o in scale.options] == ["cannot", "with_help", "alone", "helps_others"]


def broken_copy(tmp_path, old, new, name="diagnostic.yaml", source=SHIPPED):
    text = source.read_text("utf-8")
    assert old in text, old
    target = tmp_path / name
    target.write_text(text.replace(old, new, 1), "utf-8")
    if not (tmp_path / "data").exists():  # the offers' local list, beside the copy
        (tmp_path / "data").symlink_to(paths.DATA)
    return target


def line_of(path, fragment):
    for number, line in enumerate(path.read_text("utf-8").splitlines(), 1):
        if fragment in line:
            return number
    raise AssertionError(fragment)


@pytest.mark.parametrize("old,new,marker,message", [
    ("show_if: {question: last_use, not_in: [never]}\n    text: Chercher une information",
     "show_if: {question: last_usage, not_in: [never]}\n    text: Chercher une information",
     "question: last_usage", "unknown question 'last_usage'"),
    ("show_if: {question: last_use, not_in: [never]}\n    text: Lire les nouvelles",
     "show_if: {question: last_use, not_in: [jamais]}\n    text: Lire les nouvelles",
     "not_in: [jamais]", "has no option 'jamais'"),
    ("when: {question: devices, in: [none]}", "when: {question: devices, in: [aucun]}",
     "in: [aucun]", "has no option 'aucun'"),
    ("        - {area: safety, level_below: 1}", "        - {area: securite, level_below: 1}",
     "area: securite", "unknown area 'securite'"),
    ("        - {task: task_phishing, passed: false}", "        - {task: reading, passed: false}",
     "task: reading", "is not a task screen"),
    ("    area: information\n    show_if: {question: last_use, not_in: [never]}\n    text: Lire",
     "    area: informations\n    show_if: {question: last_use, not_in: [never]}\n    text: Lire",
     "area: informations", "unknown area 'informations'"),
    ("      - {id: family, label:", "      - {id: pharmacy, label:",
     "{id: pharmacy, label: \"« Coucou", "duplicate option id 'pharmacy'"),
    ("    type: multiple\n", "    type: multiples\n", "type: multiples", "is not one of"),
    ("  - id: reading\n    type: single", "  - id: reading\n    type: single\n    colour: red",
     "colour: red", "Additional properties are not allowed"),
    ("    above_basic: 2\n", "    above_basic: 1\n", "above_basic: 1", "greater than basic"),
    ("    min_areas_lacking: 4\n  - id: insee2021", "    min_areas_lacking: 5\n  - id: insee2021",
     "min_areas_lacking: 5", "more than the areas listed"),
    ("      - {id: \"1\", label: Le bouton 1., correct: true}",
     "      - {id: \"1\", label: Le bouton 1.}", "{id: \"1\", label: Le bouton 1.}", "exactly one correct"),
    ("pictogram: task-phishing.svg", "pictogram: task-fishing.svg", "task-fishing.svg",
     "not found in static/img/"),
    ("id: last_use\n    type: single", "id: last_use\n    type: single\n    show_if: {question: devices, in: [none]}",
     "show_if: {question: devices", "not asked before"),
    # what each question type checks of its own screens
    ("  - id: info_search\n    type: scale\n    scale: skill",
     "  - id: info_search\n    type: scale\n    scale: skills", "- id: info_search",
     "a scale screen names one of `scales` and has no options"),
    ("  - id: commune\n    type: commune\n    section: profile\n    profile_field: commune",
     "  - id: commune\n    type: commune\n    section: profile\n    profile_field: commune\n"
     "    options: [{id: a, label: A.}, {id: b, label: B.}]",
     "options: [{id: a", "a commune screen has no options"),
    ("    section: profile\n    profile_field: commune", "    section: profile",
     "- id: commune", "a commune screen has profile_field: commune"),
    ("  - id: task_phishing\n    type: task\n", "  - id: task_phishing\n    type: task\n    area: safety\n",
     "type: task", "only single and scale screens can count as activities"),
])
def test_broken_questionnaire_reports_file_and_line(tmp_path, old, new, marker, message):
    path = broken_copy(tmp_path, old, new)
    with pytest.raises(DataFileError) as caught:
        load_questionnaire_files(path, OFFERS)
    problems = caught.value.problems
    assert any(message in p.message for p in problems), problems
    problem = next(p for p in problems if message in p.message)
    assert problem.path == str(path)
    expected = line_of(path, marker)
    assert problem.line == expected
    assert str(problem).startswith(f"{path}:{expected}: ")


def test_yaml_syntax_error_has_its_line(tmp_path):
    path = broken_copy(tmp_path, "    text: Quels appareils avez-vous chez vous ?",
                       "    text: [Quels appareils avez-vous chez vous ?")
    with pytest.raises(DataFileError) as caught:
        load_questionnaire_files(path, OFFERS)
    (problem,) = caught.value.problems
    assert "YAML syntax" in problem.message
    assert problem.line >= line_of(path, "[Quels appareils")


def test_duplicate_key_is_refused(tmp_path):
    path = broken_copy(tmp_path, "    text: Avez-vous internet à la maison ?",
                       "    text: Avez-vous internet à la maison ?\n    text: Encore ?")
    with pytest.raises(DataFileError) as caught:
        load_questionnaire_files(path, OFFERS)
    assert "duplicate key 'text'" in str(caught.value)


@pytest.mark.parametrize("old,new,message", [
    ("needs: [e_administration]", "needs: [e_admin]", "unknown need 'e_admin'"),
    ("services: [Aide aux démarches administratives]", "services: [Aide aux démarches]",
     "is not a services value of the national standard"),
    ("programmes: [Conseillers numériques]", "programmes: [Conseiller numérique]",
     "is not a programmes value"),
])
def test_broken_offers_report_file_and_line(tmp_path, old, new, message):
    path = broken_copy(tmp_path, old, new, name="offers.yaml", source=OFFERS)
    with pytest.raises(DataFileError) as caught:
        load_questionnaire_files(SHIPPED, path)
    problem = next(p for p in caught.value.problems if message in p.message)
    assert problem.path == str(path)
    assert problem.line == line_of(path, new.split(": ", 1)[1].strip("[]").split(",")[0])


def test_a_need_without_offer_is_reported(tmp_path):
    offers = broken_copy(tmp_path, "    needs: [employment]", "    needs: []",
                         name="offers.yaml", source=OFFERS)
    with pytest.raises(DataFileError) as caught:
        load_questionnaire_files(SHIPPED, offers)
    assert any("no offer answers need 'employment'" in p.message for p in caught.value.problems)


def test_too_many_screens_is_refused(tmp_path):
    text = SHIPPED.read_text("utf-8")
    extra = "\n  - id: extra\n    type: single\n    text: En plus ?\n    options:\n" \
            "      - {id: a, label: A.}\n      - {id: b, label: B.}\n"
    path = tmp_path / "diagnostic.yaml"
    path.write_text(text + extra, "utf-8")
    with pytest.raises(DataFileError) as caught:
        load_questionnaire_files(path, OFFERS)
    assert any("is too long" in p.message for p in caught.value.problems)
