"""Scoring rules, table-driven, on the shipped questionnaire and on tiny ones."""
from __future__ import annotations

import pytest

from kiosk import paths
from kiosk.diagnostic.recommend import choose_offers
from kiosk.diagnostic.resources import load_questionnaire_files
from kiosk.diagnostic.scoring import IDK, evaluate, score, visible_screens


@pytest.fixture(scope="module")
def q():
    return load_questionnaire_files(paths.QUESTIONNAIRES / "diagnostic.yaml",
                                    paths.QUESTIONNAIRES / "offers.yaml")


AREA_SCREENS = {"information": "act_information", "communication": "act_communication",
                "content": "act_content", "safety": "act_safety",
                "problem_solving": "act_problem_solving"}
# How many DSI activities each area asks (questionnaires/data/dsi2_activities.csv).
ITEMS = {"information": 4, "communication": 6, "content": 7, "safety": 7,
         "problem_solving": 7}


def answers_with(q, ever="yes", last_use="3m", how="alone", proc="alone", done=None,
                 **overrides):
    """A full set of answers. Every activity item is answered ``how`` (IDK: the whole
    screen "Je ne sais pas"), except the ids of ``done`` (item id -> answer); both
    procedures are answered ``proc``."""
    answers = {"internet_ever": ever, "last_use": last_use, "devices": ["smartphone"],
               "home_connection": "box", "procedures": {"eadmin": proc, "health": proc},
               "task_phishing": "refund", "task_back": "1", "age_band": "60-74",
               "commune": "03190", "situation": "retired", "reading": "easy"}
    for screen_id in AREA_SCREENS.values():
        screen = q.screen(screen_id)
        answers[screen_id] = IDK if how == IDK else {o.id: how for o in screen.options}
    for item, answer in (done or {}).items():
        screen_id = next(s.id for s in q.screens if s.option(item) and s.type == "activities")
        if not isinstance(answers[screen_id], dict):
            answers[screen_id] = {o.id: "not_done" for o in q.screen(screen_id).options}
        answers[screen_id][item] = answer
    answers.update(overrides)
    return answers


def none_but(q, **done):
    """Nothing done but the items named (item id -> answer)."""
    return answers_with(q, how="not_done", proc="not_done", done=done)


def test_the_shipped_questionnaire_asks_every_dsi_activity_once(q):
    asked = [o.dsi_activity for s in q.screens for o in s.options if o.dsi_activity]
    assert len(asked) == len(set(asked)) == 31
    assert {a: len(q.screen(s).options) for a, s in AREA_SCREENS.items()} == ITEMS
    assert {o.period_months for o in q.screen("act_problem_solving").options} == {3, 12}
    assert q.screen("act_problem_solving").option("ps_buy").period_months == 12
    assert q.frame == "2"


@pytest.mark.parametrize("how,expected_level", [
    ("alone", 2),
    ("helped", 2),        # done with help counts as done in the headline figures
    ("done_for_me", 0),   # someone else did it: not done, as in Eurostat's e-government module
    ("not_done", 0), (IDK, 0),  # "I don't know" counts as not done
])
def test_each_answer_counts_as_done_or_not(q, how, expected_level):
    s = score(q, answers_with(q, how=how))
    assert s.levels["information"] == expected_level
    assert s.levels["safety"] == expected_level
    assert s.strict_levels["safety"] == (2 if how == "alone" else 0)


def test_dsi_thresholds_differ_by_area(q):
    # two activities: above basic for information (2+), only basic for safety (3+ needed)
    s = score(q, none_but(q, info_goods="alone", info_news="alone",
                          sf_secure="alone", sf_ads="alone"))
    assert s.levels["information"] == 2
    assert s.levels["safety"] == 1
    assert s.levels["content"] == 0


def test_confident_user_is_not_illectronic_and_has_basic_skills(q):
    s = score(q, answers_with(q))
    assert s.indicators == {
        "insee2021_illectronism": False, "insee2021_illectronism_strict": False,
        "dsi_at_least_basic": True, "dsi_at_least_basic_strict": True,
        "insee2019_illectronism_approx": False, "insee2019_illectronism_approx_strict": False}
    assert s.profile == "autonomous"
    assert s.points == 12


def test_headline_and_strict_figures_differ_by_what_was_done_with_help(q):
    # Everything done with someone's help: done for the headline figures (a helped
    # respondent most likely answers yes to the survey), not done for the strict ones.
    s = score(q, answers_with(q, how="helped", proc="helped"))
    assert s.indicators["dsi_at_least_basic"] is True
    assert s.indicators["dsi_at_least_basic_strict"] is False
    assert s.indicators["insee2021_illectronism"] is False
    assert s.indicators["insee2021_illectronism_strict"] is True
    assert set(s.strict_levels.values()) == {0} and set(s.levels.values()) == {2}


def test_never_used_internet_skips_the_activities_and_is_illectronic(q):
    for ever in ("no", IDK):  # "Je ne sais pas" to "ever used": may not know the word
        shown = [s.id for s in visible_screens(q, {"internet_ever": ever})]
        assert not {s for s in shown if s.startswith("act_")} | ({"procedures", "last_use"}
                                                                  & set(shown))
        assert len(shown) == 9
    s = score(q, answers_with(q, ever="no"))
    assert all(v == 0 for v in s.levels.values())
    assert s.indicators["insee2019_illectronism_approx"] is True
    assert s.indicators["insee2021_illectronism"] is True
    assert s.indicators["dsi_at_least_basic"] is False
    assert "basics" in s.needs


def test_a_typical_internet_user_is_asked_at_most_twenty_screens(q):
    shown = visible_screens(q, answers_with(q))
    assert len(shown) == 16


def test_answers_to_hidden_screens_do_not_count(q):
    # someone answered activities, went back and said "never": the activities vanish
    s = score(q, answers_with(q, ever="no"))
    assert s.activities_done["information"] == 0


@pytest.mark.parametrize("last_use,insee2019,insee2021,dsi,asked", [
    ("3m", False, False, True, True),
    # Activities are asked of the last 3 months' users, as in the survey: a user of the
    # last 12 months has none, which makes them illectronic for 2019 too.
    ("12m", True, True, False, False),
    ("older", True, True, False, False),
    (IDK, False, False, True, True),      # unknown period: asked, judged on activities done
])
def test_the_period_of_each_definition(q, last_use, insee2019, insee2021, dsi, asked):
    a = answers_with(q, last_use=last_use)
    assert (q.screen("act_information") in visible_screens(q, a)) is asked
    s = score(q, a)
    assert s.indicators["insee2019_illectronism_approx"] is insee2019
    assert s.indicators["insee2021_illectronism"] is insee2021
    assert s.indicators["dsi_at_least_basic"] is dsi


def test_insee_2019_needs_all_four_areas_at_zero(q):
    # information only: one domain above 0 is enough not to be illectronic in 2019
    s = score(q, none_but(q, info_goods="alone"))
    assert s.indicators["insee2019_illectronism_approx"] is False
    # 2021: lacking basic skills in 4 of 5 areas is illectronism
    assert s.indicators["insee2021_illectronism"] is True
    assert score(q, none_but(q)).indicators["insee2019_illectronism_approx"] is True


def test_insee_2021_threshold_is_at_least_four_of_five(q):
    # three areas lacking: "weak skills", not illectronism
    a = none_but(q, info_goods="alone", com_email="alone")
    assert score(q, a).indicators["insee2021_illectronism"] is False
    assert score(q, a).indicators["dsi_at_least_basic"] is False


def test_safety_area_does_not_count_for_insee_2019(q):
    s = score(q, none_but(q, sf_secure="alone"))
    assert s.levels["safety"] == 1
    assert s.indicators["insee2019_illectronism_approx"] is True


@pytest.mark.parametrize("band,dsi,insee", [
    ("0-15", False, False), ("16-29", True, True), ("60-74", True, True),
    ("75+", False, True), (IDK, False, False),
])
def test_indicators_are_given_for_the_ages_they_compare_with(q, band, dsi, insee):
    # DSI: 16-74; INSEE: 15 and over ("0-15" straddles 15, so it is left out);
    # no age given: compared with nothing.
    s = score(q, answers_with(q, age_band=band))
    assert ("dsi_at_least_basic" in s.indicators) is dsi
    assert ("dsi_at_least_basic_strict" in s.indicators) is dsi
    assert ("insee2021_illectronism" in s.indicators) is insee
    assert ("insee2019_illectronism_approx" in s.indicators) is insee


def test_practical_tasks_change_profile_and_needs_not_indicators(q):
    right = score(q, answers_with(q))
    wrong = score(q, answers_with(q, task_phishing="family", task_back="3"))
    assert wrong.indicators == right.indicators
    assert wrong.points == right.points - 2
    assert wrong.profile == "getting_along"
    assert {"safety", "basics"} <= set(wrong.needs)
    assert not {"safety", "basics"} & set(right.needs)


def test_task_answered_i_dont_know_is_not_passed(q):
    s = score(q, answers_with(q, task_phishing=IDK))
    assert s.tasks["task_phishing"] is False
    assert "safety" in s.needs


@pytest.mark.parametrize("overrides,need", [
    ({"procedures": {"eadmin": "helped", "health": "alone"}}, "e_administration"),
    ({"procedures": {"eadmin": "done_for_me", "health": "alone"}}, "e_administration"),
    ({"procedures": {"eadmin": "not_done", "health": "alone"}}, "e_administration"),
    ({"procedures": {"eadmin": "alone", "health": "not_done"}}, "health"),
    ({"devices": ["none"]}, "equipment"),
    ({"home_connection": "no"}, "connection"),
    ({"reading": "hard"}, "reading"),
    ({"situation": "job_seeker"}, "employment"),
    ({"procedures": {"eadmin": "alone", "health": "helped"}}, "accompaniment"),
    ({"last_use": "older"}, "basics"),
    ({"internet_ever": "no"}, "basics"),
])
def test_needs(q, overrides, need):
    assert need not in score(q, answers_with(q)).needs
    assert need in score(q, answers_with(q, **overrides)).needs


def test_an_item_done_for_me_asks_for_accompaniment(q):
    s = score(q, answers_with(q, done={"ps_bank": "done_for_me"}))
    assert "accompaniment" in s.needs


def test_an_area_done_only_with_help_is_shown_as_the_basics(q):
    # Every procedure done only with someone's help: the hub and the headline indicators
    # count them done (level 2), but the resident is not told "À l'aise" with procedures
    # on the page that sends them to be helped with them, nor "autonomous" overall.
    s = score(q, answers_with(q, how="helped", proc="helped"))
    assert s.levels["problem_solving"] == 2
    assert s.shown_levels == {area: 1 for area in AREA_SCREENS}
    assert s.points == 5 + 2 and s.profile == "getting_along"
    assert {"e_administration", "accompaniment"} <= set(s.needs)
    # One activity done alone is enough for the area's reported level to show.
    mixed = score(q, answers_with(q, how="helped", proc="helped",
                                  done={"ps_bank": "alone"}))
    assert mixed.shown_levels["problem_solving"] == 2
    assert mixed.shown_levels["information"] == 1
    # Alone everywhere: nothing capped.
    alone = score(q, answers_with(q))
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
    for how in ("not_done", "helped", "alone", "done_for_me", IDK):
        for ever in ("yes", "no"):
            s = score(q, answers_with(q, ever=ever, how=how))
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
    # One item of an activities screen; "Je ne sais pas" to the screen is "unknown".
    answers = {"acts": {"x": "helped", "y": "not_done"}, "skipped": IDK}
    assert evaluate({"question": "acts", "item": "x", "in": ["helped"]}, answers)
    assert not evaluate({"question": "acts", "item": "y", "in": ["helped"]}, answers)
    assert evaluate({"question": "skipped", "item": "x", "in": ["unknown"]}, answers)
    assert not evaluate({"question": "missing", "item": "x", "in": ["helped"]}, answers)


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


def test_one_activity_done_with_help_among_many_done_alone_needs_no_accompaniment(q):
    # The confident resident did one thing with help: she is at ease, and is not sent to
    # a conseiller numérique on the page that tells her so.
    s = score(q, answers_with(q, done={"cc_sheet": "helped"}))
    assert "accompaniment" not in s.needs and s.profile == "autonomous"
    # An area done only with help, or a thing someone did for her, asks for it.
    for done in ({f"cc_{i}": "not_done" for i in ("write", "files", "edit", "combine",
                                                   "formulas", "code")} | {"cc_sheet": "helped"},
                 {"ps_bank": "done_for_me"}):
        assert "accompaniment" in score(q, answers_with(q, done=done)).needs


@pytest.mark.parametrize("variant", [
    {}, {"done": {"cc_sheet": "helped"}}, {"done": {"ps_bank": "done_for_me"}},
    {"task_back": "3"}, {"task_phishing": "family"}, {"proc": "helped"},
    {"done": {f"sf_{i}": "helped" for i in ("secure", "location", "profile", "ads",
                                            "policy", "cookies", "request")}},
])
def test_a_resident_told_at_ease_is_never_sent_to_be_helped(q, variant):
    # The profile never contradicts the next steps on the same page: "Vous êtes à
    # l'aise … vous pouvez même aider les autres" comes only with the steps to go further.
    s = score(q, answers_with(q, **variant))
    if s.profile == "autonomous":
        assert choose_offers(q, s.needs) == ("go_further", "help_others")
    else:
        assert choose_offers(q, s.needs) != ("go_further", "help_others")
