"""The staff dashboard through Flask's test client: login, figures, filters, health."""
from __future__ import annotations

import html
import re
from datetime import datetime, timedelta, timezone
from html.parser import HTMLParser

import pytest

from kiosk import create_app
from kiosk.hub import dashboard, staff, stats
from tests import hubdata as h

PASSWORD = "une phrase de passe assez longue"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
NOW = datetime.now(timezone.utc)


@pytest.fixture
def hub(tmp_path):
    """A hub app on a fresh hub database with one staff account (CSRF on)."""
    path = tmp_path / "hub.db"
    db = h.new_hub_db(path)
    staff.add(db, "alice", PASSWORD, NOW)
    app = create_app({"TESTING": True, "ROLE": "hub", "DATABASE": str(path),
                      "SECRET_KEY": "test", "EXPORT_DIR": str(tmp_path / "exports")})
    app.hub_db = db
    yield app
    db.close()


def login(client, name="alice", password=PASSWORD, next_path=None):
    page = text(client.get("/connexion"))
    data = {"csrf_token": CSRF.search(page).group(1), "name": name, "password": password}
    if next_path:
        data["next"] = next_path
    return client.post("/connexion", data=data)


@pytest.fixture
def client(hub):
    client = hub.test_client()
    assert login(client).status_code == 303
    return client


def text(response) -> str:
    """The page as a reader sees its characters (entities such as &#39; decoded)."""
    return html.unescape(response.get_data(as_text=True))


class Tables(HTMLParser):
    """Every <table> of a page: its id (the enclosing figure's), headers and rows."""

    def __init__(self):
        super().__init__()
        self.tables, self.figure, self.cell, self.row = {}, None, None, None
        self.hidden = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "figure" or (tag == "section" and attrs.get("id") == "bornes"):
            self.figure = attrs.get("id")
        elif tag == "table":
            self.tables[self.figure] = []
        elif tag == "tr":
            self.row = []
        elif tag in ("td", "th"):
            self.cell = ""
        elif tag == "span" and attrs.get("class") == "visually-hidden":
            self.hidden += 1

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self.row is not None:
            self.row.append(" ".join(self.cell.split()))
            self.cell = None
        elif tag == "tr" and self.row is not None:
            self.tables[self.figure].append(self.row)
            self.row = None
        elif tag == "span" and self.hidden:
            self.hidden -= 1

    def handle_data(self, data):
        if self.cell is not None and not self.hidden:
            self.cell += data


def tables_of(html: str) -> dict:
    parser = Tables()
    parser.feed(html)
    return parser.tables


def column(table, header) -> dict:
    """{row label: value} for one column of a parsed table (no-break spaces as spaces)."""
    position = table[0].index(header)
    return {row[0]: re.sub(r"[\u202f\xa0]", " ", row[position]) for row in table[1:]}


def fill(hub):
    """Two kiosks, three EPCI of residence, two weeks."""
    db = hub.hub_db
    souvigny = h.add_device(db, "Agence postale de Souvigny", h.MOULINS,
                            last_seen=(NOW - timedelta(days=2)).isoformat())
    bus = h.add_device(db, "Bus Bourbon'Net", h.MONTLUCON,
                       last_seen=(NOW - timedelta(days=9)).isoformat())
    h.add_device(db, "Agence postale d'Ébreuil", "200071389")              # never synced
    h.add_device(db, "Ancienne borne", h.VICHY, revoked=True)
    h.receive(db, souvigny, h.many(150) + h.many(50, illectronism=True)
              + h.many(20, complete=False, last_screen="procedures")
              + h.many(15, complete=False, last_screen="devices")
              + h.many(30, week="2026-W06", residence=h.VICHY, language="ar"))
    h.receive(db, bus, h.many(40, residence=h.MONTLUCON, illectronism=True)
              + h.many(60, residence=h.MONTLUCON, week="2026-W06")
              + h.many(4, residence=None, week="2026-W06"))


# --- Accounts and sessions --------------------------------------------------------------

def test_the_dashboard_needs_a_login(hub):
    client = hub.test_client()
    response = client.get("/?epci=200071140")
    assert response.status_code == 302 and response.location.startswith("/connexion?next=/")
    assert "Connexion au tableau de bord" in text(client.get(response.location))


def test_login_without_the_form_token_is_refused(hub):
    response = hub.test_client().post("/connexion", data={"name": "alice", "password": PASSWORD})
    assert response.status_code == 400


def test_login_then_logout(hub):
    client = hub.test_client()
    response = login(client, next_path="/")
    assert response.status_code == 303 and response.location == "/"
    page = text(client.get("/"))
    assert "Connecté : alice" in page
    token = CSRF.search(page).group(1)
    assert client.post("/deconnexion", data={"csrf_token": token}).status_code == 303
    assert client.get("/").status_code == 302
    assert "Vous êtes déconnecté." in text(client.get("/connexion"))


def test_login_goes_only_to_a_local_page(hub):
    response = login(hub.test_client(), next_path="//evil.example/")
    assert response.location == "/"


def test_an_unknown_name_fails_like_a_wrong_password(hub):
    response = login(hub.test_client(), name="mallory")
    assert response.status_code == 401
    assert "Nom ou mot de passe incorrect." in text(response)


def test_a_disabled_account_is_logged_out_at_its_next_page(hub, client):
    assert staff.disable(hub.hub_db, "alice", NOW)
    assert client.get("/").status_code == 302
    assert login(hub.test_client()).status_code == 401


def test_a_session_expires(hub, client, monkeypatch):
    later = datetime.now(timezone.utc) + timedelta(hours=hub.config["HUB_SESSION_HOURS"], minutes=1)
    monkeypatch.setattr(dashboard, "now", lambda: later)
    assert client.get("/").status_code == 302


def test_passwords_are_stored_as_scrypt_hashes(hub):
    stored = hub.hub_db.execute("SELECT password_hash FROM staff").fetchone()[0]
    assert stored.startswith("scrypt:") and PASSWORD not in stored


# --- The figures ------------------------------------------------------------------------

def test_every_shown_count_obeys_the_publication_rule(hub, client):
    fill(hub)
    tables = tables_of(text(client.get("/")))
    counts = [cell for table in tables.values() for row in table[1:] for cell in row[1:]
              if re.fullmatch(r"[\d\u202f\xa0 ]+", cell)]
    assert len(counts) > 50
    assert not [c for c in counts if 1 <= int(re.sub(r"\D", "", c)) <= 10]
    # The 4 people of unknown residence are hidden, and so is a second cell of that
    # table, or they would be the total minus the rest.
    residence = column(tables["epci-residence"], "Effectif")
    assert residence["Non renseigné"] == "s"
    assert list(residence.values()).count("s") >= 2


def test_the_illectronism_share_is_beside_insee_with_its_interval(hub, client):
    fill(hub)
    page = text(client.get("/"))
    shares = column(tables_of(page)["illectronisme"], "Part")
    interval = column(tables_of(page)["illectronisme"], "Intervalle de confiance à 95 %")
    # 90 of 334 complete diagnostics: 26.9 %, Wilson 95 % interval 22.4 % - 31.9 %.
    low, high = stats.wilson(90, 334)
    headline = "Illectronisme, définition INSEE 2021, 16 ans ou plus : chiffre principal"
    assert shares[headline] == "26,9 %"
    assert interval[headline] == f"{low * 100:.1f} % – {high * 100:.1f} %".replace(".", ",")
    reference = column(tables_of(page)["illectronisme"],
                       "Référence INSEE de même définition (habitants de l'Allier, 2019)")
    assert reference[headline] == "22,0 %"
    assert "ne ressemblent pas à l'ensemble des habitants" in page
    assert ("Illectronisme, définition INSEE 2019 (approximation), 16 ans ou plus : "
            "chiffre principal") in shares


def test_abandoned_diagnostics_show_where_people_stopped(hub, client):
    fill(hub)
    tables = tables_of(text(client.get("/")))
    stopped = column(tables["abandons"], "Effectif")
    # Screens are numbered in questionnaire order: 10 is procedures, 3 is devices.
    assert stopped[next(k for k in stopped if k.startswith("10."))] == "20"
    assert stopped[next(k for k in stopped if k.startswith("3."))] == "15"
    done = column(tables["termines"], "Effectif")
    assert done == {"Terminé": "334", "Abandonné": "35"}


def test_filters_by_epci_of_residence_and_by_period(hub, client):
    fill(hub)
    page = text(client.get("/?epci=200071082&territoire=residence"))
    assert "<h1>Tableau de bord – CA Montluçon Communauté</h1>" in page
    assert column(tables_of(page)["termines"], "Effectif") == {"Terminé": "100", "Abandonné": "0"}
    page = text(client.get("/?epci=200071082&du=2026-W06&au=2026-W06"))
    assert column(tables_of(page)["par-semaine"], "Diagnostics") == {"2026-W06": "60"}
    # By the kiosk's EPCI: the bus is in Montluçon, its 4 unknown residents count there.
    page = text(client.get("/?epci=200071082&territoire=site"))
    assert column(tables_of(page)["par-site"], "Effectif") == {"Bus Bourbon'Net": "104"}


def test_a_wrong_filter_is_said_and_ignored(hub, client):
    fill(hub)
    response = client.get("/?du=semaine+5&epci=999999999")
    page = text(response)
    assert response.status_code == 200
    assert "n'est pas une semaine" in page and "pas dans l'Allier" in page
    assert "<h1>Tableau de bord</h1>" in page


def test_per_site_views_show_counts_only(hub, client):
    fill(hub)
    sites = tables_of(text(client.get("/")))["par-site"]
    assert sites[0] == ["Site", "Effectif"]
    assert dict(sites[1:]) == {"Agence postale de Souvigny": "265", "Bus Bourbon'Net": "104"}


def test_kiosks_silent_for_seven_days_are_flagged(hub, client):
    fill(hub)
    health = column(tables_of(text(client.get("/")))["bornes"], "État")
    assert health == {"Agence postale de Souvigny": "À jour",
                      "Bus Bourbon'Net": "⚠ Silencieuse depuis 9 jours",
                      "Agence postale d'Ébreuil": "⚠ Jamais synchronisée",
                      "Ancienne borne": "Révoquée"}


def test_a_kiosk_seen_before_the_hubs_clock_was_set_back_is_flagged(hub, client):
    """A last sync stamped 30 days 'in the future' (the hub's clock was ahead, then set
    back) says nothing of how long the kiosk has been silent: flagged, not "À jour"."""
    h.add_device(hub.hub_db, "Agence postale de Souvigny", h.MOULINS,
                 last_seen=(NOW + timedelta(days=30)).isoformat())
    h.add_device(hub.hub_db, "Bus Bourbon'Net", h.MONTLUCON,
                 last_seen=(NOW + timedelta(hours=20)).isoformat())   # a small correction
    health = column(tables_of(text(client.get("/")))["bornes"], "État")
    assert health == {"Agence postale de Souvigny": "⚠ Silencieuse",
                      "Bus Bourbon'Net": "À jour"}


def test_every_chart_is_a_named_image_with_a_table(hub, client):
    fill(hub)
    page = text(client.get("/"))
    charts = re.findall(r'<svg class="chart[^"]*"[^>]*aria-labelledby="([^"]+)"', page)
    assert len(charts) >= 12
    for labels in charts:
        for label in labels.split():
            assert f'id="{label}"' in page
    assert page.count('<details class="table-box">') == len(charts)
    assert page.count('role="img"') == len(charts)


def test_pages_follow_the_strict_csp(hub, client):
    fill(hub)
    response = client.get("/")
    page = text(response)
    assert "style-src 'self'" in response.headers["Content-Security-Policy"]
    assert "style=" not in page and "<script" not in page and "http" not in page.replace(
        "http-equiv", "")
    assert response.headers["Cache-Control"] == "no-store"


def test_the_dashboard_reads_counts_never_records(hub, client):
    fill(hub)
    read = set()

    def authorizer(action, table, *_):
        import sqlite3
        if table:
            read.add(table)
        return sqlite3.SQLITE_OK

    with hub.app_context():
        from kiosk.storage.db import get_db
        get_db().conn.set_authorizer(authorizer)
    assert client.get("/").status_code == 200
    assert "tally_residence" in read and "devices" in read
    assert "records" not in read


def test_an_empty_hub_shows_an_empty_dashboard(client):
    page = text(client.get("/"))
    assert "Aucun diagnostic reçu pour l'instant." in page


def test_hub_errors_use_the_hub_page(hub):
    response = hub.test_client().get("/nulle-part")
    assert response.status_code == 404
    assert "Revenir au tableau de bord" in text(response)


def test_staff_text_goes_through_the_hub_domain(tmp_path):
    """A "hub" catalogue translates the staff pages; the resident one does not."""
    from babel.messages.catalog import Catalog
    from babel.messages.mofile import write_mo

    target = tmp_path / "tr" / "fr" / "LC_MESSAGES"
    target.mkdir(parents=True)
    catalog = Catalog(locale="fr", domain="hub")
    catalog.add("Connexion au tableau de bord", "Se connecter au hub (catalogue hub)")
    with open(target / "hub.mo", "wb") as handle:
        write_mo(handle, catalog)
    db = h.new_hub_db(tmp_path / "hub.db")
    db.close()
    app = create_app({"TESTING": True, "ROLE": "hub", "DATABASE": str(tmp_path / "hub.db"),
                      "SECRET_KEY": "t", "BABEL_TRANSLATION_DIRECTORIES": str(tmp_path / "tr")})
    assert "Se connecter au hub (catalogue hub)" in text(app.test_client().get("/connexion"))


def test_staff_text_is_extracted_to_the_hub_catalogue_only(tmp_path):
    import subprocess
    import sys
    from pathlib import Path

    from babel.messages.pofile import read_po

    root = Path(__file__).resolve().parent.parent
    pybabel = str(Path(sys.executable).with_name("pybabel"))
    ids = {}
    for name, args in (("hub", ["-F", "babel-hub.cfg", "--no-default-keywords", "-k", "h_",
                                "-k", "lh_", "-k", "hn_:1,2", "-k", "N_"]),
                       ("messages", ["-F", "babel.cfg", "-k", "_l"])):
        out = tmp_path / f"{name}.pot"
        subprocess.run([pybabel, "extract", *args, "-o", str(out), "."], cwd=root, check=True,
                       capture_output=True)
        with out.open("rb") as handle:
            ids[name] = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(handle) if m.id}
    staff_text = {"Connexion au tableau de bord", "Diagnostics terminés",
                  "Trop d'essais manqués. Réessayez dans %(num)s seconde.",
                  "Illectronisme, définition INSEE 2019"}
    assert staff_text <= ids["hub"]
    assert not staff_text & ids["messages"]


def test_a_site_cannot_be_recomputed_from_the_epci_of_its_kiosk(hub, client):
    # Two sites in Moulins: 50 and 3 diagnostics. Showing 50 and Moulins' 53 would give
    # the 3 away, whatever else the page hides.
    db = hub.hub_db
    for site, epci, count in (("Souvigny", h.MOULINS, 50), ("Lurcy", h.MOULINS, 3),
                              ("Bus", h.MONTLUCON, 20), ("Commentry", h.MONTLUCON, 30)):
        h.receive(db, h.add_device(db, site, epci), h.many(count, residence=epci))
    tables = tables_of(text(client.get("/")))
    sites = column(tables["par-site"], "Effectif")
    by_kiosk = column(tables["epci-site"], "Effectif")
    assert sites["Lurcy"] == "s"
    assert "s" in (sites["Souvigny"], by_kiosk["CA Moulins Communauté"])


def test_abandons_per_epci_cannot_be_recomputed_from_two_charts(hub, client):
    # Residents of Vichy: 40 diagnostics, 5 abandoned. The chart per EPCI of residence
    # shows 40; the share per EPCI would show 35 completed: 5 = 40 - 35.
    db = hub.hub_db
    device = h.add_device(db, "Saint-Yorre", h.VICHY)
    h.receive(db, device, h.many(35, residence=h.VICHY, illectronism=True)
              + h.many(5, residence=h.VICHY, complete=False)
              + h.many(200, residence=h.MOULINS) + h.many(60, residence=h.MOULINS,
                                                           illectronism=True))
    tables = tables_of(text(client.get("/")))
    residents = column(tables["epci-residence"], "Effectif")["CA Vichy Communauté"]
    completed = column(tables["illectronisme-epci"],
                       "Diagnostics terminés, des âges comparés")["CA Vichy Communauté"]
    assert "s" in (residents, completed)


@pytest.mark.parametrize("n", [0, 7, 999, 1000, 8000, 12345, 1_000_000, -1234567, 12.5, 13.5,
                               999.6])
def test_numbers_are_written_as_babel_writes_them_in_french(n):
    from babel.numbers import format_decimal

    from kiosk.hub.sections import number_text

    assert number_text(n) == format_decimal(n, format="#,##0", locale="fr")
