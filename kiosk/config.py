"""Configuration defaults. Every key can be set as ``KIOSK_<KEY>`` in the environment
or in ``settings.py`` in the instance folder; the README lists them all."""
from __future__ import annotations

from pathlib import Path

from . import paths

DEV_SECRET_KEY = "dev-only-not-secret"

DEFAULTS = {
    # kiosk (the PC in a post office or the bus) or hub (the Département's server)
    "ROLE": "kiosk",
    # SQLite file; None means <instance folder>/kiosk.db
    "DATABASE": None,
    # the site's code, as the Département names it (shown to mediators, never sent)
    "SITE_CODE": "",
    # INSEE code of the kiosk's commune: nearest places default to it, and its EPCI
    # is the only location sent with a record. 03190 is Moulins.
    "SITE_COMMUNE": "03190",
    # seconds without a touch before the "are you still there?" warning, on every
    # resident screen but the result
    "IDLE_SECONDS": 180,
    # the same on the result and its printable sheet: longer, to read the next steps,
    # copy a phone number, photograph the QR code
    "RESULT_IDLE_SECONDS": 300,
    # seconds the warning stays before the kiosk resets for the next person
    "IDLE_WARNING_SECONDS": 30,
    # the warning also chimes and speaks (off: a silent warning, e.g. near a counter)
    "IDLE_SOUND": True,
    # languages offered, comma-separated; the first is the default
    "LANGUAGES": "fr,en,ar,pt_PT,tr,uk,fa_AF",
    # signs the session cookie. Unset on a kiosk, `kiosk init` generates one into
    # SECRET_KEY_FILE; a hub (any server with logins) refuses to start without a strong
    # one (kiosk.storage.secretkey)
    "SECRET_KEY": DEV_SECRET_KEY,
    # where `kiosk init` keeps a generated key; None means <instance folder>/secret_key
    "SECRET_KEY_FILE": None,
    # the data folder, laid out as the repository's questionnaires/: the kiosk reads the
    # questionnaire, the offers, the places, the local places and the bus's stops from it
    # (DATA_FILES). None: the shipped questionnaires/ (the checkout's, or the wheel's
    # copy, which an upgrade replaces); an installed kiosk: /var/lib/kiosk/questionnaires
    "DATA_DIR": None,
    # the questionnaire and the offers catalogue; None: those of the data folder
    "QUESTIONNAIRE": None,
    "OFFERS": None,
    # where `kiosk export` writes by default
    "EXPORT_DIR": "exports",
    # largest request body accepted, in bytes (answers are tiny)
    "MAX_CONTENT_LENGTH": 16 * 1024,
    # --- the Bourbon'Net bus (kiosk/web/bus.py) ---
    # this kiosk is the bus: its mediators' home asks for the day's stop, whose EPCI
    # records carry instead of SITE_COMMUNE's
    "BUS": False,
    # a command that prints a PDF, given its path as last argument (e.g. "lp -d bus-printer"):
    # set, a tablet's print button sends the sheet to this computer's printer; empty, the
    # button opens the browser's own print dialog
    "PRINT_COMMAND": "",
    # the browser that renders the sheet to PDF for PRINT_COMMAND (headless, offline)
    "PRINT_BROWSER": "chromium",
    # seconds the rendering, then the print command, may take before the resident is told
    # it failed
    "PRINT_TIMEOUT": 60,
    # --- sync, kiosk side (`kiosk sync`, `kiosk status`, `kiosk purge`) ---
    # the hub's base URL (https://...); empty: no network sync (a USB key still works)
    "HUB_URL": "",
    # this kiosk's device token, printed once by `kiosk hub device add`
    "HUB_TOKEN": "",
    # a CA bundle to trust for the hub's certificate (a Département's own CA); empty:
    # the system's
    "HUB_CA_FILE": "",
    # records per request (about 650 bytes each); halved by itself if the hub answers
    # 413. Larger batches ingest faster (fewer commits), smaller ones lose less to a cut
    "SYNC_BATCH_SIZE": 500,
    # backoff between attempts: a random wait in [d/2, d], d = base * 2^attempt capped at
    # the ceiling (seconds); jitter keeps a hundred kiosks from retrying in step
    "SYNC_RETRY_BASE": 1.0,
    "SYNC_RETRY_CEILING": 60.0,
    # attempts per batch before giving up until the next sync (exit status 1)
    "SYNC_ATTEMPTS": 6,
    # seconds to wait for the hub's answer to one request
    "SYNC_TIMEOUT": 30.0,
    # days after the hub's acknowledgement before `kiosk purge` deletes raw answers
    "ANSWERS_RETENTION_DAYS": 30,
    # mediators: days after which a roster not refreshed from the hub (sync or USB
    # receipt) no longer unlocks the kiosk (a mediator disabled since would still be in it)
    "ROSTER_MAX_AGE_DAYS": 30,
    # seconds without a touch before the warning while a mediator is unlocked (their own
    # pages and a guided diagnostic): longer than a resident's, a mediator talks with the
    # person; then the whole session ends, the mediator's included
    "MEDIATOR_IDLE_SECONDS": 900,
    # mediators' free-text notes (on a guided diagnostic, in an activity record) are
    # deleted this many days after they were written (as La Coop does): `kiosk purge`,
    # the start of a guided visit and each record saved delete them. They never leave the
    # kiosk but in a mediator's export of their own
    "NOTES_RETENTION_DAYS": 365,
    # `kiosk backup` (and `kiosk hub backup`) writes its copies here; None means
    # <instance folder>/backups. Folder mode 0700, copies 0600 (kiosk.ops.backup)
    "BACKUP_DIR": None,
    # days a backup is kept at most; never longer than ANSWERS_RETENTION_DAYS nor
    # NOTES_RETENTION_DAYS (on the hub, HUB_RECORDS_RETENTION_DAYS), so no purged answer
    # or expired note outlives its retention in a copy
    "BACKUP_KEEP_DAYS": 7,
    # the managed Chromium policy `kiosk doctor` checks; empty: not a Chromium kiosk
    # (e.g. the bus's laptop serving tablets)
    "CHROMIUM_POLICY": "/etc/chromium/policies/managed/kiosk-diagnostic.json",
    # --- hub side ---
    # the most records, and bytes, one POST /api/v1/records may carry (else 413)
    "HUB_MAX_BATCH_RECORDS": 1000,
    "HUB_MAX_BATCH_BYTES": 2 * 1024 * 1024,
    # the first day of service (ISO date): a record of an earlier week is refused as
    # invalid, and the dashboard and open data show no week before it (USB records may
    # arrive months late: every week since this day is taken in)
    "HUB_SERVICE_START": "2025-01-01",
    # days a row-level record is kept before `kiosk hub purge` deletes it (counts stay)
    "HUB_RECORDS_RETENTION_DAYS": 400,
    # hub dashboard: failed logins allowed for one name from one address (an address gets
    # four times as many across names) before each further try waits a delay doubling
    # from 1 s to 15 min; failures older than the window are forgotten (kiosk.hub.staff)
    "HUB_LOGIN_ATTEMPTS": 5,
    "HUB_LOGIN_WINDOW_SECONDS": 24 * 3600,
    # hub: reverse proxies whose X-Forwarded-For is believed (comma-separated addresses
    # or CIDR networks, e.g. "127.0.0.1, 10.0.0.0/24"); empty: none, the peer's address
    # counts (kiosk.hub.address)
    "HUB_TRUSTED_PROXIES": "",
    # hub dashboard: hours a staff login lasts before signing in again
    "HUB_SESSION_HOURS": 8,
    # hub: served over HTTPS (by its reverse proxy): session cookies get Secure and every
    # response Strict-Transport-Security. Leave off for plain-HTTP tests on 127.0.0.1
    "HUB_HTTPS": False,
    # hub dashboard: a kiosk with no sync for this many days is flagged as silent
    "HUB_SILENT_DAYS": 7,
    # open data: the protection width P of the audit. What an attacker can derive for a
    # hidden cell of x people (1 to 10) must reach x + P above and max(1, x - P) below
    "HUB_PROTECTION": 5,
    # open data: who answers questions on it (an e-mail address or a service's name),
    # written in datapackage.json and LISEZMOI.md; empty: no contact is given
    "HUB_OPENDATA_CONTACT": "",
}


# What the kiosk reads from the data folder, by place in it. The local places are named
# by offers.yaml (`local_places`, relative to it). The communes, EPCI, DSI 2.0 definition
# and JSON schemas are reference data read from the shipped folder (kiosk.paths.DATA):
# not for editing on a kiosk, they come with the code that relies on them.
PLACES_FILE = "data/lieux_03.csv"
STOPS_FILE = "data/itinerance_03.csv"
DATA_FILES = ("diagnostic.yaml", "offers.yaml", PLACES_FILE, STOPS_FILE)


def resolve_data_files(config) -> None:
    """Fill DATA_DIR, QUESTIONNAIRE and OFFERS left unset (absolute paths)."""
    config["DATA_DIR"] = str(Path(config["DATA_DIR"] or paths.QUESTIONNAIRES).absolute())
    for key, name in (("QUESTIONNAIRE", "diagnostic.yaml"), ("OFFERS", "offers.yaml")):
        config[key] = str(config[key] or data_file(config, name))


def data_file(config, name: str) -> Path:
    """A file of the data folder (``name`` as in DATA_FILES)."""
    return Path(config["DATA_DIR"] or paths.QUESTIONNAIRES) / name


def languages(config) -> list[str]:
    """The configured languages as a list (the setting may be a string or a list)."""
    value = config["LANGUAGES"]
    if isinstance(value, str):
        value = value.split(",")
    return [code.strip() for code in value if code.strip()]


def flag(value) -> bool:
    """A yes/no setting from a settings file or the environment ("1", "true", "yes", "on")."""
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "on")
    return bool(value)
