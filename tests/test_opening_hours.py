"""Opening hours in plain words, on the `horaires` values of real rows of the places data.

The constants in capitals are copied literally from questionnaires/data/lieux_03.csv (France
services places of the Allier) and the standard's own valid example (provenance and licence:
questionnaires/data/SOURCES.md). Other values are such rows with one rule added, to reach
cases the sample data lacks. December 2026: Tuesday 1, first Saturday 5, Christmas Friday 25
(a public holiday).
"""

import csv
import re
from datetime import date, datetime, time
from pathlib import Path

import pytest

from kiosk.places.hours import (
    HoursError, describe_status, describe_week, parse, parse_or_none,
)

DATA = Path(__file__).resolve().parent.parent / "questionnaires" / "data"

# The distinct `horaires` values of the sample data, literally (row ids: france-services-2020-N).
BOURBON_NET = "Mo 09:30-14:30; Tu 09:30-14:30; We 09:30-14:30; Th 09:30-14:30; Fr 09:30-14:30"  # 8
LE_MONTET = "Mo-Th 09:00-12:00,14:00-18:00; Fr 09:00-12:00; Sa[1] 09:00-12:00"  # 11
WEDNESDAY_LATE = (  # 12, Le Mayet de Montagne
    "Mo 09:00-12:00,13:00-17:00; Tu 09:00-12:00,13:00-17:00; "
    "We 09:00-12:00,14:00-18:00; Th 09:00-12:00,13:00-17:00; "
    "Fr 09:00-12:00,13:00-17:00")
FRIDAY_MORNING = (  # 13 and 17, Dompierre sur Besbre and Ebreuil
    "Mo 09:00-12:00,13:30-17:00; Tu 09:00-12:00,13:30-17:00; "
    "We 09:00-12:00,13:30-17:00; Th 09:00-12:00,13:30-17:00; Fr 09:00-12:00")
HALF_PAST_EIGHT = (  # 14, Huriel
    "Mo 08:30-12:00,14:00-17:30; Tu 08:30-12:00,14:00-17:30; "
    "We 08:30-12:00,14:00-17:30; Th 08:30-12:00,14:00-17:30; "
    "Fr 08:30-12:00,14:30-17:00")
QUARTER_PAST = (  # 15, Montmarault
    "Mo 08:30-12:30,13:30-17:15; Tu 08:30-12:30,13:30-17:15; "
    "We 08:30-12:30,13:30-17:15; Th 08:30-12:30,13:30-17:15; Fr 08:30-12:30")
TUESDAY_TO_SATURDAY = (  # 16, Marcillat en Combrailles
    "Tu 08:30-12:00,13:30-17:30; We 08:30-12:00,13:30-17:30; "
    "Th 08:30-12:00,13:30-17:30; Fr 08:30-12:00,13:30-17:30; "
    "Sa 08:30-12:00,13:30-17:30")
UNEVEN = (  # 9, Pays de Lapalisse
    "Mo 10:00-12:00; Tu 08:00-12:00,13:30-17:30; We 10:00-12:00; "
    "Th 08:00-12:30,13:30-17:30; Fr 08:30-12:00,13:30-16:30")
STANDARD_EXAMPLE = "Mo-Fr 09:00-12:00,14:00-18:30; Sa 08:30-12:00"  # exemple-valide.csv
REAL_ROWS = [BOURBON_NET, LE_MONTET, WEDNESDAY_LATE, FRIDAY_MORNING, HALF_PAST_EIGHT,
             QUARTER_PAST, TUESDAY_TO_SATURDAY, UNEVEN, STANDARD_EXAMPLE]


def french(message):
    """The msgids are French: the identity is the French catalogue."""
    return message


# A reviewer's Arabic for the frames used below (test data, not the catalogue).
ARABIC = {
    "Prochaine ouverture : %(when)s": "الافتتاح القادم: %(when)s",
    "%(day)s à %(time)s": "%(day)s الساعة %(time)s",
    "Ouvert aujourd'hui %(spans)s": "مفتوح اليوم %(spans)s",
    "de %(start)s à %(end)s": "من %(start)s إلى %(end)s",
    "%(day)s : %(hours)s": "%(day)s: %(hours)s",
    "%(start)s – %(end)s": "%(start)s – %(end)s",
    "fermé": "مغلق",
}


def arabic(message):
    return ARABIC[message]


def says(horaires, now, locale="fr", gettext=french):
    """The sentence, with no-break spaces shown as spaces (pinned on their own below)."""
    sentence = describe_status(parse(horaires).status(now), now, locale, gettext)
    return sentence.replace("\u00a0", " ")


def test_french_hours_read_9_h_and_stay_on_one_line():
    now = datetime(2026, 12, 1, 12, 30)
    assert describe_status(parse(FRIDAY_MORNING).status(now), now, "fr", french) == (
        "Ouvert aujourd'hui de 13\u00a0h\u00a030 à 17\u00a0h")


@pytest.mark.parametrize(("horaires", "now", "expected"), [
    # A weekday morning, before and during opening.
    (BOURBON_NET, datetime(2026, 12, 1, 8, 0), "Ouvert aujourd'hui de 9 h 30 à 14 h 30"),
    (LE_MONTET, datetime(2026, 12, 1, 7, 45),
     "Ouvert aujourd'hui de 9 h à 12 h et de 14 h à 18 h"),
    (LE_MONTET, datetime(2026, 12, 1, 10, 0),
     "Ouvert maintenant jusqu'à 12 h, puis de 14 h à 18 h"),
    (QUARTER_PAST, datetime(2026, 12, 1, 15, 0), "Ouvert maintenant jusqu'à 17 h 15"),
    # The lunchtime gap.
    (LE_MONTET, datetime(2026, 12, 1, 12, 30), "Ouvert aujourd'hui de 14 h à 18 h"),
    (FRIDAY_MORNING, datetime(2026, 12, 1, 12, 0), "Ouvert aujourd'hui de 13 h 30 à 17 h"),
    (WEDNESDAY_LATE, datetime(2026, 12, 2, 12, 30), "Ouvert aujourd'hui de 14 h à 18 h"),
    (HALF_PAST_EIGHT, datetime(2026, 12, 4, 12, 10), "Ouvert aujourd'hui de 14 h 30 à 17 h"),
    # The evening, and a Friday afternoon before the weekend.
    (STANDARD_EXAMPLE, datetime(2026, 12, 1, 19, 0), "Prochaine ouverture : demain à 9 h"),
    (FRIDAY_MORNING, datetime(2026, 12, 4, 13, 0), "Prochaine ouverture : lundi à 9 h"),
    # Saturday: Le Montet opens on the first Saturday of the month only.
    (LE_MONTET, datetime(2026, 12, 4, 13, 0), "Prochaine ouverture : demain à 9 h"),
    (LE_MONTET, datetime(2026, 12, 5, 10, 0), "Ouvert maintenant jusqu'à 12 h"),
    (LE_MONTET, datetime(2026, 12, 12, 10, 0), "Prochaine ouverture : lundi à 9 h"),
    (STANDARD_EXAMPLE, datetime(2026, 12, 5, 11, 0), "Ouvert maintenant jusqu'à 12 h"),
    # Sunday.
    (TUESDAY_TO_SATURDAY, datetime(2026, 12, 6, 10, 0),
     "Prochaine ouverture : mardi à 8 h 30"),
    (UNEVEN, datetime(2026, 12, 6, 10, 0), "Prochaine ouverture : demain à 10 h"),
    (UNEVEN, datetime(2026, 12, 2, 11, 59), "Ouvert maintenant jusqu'à 12 h"),
])
def test_the_screen_says_where_the_place_stands(horaires, now, expected):
    assert says(horaires, now) == expected


def test_a_public_holiday_rule_closes_christmas():
    without_rule = STANDARD_EXAMPLE
    with_rule = STANDARD_EXAMPLE + "; PH off"
    christmas_eve = datetime(2026, 12, 24, 19, 0)
    assert says(without_rule, christmas_eve) == "Prochaine ouverture : demain à 9 h"
    # Friday 25 is a holiday, Saturday 26 a plain Saturday.
    assert says(with_rule, christmas_eve) == "Prochaine ouverture : samedi à 8 h 30"
    assert says(with_rule, datetime(2026, 12, 25, 10, 0)) == (
        "Prochaine ouverture : demain à 8 h 30")


def test_a_later_rule_overrides_an_earlier_one_for_its_days():
    closed_on_wednesdays = LE_MONTET + "; We off"
    assert says(closed_on_wednesdays, datetime(2026, 12, 1, 19, 0)) == (
        "Prochaine ouverture : jeudi à 9 h")


def test_an_opening_a_week_or_more_ahead_gives_the_date():
    # A bare "lundi" on a Monday afternoon would mean today.
    assert says("Mo 10:00-12:00; PH off", datetime(2026, 12, 21, 13, 0)) == (
        "Prochaine ouverture : lundi 28 décembre 2026 à 10 h")


def test_no_opening_within_two_weeks_asks_to_call():
    first_saturdays_only = "Sa[1] 09:00-12:00"
    assert says(first_saturdays_only, datetime(2026, 12, 6, 10, 0)) == (
        "Pas d'ouverture prévue dans les 14 prochains jours : appelez avant de venir.")
    assert says(first_saturdays_only, datetime(2026, 12, 20, 10, 0)) == (
        "Prochaine ouverture : samedi 2 janvier 2027 à 9 h")


def test_a_comment_alone_is_not_read_as_always_open():
    by_appointment = '"sur rendez-vous"'
    now = datetime(2026, 12, 1, 10, 0)
    status = parse(by_appointment).status(now)
    assert status.comment == "sur rendez-vous"
    assert describe_status(status, now, "fr", french) == (
        "Horaires à confirmer : appelez avant de venir.")


def test_a_fallback_rule_does_not_hide_the_next_days():
    # Asked over two weeks at once, the parser skipped Thursday after such a rule.
    weekdays_else_by_appointment = FRIDAY_MORNING + ' || "sur rendez-vous"'
    assert says(weekdays_else_by_appointment, datetime(2026, 12, 2, 18, 0)) == (
        "Prochaine ouverture : demain à 9 h")
    lines = describe_week(parse(weekdays_else_by_appointment), date(2026, 12, 1), "fr", french)
    assert [line.replace("\u00a0", " ") for line in lines[3:]] == [
        "jeudi : 9 h – 12 h et 13 h 30 – 17 h",
        "vendredi : 9 h – 12 h",
        "samedi : à confirmer",
        "dimanche : à confirmer",
    ]


def test_hours_the_data_calls_unknown_are_to_confirm():
    to_confirm = 'Mo-Fr 09:00-12:00 unknown "appeler la mairie"'
    now = datetime(2026, 12, 2, 10, 0)
    status = parse(to_confirm).status(now)
    assert (status.is_open, status.unknown, status.comment) == (False, True, "appeler la mairie")
    assert describe_status(status, now, "fr", french) == (
        "Horaires à confirmer : appelez avant de venir.")
    assert describe_week(parse(to_confirm), date(2026, 12, 1), "fr", french)[0] == (
        "lundi : à confirmer")


def test_a_comment_on_an_opening_is_kept_for_the_page():
    now = datetime(2026, 12, 1, 10, 0)
    status = parse('Mo-Fr 09:00-12:00 "sur rendez-vous"').status(now)
    assert (status.is_open, status.open_until, status.comment) == (
        True, datetime(2026, 12, 1, 12, 0), "sur rendez-vous")


@pytest.mark.parametrize(("text", "part"), [
    ("Lundi au vendredi 9h-12h", "Lundi au vendredi 9h-12h"),
    ("Mo-Fr 9h-12h", "9h-12h"),
    ("Mo-Fr 09:00-12:00; Sa 9h30-12h", "9h30-12h"),
])
def test_unreadable_hours_say_where_and_the_place_asks_to_call(text, part):
    with pytest.raises(HoursError) as raised:
        parse(text)
    assert raised.value.part == part
    assert part in str(raised.value)
    assert parse_or_none(text) is None
    assert describe_status(None, datetime(2026, 12, 1, 10, 0), "fr", french) == (
        "Horaires non communiqués : appelez avant de venir.")
    assert describe_week(None, date(2026, 12, 1), "fr", french) == [
        "Horaires non communiqués : appelez avant de venir."]


@pytest.mark.parametrize("missing", ["", "   ", None])
def test_a_place_without_hours_says_so(missing):
    assert parse_or_none(missing) is None
    if missing is not None:
        with pytest.raises(HoursError):
            parse(missing)


def test_the_sheet_lists_the_usual_week_and_what_holds_only_some_weeks():
    lines = describe_week(parse(LE_MONTET), date(2026, 12, 1), "fr", french)
    assert [line.replace("\u00a0", " ") for line in lines] == [
        "lundi : 9 h – 12 h et 14 h – 18 h",
        "mardi : 9 h – 12 h et 14 h – 18 h",
        "mercredi : 9 h – 12 h et 14 h – 18 h",
        "jeudi : 9 h – 12 h et 14 h – 18 h",
        "vendredi : 9 h – 12 h",
        "samedi : certaines semaines, 9 h – 12 h",
        "dimanche : fermé",
    ]


def test_hours_kept_some_weeks_come_after_the_usual_ones():
    first_friday_afternoons = FRIDAY_MORNING + "; Fr[1] 09:00-12:00,13:30-17:00"
    lines = describe_week(parse(first_friday_afternoons), date(2026, 12, 1), "fr", french)
    assert lines[4].replace("\u00a0", " ") == (
        "vendredi : 9 h – 12 h, et certaines semaines 13 h 30 – 17 h")


def test_a_holiday_in_the_sampled_weeks_does_not_close_the_usual_day():
    # Christmas and New Year's Day fall on Fridays in the eight weeks sampled.
    week = parse(STANDARD_EXAMPLE + "; PH off").weekly(date(2026, 12, 14))
    assert week[4].spans == ((time(9), time(12)), (time(14), time(18, 30)))
    assert week[4].some_weeks == ()
    assert week[5].spans == ((time(8, 30), time(12)),)
    assert week[6].spans == ()


def test_the_week_comes_in_the_residents_language():
    lines = describe_week(parse(TUESDAY_TO_SATURDAY), date(2026, 12, 1), "ar", arabic)
    assert lines[0] == "الاثنين: مغلق"
    assert lines[1] == "الثلاثاء: 8:30 ص – 12:00 م و1:30 م – 5:30 م"
    assert lines[6] == "الأحد: مغلق"


def test_the_next_opening_names_the_day_in_arabic():
    sentence = says(TUESDAY_TO_SATURDAY, datetime(2026, 12, 6, 10, 0), "ar", arabic)
    assert sentence == "الافتتاح القادم: الثلاثاء الساعة 8:30 ص"
    day = sentence.split(": ")[1].split(" ")[0]
    assert re.fullmatch(r"[\u0600-\u06FF]+", day)


def test_other_languages_take_their_words_from_the_locale_data():
    # Frames untranslated on purpose: only Babel's words change.
    now = datetime(2026, 12, 6, 10, 0)
    assert says(TUESDAY_TO_SATURDAY, now, "en") == "Prochaine ouverture : Tuesday à 8:30\u202fAM"
    assert says(TUESDAY_TO_SATURDAY, now, "uk") == "Prochaine ouverture : вівторок à 08:30"
    assert says(TUESDAY_TO_SATURDAY, now, "pt_PT").startswith("Prochaine ouverture : terça-feira")
    assert describe_week(parse(LE_MONTET), date(2026, 12, 1), "tr", french)[0] == (
        "Pazartesi : 09:00 – 12:00 ve 14:00 – 18:00")
    assert describe_week(parse(LE_MONTET), date(2026, 12, 1), "fa_AF", french)[6].startswith(
        "یکشنبه : ")


def test_every_value_of_the_shipped_places_data_reads():
    values = set()
    for name in ("lieux_03.csv", "exemple-valide_mediation_numerique.csv"):
        with open(DATA / name, newline="", encoding="utf-8") as file:
            values |= {row["horaires"] for row in csv.DictReader(file) if row["horaires"]}
    assert values  # the sample data may change; every value it holds must read
    for value in values | set(REAL_ROWS):
        week = parse(value).weekly(date(2026, 12, 1))
        assert [day.weekday for day in week] == list(range(7))
        assert any(day.spans for day in week), value
