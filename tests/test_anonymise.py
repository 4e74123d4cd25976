"""The anonymised payload: an allow-list, coarsened, with nothing personal in it."""
from __future__ import annotations

import json
from datetime import datetime

from hypothesis import given, settings, strategies as st

from kiosk import paths
from kiosk.sync.anonymise import ALLOWED_FIELDS, anonymise, canonical, content_hash, iso_week
from kiosk.places.communes import load_communes
from kiosk.diagnostic.record import vocabulary
from kiosk.diagnostic.resources import load_questionnaire_files

Q = load_questionnaire_files(paths.QUESTIONNAIRES / "diagnostic.yaml",
                             paths.QUESTIONNAIRES / "offers.yaml")
COMMUNES = load_communes(paths.DATA / "communes_03.csv")
VOCAB = vocabulary(Q, ["fr", "en"])

PERSONAL = {
    "name": "Jeanne Martin", "email": "jeanne.martin@example.fr", "phone": "0470123456",
    "free_text": "J'habite 3 rue des Lilas, je suis née le 12/03/1951",
    "ip": "192.0.2.44", "mediator": "Paul Mediateur", "follow_up_code": "FU-7781",
    "birth_date": "1951-03-12", "age": 74,
}


def full_result(**overrides):
    result = {
        "questionnaire_id": "diagnostic-allier", "questionnaire_version": "2026.1",
        "finished_at": "2026-11-28T14:37:12.123456+00:00", "complete": 1,
        "last_screen": "reading", "language": "fr", "mode": "self", "age_band": "75+",
        "commune": "03254", "situation": "retired", "profile": "first_steps", "points": 4,
        "levels": {"information": 1, "communication": 2, "problem_solving": 0,
                   "software": 0, "safety": 1},
        "indicators": {"insee2019_illectronism_approx": False, "insee2021_illectronism": True,
                       "dsi_at_least_basic": False},
        "needs": ["e_administration", "safety"], "offers": ["aidants_connect", "safety_awareness"],
    }
    result.update(PERSONAL)
    result.update(overrides)
    return result


def make(result):
    return anonymise(result, site_commune="03190", epci_of=COMMUNES.epci_of, vocabulary=VOCAB)


def test_payload_keeps_only_the_allow_list_and_coarsens():
    payload = make(full_result())
    assert tuple(payload) == ALLOWED_FIELDS
    assert payload["week"] == "2026-W48"
    assert payload["residence_epci"] == "200071389"
    assert payload["site_epci"] == "200071140"
    text = canonical(payload)
    for value in PERSONAL.values():
        assert str(value) not in text
    for forbidden in ("03254", "03190", "14:37", "2026-11-28", "Saint-Pourçain"):
        assert forbidden not in text


def test_values_outside_their_vocabulary_are_dropped():
    payload = make(full_result(age_band="74 ans", situation="Retraitée de La Poste",
                               language="Jeanne", profile="Jeanne Martin",
                               needs=["safety", "appelez-moi au 0470123456"],
                               offers=["aidants_connect", "jeanne@example.fr"],
                               last_screen="rue des Lilas", mode="guidé par Paul",
                               levels={"information": 7, "safety": 1, "nom": 2},
                               indicators={"insee2019_illectronism_approx": True, "note": "x"}))
    assert payload["age_band"] is None and payload["situation"] is None
    assert payload["language"] is None and payload["profile"] is None
    assert payload["needs"] == ["safety"] and payload["offers"] == ["aidants_connect"]
    assert payload["last_screen"] is None and payload["mode"] is None
    assert payload["levels"] == {"safety": 1}
    assert payload["indicators"] == {"insee2019_illectronism_approx": True}


def test_commune_outside_the_allier_gives_no_epci():
    payload = make(full_result(commune="75056"))
    assert payload["residence_epci"] is None


def test_no_commune_given():
    assert make(full_result(commune=None))["residence_epci"] is None


@settings(max_examples=200, deadline=None)
@given(secret=st.text(min_size=6, max_size=40).filter(lambda s: s.strip() and not s.isdigit()),
       field=st.sampled_from(["age_band", "situation", "language", "profile", "last_screen",
                              "mode", "commune", "free_text"]))
def test_free_text_never_leaks(secret, field):
    """Whatever text lands in a field, it never reaches the payload."""
    payload = make(full_result(**{field: secret}, needs=[secret, "safety"],
                               offers=[secret], levels={secret: 1, "safety": 2}))
    assert secret not in json.dumps(payload, ensure_ascii=False) or secret in canonical(make(full_result()))


def test_iso_week_at_year_boundary():
    assert iso_week(datetime(2026, 12, 31)) == "2026-W53"
    assert iso_week(datetime(2027, 1, 4)) == "2027-W01"


def test_content_hash_is_stable_and_sensitive():
    payload = make(full_result())
    assert content_hash(payload) == content_hash(dict(reversed(list(payload.items()))))
    assert content_hash(payload) != content_hash(dict(payload, profile="autonomous"))
