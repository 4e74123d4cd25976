"""Follow-up codes: a diagnostic's result as 16 digits a resident can carry. Pure functions.

A person may come back at another kiosk, or the bus, with no network: the code itself
carries what progress needs, so no list of people exists anywhere. Whoever holds the
paper can read everything the code carries, so it carries nothing else:

- the frame (questionnaire generation, 1-8; today 2),
- the ISO week of the diagnostic, as weeks since :data:`EPOCH` (2025-W01), for
  :data:`WEEKS` weeks: 2025-W01 to 2044-W32,
- the level per area (:data:`AREAS` areas in the questionnaire's order, each 0, 1 or 2),
- the offers proposed: at most :data:`MAX_PROPOSED` of the first :data:`MAX_OFFERS`
  offers of the questionnaire's catalogue, by position in that list,
- a random part (:data:`RANDOM_DIGITS` digits), so two people with the same result
  get different codes,
- a check digit (Damm's algorithm), which catches every single wrong digit and every
  swap of two neighbouring digits.

The fields are packed as one mixed-radix number: 8 x 1024 x 243 x 2517 = 5,010,481,152
values fit 10 digits; with the random part and the check digit the code is 16 digits,
shown as four groups of four. Any wrong code raises :class:`FollowUpError` with the
same message, whatever is wrong, so a mistyped code hints at no other code.

With no list and no key, a code is told from a typo only by its check digit and by
values no code has. Of random 16-digit strings, about 1 in 46 decode (1/10 for the
check digit, then about 0.22 of the numbers fit the ranges and a 13-offer catalogue);
with ``frames={2}`` and ``not_after`` the current week, about 1 in 3,600 (2026-W53).
Guessing a given person's code, knowing their result and week, is 1 in 100,000.
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date
from math import comb
from typing import Callable, Collection, Sequence

from ..mediation.codes import read_digits


def N_(text: str) -> str:
    """Marks French text for the resident catalogue; translated where it is shown."""
    return text


# The one message for every wrong code: a msgid, translated by the page that shows it.
INVALID = N_("Ce code ne correspond à aucun diagnostic. Vérifiez les chiffres.")

FRAMES = 8                 # frames 1 to 8
EPOCH = date(2024, 12, 30)  # the Monday of ISO week 2025-W01
WEEKS = 1024               # 2025-W01 .. 2044-W32
AREAS = 5
LEVELS = 3                 # 0 below basic, 1 basic, 2 above basic
MAX_OFFERS = 16            # positions in the catalogue a code can name
MAX_PROPOSED = 4
RANDOM_DIGITS = 5
LENGTH = 16
GROUP = 4

# How many sets of at most MAX_PROPOSED offers among MAX_OFFERS (2517), and where the
# sets of each size start when numbered one after the other.
_SIZE_START = [sum(comb(MAX_OFFERS, j) for j in range(k)) for k in range(MAX_PROPOSED + 2)]
OFFER_SETS = _SIZE_START[-1]
_PAYLOAD = FRAMES * WEEKS * LEVELS ** AREAS * OFFER_SETS
assert _PAYLOAD <= 10 ** (LENGTH - 1 - RANDOM_DIGITS)

# Damm's totally anti-symmetric quasigroup of order 10 (H. M. Damm, 2004).
_DAMM = (
    (0, 3, 1, 7, 5, 9, 8, 6, 4, 2),
    (7, 0, 9, 2, 1, 5, 4, 8, 6, 3),
    (4, 2, 0, 6, 8, 7, 1, 3, 5, 9),
    (1, 7, 5, 0, 9, 8, 3, 4, 2, 6),
    (6, 1, 2, 3, 0, 4, 5, 9, 7, 8),
    (3, 6, 7, 4, 2, 0, 9, 5, 8, 1),
    (5, 8, 6, 9, 7, 2, 0, 1, 3, 4),
    (8, 9, 4, 5, 3, 6, 2, 0, 1, 7),
    (9, 4, 3, 8, 6, 1, 7, 2, 0, 5),
    (2, 5, 8, 1, 4, 3, 6, 7, 9, 0),
)


class FollowUpError(ValueError):
    """A text that is not a follow-up code. Its message is always :data:`INVALID`."""

    def __init__(self):
        super().__init__(INVALID)


@dataclass(frozen=True)
class FollowUp:
    """What a follow-up code carries."""

    frame: int
    week: str                     # ISO week, "2026-W05"
    levels: tuple[int, ...]       # one per area, in the questionnaire's order
    offers: tuple[str, ...]       # offer ids, in the catalogue's order


def damm(digits: str) -> int:
    """The Damm check digit of a string of ASCII digits."""
    interim = 0
    for digit in digits:
        interim = _DAMM[interim][int(digit)]
    return interim


def week_number(week: str) -> int:
    """Weeks from 2025-W01 to ``week`` ("2026-W05"); ValueError outside the range."""
    year, _, number = week.partition("-W")
    try:
        monday = date.fromisocalendar(int(year), int(number), 1)
    except ValueError:
        raise ValueError(f"not an ISO week: {week!r}") from None
    weeks = (monday - EPOCH).days // 7
    if not 0 <= weeks < WEEKS:
        raise ValueError(f"{week} is outside the weeks a code can carry "
                         f"({week_label(0)} to {week_label(WEEKS - 1)})")
    return weeks


def week_label(weeks: int) -> str:
    """The ISO week ``weeks`` weeks after 2025-W01."""
    year, week, _ = date.fromordinal(EPOCH.toordinal() + 7 * weeks).isocalendar()
    return f"{year:04d}-W{week:02d}"


def _rank(positions: Sequence[int]) -> int:
    """The number of a set of offer positions (combinatorial number system)."""
    chosen = sorted(positions)
    return _SIZE_START[len(chosen)] + sum(comb(p, i + 1) for i, p in enumerate(chosen))


def _unrank(number: int) -> tuple[int, ...]:
    size = max(k for k in range(MAX_PROPOSED + 1) if _SIZE_START[k] <= number)
    rest, chosen = number - _SIZE_START[size], []
    for i in range(size, 0, -1):
        position = i - 1
        while comb(position + 1, i) <= rest:
            position += 1
        chosen.append(position)
        rest -= comb(position, i)
    return tuple(sorted(chosen))


def encode(followup: FollowUp, offer_ids: Sequence[str], *,
           randbelow: Callable[[int], int] = secrets.randbelow) -> str:
    """The 16 digits (no spaces) of a follow-up code. ``offer_ids`` is the catalogue's
    list of offer ids in order (the same list must decode it). ValueError for data a
    code cannot carry: that is a fault of the caller, not of the resident."""
    if not 1 <= followup.frame <= FRAMES:
        raise ValueError(f"frame {followup.frame} is outside 1..{FRAMES}")
    if len(followup.levels) != AREAS or any(lv not in range(LEVELS) for lv in followup.levels):
        raise ValueError(f"levels must be {AREAS} values of 0, 1 or 2: {followup.levels}")
    if len(set(followup.offers)) != len(followup.offers) or len(followup.offers) > MAX_PROPOSED:
        raise ValueError(f"at most {MAX_PROPOSED} different offers: {followup.offers}")
    positions = []
    for offer in followup.offers:
        if offer not in offer_ids or offer_ids.index(offer) >= MAX_OFFERS:
            raise ValueError(f"offer {offer!r} is not among the first {MAX_OFFERS} "
                             "offers of the catalogue")
        positions.append(offer_ids.index(offer))
    levels = 0
    for level in followup.levels:
        levels = levels * LEVELS + level
    payload = (((followup.frame - 1) * WEEKS + week_number(followup.week))
               * LEVELS ** AREAS + levels) * OFFER_SETS + _rank(positions)
    body = f"{payload * 10 ** RANDOM_DIGITS + randbelow(10 ** RANDOM_DIGITS):0{LENGTH - 1}d}"
    return body + str(damm(body))


def format_code(code: str) -> str:
    """The code in groups of four digits, as printed and read aloud: "1234 5678 …"."""
    return " ".join(code[i:i + GROUP] for i in range(0, len(code), GROUP))


def digits(text: str) -> str:
    """The ASCII digits of a code as typed (kiosk.mediation.codes.read_digits: any
    script's digits, separators dropped). FollowUpError for any other character."""
    value = read_digits(text)
    if value is None:
        raise FollowUpError()
    return value


def decode(text: str, offer_ids: Sequence[str], *, frames: Collection[int] | None = None,
           not_after: str | None = None) -> FollowUp:
    """What a code typed by a resident carries; FollowUpError (always the same message)
    if it is not a code: wrong length, a wrong check digit, or a value no code has.

    ``frames`` (the frames this kiosk can compare with) and ``not_after`` (an ISO week:
    give the kiosk's week plus a margin, as a kiosk clock may be late) refuse more
    mistyped codes with that same message: no code comes from a frame unknown here
    or from a later week."""
    code = digits(text)
    if len(code) != LENGTH or damm(code) != 0:
        raise FollowUpError()
    payload = int(code[:-1]) // 10 ** RANDOM_DIGITS
    if payload >= _PAYLOAD:
        raise FollowUpError()
    payload, offer_set = divmod(payload, OFFER_SETS)
    payload, packed = divmod(payload, LEVELS ** AREAS)
    frame, weeks = divmod(payload, WEEKS)
    positions = _unrank(offer_set)
    if (any(p >= len(offer_ids) for p in positions)
            or (frames is not None and frame + 1 not in frames)
            or (not_after is not None and weeks > week_number(not_after))):
        raise FollowUpError()
    levels = []
    for _ in range(AREAS):
        packed, level = divmod(packed, LEVELS)
        levels.insert(0, level)
    return FollowUp(frame=frame + 1, week=week_label(weeks), levels=tuple(levels),
                    offers=tuple(offer_ids[p] for p in positions))
