"""Follow-up codes: 16 digits that carry a result, refuse typos, and read in any script."""
from __future__ import annotations

import pytest
from hypothesis import given, settings, strategies as st

from kiosk import paths
from kiosk.diagnostic.followup import (FollowUp, FollowUpError, damm, decode, encode,
                                       format_code, week_label, week_number)
from kiosk.diagnostic.resources import load_questionnaire_files

MESSAGE = "Ce code ne correspond à aucun diagnostic. Vérifiez les chiffres."
OFFERS = tuple(f"offer{i}" for i in range(13))
SAMPLE = FollowUp(frame=2, week="2026-W49", levels=(0, 1, 2, 1, 0),
                  offers=("offer3", "offer12"))


def fixed(value):
    """A random source that always draws ``value``."""
    return lambda bound: value


def refused(text, offers=OFFERS, **limits):
    """The message a refused code gets."""
    with pytest.raises(FollowUpError) as caught:
        decode(text, offers, **limits)
    return str(caught.value)


followups = st.builds(
    FollowUp,
    frame=st.integers(1, 8),
    week=st.integers(0, 1023).map(week_label),
    levels=st.tuples(*[st.integers(0, 2)] * 5),
    offers=st.lists(st.sampled_from(OFFERS), max_size=4, unique=True)
    .map(lambda chosen: tuple(sorted(chosen, key=OFFERS.index))),
)


# --- Damm's check digit, with the published test vectors ----------------------------------

@pytest.mark.parametrize("body, check", [("572", 4), ("112946", 0), ("", 0)])
def test_damm_check_digit_of_published_examples(body, check):
    assert damm(body) == check


@pytest.mark.parametrize("number, valid", [("5724", True), ("5727", False),
                                           ("112946", True), ("112949", False)])
def test_damm_validates_published_examples(number, valid):
    assert (damm(number) == 0) is valid


# --- What a code looks like ---------------------------------------------------------------

def test_a_code_is_sixteen_digits_printed_in_four_groups():
    # Worked by hand: frame 2 -> 1; 2026-W49 is 100 weeks after 2025-W01; levels 01210
    # in base 3 = 48; offers {3, 12}: 17 smaller sets come first, then C(3,1) + C(12,2)
    # = 69, so 86. ((1 x 1024 + 100) x 243 + 48) x 2517 + 86 = 687594146, then the
    # random part 00000 and Damm's check digit of 068759414600000, 7.
    code = encode(SAMPLE, OFFERS, randbelow=fixed(0))
    assert code == "0687594146000007"
    assert format_code(code) == "0687 5941 4600 0007"


def test_the_same_result_gets_a_different_code_each_time():
    codes = {encode(SAMPLE, OFFERS) for _ in range(20)}
    assert len(codes) > 1
    assert all(decode(code, OFFERS) == SAMPLE for code in codes)


def test_the_random_part_changes_the_code_not_what_it_carries():
    first = encode(SAMPLE, OFFERS, randbelow=fixed(0))
    last = encode(SAMPLE, OFFERS, randbelow=fixed(99999))
    assert first[:10] == last[:10] and first[10:15] == "00000" and last[10:15] == "99999"
    assert decode(first, OFFERS) == decode(last, OFFERS) == SAMPLE


def test_a_code_carries_only_frame_week_levels_and_offers():
    assert list(FollowUp.__dataclass_fields__) == ["frame", "week", "levels", "offers"]


# --- Round trip -------------------------------------------------------------------------

@settings(max_examples=400)
@given(followups, st.integers(0, 99999))
def test_a_code_gives_back_what_it_carries(followup, random_part):
    code = encode(followup, OFFERS, randbelow=fixed(random_part))
    assert len(code) == 16 and code.isdigit()
    assert decode(code, OFFERS) == followup
    assert decode(format_code(code), OFFERS) == followup


def test_offers_come_back_in_the_catalogue_order():
    mixed = FollowUp(2, "2026-W49", (2, 2, 2, 2, 2), ("offer12", "offer0", "offer5"))
    assert decode(encode(mixed, OFFERS), OFFERS).offers == ("offer0", "offer5", "offer12")


def test_the_questionnaire_offers_fit_in_a_code():
    questionnaire = load_questionnaire_files(paths.QUESTIONNAIRES / "diagnostic.yaml",
                                             paths.QUESTIONNAIRES / "offers.yaml")
    ids = [offer.id for offer in questionnaire.offers]
    last_four = FollowUp(int(questionnaire.frame), "2026-W49",
                         tuple(1 for _ in questionnaire.areas), tuple(ids[-4:]))
    assert decode(encode(last_four, ids), ids) == last_four


# --- Typos are refused, all with the same message -----------------------------------------

@settings(max_examples=25)
@given(followups, st.integers(0, 99999))
def test_every_single_wrong_digit_is_refused(followup, random_part):
    code = encode(followup, OFFERS, randbelow=fixed(random_part))
    for i, digit in enumerate(code):
        for other in "0123456789".replace(digit, ""):
            assert refused(code[:i] + other + code[i + 1:]) == MESSAGE


@settings(max_examples=50)
@given(followups, st.integers(0, 99999))
def test_every_swap_of_neighbouring_digits_is_refused(followup, random_part):
    code = encode(followup, OFFERS, randbelow=fixed(random_part))
    for i in range(len(code) - 1):
        if code[i] != code[i + 1]:
            assert refused(code[:i] + code[i + 1] + code[i] + code[i + 2:]) == MESSAGE


@pytest.mark.parametrize("text", [
    "", "   ", "0687 5941 4600 000", "0687 5941 4600 00070", "5724",
    "0687 5941 460O 0007",            # a letter O for a zero
    "0687/5941/4600/0007", "abcd efgh ijkl mnop", "²⁰⁸⁷ 5941 4600 0007",
    "9999 9999 9999 9990", "5010 4811 5200 0005",  # good check digits, no code is this large
])
def test_garbage_and_wrong_lengths_get_the_same_plain_message(text):
    assert refused(text) == MESSAGE


def test_a_code_naming_an_offer_the_catalogue_lacks_is_refused():
    longer = OFFERS + ("offer13", "offer14", "offer15")
    code = encode(FollowUp(2, "2026-W49", (0, 0, 0, 0, 0), ("offer15",)), longer)
    assert decode(code, longer).offers == ("offer15",)
    assert refused(code, OFFERS) == MESSAGE


# --- Any digit script, any separator ---------------------------------------------------------

@pytest.mark.parametrize("text", [
    "۰۶۸۷ ۵۹۴۱ ۴۶۰۰ ۰۰۰۷",            # Persian, as Dari pages show
    "٠٦٨٧ ٥٩٤١ ٤٦٠٠ ٠٠٠٧",            # Arabic-Indic
    "０６８７ ５９４１ ４６００ ０００７",  # fullwidth
    "0687-5941-4600-0007", "0687.5941.4600.0007", "0687594146000007",
    " 0687 – 5941\u00a04600 ۰۰۰۷ ",    # mixed scripts, an en dash, a no-break space
])
def test_codes_are_read_in_any_digit_script_and_with_separators(text):
    assert decode(text, OFFERS) == SAMPLE


# --- Limits: what a code cannot carry is the caller's fault, said plainly -------------------

def test_the_weeks_a_code_carries_run_from_2025_w01_to_2044_w32():
    assert week_number("2025-W01") == 0
    assert week_number("2044-W32") == 1023
    for week in ("2025-W01", "2044-W32"):
        followup = FollowUp(1, week, (0, 0, 0, 0, 0), ())
        assert decode(encode(followup, OFFERS), OFFERS).week == week
    for week in ("2024-W52", "2044-W33", "2025-W53", "2026-W5x", "soon"):
        with pytest.raises(ValueError) as caught:
            encode(FollowUp(1, week, (0, 0, 0, 0, 0), ()), OFFERS)
        assert not isinstance(caught.value, FollowUpError)


@pytest.mark.parametrize("followup", [
    FollowUp(0, "2026-W49", (0, 0, 0, 0, 0), ()),
    FollowUp(9, "2026-W49", (0, 0, 0, 0, 0), ()),
    FollowUp(2, "2026-W49", (0, 0, 0, 0), ()),
    FollowUp(2, "2026-W49", (0, 0, 0, 0, 3), ()),
    FollowUp(2, "2026-W49", (0, 0, 0, 0, 0), OFFERS[:5]),
    FollowUp(2, "2026-W49", (0, 0, 0, 0, 0), ("offer1", "offer1")),
    FollowUp(2, "2026-W49", (0, 0, 0, 0, 0), ("unknown",)),
])
def test_data_a_code_cannot_carry_is_refused_when_encoding(followup):
    with pytest.raises(ValueError):
        encode(followup, OFFERS)


def test_only_the_first_sixteen_offers_of_a_catalogue_can_be_named():
    catalogue = tuple(f"offer{i}" for i in range(17))
    sixteenth = FollowUp(2, "2026-W49", (0, 0, 0, 0, 0), ("offer15",))
    assert decode(encode(sixteenth, catalogue), catalogue) == sixteenth
    with pytest.raises(ValueError, match="first 16 offers"):
        encode(FollowUp(2, "2026-W49", (0, 0, 0, 0, 0), ("offer16",)), catalogue)


def test_a_kiosk_can_refuse_codes_of_frames_it_does_not_know_or_of_later_weeks():
    code = encode(SAMPLE, OFFERS)
    assert decode(code, OFFERS, frames={2}, not_after="2026-W49") == SAMPLE
    assert refused(code, OFFERS, frames={1, 3}) == MESSAGE
    assert refused(code, OFFERS, not_after="2026-W48") == MESSAGE
