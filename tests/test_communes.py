"""Tests for kiosk.places.communes: loading the Allier communes, searching them, distances."""

import csv
from pathlib import Path

import pytest

from kiosk.places.communes import Commune, Communes, distance_km, load_communes, normalise_name

DATA = Path(__file__).resolve().parents[1] / "questionnaires" / "data"

MOULINS, VICHY, SAINT_POURCAIN_SIOULE = "03190", "03310", "03254"


@pytest.fixture(scope="module")
def communes() -> Communes:
    return load_communes(DATA / "communes_03.csv")


def names(found: list[Commune]) -> list[str]:
    return [commune.name for commune in found]


def test_all_317_communes_are_loaded_with_string_codes(communes):
    assert len(communes) == 317
    assert len(list(communes)) == 317
    moulins = communes.get(MOULINS)
    assert moulins == Commune(MOULINS, "Moulins", "03000", "200071140", "CA Moulins Communauté",
                              moulins.lat, moulins.lon, 19206)
    # Leading zeros survive: codes are strings, never numbers.
    assert all(len(c.insee) == 5 and len(c.postal_code) == 5 for c in communes)


def test_contains_and_get_unknown(communes):
    assert MOULINS in communes
    assert "99999" not in communes
    assert communes.get("99999") is None


def test_communes_collection_is_read_only(communes):
    with pytest.raises(AttributeError):
        communes.get(MOULINS).name = "Paris"
    assert not hasattr(communes, "add") and not hasattr(communes, "__setitem__")


def test_every_commune_belongs_to_a_listed_epci(communes):
    with open(DATA / "epci_03.csv", encoding="utf-8") as handle:
        epcis = {row["epci_siren"] for row in csv.DictReader(handle)}
    assert len(epcis) == 12
    assert {c.epci_siren for c in communes} == epcis


def test_postal_code_shared_by_several_communes(communes):
    found = communes.search("03000")
    assert len(found) > 1
    assert {"Moulins", "Avermes"} <= set(names(found))
    assert all(c.postal_code == "03000" for c in found)
    # Most populated first: the person most likely lives in the largest one.
    assert names(found) == ["Moulins", "Avermes", "Neuvy", "Bressolles", "Coulandon",
                            "Montilly"]


def test_postal_code_candidates_are_ordered_by_population(communes):
    assert names(communes.search("03210")) == [
        "Souvigny", "Saint-Menoux", "Besson", "Noyant-d'Allier", "Chemilly", "Bresnay",
        "Châtillon", "Autry-Issards", "Agonges", "Gipcy", "Marigny", "Meillers"]


def test_postal_code_returns_all_its_communes_beyond_the_name_limit(communes):
    # 03140 covers 15 communes: all of them, not the 12 a name search is limited to.
    assert len(communes.search("03140")) == 15
    assert communes.search("03 140") == communes.search("03140")


def test_postal_code_outside_the_departement(communes):
    assert names(communes.search("42620")) == ["Saint-Pierre-Laval"]
    assert communes.search("42620")[0].insee == "03250"


def test_unknown_postal_code_finds_nothing(communes):
    assert communes.search("75001") == []


def test_a_postal_code_does_not_give_the_epci(communes):
    """Why the kiosk must ask for the commune, not just the postal code."""
    epcis_by_code: dict[str, set[str]] = {}
    for commune in communes:
        epcis_by_code.setdefault(commune.postal_code, set()).add(commune.epci_siren)
    assert sum(len(epcis) > 1 for epcis in epcis_by_code.values()) == 21


@pytest.mark.parametrize("typed", [
    "st pourcain sur sioule",
    "SAINT-POURÇAIN-SUR-SIOULE",
    "Saint Pourcain sur Sioule",
    "st-pourçain-sur-sioule",
    "  saintpourcainsursioule  ",
    "St’Pourçain—sur—Sioule",
])
def test_name_search_ignores_case_accents_separators_and_saint(communes, typed):
    found = communes.search(typed)
    assert found[0].insee == SAINT_POURCAIN_SIOULE
    assert found[0].name == "Saint-Pourçain-sur-Sioule"


def test_partial_name_finds_both_saint_pourcain(communes):
    assert names(communes.search("SAINT-POURÇAIN")) == [
        "Saint-Pourçain-sur-Besbre", "Saint-Pourçain-sur-Sioule"]


def test_prefix_search(communes):
    assert names(communes.search("montl")) == ["Montluçon"]
    assert names(communes.search("la chapelle")) == ["La Chapelle", "La Chapelle-aux-Chasses"]


def test_exact_match_comes_before_prefix_and_substring(communes):
    assert names(communes.search("ebreuil")) == ["Ébreuil", "Le Breuil"]
    assert names(communes.search("vichy"))[0] == "Vichy"


def test_whole_word_matches_rank_first(communes):
    # "sainte" is also a prefix of "saint-eloy" once separators are ignored.
    found = names(communes.search("ste"))
    assert found[0] == "Sainte-Thérence"
    assert "Lavault-Sainte-Anne" in found
    assert names(communes.search("breuil")) == ["Le Breuil", "Ébreuil"]


def test_name_search_is_limited_to_12_sorted_results(communes):
    found = communes.search("saint")
    assert len(found) == 12
    assert all(c.name.startswith("Saint-") for c in found)
    assert [normalise_name(n) for n in names(found)] == sorted(
        normalise_name(n) for n in names(found))


@pytest.mark.parametrize("typed", ["", " ", "a", "é", "--", "xyzzy", "031", "Paris 15e"])
def test_nonsense_or_too_short_finds_nothing(communes, typed):
    assert communes.search(typed) == []


def test_epci_of(communes):
    assert communes.epci_of(MOULINS) == "200071140"
    assert communes.epci_of(VICHY) == "200071363"
    assert communes.epci_of("03250") == "240300491"  # Saint-Pierre-Laval, despite 42620
    assert communes.epci_of("99999") is None


def test_distance_moulins_vichy_is_plausible(communes):
    moulins, vichy = communes.get(MOULINS), communes.get(VICHY)
    km = distance_km(moulins.lat, moulins.lon, vichy.lat, vichy.lon)
    assert 45 < km < 55  # about 49 km as the crow flies
    assert distance_km(vichy.lat, vichy.lon, moulins.lat, moulins.lon) == pytest.approx(km)
    assert distance_km(moulins.lat, moulins.lon, moulins.lat, moulins.lon) == 0


def test_distance_one_degree_of_latitude():
    assert distance_km(46.0, 3.0, 47.0, 3.0) == pytest.approx(111.2, abs=0.1)


def test_commune_on_several_rows_is_one_commune_with_several_postal_codes(tmp_path):
    path = tmp_path / "communes.csv"
    path.write_text(
        "insee_code,name,postal_code,epci_siren,epci_name,lat,lon\n"
        "03185,Montluçon,03100,200071082,CA Montluçon Communauté,46.34,2.60\n"
        "03185,Montluçon,03410,200071082,CA Montluçon Communauté,46.34,2.60\n"
        "03101,Domérat,03410,200071082,CA Montluçon Communauté,46.36,2.53\n",
        encoding="utf-8",
    )
    communes = load_communes(path)
    assert len(communes) == 2
    assert communes.get("03185").postal_code == "03100"
    assert communes.postal_codes_of("03185") == ["03100", "03410"]
    assert names(communes.search("03100")) == ["Montluçon"]
    # No population column: ties, kept in name order.
    assert names(communes.search("03410")) == ["Domérat", "Montluçon"]
    assert names(communes.search("montlucon")) == ["Montluçon"]


def test_population_orders_a_postal_code_and_may_be_left_empty(tmp_path):
    path = tmp_path / "communes.csv"
    path.write_text(
        "insee_code,name,postal_code,epci_siren,epci_name,lat,lon,population\n"
        "03001,Abrest,03200,200071363,CA Vichy Communauté,46.09,3.45,2915\n"
        "03310,Vichy,03200,200071363,CA Vichy Communauté,46.13,3.42,25789\n"
        "03999,Écrit-sans-chiffre,03200,200071363,CA Vichy Communauté,46.1,3.4,\n",
        encoding="utf-8",
    )
    communes = load_communes(path)
    assert communes.get("03999").population is None
    assert names(communes.search("03200")) == ["Vichy", "Abrest", "Écrit-sans-chiffre"]


def test_negative_population_names_its_line(tmp_path):
    path = tmp_path / "communes.csv"
    path.write_text(
        "insee_code,name,postal_code,epci_siren,epci_name,lat,lon,population\n"
        "03001,Abrest,03200,200071363,CA Vichy Communauté,46.09,3.45,-2915\n",
        encoding="utf-8",
    )
    with pytest.raises(ValueError, match="line 2"):
        load_communes(path)


def test_unreadable_row_names_its_line(tmp_path):
    path = tmp_path / "communes.csv"
    path.write_text(
        "insee_code,name,postal_code,epci_siren,epci_name,lat,lon\n"
        "03185,Montluçon,03100,200071082,CA Montluçon Communauté,46.34,2.60\n"
        "03101,Domérat,03410,200071082,CA Montluçon Communauté,,\n",
        encoding="utf-8",
    )
    with pytest.raises(ValueError, match="line 3"):
        load_communes(path)
