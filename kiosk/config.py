"""Configuration defaults. Every key can be set as ``KIOSK_<KEY>`` in the environment
or in ``settings.py`` in the instance folder; the README lists them all."""
from __future__ import annotations

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
    # seconds without a touch before the "are you still there?" warning
    "IDLE_SECONDS": 180,
    # seconds the warning stays before the kiosk resets for the next person
    "IDLE_WARNING_SECONDS": 30,
    # languages offered, comma-separated; the first is the default
    "LANGUAGES": "fr,en,ar,pt_PT,tr,uk,fa_AF",
    # signs the session cookie; set a long random value on every real kiosk
    "SECRET_KEY": DEV_SECRET_KEY,
    # the questionnaire and the offers catalogue
    "QUESTIONNAIRE": str(paths.QUESTIONNAIRES / "diagnostic.yaml"),
    "OFFERS": str(paths.QUESTIONNAIRES / "offers.yaml"),
    # where `kiosk export` writes by default
    "EXPORT_DIR": "exports",
    # largest request body accepted, in bytes (answers are tiny)
    "MAX_CONTENT_LENGTH": 16 * 1024,
    # hub dashboard: failed logins for one name within the window before that name is
    # refused until the window has passed (one address gets four times as many)
    "HUB_LOGIN_ATTEMPTS": 5,
    "HUB_LOGIN_WINDOW_SECONDS": 15 * 60,
    # hub dashboard: hours a staff login lasts before signing in again
    "HUB_SESSION_HOURS": 8,
    # hub dashboard: a kiosk with no sync for this many days is flagged as silent
    "HUB_SILENT_DAYS": 7,
}


def languages(config) -> list[str]:
    """The configured languages as a list (the setting may be a string or a list)."""
    value = config["LANGUAGES"]
    if isinstance(value, str):
        value = value.split(",")
    return [code.strip() for code in value if code.strip()]
