"""Build questionnaires/data/epci_03_contours.json, the EPCI map of the hub's dashboard,
from commune contours (GeoJSON, WGS 84) and questionnaires/data/communes_03.csv.

    python -m kiosk.hub.contours communes-03-allier.geojson \
        > questionnaires/data/epci_03_contours.json

The source used (questionnaires/data/SOURCES.md) is gregoiredavid/france-geojson,
departements/03-allier/communes-03-allier.geojson: IGN ADMIN EXPRESS COG 2018, already
simplified by mapshaper with its topology kept, so two neighbouring communes share the
very same vertices. Steps:

1. dissolve: the communes of each EPCI (by the communes file) lose the edges they share;
   only the Allier's communes are drawn, so an EPCI that spills over the border (CC Le
   Grand Charolais, Moulins Communauté) is drawn for its Allier part;
2. project: equirectangular, x scaled by cos(latitude) at the Allier's middle latitude,
   into a viewBox WIDTH units wide;
3. simplify by shared arcs: each border between two EPCIs (or an EPCI and the outside)
   is simplified once (Douglas-Peucker) and used by both sides, so no gap opens between
   neighbours.
Standard library only.
"""
from __future__ import annotations

import csv
import json
import math
import sys
from pathlib import Path

WIDTH = 600        # viewBox width; its height follows the Allier's shape
MARGIN = 4
TOLERANCE = 0.6    # viewBox units: about 0.1 % of the width
DATA = Path(__file__).resolve().parent.parent / "questionnaires" / "data"
SOURCE = ("IGN, ADMIN EXPRESS COG 2018 (communes), via github.com/gregoiredavid/"
          "france-geojson, departements/03-allier/communes-03-allier.geojson (2018-08-01); "
          "dissolved by EPCI of the communes file (COG 2026) and simplified by the "
          "project (tools/epci_contours.py)")
LICENCE = "Licence Ouverte / Etalab (IGN ADMIN EXPRESS)"


def signed_area(ring):
    return sum(a[0] * b[1] - b[0] * a[1] for a, b in zip(ring, ring[1:] + ring[:1])) / 2


def commune_rings(geojson: dict) -> dict[str, list[tuple]]:
    """INSEE code -> its outer ring (distinct vertices, counter-clockwise in lon/lat)."""
    rings = {}
    for feature in geojson["features"]:
        geometry = feature["geometry"]
        polygons = ([geometry["coordinates"]] if geometry["type"] == "Polygon"
                    else geometry["coordinates"])
        if len(polygons) != 1 or len(polygons[0]) != 1:
            raise SystemExit(f"{feature['properties']['code']}: one ring expected")
        ring = [tuple(point) for point in polygons[0][0][:-1]]
        rings[feature["properties"]["code"]] = ring if signed_area(ring) > 0 else ring[::-1]
    return rings


def dissolve(rings: list[list[tuple]]) -> list[list[tuple]]:
    """The outline of the union of counter-clockwise rings that share their edges."""
    edges = {(a, b) for ring in rings for a, b in zip(ring, ring[1:] + ring[:1])}
    outer = [(a, b) for a, b in edges if (b, a) not in edges]
    following: dict[tuple, list[tuple]] = {}
    for a, b in sorted(outer):
        following.setdefault(a, []).append(b)
    loops = []
    while following:
        start = min(following)
        loop, point = [start], start
        while True:
            nexts = following[point]
            point = nexts.pop()
            if not nexts:
                del following[loop[-1]]
            if point == start:
                break
            loop.append(point)
        loops.append(loop)
    return loops


def projection(points):
    """(lon, lat) -> (x, y) in the viewBox, and the viewBox's height."""
    lons, lats = [p[0] for p in points], [p[1] for p in points]
    shrink = math.cos(math.radians((min(lats) + max(lats)) / 2))
    scale = (WIDTH - 2 * MARGIN) / ((max(lons) - min(lons)) * shrink)
    height = (max(lats) - min(lats)) * scale + 2 * MARGIN

    def project(p):
        return (MARGIN + (p[0] - min(lons)) * shrink * scale,
                MARGIN + (max(lats) - p[1]) * scale)
    return project, math.ceil(height)


def distance(p, a, b):
    dx, dy = b[0] - a[0], b[1] - a[1]
    if dx == dy == 0:
        return math.hypot(p[0] - a[0], p[1] - a[1])
    return abs(dy * (p[0] - a[0]) - dx * (p[1] - a[1])) / math.hypot(dx, dy)


def simplify(points, tolerance=TOLERANCE):
    """Douglas-Peucker, ends kept."""
    keep, stack = {0, len(points) - 1}, [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        far, index = 0.0, None
        for i in range(first + 1, last):
            d = distance(points[i], points[first], points[last])
            if d > far:
                far, index = d, i
        if index is not None and far > tolerance:
            keep.add(index)
            stack += [(first, index), (index, last)]
    return [points[i] for i in sorted(keep)]


def shared_simplify(outlines: dict[str, list[list[tuple]]]) -> dict[str, list[list[tuple]]]:
    """Simplify every outline arc by arc: an arc runs between two nodes (vertices where
    three borders meet), and each arc is simplified once for both of its sides."""
    degree: dict[tuple, set] = {}
    for loops in outlines.values():
        for loop in loops:
            for a, b in zip(loop, loop[1:] + loop[:1]):
                degree.setdefault(a, set()).add(b)
                degree.setdefault(b, set()).add(a)
    nodes = {point for point, around in degree.items() if len(around) != 2}
    for loops in outlines.values():  # a loop with no node (an enclave): two fixed points
        for loop in loops:
            if not nodes.intersection(loop):
                first = min(loop)
                nodes |= {first, max(loop, key=lambda p: math.dist(p, first))}
    done: dict[tuple, list] = {}
    result = {}
    for code, loops in outlines.items():
        result[code] = []
        for loop in loops:
            start = next(i for i, p in enumerate(loop) if p in nodes)
            loop = loop[start:] + loop[:start] + [loop[start]]
            simple = [loop[0]]
            cuts = [i for i, p in enumerate(loop) if p in nodes]
            for first, last in zip(cuts, cuts[1:]):
                arc = loop[first:last + 1]
                key = min(tuple(arc), tuple(arc[::-1]))
                if key not in done:
                    done[key] = simplify(list(key))
                part = done[key] if key == tuple(arc) else done[key][::-1]
                simple += part[1:]
            result[code].append(simple[:-1])
    return result


def path(loops) -> str:
    """An SVG path: one subpath a loop, its first point absolute, then relative line-tos
    (shorter); each delta is taken between rounded points, so rounding never drifts and
    two neighbours still meet on the same points."""
    text = ""
    for loop in loops:
        tenths = [(round(x * 10), round(y * 10)) for x, y in loop]
        tenths = [p for i, p in enumerate(tenths) if p != tenths[i - 1]]  # rounded together
        steps = [f"{tenth(b[0] - a[0])},{tenth(b[1] - a[1])}" for a, b in zip(tenths, tenths[1:])]
        text += f"M{tenth(tenths[0][0])},{tenth(tenths[0][1])}l" + " ".join(steps) + "z"
    return text


def tenth(value: int) -> str:
    """A number of tenths, written short: 15 -> "1.5", -3 -> "-.3", 20 -> "2"."""
    sign, value = ("-" if value < 0 else ""), abs(value)
    whole, rest = divmod(value, 10)
    return sign + (str(whole) if whole or not rest else "") + (f".{rest}" if rest else "")


def build(geojson: dict, communes_csv: Path, epci_csv: Path) -> dict:
    rings = commune_rings(geojson)
    with open(communes_csv, encoding="utf-8-sig", newline="") as handle:
        members: dict[str, list[str]] = {}
        for row in csv.DictReader(handle):
            members.setdefault(row["epci_siren"], []).append(row["insee_code"])
    with open(epci_csv, encoding="utf-8-sig", newline="") as handle:
        epcis = {row["epci_siren"]: row for row in csv.DictReader(handle)}
    missing = {c for codes in members.values() for c in codes} ^ set(rings)
    if missing or set(members) != set(epcis):
        raise SystemExit(f"communes or EPCIs do not match: {sorted(missing)}")
    project, height = projection([p for ring in rings.values() for p in ring])
    outlines = {}
    for code in epcis:
        outlines[code] = dissolve([[project(p) for p in rings[c]] for c in members[code]])
    simple = shared_simplify(outlines)
    return {
        "source": SOURCE, "licence": LICENCE, "viewBox": f"0 0 {WIDTH} {height}",
        "epci": {code: {"name": row["epci_name"],
                        "communes_drawn": len(members[code]),
                        "communes_total": int(row["nb_membres_total"]),
                        "path": path(simple[code])}
                 for code, row in epcis.items()},
    }


if __name__ == "__main__":
    with open(sys.argv[1], encoding="utf-8") as handle:
        contours = build(json.load(handle), DATA / "communes_03.csv", DATA / "epci_03.csv")
    json.dump(contours, sys.stdout, ensure_ascii=False, indent=1)
    sys.stdout.write("\n")
