"""The result page shows the steps chosen for the person: local places, phone numbers."""
from __future__ import annotations

from test_result_hours import IN_LE_MONTET, text_of


def finish(resident, **answers):
    """A diagnostic in Le Montet with "Je ne sais pas" everywhere except ``answers``."""
    form = dict(IN_LE_MONTET, **{screen: {"answer": value} for screen, value in answers.items()})
    resident.complete(form)
    return text_of(resident.get("/result").get_data(as_text=True))


def test_a_young_person_who_reads_with_difficulty_is_sent_to_a_local_e2c(resident):
    page = finish(resident, reading="hard", age_band="16-29")
    assert "Si vous avez moins de 26 ans, l'École de la deuxième chance." in page
    assert "École de la deuxième chance de l'Allier (Moulins)" in page
    assert "Progresser en lecture et en écriture." not in page


def test_an_older_person_is_given_the_illiteracy_line_by_phone(resident):
    page = finish(resident, reading="hard", age_band="60-74")
    assert "Progresser en lecture et en écriture." in page
    assert "Par téléphone : 08 00 11 10 35" in page
    assert "deuxième chance" not in page
