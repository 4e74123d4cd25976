"""The quick screening at the counter: three questions, one orientation. Pure.

A La Poste agent or a mediator asks three questions in plain words and gets at once
what to propose. Only the orientation leaves the kiosk (a "screening" record of
kiosk.sync.contract): never the answers.
"""
from __future__ import annotations

from ..sync.contract import ORIENTATIONS

# Each question's id and its answers, in the order the page shows them.
QUESTIONS = {
    "internet": ("alone", "helped", "no"),   # uses the internet alone?
    "procedure": ("yes", "no", "unsure"),    # an online procedure to do soon?
    "help": ("yes", "no"),                   # wants help?
}

DIAGNOSTIC_NOW, MEDIATOR, NOTHING_NEEDED = ORIENTATIONS


def orientation(answers: dict) -> str:
    """The orientation for a screening's ``answers`` (one answer per question of
    :data:`QUESTIONS`; a KeyError or ValueError for anything else).

    The rule, in order:

    1. An online procedure due soon ("yes") that the person does not do alone (internet
       "helped" or "no") -> "mediator": someone has to do it with them, which a
       diagnostic does not; the agent gives a mediator's contact, help wanted or not
       (the person may still decline).
    2. Otherwise, a person who wants help -> "diagnostic_now": the diagnostic finds what
       they already do and where to learn near them.
    3. Otherwise -> "nothing_needed".
    """
    for question, allowed in QUESTIONS.items():
        if answers[question] not in allowed:
            raise ValueError(f"{question}: {answers[question]!r}")
    if answers["procedure"] == "yes" and answers["internet"] != "alone":
        return MEDIATOR
    if answers["help"] == "yes":
        return DIAGNOSTIC_NOW
    return NOTHING_NEEDED
