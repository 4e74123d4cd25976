"""`kiosk hub export`: the open data, and an attack on its secrecy.

The attack reads only the published files: every cell as written, and the totals that
link them as the datapackage documents them (each table's "ensemble" rows and columns,
and every population's total being the completion row of the same EPCI). It then asks
an integer linear programme, for each hidden cell, the smallest and the largest value
consistent with everything published. A cell whose two bounds meet is disclosed.
"""
from __future__ import annotations

import csv
import json
import random
import re
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import numpy as np
import pytest
from scipy.optimize import Bounds, LinearConstraint, milp

from kiosk.hub import publications
from kiosk.hub.opendata import read_csv
from kiosk.hub.suppression import is_sensitive
from tests import hubdata as h

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

CONTACT = "donnees.ouvertes@allier.fr"
SCREENS = ["last_use", "devices", "procedures", "act_information", "age_band"]


def population(rng: random.Random, per_week=(8, 40)) -> list[tuple[dict, list[dict]]]:
    """Four kiosks in three EPCI over four weeks: a few hundred diagnostics (``per_week``
    per kiosk and week), with many small groups (an EPCI of residence with 7 people,
    rare languages, abandons)."""
    rng_choice = rng.choice
    devices = [("Agence postale de Souvigny", h.MOULINS), ("Agence postale de Lurcy", h.MOULINS),
               ("Bus Bourbon'Net", h.MONTLUCON), ("Agence postale de Saint-Yorre", h.VICHY)]
    batches = []
    for site, epci in devices:
        payloads = []
        for week in ("2026-W05", "2026-W06", "2026-W07", "2026-W08"):
            for _ in range(rng.randint(*per_week)):
                residence = rng.choices([epci, None, h.MOULINS, h.VICHY, "200071470"],
                                        [70, 10, 8, 6, 2])[0]
                complete = rng.random() < 0.85
                payloads.append(h.payload(
                    week, complete=complete, residence=residence,
                    illectronism=rng.random() < 0.25,
                    language=rng.choices(["fr", "ar", "uk", "tr"], [90, 5, 3, 2])[0],
                    needs=rng.sample(["basics", "equipment", "safety", "e_administration"],
                                     rng.randint(0, 2)),
                    offers=rng.sample(["digital_advisor", "collective_workshops",
                                       "solidarity_device"], rng.randint(1, 2)),
                    last_screen=rng_choice(SCREENS), level=rng_choice([0, 1, 1, 2]),
                    age_band=rng_choice(["16-29", "30-44", "45-59", "60-74", "75+", None])))
        batches.append(((site, epci), payloads))
    return batches


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    """A filled hub, exported once with the real command."""
    return export_once(tmp_path_factory.mktemp("hub"), seed=11)


def export_once(folder: Path, seed: int) -> Path:
    from kiosk import create_app

    db = h.new_hub_db(folder / "hub.db")
    for (site, epci), payloads in population(random.Random(seed)):
        h.receive(db, h.add_device(db, site, epci), payloads)
    db.close()
    app = create_app({"TESTING": True, "ROLE": "hub", "DATABASE": str(folder / "hub.db"),
                      "SECRET_KEY": "t", "EXPORT_DIR": str(folder / "exports"),
                      "HUB_OPENDATA_CONTACT": CONTACT})
    result = app.test_cli_runner().invoke(args=["hub", "export", "--output", str(folder / "out")])
    assert result.exit_code == 0, result.output
    assert "cells suppressed" in result.output
    (folder / "out" / "output.txt").write_text(result.output, encoding="utf-8")
    return folder / "out"


def read(path: Path) -> list[dict]:
    return read_csv(path)


# --- The attacker's model, from the published files alone -------------------------------

def published_system(folder: Path):
    """Every published cell, and the sums the datapackage says link them.

    Returns (values, equations): values maps a cell to its count or None (hidden);
    each equation is (total cell, [part cells]).
    """
    values, equations = {}, []
    weekly = read(folder / "diagnostics-par-semaine.csv")
    grid = defaultdict(dict)
    for row in weekly:
        cell = ("semaine", row["semaine"], row["epci_site"])
        values[cell] = None if row["diagnostics"] == "s" else int(row["diagnostics"])
        grid[row["semaine"]][row["epci_site"]] = cell
    weeks = [w for w in grid if w != "ensemble"]
    sites = [s for s in grid["ensemble"] if s != "ensemble"]
    for week in grid:
        equations.append((grid[week]["ensemble"], [grid[week][s] for s in sites]))
    for site in sites + ["ensemble"]:
        equations.append((grid["ensemble"][site], [grid[w][site] for w in weeks]))

    rows = read(folder / "repartitions-par-epci-residence.csv")
    table = defaultdict(lambda: defaultdict(dict))
    populations = {}
    for row in rows:
        cell = ("rep", row["variable"], row["modalite"], row["epci_residence"])
        values[cell] = None if row["effectif"] == "s" else int(row["effectif"])
        table[row["variable"]][row["modalite"]][row["epci_residence"]] = cell
        populations[row["variable"]] = row["population"]
    for variable, modalities in table.items():
        columns = [c for c in modalities["ensemble"] if c != "ensemble"]
        for column in columns + ["ensemble"]:
            equations.append((modalities["ensemble"][column],
                              [modalities[m][column] for m in modalities if m != "ensemble"]))
        for modality in modalities:
            equations.append((modalities[modality]["ensemble"],
                              [modalities[modality][c] for c in columns]))
        # Every population's total is a row of the completion variable.
        done = table["diagnostic_termine"]
        source = {"diagnostics": done["ensemble"], "diagnostics_termines": done["oui"],
                  "diagnostics_abandonnes": done["non"]}[populations[variable]]
        for column, cell in modalities["ensemble"].items():
            equations.append((cell, [source[column]]))
    # The two tables share the number of diagnostics.
    equations.append((grid["ensemble"]["ensemble"],
                      [table["diagnostic_termine"]["ensemble"]["ensemble"]]))
    quarterly(folder, table, values, equations)
    return values, equations


def quarterly(folder: Path, table: dict, values: dict, equations: list) -> None:
    """The quarterly file's cells and sums: per quarter, EPCI and variable, the completed
    diagnostics split into "yes", "no" and the rest (out of the ages compared); the
    EPCIs add up to the Allier's row and the quarters to the breakdown's cells."""
    def number(text):
        return None if text == "s" else int(text)

    parts = (("oui", "oui"), ("non", "non"), ("hors_ages", "non_renseigne"))
    quarters, columns, followed = set(), set(), set()
    for row in read(folder / "indicateurs-par-trimestre.csv"):
        q, v, c = row["trimestre"], row["indicateur"], row["epci_residence"]
        quarters.add(q), columns.add(c), followed.add(v)
        values[("q", q, "pop", c)] = number(row["diagnostics_termines"])
        split = [part for part, _ in parts if row[part] != ""]
        for part in split:
            values[("q", q, v, part, c)] = number(row[part])
        equations.append((("q", q, "pop", c), [("q", q, v, part, c) for part in split]))
    detail = sorted(columns - {"ensemble"})
    done = table["diagnostic_termine"]["oui"]
    for c in columns:
        equations.append((done[c], [("q", q, "pop", c) for q in sorted(quarters)]))
    for q in quarters:
        equations.append((("q", q, "pop", "ensemble"), [("q", q, "pop", c) for c in detail]))
    for v in followed:
        for part, modality in parts:
            if modality not in table[v]:
                continue
            for c in columns:
                equations.append((table[v][modality][c], [("q", q, v, part, c)
                                                          for q in sorted(quarters)]))
            for q in quarters:
                equations.append((("q", q, v, part, "ensemble"),
                                  [("q", q, v, part, c) for c in detail]))


def merge_equal_cells(values: dict, equations: list) -> tuple[dict, list, dict]:
    """Cells an equation says are equal (a total with a single part) become one unknown:
    fewer variables for the solver. Returns the merged values, the other equations on
    the merged cells, and each cell's representative."""
    parent = {cell: cell for cell in values}

    def find(cell):
        while parent[cell] != cell:
            parent[cell] = parent[parent[cell]]
            cell = parent[cell]
        return cell

    for total, parts in equations:
        if len(parts) == 1:
            parent[find(total)] = find(parts[0])
    merged = {}
    for cell, value in values.items():
        root = find(cell)
        if value is not None:
            assert merged.get(root) in (None, value), f"{cell} published twice, differently"
            merged[root] = value
        else:
            merged.setdefault(root, None)
    rest = [(find(t), [find(p) for p in parts]) for t, parts in equations if len(parts) != 1]
    return merged, rest, {cell: find(cell) for cell in values}


def attack(values: dict, equations: list, integer: bool = True, probes: int = 16) -> dict:
    """A (low, high) range for every hidden cell, over the nonnegative (integer)
    solutions of the published equations; low == high means the cell is disclosed.

    Solutions for a few random objectives come first: two solutions that give a cell
    different values prove it is not determined (the range is then a part of the true
    one). Every other cell gets its exact minimum and maximum. With ``integer=False``,
    the linear relaxation: faster, and a cell it pins is pinned for integers too.
    """
    merged, equations, root = merge_equal_cells(values, equations)
    hidden = sorted(cell for cell, value in merged.items() if value is None)
    index = {cell: i for i, cell in enumerate(hidden)}
    rows, rhs = [], []
    for total, parts in equations:
        coefficients, constant = np.zeros(len(hidden)), 0
        for cell, sign in [(total, -1)] + [(p, 1) for p in parts]:
            if merged[cell] is None:
                coefficients[index[cell]] += sign
            else:
                constant += sign * merged[cell]
        if not coefficients.any():
            assert constant == 0, f"published cells do not add up: {total} vs {parts}"
            continue
        rows.append(coefficients)
        rhs.append(-constant)
    constraint = LinearConstraint(np.array(rows), rhs, rhs) if rows else ()

    def solve(objective):
        result = milp(objective, constraints=constraint, bounds=Bounds(0, np.inf),
                      integrality=np.ones(len(hidden)) if integer else None)
        assert result.success, f"no solution: the model of the files is wrong ({result.message})"
        return result.x

    rng = np.random.default_rng(0)
    samples = np.array([solve(rng.normal(size=len(hidden))) for _ in range(probes)]
                       if hidden else [])
    solved = {}
    for cell, i in index.items():
        low, high = samples[:, i].min(), samples[:, i].max()
        if high - low < 0.5:
            unit = np.zeros(len(hidden))
            unit[i] = 1
            low, high = solve(unit)[i], solve(-unit)[i]
        solved[cell] = (round(low, 6), round(high, 6))
    # A hidden cell equal to a published one is given away whatever the solver says.
    return {cell: solved.get(root[cell], (merged[root[cell]],) * 2)
            for cell, value in values.items() if value is None}


# --- Tests ------------------------------------------------------------------------------

def test_no_hidden_cell_can_be_worked_out_from_the_published_totals(exported):
    values, equations = published_system(exported)
    hidden = [cell for cell, value in values.items() if value is None]
    assert len(hidden) > 40  # the population has many small groups to protect
    ranges = attack(values, equations)
    disclosed = {cell: r for cell, r in ranges.items() if r[0] == r[1]}
    assert disclosed == {}
    assert any(cell[0] == "q" for cell in hidden)  # the quarterly file is attacked too
    # Every published count obeys the primary rule: no 1 to 10.
    assert [c for c, v in values.items() if v is not None and is_sensitive(v)] == []


@pytest.mark.parametrize("seed", [3, 20])
def test_other_populations_are_protected_too(tmp_path, seed):
    values, equations = published_system(export_once(tmp_path, seed))
    assert [c for c, (low, high) in attack(values, equations).items() if low == high] == []


def test_the_attack_finds_what_primary_suppression_alone_would_give_away(tmp_path, monkeypatch):
    # The same export with only the cells of 1 to 10 hidden: the attack must find some,
    # or it proves nothing above.
    def primary_only(releases, make_tables, protection):
        weeks = list(releases[-1].snapshot.weeks)
        tables = make_tables(weeks, *releases[-1].snapshot.over(weeks))
        hidden = frozenset(cell for cell, n in tables.values.items() if is_sensitive(n))
        return publications.Outcome(tables, hidden, hidden, hidden)

    monkeypatch.setattr(publications, "secure", primary_only)
    values, equations = published_system(export_once(tmp_path, seed=11))
    ranges = attack(values, equations, integer=False)
    disclosed = [cell for cell, (low, high) in ranges.items() if low == high]
    assert len(disclosed) >= 5
    assert all(1 <= ranges[cell][0] <= 10 for cell in disclosed)


def test_the_files_are_described_by_their_datapackage(exported):
    package = json.loads((exported / "datapackage.json").read_text("utf-8"))
    assert package["licenses"][0]["name"] == "etalab-2.0"
    assert "Licence Ouverte" in package["licenses"][0]["title"]
    assert package["temporal"] == {"start": "2026-01-26", "end": "2026-02-22"}
    for resource in package["resources"]:
        assert resource["encoding"] == "utf-8" and resource["format"] == "csv"
        raw = (exported / resource["path"]).read_bytes()
        raw.decode("utf-8")  # strict: fails on anything but UTF-8
        rows = read(exported / resource["path"])
        fields = resource["schema"]["fields"]
        assert list(rows[0]) == [field["name"] for field in fields]
        missing = set(resource["schema"]["missingValues"])
        for field in fields:
            for row in rows:
                value = row[field["name"]]
                if field["type"] == "integer" and value not in missing:
                    assert int(value) >= 0
                if field["type"] == "date" and value not in missing:
                    assert len(value) == 10 and value[4] == "-" and value[7] == "-"
        key = resource["schema"]["primaryKey"]
        assert len({tuple(row[k] for k in key) for row in rows}) == len(rows)


def test_every_week_of_the_period_is_published_zeros_included(exported):
    rows = read(exported / "diagnostics-par-semaine.csv")
    weeks = {row["semaine"] for row in rows}
    assert weeks == {"2026-W05", "2026-W06", "2026-W07", "2026-W08", "ensemble"}
    assert {row["debut_semaine"] for row in rows if row["semaine"] == "2026-W06"} == {"2026-02-02"}
    # An EPCI with no kiosk is a column of published zeros.
    besbre = [row["diagnostics"] for row in rows if row["epci_site"] == "200071470"]
    assert set(besbre) == {"0"}


def test_outcomes_count_complete_diagnostics_only(exported):
    rows = read(exported / "repartitions-par-epci-residence.csv")
    population = {row["variable"]: row["population"] for row in rows}
    assert population["langue"] == "diagnostics"
    assert population["indicateur_insee2021_illectronism"] == "diagnostics_termines"
    assert population["niveau_strict_safety"] == "diagnostics_termines"
    assert population["derniere_etape"] == "diagnostics_abandonnes"
    assert population["besoin_basics"] == "diagnostics_termines"


# --- What a journalist reads -------------------------------------------------------------

def sums_checked(rows: list[dict], count: str, group: list[str], over: str) -> int:
    """For each value of the ``group`` columns, the detail rows (``ligne_total`` "non"
    over the column ``over``) against the row whose ``over`` is "ensemble", when all are
    published: asserts they add up, returns how many sums it compared."""
    parts, totals = defaultdict(list), {}
    for row in rows:
        key = tuple(row[c] for c in group)
        if row[over] == "ensemble":
            totals[key] = row[count]
        else:
            parts[key].append(row[count])
    compared = 0
    for key, total in totals.items():
        if total != "s" and "s" not in parts[key]:
            assert sum(map(int, parts[key])) == int(total), (key, over)
            compared += 1
    return compared


def test_total_rows_are_marked_so_that_no_sum_double_counts(exported):
    weekly = read(exported / "diagnostics-par-semaine.csv")
    for row in weekly:
        is_total = "ensemble" in (row["semaine"], row["epci_site"])
        assert row["ligne_total"] == ("oui" if is_total else "non")
    detail = [row for row in weekly if row["ligne_total"] == "non"]
    grand = [row for row in weekly if row["semaine"] == row["epci_site"] == "ensemble"]
    if "s" not in {row["diagnostics"] for row in detail}:
        assert sum(int(row["diagnostics"]) for row in detail) == int(grand[0]["diagnostics"])
    compared = (sums_checked(weekly, "diagnostics", ["semaine"], "epci_site")
                + sums_checked(weekly, "diagnostics", ["epci_site"], "semaine"))
    assert compared >= 5

    rows = read(exported / "repartitions-par-epci-residence.csv")
    for row in rows:
        is_total = "ensemble" in (row["modalite"], row["epci_residence"])
        assert row["ligne_total"] == ("oui" if is_total else "non")
    by_modality = sums_checked(rows, "effectif", ["variable", "epci_residence"], "modalite")
    by_epci = sums_checked(rows, "effectif", ["variable", "modalite"], "epci_residence")
    assert by_modality >= 50 and by_epci >= 30
    quarters = read(exported / "indicateurs-par-trimestre.csv")
    for row in quarters:
        assert row["ligne_total"] == ("oui" if row["epci_residence"] == "ensemble" else "non")
    assert sums_checked(quarters, "oui", ["trimestre", "indicateur"], "epci_residence") >= 3
    # (every EPCI's completed diagnostics are published here only if none is small)
    sums_checked(quarters, "diagnostics_termines", ["trimestre", "indicateur"], "epci_residence")
    # The whole-Allier row of a variable is the sum of its detail rows, as published.
    done = [row for row in rows if row["variable"] == "diagnostic_termine"]
    assert sums_checked([r for r in done if r["epci_residence"] == "ensemble"],
                        "effectif", ["variable"], "modalite") == 1


def test_every_row_has_its_frame_and_french_labels_beside_its_codes(exported):
    for name, code, label in (("diagnostics-par-semaine.csv", "epci_site", "epci_site_nom"),
                              ("repartitions-par-epci-residence.csv", "epci_residence",
                               "epci_residence_nom"),
                              ("indicateurs-par-trimestre.csv", "epci_residence",
                               "epci_residence_nom")):
        rows = read(exported / name)
        assert {(row["cadre"], row["cadre_libelle"]) for row in rows} == {
            ("2", "Version 2 : questionnaire 2026.3 et suivants")}
        names = {row[code]: row[label] for row in rows}
        assert names[h.MOULINS] == "CA Moulins Communauté"
        assert names["ensemble"] == "Allier (ensemble)"
        assert all(names.values())
    rows = read(exported / "repartitions-par-epci-residence.csv")
    labels = {(row["variable"], row["modalite"]): (row["variable_libelle"],
                                                   row["modalite_libelle"]) for row in rows}
    assert labels[("diagnostic_termine", "oui")] != ("diagnostic_termine", "oui")
    assert all(variable and modality for variable, modality in labels.values())


def test_a_french_spreadsheet_reads_the_files_as_they_are(exported):
    # UTF-8 with its byte-order mark (Excel otherwise reads the accents as Windows-1252)
    # and ";" between fields (a French Excel otherwise puts a whole row in one cell).
    for name in ("diagnostics-par-semaine.csv", "repartitions-par-epci-residence.csv",
                 "synthese-par-epci.csv", "indicateurs-par-trimestre.csv"):
        raw = (exported / name).read_bytes()
        assert raw.startswith(b"\xef\xbb\xbfcadre;cadre_libelle;ligne_total;")
        with open(exported / name, encoding="utf-8-sig", newline="") as handle:
            rows = list(csv.reader(handle, delimiter=";"))
        assert len({len(row) for row in rows}) == 1
    text = (exported / "repartitions-par-epci-residence.csv").read_text("utf-8-sig")
    assert "Communauté" in text and "terminé" in text


def test_frictionless_validates_the_package(exported):
    tool = Path(sys.executable).with_name("frictionless")
    done = subprocess.run([str(tool), "validate", "--json", "datapackage.json"],
                          cwd=exported, capture_output=True, text=True)
    report = json.loads(done.stdout)
    assert report["valid"], done.stdout[:3000]
    assert done.returncode == 0
    tasks = {task["name"]: task for task in report["tasks"]}
    assert set(tasks) == {"diagnostics-par-semaine", "repartitions-par-epci-residence",
                          "synthese-par-epci", "indicateurs-par-trimestre"}
    assert all(task["stats"]["rows"] > 10 for task in tasks.values())


def test_the_package_tells_a_data_gouv_fr_publisher_what_to_fill_in(exported):
    package = json.loads((exported / "datapackage.json").read_text("utf-8"))
    assert {"title": "Contact", "email": CONTACT, "role": "contact"} in package["contributors"]
    assert package["frequency"] == "irregular"
    assert package["spatial"]["zones"] == ["fr:departement:03"]
    assert package["spatial"]["granularity"] == "fr:epci"
    assert package["version"].endswith("-cadre2")
    assert "LISEZMOI.md" in package["methodologie"]
    for resource in package["resources"]:
        assert resource["dialect"]["delimiter"] == ";"
        flag = [f for f in resource["schema"]["fields"] if f["name"] == "ligne_total"]
        assert flag and flag[0]["constraints"]["enum"] == ["oui", "non"]


def test_the_readme_says_what_this_export_holds(exported):
    text = (exported / "LISEZMOI.md").read_text("utf-8")
    package = json.loads((exported / "datapackage.json").read_text("utf-8"))
    hidden, cells = re.search(r"(\d+) of (\d+) cells suppressed",
                              (exported / "output.txt").read_text("utf-8")).groups()
    assert f"{hidden} cases sur {cells} sont masquées" in text
    assert "du 2026-01-26 au 2026-02-22 (semaines ISO 2026-W05 à 2026-W08)" in text
    assert "Aucune case de 1 à 10 personnes" in text and "x + 5" in text
    assert CONTACT in text and package["version"] in text
    assert "**les personnes venues faire le diagnostic à une borne**" in text
    assert "## Calculer une part" in text and "ligne_total" in text
    variables = {row["variable"] for row in read(exported / "repartitions-par-epci-residence.csv")}
    assert all(f"| `{variable}` |" in text for variable in variables)
    for resource in package["resources"]:
        assert all(f"| `{field['name']}` |" in text for field in resource["schema"]["fields"])


def test_the_synthesis_per_epci_derives_from_published_cells_only(exported):
    wide = {row["epci_residence"]: row for row in read(exported / "synthese-par-epci.csv")}
    cells = {(row["variable"], row["modalite"], row["epci_residence"]): row["effectif"]
             for row in read(exported / "repartitions-par-epci-residence.csv")}
    assert [row["ligne_total"] for row in wide.values()].count("oui") == 1
    assert wide["ensemble"]["ligne_total"] == "oui"
    # An EPCI astride the border counts its 3 Allier communes only.
    assert wide["200071884"]["population_allier"] == "2412"
    assert wide["non_renseigne"]["population_allier"] == ""
    assert int(wide["ensemble"]["population_allier"]) == sum(
        int(row["population_allier"]) for code, row in wide.items()
        if code not in ("ensemble", "non_renseigne"))
    shares = 0
    for epci, row in wide.items():
        assert row["diagnostics"] == cells[("diagnostic_termine", "ensemble", epci)]
        assert row["diagnostics_termines"] == cells[("diagnostic_termine", "oui", epci)]
        if row["diagnostics"] == "s":
            assert row["diagnostics_pour_1000_habitants"] == "s"
        elif row["population_allier"] not in ("", "0"):
            assert row["diagnostics_pour_1000_habitants"] == \
                f"{1000 * int(row['diagnostics']) / int(row['population_allier']):.2f}"
        yes = cells[("indicateur_insee2021_illectronism", "oui", epci)]
        no = cells[("indicateur_insee2021_illectronism", "non", epci)]
        assert row["insee2021_illectronism_oui"] == yes
        if "s" in (yes, no):
            # A figure computed from a hidden cell is hidden too.
            assert row["insee2021_illectronism_repondants"] == "s"
            assert row["insee2021_illectronism_part"] == "s"
        elif int(yes) + int(no):
            assert row["insee2021_illectronism_repondants"] == str(int(yes) + int(no))
            assert row["insee2021_illectronism_part"] == \
                f"{100 * int(yes) / (int(yes) + int(no)):.1f}"
            shares += 1
    assert shares >= 2
    assert "s" in {row["insee2021_illectronism_part"] for row in wide.values()}
