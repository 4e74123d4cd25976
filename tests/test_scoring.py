"""Scoring rules, table-driven, on the shipped questionnaire and on tiny ones."""
from __future__ import annotations

import pytest

from kiosk import paths
from kiosk.diagnostic.recommend import choose_offers
from kiosk.diagnostic.resources import load_questionnaire_files
from kiosk.diagnostic.scoring import IDK, evaluate, level, score, visible_screens


@pytest.fixture(scope="module")
def q():
    return load_questionnaire_files(paths.QUESTIONNAIRES / "diagnostic.yaml",
                                    paths.QUESTIONNAIRES / "offers.yaml")


AREA_SCREENS = {
    "information": ["info_search", "info_news", "info_check"],
    "communication": ["com_email", "com_messages", "com_video"],
    "problem_solving": ["eadmin", "ps_buy", "ps_bank", "ps_fix"],
    "software": ["sw_write", "sw_files", "sw_attach"],
    "safety": ["sf_password", "sf_privacy", "sf_updates"],
}
SCALE_SCREENS = [s for screens in AREA_SCREENS.values() for s in screens if s != "eadmin"]


def answers_with(last_use="3m", skill="alone", eadmin="alone", **overrides):
    """A full set of answers; every activity answered with ``skill``."""
    answers = {"last_use": last_use, "devices": ["smartphone"], "home_connection": "box",
               "eadmin": eadmin, "task_phishing": "refund", "task_back": "1",
               "age_band": "60-74", "commune": "03190", "situation": "retired",
               "reading": "easy"}
    answers.update({s: skill for s in SCALE_SCREENS})
    answers.update(overrides)
    return answers


@pytest.mark.parametrize("done,basic,above,expected", [
    (0, 1, 2, 0), (1, 1, 2, 1), (2, 1, 2, 2), (3, 1, 2, 2),
    (0, 1, 3, 0), (1, 1, 3, 1), (2, 1, 3, 1), (3, 1, 3, 2),
])
def test_level_thresholds(done, basic, above, expected):
    assert level(done, basic, above) == expected


@pytest.mark.parametrize("skill,expected_level", [
    ("alone", 2), ("helps_others", 2),
    ("with_help", 2),   # done with help counts as done (as in INSEE's survey)
    ("cannot", 0), (IDK, 0),  # "I don't know" counts as not done
])
def test_each_answer_counts_as_done_or_not(q, skill, expected_level):
    s = score(q, answers_with(skill=skill, eadmin="alone" if expected_level else "not_online"))
    assert s.levels["information"] == expected_level
    assert s.levels["safety"] == expected_level


def test_dsi_thresholds_differ_by_area(q):
    # two activities: above basic for information (2+), only basic for safety (3+ needed)
    a = answers_with(info_search="alone", info_news="alone", info_check="cannot",
                     sf_password="alone", sf_privacy="alone", sf_updates="cannot")
    s = score(q, a)
    assert s.levels["information"] == 2
    assert s.levels["safety"] == 1


def test_confident_user_is_not_illectronic_and_has_basic_skills(q):
    s = score(q, answers_with())
    assert s.indicators == {"insee2019_illectronism": False, "insee2021_illectronism": False,
                            "dsi_at_least_basic": True}
    assert s.profile == "autonomous"
    assert s.points == 12


def test_never_used_internet_skips_the_activities_and_is_illectronic(q):
    a = {"last_use": "never"}
    shown = [s.id for s in visible_screens(q, a)]
    assert not set(shown) & set(SCALE_SCREENS + ["eadmin"])
    assert len(shown) == 9
    s = score(q, answers_with(last_use="never"))
    assert all(v == 0 for v in s.levels.values())
    assert s.indicators["insee2019_illectronism"] is True
    assert s.indicators["insee2021_illectronism"] is True
    assert s.indicators["dsi_at_least_basic"] is False
    assert "basics" in s.needs


def test_answers_to_hidden_screens_do_not_count(q):
    # someone answered activities, went back and said "never": the activities vanish
    s = score(q, answers_with(last_use="never", skill="helps_others"))
    assert s.activities_done["information"] == 0


@pytest.mark.parametrize("last_use,insee2019,insee2021,dsi", [
    ("3m", False, False, True),
    ("12m", False, True, False),   # 2019 looks back 12 months, 2021 and DSI 3 months
    ("older", True, True, False),
    (IDK, False, False, True),     # unknown period: judged on skills alone
])
def test_the_period_of_each_definition(q, last_use, insee2019, insee2021, dsi):
    s = score(q, answers_with(last_use=last_use))
    assert s.indicators["insee2019_illectronism"] is insee2019
    assert s.indicators["insee2021_illectronism"] is insee2021
    assert s.indicators["dsi_at_least_basic"] is dsi


def test_insee_2019_needs_all_four_areas_at_zero(q):
    # information only: one domain above 0 is enough not to be illectronic in 2019
    a = answers_with(skill="cannot", eadmin="not_online", info_search="alone")
    s = score(q, a)
    assert s.indicators["insee2019_illectronism"] is False
    # 2021: lacking basic skills in 4 of 5 areas is illectronism
    assert s.indicators["insee2021_illectronism"] is True
    a = answers_with(skill="cannot", eadmin="not_online")
    assert score(q, a).indicators["insee2019_illectronism"] is True


def test_insee_2021_threshold_is_at_least_four_of_five(q):
    # three areas lacking: "weak skills", not illectronism
    a = answers_with(skill="cannot", eadmin="not_online", info_search="alone",
                     com_email="alone")
    assert score(q, a).indicators["insee2021_illectronism"] is False
    assert score(q, a).indicators["dsi_at_least_basic"] is False


def test_safety_area_does_not_count_for_insee_2019(q):
    a = answers_with(skill="cannot", eadmin="not_online", sf_password="alone")
    s = score(q, a)
    assert s.levels["safety"] == 1
    assert s.indicators["insee2019_illectronism"] is True


def test_practical_tasks_change_profile_and_needs_not_indicators(q):
    right = score(q, answers_with())
    wrong = score(q, answers_with(task_phishing="family", task_back="3"))
    assert wrong.indicators == right.indicators
    assert wrong.points == right.points - 2
    assert wrong.profile == "getting_along"
    assert {"safety", "basics"} <= set(wrong.needs)
    assert not {"safety", "basics"} & set(right.needs)


def test_task_answered_i_dont_know_is_not_passed(q):
    s = score(q, answers_with(task_phishing=IDK))
    assert s.tasks["task_phishing"] is False
    assert "safety" in s.needs


@pytest.mark.parametrize("overrides,need", [
    ({"eadmin": "with_help"}, "e_administration"),
    ({"eadmin": "not_online"}, "e_administration"),
    ({"devices": ["none"]}, "equipment"),
    ({"home_connection": "no"}, "connection"),
    ({"reading": "hard"}, "reading"),
    ({"situation": "job_seeker"}, "employment"),
    ({"ps_bank": "with_help"}, "accompaniment"),
])
def test_needs(q, overrides, need):
    assert need not in score(q, answers_with()).needs
    assert need in score(q, answers_with(**overrides)).needs


def test_with_help_everywhere_is_done_but_asks_for_accompaniment(q):
    s = score(q, answers_with(skill="with_help", eadmin="with_help"))
    assert s.indicators["dsi_at_least_basic"] is True
    assert "accompaniment" in s.needs


def test_an_area_done_only_with_help_is_shown_as_the_basics(q):
    # Every procedure done only with someone's help: the hub and the indicators count
    # them done (level 2), but the resident is not told "À l'aise" with procedures on
    # the page that sends them to be helped with them, nor "autonomous" overall.
    s = score(q, answers_with(skill="with_help", eadmin="with_help"))
    assert s.levels["problem_solving"] == 2
    assert s.shown_levels == {area: 1 for area in AREA_SCREENS}
    assert s.points == 5 + 2 and s.profile == "getting_along"
    assert {"e_administration", "accompaniment"} <= set(s.needs)
    # One activity done alone is enough for the area's reported level to show.
    mixed = score(q, answers_with(skill="with_help", eadmin="with_help", ps_bank="alone"))
    assert mixed.shown_levels["problem_solving"] == 2
    assert mixed.shown_levels["information"] == 1
    # Alone everywhere: nothing capped.
    alone = score(q, answers_with())
    assert alone.shown_levels == alone.levels and alone.profile == "autonomous"


@pytest.mark.parametrize("needs,expected", [
    ((), ("go_further", "help_others")),
    (("e_administration",), ("aidants_connect", "go_further")),
    (("equipment", "connection"), ("solidarity_device", "free_access")),
    (("e_administration", "equipment", "connection", "reading", "basics", "safety"),
     ("aidants_connect", "solidarity_device", "free_access", "illiteracy_centre")),
    (("basics", "accompaniment"), ("collective_workshops", "digital_advisor")),
])
def test_offers_two_to_four_in_priority_order(q, needs, expected):
    assert choose_offers(q, needs) == expected


def test_every_possible_result_gets_two_to_four_steps(q):
    for skill in ("cannot", "with_help", "alone", IDK):
        for last_use in ("3m", "never"):
            s = score(q, answers_with(last_use=last_use, skill=skill))
            assert 2 <= len(choose_offers(q, s.needs)) <= 4


def test_condition_language():
    answers = {"a": "x", "m": ["p", "q"], "i": IDK}
    assert evaluate({"question": "a", "in": ["x"]}, answers)
    assert evaluate({"question": "m", "in": ["q"]}, answers)
    assert not evaluate({"question": "i", "in": ["x"]}, answers)
    assert evaluate({"question": "i", "not_in": ["x"]}, answers)
    assert evaluate({"question": "missing", "not_in": ["x"]}, answers)
    assert evaluate({"all": [{"question": "a", "in": ["x"]}, {"area": "z", "level_below": 1}]},
                    answers, levels={"z": 0})
    assert not evaluate({"any": [{"task": "t", "passed": True}]}, answers, tasks={"t": None})


def test_places_for_falls_back_to_the_nearest_france_services(q):
    from kiosk.places.directory import load_schema, read_places
    from kiosk.diagnostic.recommend import places_for

    places = read_places(paths.DATA / "lieux_03.csv",
                         load_schema(paths.DATA / "schema_mediation_numerique.json")).places
    le_montet = (46.40903, 3.056601)
    near, ask_only = places_for(q.offer("aidants_connect"), places, le_montet)
    assert not ask_only and len(near) == 2 and near[0][1]["commune"] == "Le Montet"
    near, ask_only = places_for(q.offer("digital_advisor"), places, le_montet)
    assert ask_only and [p["commune"] for _, p in near] == ["Le Montet"]
    assert places_for(q.offer("help_others"), places, le_montet) == ([], False)
    assert places_for(q.offer("aidants_connect"), places, None) == ([], False)
