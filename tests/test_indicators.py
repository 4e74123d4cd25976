"""The DSI 2.0 and INSEE illectronisme figures of one person (kiosk/diagnostic/indicators.py)."""
import pytest
import yaml

from kiosk import paths
from kiosk.diagnostic import indicators
from kiosk.diagnostic.indicators import DSI_AGES, INSEE_AGES, DefinitionError, age_scope, compute

# One activity of each area, as they are listed in questionnaires/data/dsi2_activities.csv.
ONE_PER_AREA = ["info_goods", "com_email", "cc_write", "sf_location", "ps_install"]


@pytest.fixture(scope="module")
def definition():
    return indicators.load_definition(paths.DATA)


def each(activities, answer):
    return {a: answer for a in activities}


def test_the_shipped_data_lists_the_31_dsi_activities_with_their_periods(definition):
    per_area = {a.id: sum(1 for x in definition.activities if x.area == a.id)
                for a in definition.areas}
    assert per_area == {"information": 4, "communication": 6, "content": 7,
                        "safety": 7, "problem_solving": 7}
    periods = {a.id: a.period_months for a in definition.activities}
    assert periods["ps_buy"] == 12
    assert periods["ps_sell"] == 3
    assert [a for a, months in periods.items() if months != 3] == ["ps_buy"]
    thresholds = {a.id: (a.basic_min, a.above_basic_min) for a in definition.areas}
    assert thresholds == {"information": (1, 2), "communication": (1, 2), "content": (1, 3),
                          "safety": (1, 3), "problem_solving": (1, 3)}


def test_a_person_who_never_used_the_internet_is_illectronic_with_no_skills(definition):
    result = compute(definition, {}, "never", "75+")
    for figure in (result.headline, result.strict):
        assert figure.illectronism_2021 is True
        assert figure.illectronism_2019_approx is True
        assert figure.at_least_basic is False
        assert figure.dsi_overall == "no_use"
        assert set(figure.levels.values()) == {"none"}


def test_one_activity_per_area_done_alone_is_at_least_basic(definition):
    result = compute(definition, each(ONE_PER_AREA, "alone"), "3m", "30-44")
    for figure in (result.headline, result.strict):
        assert figure.levels == {"information": "basic", "communication": "basic",
                                 "content": "basic", "safety": "basic",
                                 "problem_solving": "basic"}
        assert figure.at_least_basic is True
        assert figure.dsi_overall == "basic"
        assert figure.illectronism_2021 is False


def test_help_everywhere_is_basic_in_the_headline_and_not_in_the_strict_figure(definition):
    result = compute(definition, each(ONE_PER_AREA, "helped"), "3m", "45-59")
    assert result.headline.at_least_basic is True
    assert result.headline.illectronism_2021 is False
    assert result.strict.at_least_basic is False
    assert result.strict.levels == dict.fromkeys(indicators.AREA_IDS, "none")
    assert result.strict.illectronism_2021 is True


def test_done_for_me_never_counts_even_for_every_activity(definition):
    everything = each([a.id for a in definition.activities], "done_for_me")
    result = compute(definition, everything, "3m", "60-74")
    for figure in (result.headline, result.strict):
        assert set(figure.levels.values()) == {"none"}
        assert figure.at_least_basic is False
        assert figure.illectronism_2021 is True


def test_unknown_and_unanswered_activities_count_as_not_done(definition):
    answers = each(ONE_PER_AREA, "alone") | {"info_goods": "unknown"}
    result = compute(definition, answers, "3m", "30-44")
    assert result.headline.levels["information"] == "none"
    assert result.headline.at_least_basic is False


@pytest.mark.parametrize("area_activities, done, level", [
    (["info_goods"], 1, "basic"),
    (["info_goods", "info_news"], 2, "above_basic"),
    (["cc_write", "cc_files"], 2, "basic"),
    (["cc_write", "cc_files", "cc_edit"], 3, "above_basic"),
    (["sf_location", "sf_profile"], 2, "basic"),
    (["ps_install", "ps_bank", "ps_buy"], 3, "above_basic"),
])
def test_levels_follow_the_dsi_thresholds(definition, area_activities, done, level):
    assert len(area_activities) == done
    area = definition.activities[[a.id for a in definition.activities]
                                 .index(area_activities[0])].area
    levels = indicators.area_levels(definition, each(area_activities, "alone"), "strict")
    assert levels[area] == level


def test_above_basic_everywhere_is_above_basic_overall(definition):
    everything = each([a.id for a in definition.activities], "alone")
    assert compute(definition, everything, "3m", "15-29").strict.dsi_overall == "above_basic"


def test_insee_2021_needs_four_of_five_areas_lacking(definition):
    # information and communication only: 3 areas lacking, "capacités faibles", not illectronic
    two_areas = compute(definition, each(["info_goods", "com_email"], "alone"), "3m", "75+")
    assert two_areas.strict.illectronism_2021 is False
    # communication only: 4 areas lacking
    one_area = compute(definition, each(["com_email"], "alone"), "3m", "75+")
    assert one_area.strict.illectronism_2021 is True


def test_the_2019_approximation_looks_at_four_domains_over_twelve_months(definition):
    # content creation stands for 2019's "software": one such activity is enough in 2019
    content_only = compute(definition, each(["cc_write"], "alone"), "3m", "30-44")
    assert content_only.strict.illectronism_2021 is True
    assert content_only.strict.illectronism_2019_approx is False
    # safety was not a 2019 domain
    safety_only = compute(definition, each(["sf_location"], "alone"), "3m", "30-44")
    assert safety_only.strict.illectronism_2019_approx is True


def test_an_activity_done_shows_internet_use_when_the_person_does_not_know(definition):
    result = compute(definition, each(ONE_PER_AREA, "alone"), "unknown", "30-44")
    assert result.headline.at_least_basic is True
    done_for_me = compute(definition, each(ONE_PER_AREA, "done_for_me"), "unknown", "30-44")
    assert done_for_me.headline.dsi_overall == "no_use"


def test_a_user_of_more_than_three_months_ago_has_no_dsi_skills(definition):
    result = compute(definition, each(ONE_PER_AREA, "alone"), "12m", "30-44")
    assert result.headline.dsi_overall == "no_use"
    assert result.headline.illectronism_2021 is True


@pytest.mark.parametrize("answers, last_use", [
    ({"info_goods": "yes"}, "3m"),
    ({"no_such_activity": "alone"}, "3m"),
    ({}, "last_week"),
])
def test_answers_outside_the_vocabulary_are_refused(definition, answers, last_use):
    with pytest.raises(ValueError):
        compute(definition, answers, last_use, "30-44")


@pytest.mark.parametrize("band, dsi, insee", [
    ("15-29", "not_comparable", "in"),
    ("30-44", "in", "in"),
    ("45-59", "in", "in"),
    ("60-74", "in", "in"),
    ("75+", "out", "in"),
    ("16-24", "in", "in"),
    ("70-79", "not_comparable", "in"),
    ("10-14", "out", "out"),
    ("12-17", "not_comparable", "not_comparable"),
    (None, "unknown", "unknown"),
    ("no_answer", "unknown", "unknown"),
])
def test_age_bands_in_scope_of_each_figure(band, dsi, insee):
    assert DSI_AGES == (16, 74)
    assert INSEE_AGES == (15, None)
    assert age_scope(band, DSI_AGES) == dsi
    assert age_scope(band, INSEE_AGES) == insee


def test_every_age_band_of_the_questionnaire_has_a_scope():
    questionnaire = yaml.safe_load((paths.QUESTIONNAIRES / "diagnostic.yaml").read_text())
    bands = [option["id"] for screen in questionnaire["screens"]
             if screen.get("profile_field") == "age_band" for option in screen["options"]]
    assert bands, "the questionnaire has an age question"
    for band in bands:
        assert age_scope(band, DSI_AGES) in ("in", "out", "not_comparable")


def test_a_malformed_age_band_is_refused():
    with pytest.raises(ValueError):
        age_scope("thirty", DSI_AGES)


# --- The data files ----------------------------------------------------------------------

def copy_with(tmp_path, name, line_number, new_line):
    """Copies of the shipped data files, with one line of ``name`` replaced (1-based)."""
    for shipped in (indicators.ACTIVITIES_FILE, indicators.AREAS_FILE):
        (tmp_path / shipped).write_bytes((paths.DATA / shipped).read_bytes())
    path = tmp_path / name
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[line_number - 1] = new_line
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def load_problems(data_dir):
    with pytest.raises(DefinitionError) as caught:
        indicators.load_definition(data_dir)
    return caught.value.problems


@pytest.mark.parametrize("new_line, message", [
    ('info_health,information,"cherché sur la santé",trois,I_IHIF', "period_months"),
    ('info_health,information,"cherché sur la santé",6,I_IHIF', "3 or 12"),
    ('info_health,informations,"cherché sur la santé",3,I_IHIF', "unknown area"),
    ('info_health,information,"cherché sur la santé",3', "4 fields"),
    ('info_goods,information,"cherché sur la santé",3,I_IHIF', "listed twice"),
    ('info_health,information,,3,I_IHIF', "wording_fr"),
])
def test_a_malformed_activity_row_is_reported_with_file_and_line(tmp_path, new_line, message):
    path = copy_with(tmp_path, "dsi2_activities.csv", 3, new_line)
    problems = load_problems(tmp_path)
    assert len(problems) == 1
    assert problems[0].startswith(f"{path}:3: ")
    assert message in problems[0]


def test_inverted_thresholds_are_reported_with_file_and_line(tmp_path):
    path = copy_with(tmp_path, "dsi2_areas.csv", 4, "content,Digital content creation,3,1,yes")
    problems = load_problems(tmp_path)
    assert problems == [f"{path}:4: thresholds must satisfy 1 <= basic_min < "
                        "above_basic_min (got 3 and 1)"]


def test_a_wrong_header_is_reported_on_line_one(tmp_path):
    path = copy_with(tmp_path, "dsi2_areas.csv", 1, "id,label,basic,above,insee")
    problems = load_problems(tmp_path)
    assert problems[0].startswith(f"{path}:1: the header must be")


def test_an_unreachable_above_basic_level_is_refused(tmp_path):
    path = copy_with(tmp_path, "dsi2_areas.csv", 2, "information,Information,1,5,yes")
    problems = load_problems(tmp_path)
    assert problems == [f"{tmp_path / 'dsi2_activities.csv'}: area 'information' has 4 "
                        "activities, fewer than its above_basic_min (5)"]
