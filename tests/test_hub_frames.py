"""Two measurement frames on one hub: the dashboard and the open data show one at a
time, say which, and never add their counts up.

Frame "2" (questionnaire 2026.3): what the person did in the last 3 months, each figure
headline (alone or with help) and strict (alone). Frame "1" (up to 2026.2): what the
person thought they could do.
"""
from __future__ import annotations

import json
import re

from kiosk import paths
from kiosk.diagnostic.resources import load_questionnaire_files
from kiosk.hub import frames, schema, tables
from kiosk.hub.opendata import read_csv
from kiosk.storage import migrations
from kiosk.storage.db import connect, write_transaction
from tests import hubdata as h
# (the same hub and signed-in client as the dashboard's tests)
from tests.test_hub_web import client, column, hub, tables_of, text  # noqa: F401

FRAME_2_SENTENCE = ("Questionnaire 2026.3 et suivants : ce que la personne a fait ces 3 "
                    "derniers mois, comme dans l'enquête de l'INSEE et d'Eurostat.")
FRAME_1_SENTENCE = ("Questionnaires jusqu'à 2026.2 : ce que la personne pensait savoir faire "
                    "(« Savez-vous faire… ? ») ; ces chiffres ne se comparent ni à ceux de la "
                    "version 2, ni à l'INSEE.")
HEADLINE_AND_STRICT = ("Chiffre principal : une activité faite seul ou avec de l'aide compte "
                       "comme faite (l'enquête n'a pas de réponse « avec de l'aide »). Chiffre "
                       "strict : seulement ce que la personne a fait seule.")


def both_frames(hub):
    """150 diagnostics of frame 2 (40 in illectronisme by the headline count, 70 by the
    strict one) and 80 of frame 1 (all in illectronisme), in the same weeks and EPCI."""
    device = h.add_device(hub.hub_db, "Agence postale de Souvigny", h.MOULINS)
    h.receive(hub.hub_db, device,
              h.many(40, illectronism=True)
              + h.many(30, strict_illectronism=True, strict_level=0)
              + h.many(80)
              + h.many(80, frame="1", illectronism=True, age_band="15-29"))


def key_figures(page: str) -> dict:
    """The key figures as read: {label: first figure}."""
    section = page.split('id="chiffres-cles"', 1)[1].split("</section>", 1)[0]
    pairs = re.findall(r"<dt>(.*?)</dt>\s*<dd>(.*?)</dd>", section, re.S)
    return {label: re.sub(r"[\u202f\xa0]", " ", re.sub(r"<[^>]+>", " ", value)).split()[0]
            for label, value in pairs}


def test_the_latest_frame_is_shown_by_default_without_the_other(hub, client):
    both_frames(hub)
    page = text(client.get("/"))
    assert FRAME_2_SENTENCE in page and FRAME_1_SENTENCE not in page
    figures = key_figures(page)
    assert figures["Diagnostics"] == "150"           # not 230: frame 1 is apart
    # 40 of 150 by the headline count, 70 by the strict one.
    assert figures["Illectronisme (INSEE 2021), chiffre principal"] == "26,7"
    assert figures["Illectronisme (INSEE 2021), chiffre strict"] == "46,7"
    # The other frame is one link (or one field of the form) away, no script needed.
    assert 'href="/?version=1' in page
    assert re.search(r'name="version" value="2" checked', page)
    assert 'name="version" value="1"' in page


def test_frame_1_is_reachable_and_labelled_with_its_own_words(hub, client):
    both_frames(hub)
    page = text(client.get("/?version=1"))
    assert FRAME_1_SENTENCE in page and FRAME_2_SENTENCE not in page
    tables = tables_of(page)
    assert column(tables["termines"], "Effectif") == {"Terminé": "80", "Abandonné": "0"}
    # Ids the current questionnaire no longer has keep words a reader understands.
    levels = [row[0] for row in tables["niveaux-domaines"][1:]]
    assert levels == ["Chercher des informations", "Communiquer avec les autres",
                      "Faire ses démarches et régler un problème",
                      "Utiliser des outils et créer des documents", "Se protéger sur internet"]
    assert column(tables["ages"], "Effectif")["De 15 à 29 ans"] == "80"
    shares = column(tables["illectronisme"], "Part")
    assert shares["Illectronisme, définition INSEE 2019"] == "100,0 %"
    # Not compared with INSEE, and no strict figure in that frame.
    assert "Référence INSEE de même définition" not in page
    assert "chiffre strict" not in page
    assert 'href="/?version=2' in page


def test_headline_and_strict_stand_side_by_side_and_are_explained(hub, client):
    both_frames(hub)
    page = text(client.get("/"))
    assert HEADLINE_AND_STRICT in page
    levels = tables_of(page)["niveaux-domaines"]
    assert [row[0] for row in levels[1:3]] == [
        "Chercher des informations : chiffre principal",
        "Chercher des informations : chiffre strict (fait seul)"]
    headers = levels[0]
    headline = dict(zip(headers, levels[1]))
    strict = dict(zip(headers, levels[2]))
    # 30 did the activities only with help: basic by the headline rule, none by the strict.
    assert headline["Aucune compétence"] == "0" and strict["Aucune compétence"] == "30"
    shares = column(tables_of(page)["illectronisme"], "Part")
    assert list(shares)[:2] == [
        "Illectronisme, définition INSEE 2021, 16 ans ou plus : chiffre principal",
        "Illectronisme, définition INSEE 2021, 16 ans ou plus : chiffre strict (fait seul)"]
    basics = column(tables_of(page)["bases"], "Part")
    assert basics == {
        "Au moins les bases dans les 5 domaines (Eurostat, DSI 2.0), 16 à 74 ans : "
        "chiffre principal": "73,3 %",
        "Au moins les bases dans les 5 domaines (Eurostat, DSI 2.0), 16 à 74 ans : "
        "chiffre strict (fait seul)": "53,3 %"}


def test_indicators_count_only_the_ages_they_compare_with(hub, client):
    device = h.add_device(hub.hub_db, "Agence postale de Souvigny", h.MOULINS)
    # DSI: 16 to 74. The 60 people of 75 and over count for INSEE, not for Eurostat.
    h.receive(hub.hub_db, device, h.many(40, age_band="60-74")
              + h.many(60, age_band="75+", illectronism=True))
    page = text(client.get("/"))
    basics = column(tables_of(page)["bases"], "Part")
    assert set(basics.values()) == {"100,0 %"}                       # 40 of 40
    assert set(column(tables_of(page)["bases"], "Diagnostics terminés, des âges comparés")
               .values()) == {"40"}                                  # not 100
    assert column(tables_of(page)["illectronisme"], "Part")[
        "Illectronisme, définition INSEE 2021, 16 ans ou plus : chiffre principal"] == "60,0 %"
    assert "Parts calculées sur : diagnostics terminés, des âges comparés." in page


def test_a_hub_holding_frame_1_only_shows_it(hub, client):
    device = h.add_device(hub.hub_db, "Agence postale de Souvigny", h.MOULINS)
    h.receive(hub.hub_db, device, h.many(30, frame="1"))
    page = text(client.get("/"))
    assert FRAME_1_SENTENCE in page
    assert key_figures(page)["Diagnostics"] == "30"
    assert 'name="version"' not in page          # nothing else to choose


def test_a_frame_without_data_asked_is_said(hub, client):
    both_frames(hub)
    page = text(client.get("/?version=7"))
    assert "La version « 7 » n'a aucun diagnostic : voici la version 2." in page
    assert FRAME_2_SENTENCE in page


def test_the_variables_of_each_frame_are_labelled():
    questionnaire = load_questionnaire_files(paths.QUESTIONNAIRES / "diagnostic.yaml",
                                             paths.QUESTIONNAIRES / "offers.yaml")
    two = {v.id: v for v in tables.variables(questionnaire, [], str, frames.FRAME_2)}
    ids = list(two)
    assert ids.index("niveau_strict_content") == ids.index("niveau_content") + 1
    assert two["niveau_content"].label == (
        "Utiliser des outils et créer des documents : chiffre principal")
    assert two["indicateur_insee2019_illectronism_approx"].label == (
        "Illectronisme, définition INSEE 2019 (approximation), 16 ans ou plus : "
        "chiffre principal")
    assert two["indicateur_dsi_at_least_basic_strict"].label == (
        "Au moins les bases dans les 5 domaines (Eurostat, DSI 2.0), 16 à 74 ans : "
        "chiffre strict (fait seul)")
    assert [m.label for m in two["indicateur_dsi_at_least_basic"].modalities] == [
        "Oui", "Non", "Hors des âges comparés ou âge non dit"]
    one = {v.id: v for v in tables.variables(questionnaire, [("level:robotics", "1")], str,
                                             frames.FRAME_1)}
    assert one["niveau_software"].label == "Utiliser des outils et créer des documents"
    assert "niveau_strict_software" not in one
    assert one["niveau_robotics"].label == "robotics"   # counted, so shown, even unknown
    assert [m.code for m in one["indicateur_insee2019_illectronism"].modalities] == [
        "oui", "non"]
    assert {m.value: m.label for m in one["derniere_etape"].modalities}["eadmin"] == (
        "10. Démarches en ligne")


def test_the_default_frame_is_the_latest_with_data_else_the_newest():
    assert frames.default(["1", "2"]) == "2"
    assert frames.default(["1"]) == "1"
    assert frames.default([]) == "2"
    assert frames.default(["1", "2", "10"]) == "2"   # the latest, when it holds data...
    assert frames.default(["1", "10", "9"]) == "10"  # ...else the newest: "10" after "9"


# --- Open data ------------------------------------------------------------------------

def read(path) -> list[dict]:
    return read_csv(path)


def total(folder) -> str:
    rows = read(folder / "diagnostics-par-semaine.csv")
    return next(r["diagnostics"] for r in rows
                if r["semaine"] == "ensemble" and r["epci_site"] == "ensemble")


def test_an_export_of_one_frame_holds_none_of_the_other(hub, tmp_path):
    both_frames(hub)
    runner = hub.test_cli_runner()
    result = runner.invoke(args=["hub", "export", "-o", str(tmp_path / "v2")])
    assert result.exit_code == 0, result.output
    assert "Frame 2: Questionnaire 2026.3" in result.output
    assert total(tmp_path / "v2") == "150"
    breakdown = read(tmp_path / "v2" / "repartitions-par-epci-residence.csv")
    assert {row["cadre"] for row in breakdown} == {"2"}
    variables = {row["variable"] for row in breakdown}
    assert {"niveau_strict_safety", "indicateur_dsi_at_least_basic_strict"} <= variables
    assert "niveau_software" not in variables
    package = json.loads((tmp_path / "v2" / "datapackage.json").read_text("utf-8"))
    assert package["cadre"] == "2" and FRAME_2_SENTENCE in package["description"]
    assert HEADLINE_AND_STRICT in package["description"]

    result = runner.invoke(args=["hub", "export", "-o", str(tmp_path / "v1"), "--frame", "1"])
    assert result.exit_code == 0, result.output
    assert total(tmp_path / "v1") == "80"
    breakdown = read(tmp_path / "v1" / "repartitions-par-epci-residence.csv")
    assert {row["cadre"] for row in breakdown} == {"1"}
    variables = {row["variable"] for row in breakdown}
    assert "niveau_software" in variables and "niveau_strict_safety" not in variables
    assert {row["cadre"] for row in read(tmp_path / "v1" / "diagnostics-par-semaine.csv")} \
        == {"1"}

    refused = runner.invoke(args=["hub", "export", "-o", str(tmp_path / "v3"), "--frame", "3"])
    assert refused.exit_code != 0 and "frame '3' holds no diagnostic" in refused.output


def test_an_export_is_audited_against_the_publications_of_its_frame_only(hub, tmp_path):
    both_frames(hub)
    runner = hub.test_cli_runner()
    published = runner.invoke(args=["hub", "export", "-o", str(tmp_path / "p1"),
                                    "--frame", "1", "--publish"])
    assert published.exit_code == 0, published.output
    draft = runner.invoke(args=["hub", "export", "-o", str(tmp_path / "d2")])
    assert "against 0 registered publications of frame 2" in draft.output
    again = runner.invoke(args=["hub", "export", "-o", str(tmp_path / "d1"), "--frame", "1"])
    assert "against 1 registered publications of frame 1" in again.output
    assert hub.hub_db.execute("SELECT frame FROM publications").fetchall() == [("1",)]


def test_publications_made_before_frames_are_of_frame_1(tmp_path):
    db = connect(tmp_path / "hub.db")
    before = schema.MIGRATIONS[:schema.MIGRATIONS.index(schema.h010_publications_per_frame)]
    migrations.migrate(db, before)
    with write_transaction(db):
        db.execute("INSERT INTO publications (published_at, first_week, last_week, folder, "
                   "cells, hidden) VALUES ('2026-03-01', '2026-W01', '2026-W08', 'x', 10, 2)")
    migrations.migrate(db, schema.MIGRATIONS)
    assert db.execute("SELECT frame FROM publications").fetchall() == [("1",)]
    db.close()
