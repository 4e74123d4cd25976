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
    assert len(q.screens) <= 20
    assert [a.id for a in q.areas] == ["information", "communication", "content", "safety",
                                       "problem_solving"]
    for area in q.areas:  # one screen of activities per DSI area
        (screen,) = [s for s in q.screens if s.area == area.id]
        assert screen.type == "activities" and 4 <= len(screen.options) <= 7
    assert sum(s.type == "task" for s in q.screens) >= 2
    assert q.internet_use == {"ever": "internet_ever", "last": "last_use"}


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
    ("show_if: {question: internet_ever, in: [\"yes\"]}\n    text: La dernière fois",
     "show_if: {question: internet_every, in: [\"yes\"]}\n    text: La dernière fois",
     "question: internet_every", "unknown question 'internet_every'"),
    ("show_if: {question: internet_ever, in: [\"yes\"]}\n    text: La dernière fois",
     "show_if: {question: internet_ever, in: [oui]}\n    text: La dernière fois",
     "in: [oui]", "has no option 'oui'"),
    ("when: {question: devices, in: [none]}", "when: {question: devices, in: [aucun]}",
     "in: [aucun]", "has no option 'aucun'"),
    ("        - {area: safety, level_below: 1}", "        - {area: securite, level_below: 1}",
     "area: securite", "unknown area 'securite'"),
    ("        - {task: task_phishing, passed: false}", "        - {task: reading, passed: false}",
     "task: reading", "is not a task screen"),
    ("    type: activities\n    area: safety\n", "    type: activities\n    area: securite\n",
     "area: securite", "unknown area 'securite'"),
    ("      - {id: family, label:", "      - {id: pharmacy, label:",
     "{id: pharmacy, label: \"« Coucou", "duplicate option id 'pharmacy'"),
    ("    type: multiple\n", "    type: multiples\n", "type: multiples", "is not one of"),
    ("  - id: reading\n    type: single", "  - id: reading\n    type: single\n    colour: red",
     "colour: red", "Additional properties are not allowed"),
    ("      - {id: \"1\", label: Le bouton 1., correct: true}",
     "      - {id: \"1\", label: Le bouton 1.}", "{id: \"1\", label: Le bouton 1.}", "exactly one correct"),
    ("pictogram: task-phishing.svg", "pictogram: task-fishing.svg", "task-fishing.svg",
     "not found in static/img/"),
    ("id: last_use\n    type: single\n    section: access\n    show_if: {question: internet_ever",
     "id: last_use\n    type: single\n    section: access\n    show_if: {question: devices",
     "show_if: {question: devices", "not asked before"),
    # needs on the items of an activities screen
    ("when: {question: procedures, item: eadmin, in: [helped, done_for_me, not_done]}",
     "when: {question: procedures, item: eadmn, in: [helped, done_for_me, not_done]}",
     "item: eadmn", "has no item 'eadmn'"),
    ("when: {question: procedures, item: eadmin, in: [helped, done_for_me, not_done]}",
     "when: {question: procedures, item: eadmin, in: [helped, with_help]}",
     "in: [helped, with_help]", "'with_help' is not an answer of an item"),
    ("when: {question: procedures, item: eadmin, in: [helped, done_for_me, not_done]}",
     "when: {question: procedures, in: [helped]}", "when: {question: procedures, in",
     "needs `item`"),
    # the DSI 2.0 mapping: every activity once, in its area, over its period
    ("{id: ps_buy, dsi_activity: ps_buy, period_months: 12,",
     "{id: ps_buy, dsi_activity: ps_buy, period_months: 3,", "id: ps_buy,",
     "'ps_buy' is asked over 12 months"),
    ("{id: cc_code, dsi_activity: cc_code,", "{id: cc_code, dsi_activity: cc_codes,",
     "dsi_activity: cc_codes", "unknown DSI 2.0 activity 'cc_codes'"),
    ("{id: cc_code, dsi_activity: cc_code,", "{id: cc_code, dsi_activity: cc_write,",
     "{id: cc_code, dsi_activity: cc_write", "'cc_write' is already asked by 'act_content/cc_write'"),
    ("{id: sf_ads, dsi_activity: sf_ads,", "{id: sf_ads, dsi_activity: info_check,",
     "dsi_activity: info_check, period_months: 3, label: \"Refusé", "belongs to area 'information'"),
    ("      - {id: cc_code, dsi_activity: cc_code, period_months: 3, label: \"Écrit un programme informatique (du code).\"}\n",
     "", "- id: internet_ever", "1 DSI 2.0 activities are not asked: cc_code"),
    ("      - {id: cc_code, dsi_activity: cc_code, period_months: 3,",
     "      - {id: cc_code,", "{id: cc_code, label", "needs dsi_activity"),
    ("    basic: 1\n    above_basic: 2\n  - id: communication",
     "    basic: 1\n    above_basic: 3\n  - id: communication", "  - id: information",
     "differ from the DSI's 1 and 2"),
    ("internet_use:\n  ever: internet_ever", "internet_use:\n  ever: devices",
     "ever: devices", "'devices' must be a single screen with the options yes"),
    ("unless_needs: [e_administration, basics,", "unless_needs: [e_admin, basics,",
     "unless_needs: [e_admin", "unknown need 'e_admin'"),
    # what each question type checks of its own screens
    ("  - id: commune\n    type: commune\n    section: profile\n    profile_field: commune",
     "  - id: commune\n    type: commune\n    section: profile\n    profile_field: commune\n"
     "    options: [{id: a, label: A.}, {id: b, label: B.}]",
     "options: [{id: a", "a commune screen has no options"),
    ("    section: profile\n    profile_field: commune", "    section: profile",
     "- id: commune", "a commune screen has profile_field: commune"),
    ("  - id: task_phishing\n    type: task\n", "  - id: task_phishing\n    type: task\n    area: safety\n",
     "type: task", "only activities screens can count as activities"),
    ("{id: eadmin, label:", "{id: eadmin, correct: true, label:", "{id: eadmin, correct",
     "an item of an activities screen has no correct"),
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
    # At most 20 question screens, whatever the answers (the limit for a
    # typical internet user, who sees nearly all of them).
    shipped = text.count("\n  - id: ", text.index("\nscreens:"))
    extra = "".join(f"\n  - id: extra{n}\n    type: single\n    text: En plus ?\n    options:\n"
                    "      - {id: a, label: A.}\n      - {id: b, label: B.}\n"
                    for n in range(21 - shipped))
    path = tmp_path / "diagnostic.yaml"
    path.write_text(text + extra, "utf-8")
    with pytest.raises(DataFileError) as caught:
        load_questionnaire_files(path, OFFERS)
    assert any("is too long" in p.message for p in caught.value.problems)
