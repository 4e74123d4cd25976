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
    assert "reading" not in score(q, answers_with(q, reading="easy"), language=language).needs


@pytest.mark.parametrize("reading,raised", [("easy", False), ("some", True), ("hard", True)])
def test_the_reading_answer_raises_the_reading_need(q, reading, raised):
    assert ("reading" in score(q, answers_with(q, reading=reading), language="fr").needs) is raised


def never_user(**overrides):
    """A person who has never used the internet: no device, no connection at home."""
    answers = {"internet_ever": "no", "devices": ["none"], "home_connection": "no",
               "task_phishing": "refund", "task_back": "1", "age_band": "75+",
               "commune": "03183", "situation": "retired", "reading": "easy"}
    return dict(answers, **overrides)


def test_a_person_who_never_used_the_internet_learns_with_someone_before_buying(q):
    s = score(q, never_user())
    assert s.needs == ("basics", "equipment", "connection", "safety")
    assert choose_offers(q, s.needs) == ("collective_workshops", "solidarity_device",
                                         "free_access", "safety_awareness")


@pytest.mark.parametrize("language,age_band,expected", [
    # In another language: French classes for adults, not the illiteracy centre alone.
    ("uk", "45-59", "french_classes"),
    ("ar", "16-29", "french_classes"),
    # In French: the École de la deuxième chance for the 16-29 band only...
    ("fr", "16-29", "second_chance_school"),
    ("fr", "30-44", "illiteracy_centre"),
    ("fr", "75+", "illiteracy_centre"),
    # ...and not for a person who preferred not to give their age.
    ("fr", None, "illiteracy_centre"),
])
def test_who_is_offered_what_for_reading(q, language, age_band, expected):
    offers = choose_offers(q, ("reading",), age_band=age_band, language=language)
    assert offers[0] == expected
    reading_offers = {"french_classes", "second_chance_school", "illiteracy_centre"}
    assert reading_offers & set(offers) == {expected}


def test_the_second_chance_school_says_under_26(q):
    offer = q.offer("second_chance_school")
    assert offer.ages == ("16-29",)
    assert "moins de 26 ans" in offer.title


def test_a_young_person_who_reads_with_difficulty_and_declines_their_age(q):
    s = score(q, answers_with(q, reading="hard", age_band="_idk"))
    assert "second_chance_school" not in choose_offers(q, s.needs, age_band=None)


def test_the_illiteracy_centre_gives_a_phone_number(q):
    assert q.offer("illiteracy_centre").phone == "+33800111035"


def test_a_job_seeker_is_offered_clea_numerique(q):
    s = score(q, answers_with(q, situation="job_seeker"))
    assert s.needs == ("employment",)
    assert choose_offers(q, s.needs, age_band="30-44") == ("clea_certification", "go_further")


@pytest.mark.parametrize("language,age_band,expected", [
    ("uk", "16-29", "french_classes"),
    ("fr", "16-29", "second_chance_school"),
    ("fr", "_idk", "illiteracy_centre"),
])
def test_the_stored_result_offers_by_age_and_language(q, language, age_band, expected):
    from datetime import datetime, timezone

    from kiosk.diagnostic.record import build_record
    from kiosk.diagnostic.visit import Route

    answers = answers_with(q, reading="hard", age_band=age_band)
    record = build_record(Route(q, answers), {"language": language, "mode": "self"},
                          now=datetime(2026, 3, 2, 10, tzinfo=timezone.utc),
                          site_commune="03190", epci_of=lambda code: "200071140",
                          languages=["fr", "uk"])
    assert record.result["offers"][0] == expected


def national_places():
    from kiosk.places.directory import load_schema, read_places

    return read_places(paths.DATA / "lieux_03.csv",
                       load_schema(paths.DATA / "schema_mediation_numerique.json")).places


LE_MONTET = (46.40903, 3.056601)


def test_french_classes_point_to_the_local_list(q):
    from kiosk.diagnostic.recommend import places_for

    near, ask_only = places_for(q.offer("french_classes"), national_places(), LE_MONTET)
    assert not ask_only
    assert [place["id"] for _km, place in near] == ["local-fle-saint-pourcain",
                                                     "local-fle-moulins"]
    assert [round(km) for km, _place in near] == [22, 27]


def test_clea_points_to_the_local_list_too(q):
    from kiosk.diagnostic.recommend import places_for

    vichy = (46.1300051383, 3.42442081174)
    near, ask_only = places_for(q.offer("clea_certification"), national_places(), vichy)
    assert not ask_only
    assert [place["id"] for _km, place in near] == ["local-e2c-vichy", "local-clea-lapalisse"]


def test_a_phone_only_offer_has_no_places(q):
    from kiosk.diagnostic.recommend import places_for

    assert places_for(q.offer("illiteracy_centre"), national_places(), LE_MONTET) == ([], False)


def copy_offers(tmp_path, old="", new="", csv_old="", csv_new=""):
    """offers.yaml and its local list copied to ``tmp_path``, with one change in each."""
    import shutil

    data = tmp_path / "data"
    data.mkdir()
    shutil.copy(paths.DATA / "lieux_locaux.schema.json", data)
    rows = (paths.DATA / "lieux_locaux_03.csv").read_text("utf-8")
    assert csv_old in rows
    (data / "lieux_locaux_03.csv").write_text(rows.replace(csv_old, csv_new, 1), "utf-8")
    text = (paths.QUESTIONNAIRES / "offers.yaml").read_text("utf-8")
    assert old in text
    (tmp_path / "offers.yaml").write_text(text.replace(old, new, 1), "utf-8")
    return tmp_path / "offers.yaml"


def line_of(path, fragment):
    """The number of the first line of ``path`` holding ``fragment``."""
    return next(n for n, text in enumerate(path.read_text("utf-8").splitlines(), 1)
                if fragment in text)


def problems_of(offers_path):
    from kiosk.diagnostic.yamlfile import DataFileError

    with pytest.raises(DataFileError) as caught:
        load_questionnaire_files(paths.QUESTIONNAIRES / "diagnostic.yaml", offers_path)
    return [str(p) for p in caught.value.problems]


def test_an_unknown_age_band_is_reported_with_its_line(tmp_path):
    offers = copy_offers(tmp_path, 'ages: ["16-29"]', 'ages: ["16-25"]')
    assert problems_of(offers) == [
        f"{offers}:{line_of(offers, '16-25')}: unknown age band '16-25' (the age question's bands: "
        "0-15, 16-29, 30-44, 45-59, 60-74, 75+)"]


def test_an_unknown_local_service_is_reported_with_its_line(tmp_path):
    offers = copy_offers(tmp_path, "local: [Cours de français pour adultes]",
                         "local: [Cours de français]")
    assert problems_of(offers) == [
        f"{offers}:{line_of(offers, 'local: [Cours de français]')}: 'Cours de français' is not a services value of the local list "
        "of places"]


def test_a_broken_row_of_the_local_list_is_reported_with_its_line(tmp_path):
    offers = copy_offers(tmp_path, csv_old="Cours de français pour adultes,Place de la Liberté,03000",
                         csv_new="Cours d'anglais,Place de la Liberté,3000")
    csv_path = tmp_path / "data" / "lieux_locaux_03.csv"
    problems = problems_of(offers)
    assert problems == [
        f"{csv_path}:5: id local-fle-moulins: services: value(s) not allowed: \"Cours d'anglais\"",
        f"{csv_path}:5: id local-fle-moulins: code_postal: '3000' does not match the "
        "pattern ^\\d{5}$"]


def test_unreadable_hours_in_the_local_list_are_reported_with_their_line(tmp_path):
    offers = copy_offers(tmp_path, csv_old='"Tu,Th 14:00-16:00"', csv_new="mardi 14h-16h")
    (problem,) = problems_of(offers)
    assert problem.startswith(f"{tmp_path / 'data' / 'lieux_locaux_03.csv'}:5: "
                              "id local-fle-moulins: horaires: ")


def test_a_missing_local_list_is_reported(tmp_path):
    offers = copy_offers(tmp_path, "file: data/lieux_locaux_03.csv", "file: data/absent.csv")
    (problem,) = problems_of(offers)
    assert problem.startswith(f"{tmp_path / 'data' / 'absent.csv'}:1: cannot read")


def test_the_shipped_local_list_is_all_marked_as_samples():
    import csv

    with open(paths.DATA / "lieux_locaux_03.csv", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 8
    assert all(row["source"].startswith("EXEMPLE") for row in rows)


@pytest.mark.parametrize("answer,raised", [("alone", False), ("helped", True),
                                           ("done_for_me", True), ("not_done", True)])
def test_the_health_question_raises_the_health_need(q, answer, raised):
    s = score(q, answers_with(q, procedures={"eadmin": "alone", "health": answer}))
    assert ("health" in s.needs) is raised
    if raised:
        assert choose_offers(q, s.needs)[0] == "health_space"


def test_the_health_step_names_places(q):
    from kiosk.diagnostic.recommend import places_for

    near, ask_only = places_for(q.offer("health_space"), national_places(), LE_MONTET)
    assert not ask_only
    assert [place["commune"] for _km, place in near] == ["Le Montet", "Montmarault"]


def test_a_person_who_never_used_the_internet_is_not_asked_about_health(q):
    from kiosk.diagnostic.scoring import visible_screens

    assert "procedures" not in [s.id for s in visible_screens(q, never_user())]
    assert "procedures" in [s.id for s in visible_screens(q, answers_with(q))]


def test_a_local_list_named_without_its_schema_is_a_schema_problem(tmp_path):
    offers = copy_offers(tmp_path, "  schema: data/lieux_locaux.schema.json\n", "")
    (problem,) = problems_of(offers)
    assert problem == f"{offers}:{line_of(offers, 'file: data/lieux_locaux_03.csv')}: local_places: " \
                      "'schema' is a required property"
