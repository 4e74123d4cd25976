"""The dashboard's EPCI maps (kiosk.hub.maps, templates/hub/_map.html): contours shipped
as data, two accessible maps each followed by its table, and no figure the page does
not already publish."""
from __future__ import annotations

import csv
import re
from html.parser import HTMLParser

import pytest

from kiosk.hub import maps
from kiosk.paths import DATA
from tests import hubdata as h
from tests.test_hub_page import Ids
from tests.test_hub_web import client, column, fill, hub, tables_of, text  # noqa: F401

REACH, SHARES = "carte-epci-residence", "carte-illectronisme-epci"
GRAND_CHAROLAIS = "200071884"


def epci_file() -> dict[str, str]:
    with open(DATA / "epci_03.csv", encoding="utf-8") as handle:
        return {row["epci_siren"]: row["epci_name"] for row in csv.DictReader(handle)}


def points(path: str) -> list[tuple[float, float]]:
    """The vertices of a path of the commands the contours use (an absolute move, then
    relative line-tos, closed); any other command fails the parse."""
    assert re.fullmatch(r"(M[-\d.]+,[-\d.]+l[-\d., ]+z)+", path), path[:80]
    vertices = []
    for start, steps in re.findall(r"M([-\d.]+,[-\d.]+)l([-\d., ]+)z", path):
        x, y = map(float, start.split(","))
        vertices.append((x, y))
        for step in steps.split():
            dx, dy = map(float, step.split(","))
            x, y = x + dx, y + dy
            vertices.append((round(x, 1), round(y, 1)))
    return vertices


# --- The contours -----------------------------------------------------------------------

def test_the_contours_cover_exactly_the_epcis_of_the_epci_file():
    shipped = maps.contours()
    assert set(shipped["epci"]) == set(epci_file())
    assert {code: area["name"] for code, area in shipped["epci"].items()} == epci_file()
    assert "ADMIN EXPRESS" in shipped["source"] and "Licence Ouverte" in shipped["licence"]


def test_every_path_parses_and_lies_inside_the_viewbox():
    shipped = maps.contours()
    left, top, width, height = map(float, shipped["viewBox"].split())
    for code, area in shipped["epci"].items():
        vertices = points(area["path"])
        assert len(vertices) >= 20, code   # a real outline, not a box
        assert all(left <= x <= left + width and top <= y <= top + height
                   for x, y in vertices), code


def test_neighbours_share_their_border_vertex_for_vertex():
    """The borders were simplified once for both sides: Vichy's and Lapalisse's outlines
    meet on the very same points, so no gap opens between them."""
    shipped = maps.contours()["epci"]
    vichy, lapalisse = (set(points(shipped[c]["path"])) for c in (h.VICHY, "240300491"))
    assert len(vichy & lapalisse) >= 5


def test_an_epci_that_spills_over_the_border_is_drawn_for_its_allier_communes():
    area = maps.contours()["epci"][GRAND_CHAROLAIS]
    assert (area["communes_drawn"], area["communes_total"]) == (3, 44)


def test_the_contours_source_is_in_sources_md():
    sources = (DATA / "SOURCES.md").read_text(encoding="utf-8")
    assert "epci_03_contours.json" in sources and "ADMIN EXPRESS" in sources


# --- Classes ----------------------------------------------------------------------------

def test_classes_have_round_bounds_and_hold_every_value():
    scale = maps.bands([0.0, 1.7, 3.8], 0.1)
    assert [(b.low, b.high) for b in scale] == [(0, 1), (1, 2), (2, 3), (3, 4)]
    assert [maps.classify(v, scale) for v in (0.0, 1.0, 1.7, 3.8)] == ["c0", "c1", "c1", "c3"]
    shares = maps.bands([0.21, 0.25, 0.4], 0.01)
    assert [(round(b.low, 2), round(b.high, 2)) for b in shares] == [
        (0.2, 0.25), (0.25, 0.3), (0.3, 0.35), (0.35, 0.4)]
    assert maps.classify(0.4, shares) == "c3"  # the last class holds its upper bound
    # A maximum on a bound closes the last class: no empty class above it.
    assert len(maps.bands([0.25, 0.4], 0.01)) == 3
    # Values closer than the page writes them: one class of the narrowest width.
    assert [(b.low, b.high) for b in maps.bands([0.5, 0.5], 0.01)] == [(0.5, 0.51)]


# --- On the page ------------------------------------------------------------------------

class Map(HTMLParser):
    """One map's figure: its svg's attributes, each path's fill and <title>, the legend's
    items, and what follows the svg (the table must)."""

    def __init__(self, figure_id: str):
        super().__init__()
        self.figure_id, self.depth = figure_id, 0
        self.svg, self.areas, self.legend, self.order, self.hrefs = None, [], [], [], []
        self.fill = self.title = self.item = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "figure" and attrs.get("id") == self.figure_id:
            self.depth = 1
        elif self.depth and tag == "figure":
            self.depth += 1
        if not self.depth:
            return
        if tag in ("svg", "ul", "table") and (tag != "svg" or "map" in attrs.get("class", "")):
            self.order.append(tag)
        if tag == "svg" and "map" in attrs.get("class", ""):
            self.svg = attrs
        elif tag == "use" and attrs.get("class") == "map-area":
            self.fill = attrs["fill"]
            self.hrefs.append(attrs["href"])
        elif tag == "title" and self.fill:
            self.title = ""
        elif tag == "li":
            self.item = ""
        elif tag == "rect" and self.item is not None:
            self.item_fill = attrs["fill"]

    def handle_endtag(self, tag):
        if self.depth and tag == "figure":
            self.depth -= 1
        elif tag == "title" and self.title is not None:
            self.areas.append((self.fill, self.title))
            self.fill = self.title = None
        elif tag == "li" and self.item is not None:
            self.legend.append((self.item_fill, " ".join(self.item.split())))
            self.item = None

    def handle_data(self, data):
        if self.title is not None:
            self.title += data
        elif self.item is not None:
            self.item += data


def parse_map(page: str, figure_id: str) -> Map:
    parser = Map(figure_id)
    parser.feed(page)
    return parser


@pytest.fixture
def dashboard(hub, client):
    fill(hub)
    return text(client.get("/"))


def test_both_maps_are_named_by_their_heading_and_finding(dashboard):
    for figure_id in (REACH, SHARES):
        drawn = parse_map(dashboard, figure_id)
        assert drawn.svg["role"] == "img"
        # Named by its heading, described by its finding, as every chart of the page.
        assert drawn.svg["aria-labelledby"] == f"{figure_id}-heading"
        assert drawn.svg["aria-describedby"].split()[0] == f"{figure_id}-finding"
        assert f'id="{figure_id}-heading"' in dashboard and f'id="{figure_id}-finding"' in dashboard
    assert "Diagnostics pour 1\u00a0000 habitants, par EPCI de résidence : carte" in dashboard
    # Nine EPCIs tie at zero: none is named as "the" least reached.
    assert ("Parmi les EPCI publiés, de 0,0\u00a0‰ (9 EPCI) à 3,8\u00a0‰ (CA Moulins "
            "Communauté), pour 1,1\u00a0‰ en moyenne dans l'Allier ; 1 EPCI en secret "
            "statistique.") in dashboard


def test_every_epci_is_drawn_with_its_name_and_value_in_its_title(dashboard):
    drawn = dict((title.split(" : ")[0], title.split(" : ")[1])
                 for _, title in parse_map(dashboard, REACH).areas)
    assert set(drawn) == set(epci_file().values())
    assert drawn["CA Moulins Communauté"] == "3,8\u00a0‰"
    assert drawn["CC du Val de Cher"] == "0,0\u00a0‰"
    shares = dict(title.split(" : ") for _, title in parse_map(dashboard, SHARES).areas)
    assert shares["CC du Val de Cher"] == "aucun diagnostic terminé"


def test_the_legend_gives_each_class_its_bounds_and_pattern(dashboard):
    legend = parse_map(dashboard, REACH).legend
    classes = [text for fill, text in legend if re.search(r"-c\d\)$", fill)]
    # Rates from 0.0 ‰ (Val de Cher) to 3.8 ‰ (Moulins), against the Allier's 1.1 ‰
    # (369 / 333,298): classes at half, once and twice the average.
    assert classes == [
        "de 0,0 ‰ à moins de 0,6 ‰ (moins de la moitié de la moyenne de l'Allier)",
        "de 0,6 ‰ à moins de 1,1 ‰ (sous la moyenne)",
        "de 1,1 ‰ à moins de 2,2 ‰ (de la moyenne au double)",
        "de 2,2 ‰ à 3,8 ‰ (plus du double de la moyenne)"]
    drawn = dict((title.split(" : ")[0], fill) for fill, title in parse_map(dashboard, REACH).areas)
    assert drawn["CA Moulins Communauté"].endswith("-c3)")     # 3.8 ‰
    assert drawn["CA Montluçon Communauté"].endswith("-c2)")   # 1.7 ‰
    assert drawn["CC du Val de Cher"].endswith("-c0)")         # 0.0 ‰
    # The share map has no average to stand on: classes of a round width.
    shares = [text for fill, text in parse_map(dashboard, SHARES).legend
              if re.search(r"-c\d\)$", fill)]
    assert shares and all("moyenne" not in text for text in shares)
    fills = [fill for fill, _ in legend]
    assert len(set(fills)) == len(fills)  # one pattern each


def test_a_hidden_epci_is_hatched_said_in_the_legend_and_s_in_its_table(dashboard):
    drawn = parse_map(dashboard, REACH)
    vichy = [fill for fill, title in drawn.areas if title.startswith("CA Vichy Communauté")]
    assert vichy == [f"url(#{REACH}-secret)"]
    assert ("url(#%s-secret)" % REACH,
            "hachuré : « s », secret statistique (pas une valeur)") in drawn.legend
    assert "CA Vichy Communauté : s (secret statistique)" in [t for _, t in drawn.areas]
    table = tables_of(dashboard)[REACH]
    assert column(table, "Pour 1 000 habitants")["CA Vichy Communauté"] == "s"
    assert column(table, "Diagnostics")["CA Vichy Communauté"] == "s"


def test_a_hidden_share_is_hatched_and_s_in_the_share_map_table(dashboard):
    """The shares table hides Vichy's share with its counts: hatched on the map, "s"
    in the map's table, its n too."""
    assert column(tables_of(dashboard)["illectronisme-epci"], "Part")[
        "CA Vichy Communauté"] == "s"
    drawn = parse_map(dashboard, SHARES)
    assert [fill for fill, title in drawn.areas if title.startswith("CA Vichy")] == [
        f"url(#{SHARES}-secret)"]
    table = tables_of(dashboard)[SHARES]
    assert column(table, "Part")["CA Vichy Communauté"] == "s"
    assert column(table, "Diagnostics terminés")["CA Vichy Communauté"] == "s"


def test_each_map_is_followed_by_its_table(dashboard):
    for figure_id in (REACH, SHARES):
        assert parse_map(dashboard, figure_id).order == ["svg", "ul", "table"]
        assert dashboard.index(f'id="{figure_id}"') > dashboard.index(
            f'id="{figure_id.removeprefix("carte-")}"')


def test_the_map_table_repeats_the_reach_table(dashboard):
    tables = tables_of(dashboard)
    reach, drawn = tables["epci-residence"], tables[REACH]
    rates, counts = column(reach, "Pour 1 000 habitants"), column(reach, "Effectif")
    map_rates, map_counts = column(drawn, "Pour 1 000 habitants"), column(drawn, "Diagnostics")
    assert list(map_rates) == [label for label in rates if label != "Non renseigné"]
    assert map_rates == {k: v for k, v in rates.items() if k in map_rates}
    assert map_counts == {k: v for k, v in counts.items() if k in map_counts}


def test_the_share_map_table_repeats_the_shares_table(dashboard):
    tables = tables_of(dashboard)
    shares, drawn = tables["illectronisme-epci"], tables[SHARES]
    published = column(shares, "Part")
    assert {k: v for k, v in column(drawn, "Part").items() if v != "–"} == {
        k: v for k, v in published.items() if k in column(drawn, "Part")}
    # Moulins: 50 of 200 completed diagnostics.
    assert column(drawn, "Part")["CA Moulins Communauté"] == "25,0 %"
    assert column(drawn, "Diagnostics terminés")["CA Moulins Communauté"] == "200"


def test_the_page_says_insee_gives_no_rate_by_epci(dashboard):
    assert "Référence de l'INSEE par EPCI : aucune." in dashboard


def test_the_epci_spilling_over_the_border_is_said_drawn_in_part(dashboard):
    assert ("CC Le Grand Charolais : seules ses 3 communes de l'Allier (sur 44) sont "
            "dessinées.") in dashboard


def test_the_outlines_are_carried_once_and_both_maps_draw_them(dashboard):
    for figure_id in (REACH, SHARES):
        hrefs = parse_map(dashboard, figure_id).hrefs
        assert sorted(hrefs) == sorted(f"#epci-contour-{code}" for code in epci_file())
    for code, area in maps.contours()["epci"].items():
        assert dashboard.count(f'<path id="epci-contour-{code}" d="{area["path"]}"/>') == 1


def test_no_id_is_repeated_with_the_maps(hub, client):
    fill(hub)
    for path in ("/", "/?territoire=site"):
        source = client.get(path).get_data(as_text=True)
        assert "map-area" in source
        parser = Ids()
        parser.feed(source)
        assert not {i for i in parser.ids if parser.ids.count(i) > 1}, path


def test_the_page_of_one_epci_has_no_map(hub, client):
    fill(hub)
    assert "map-area" not in client.get("/?epci=" + h.MOULINS).get_data(as_text=True)
