"""`kiosk doctor`: is this kiosk fit to serve? One result per check, each problem with
the command that fixes it, for the person who looks after a kiosk in a post office.

Each ``check_*`` function takes plain values (paths, settings, rows, times) and returns
a :class:`Result`; kiosk/ops/gather.py reads those values from an app and runs them
all, one failing check never stopping the others. Nothing prints a secret: no check
puts the secret key or the hub token in a result, and :func:`report_lines` masks them
anyway (an exception's text may quote anything).
"""
from __future__ import annotations

import json
import os
import sqlite3
import stat
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Callable
from urllib.parse import urlsplit

# Below this, SQLite may fail a write mid-diagnostic and the journal stops logging.
MIN_FREE_BYTES = 500 * 1024 * 1024
# The hub's clock and the kiosk's may differ this much (a record's week is frozen from
# the kiosk's clock; NTP keeps a kiosk well within it).
CLOCK_TOLERANCE = timedelta(minutes=5)
# Records waiting longer than this with no successful sync: the kiosk is cut off.
SYNC_DAYS = 7
# Places data imported longer ago than this: opening hours and addresses drift.
PLACES_DAYS = 180
# Seconds each request to the hub may take: the doctor is run by a person, waiting.
HUB_TIMEOUT = 5.0
# What the managed Chromium policy must hold (deploy's policy file).
CHROMIUM_SETTINGS = {"TranslateEnabled": False, "PasswordManagerEnabled": False,
                     "BrowserSignin": 0, "SyncDisabled": True, "DeveloperToolsAvailability": 2}
CHROMIUM_LISTS = {"URLBlocklist": "*", "URLAllowlist": "http://127.0.0.1:5000"}
MASK = "[hidden]"
# Every check's name, in the order printed: the only words of a health report that the
# hub accepts besides the version (kiosk/ops/health.py), so no free text can travel.
CHECK_NAMES = ("database", "migrations", "disk", "files", "catalogues", "clips", "fonts",
               "secret key", "clock", "hub", "sync", "places", "chromium")


@dataclass(frozen=True)
class Result:
    """One check: its name, whether it passed, what was found, and the fix (a command)."""

    name: str
    ok: bool
    detail: str
    fix: str = ""


def passed(name: str, detail: str) -> Result:
    return Result(name, True, detail)


def failed(name: str, detail: str, fix: str) -> Result:
    return Result(name, False, detail, fix)


# --- the database ------------------------------------------------------------------

def check_database(path: Path, integrity: Callable[[Path], str], restore: str) -> Result:
    """The database file exists, the service can write it (and its folder, for the
    journal) and SQLite finds it sound (``integrity`` returns PRAGMA integrity_check's
    first line)."""
    if not path.is_file():
        return failed("database", f"no database at {path}", "kiosk init")
    unwritable = [str(p) for p in (path, path.parent) if not os.access(p, os.W_OK)]
    if unwritable:
        return failed("database", f"not writable by this user: {', '.join(unwritable)}",
                      f"sudo chown kiosk:kiosk {path.parent} {path}")
    verdict = integrity(path)
    if verdict != "ok":
        return failed("database", f"{path} is damaged ({verdict[:120]})", restore)
    size = path.stat().st_size / 1e6
    return passed("database", f"{path} ({size:.1f} MB): writable, integrity ok")


def integrity_check(path: Path) -> str:
    """The first line of ``PRAGMA integrity_check`` on a read-only connection, or why
    SQLite cannot read the file at all."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=15)
    try:
        return conn.execute("PRAGMA integrity_check").fetchone()[0]
    except sqlite3.OperationalError:  # locked, unreadable: not a verdict on the file
        raise
    except sqlite3.DatabaseError as exc:  # not a database, or damaged beyond checking
        return str(exc)
    finally:
        conn.close()


def check_migrations(pending: list[str]) -> Result:
    if pending:
        return failed("migrations", f"{len(pending)} pending ({', '.join(pending[:3])}...)",
                      "kiosk init")
    return passed("migrations", "the database is up to date")


def check_disk(folder: Path, free_bytes: int, minimum: int = MIN_FREE_BYTES) -> Result:
    free = f"{free_bytes / 1e9:.1f} GB free on the database's disk ({folder})"
    if free_bytes < minimum:
        return failed("disk", f"only {free}; at least {minimum // 2**20} MB wanted",
                      "sudo journalctl --vacuum-size=100M && sudo apt-get clean")
    return passed("disk", free)


# --- files, languages ----------------------------------------------------------------

def check_files(problems: list[str]) -> Result:
    """What `kiosk check` finds in the questionnaire, offers, places and languages."""
    if problems:
        return failed("files", f"{len(problems)} problems, the first: {problems[0]}",
                      "kiosk check  (lists them all, file:line)")
    return passed("files", "questionnaire, offers, communes, places and stops are valid")


def check_catalogues(lacking: list[str], languages: list[str]) -> Result:
    """A compiled catalogue holding its .po's translations, read back by the app, for
    each language shown (``lacking``: those failing, kiosk.languages.cli.catalogue_problems)."""
    if lacking:
        return failed("catalogues", f"not compiled, or older than their translations: "
                      f"{', '.join(lacking)} (these pages would show French)",
                      "kiosk i18n compile")
    return passed("catalogues", f"compiled for {', '.join(languages)}")


def check_clips(missing: dict[str, int], stale: dict[str, int]) -> Result:
    """Read-aloud clips: per language, texts without a clip and clips no text uses."""
    wrong = [f"{lang}: {missing[lang]} missing" for lang in missing if missing[lang]]
    wrong += [f"{lang}: {stale[lang]} stale" for lang in stale if stale[lang]]
    if wrong:
        return failed("clips", "read-aloud clips " + "; ".join(wrong), "kiosk audio build")
    return passed("clips", f"a clip for every text in {', '.join(missing)}")


def check_fonts(lacking: dict[str, int | None]) -> Result:
    """The bundled fonts: present, and drawing every character shown (None: present,
    coverage not measured because fontTools is not installed)."""
    absent = [name for name, count in lacking.items() if count == -1]
    short = [f"{name} lacks {count}" for name, count in lacking.items() if count and count > 0]
    if absent or short:
        return failed("fonts", "; ".join([f"{name} missing" for name in absent] + short),
                      "kiosk fonts build")
    unmeasured = any(count is None for count in lacking.values())
    return passed("fonts", f"{len(lacking)} fonts present"
                  + (" (glyph coverage not measured: fontTools not installed)"
                     if unmeasured else ", every character shown is drawn"))


# --- the secret key ------------------------------------------------------------------

def check_secret_key(weakness: str | None, key_file: Path, from_file: bool,
                     how_to_make: str) -> Result:
    """``weakness``: kiosk.storage.secretkey.problem's verdict (it never quotes the key).
    The key file must be readable by its owner only."""
    if weakness:
        fix = ("kiosk init" if not from_file and "not set" in weakness else
               f"(umask 077; {how_to_make} > {key_file})  (as the service user; then remove "
               "KIOSK_SECRET_KEY from /etc/kiosk/kiosk.env)")
        return failed("secret key", weakness, fix)
    if key_file.is_file():
        mode = stat.S_IMODE(key_file.stat().st_mode)
        if mode & 0o077:
            return failed("secret key", f"{key_file} is readable by others (mode {mode:04o})",
                          f"chmod 600 {key_file}")
    where = f"from {key_file}" if from_file else "from the configuration"
    return passed("secret key", f"set ({where}), not a known or weak value")


# --- clock, hub, sync ------------------------------------------------------------------

@dataclass(frozen=True)
class HubAnswer:
    """What the hub said to the doctor's authenticated request (status None: no answer)."""

    status: int | None
    date: datetime | None = None
    error: str = ""


def check_clock(now: datetime, hub_date: datetime | None, offline_verdict: str | None
                ) -> Result:
    """Against the hub's ``Date`` when it answered just now; else kiosk.sync.clock's
    verdict from the release date and the last contact (``offline_verdict``)."""
    fix = "sudo timedatectl set-ntp true"
    if hub_date is not None:
        offset = now - hub_date
        if abs(offset) > CLOCK_TOLERANCE:
            side = "ahead of" if offset > timedelta(0) else "behind"
            return failed("clock", f"{abs(offset).total_seconds() / 60:.0f} minutes {side} "
                          "the hub's", fix)
        return passed("clock", f"within {abs(offset).total_seconds():.0f} s of the hub's")
    if offline_verdict:
        return failed("clock", offline_verdict, fix)
    return passed("clock", f"{now:%Y-%m-%d %H:%M} UTC, plausible (not compared with the hub now)")


def check_hub(url: str, misconfigured: str | None, answer: HubAnswer | None) -> Result:
    """Configured, reachable, and the device token accepted (``answer`` None: not asked,
    --offline). No hub is a choice (a USB-only site), not a problem."""
    env = "/etc/kiosk/kiosk.env"
    if not url:
        return passed("hub", "none configured: records go by USB key (kiosk sync --to-file)")
    if misconfigured:
        return failed("hub", misconfigured, f"sudoedit {env}  (KIOSK_HUB_URL, KIOSK_HUB_TOKEN)")
    if answer is None:
        return passed("hub", f"{url} configured (not contacted: --offline)")
    if answer.status is None:
        return failed("hub", f"{url} did not answer ({answer.error})",
                      f"curl -sSI {url}/api/v1/openapi.json  (then check the network, proxy, "
                      "DNS)")
    if answer.status == 401:
        return failed("hub", f"{url} refused this kiosk's token (unknown or revoked)",
                      "on the hub: kiosk hub device replace <device>; then put the new token "
                      f"in {env} as KIOSK_HUB_TOKEN")
    if answer.status in (200, 404):  # 404: a hub without a roster, yet it answered
        return passed("hub", f"{url} reachable, token accepted")
    return failed("hub", f"{url} answered HTTP {answer.status}", "kiosk sync  (then kiosk status)")


def check_sync(unsent: int, last_ok: datetime | None, now: datetime, networked: bool) -> Result:
    """Records waiting, and the last successful sync (network or USB receipt)."""
    when = "never" if last_ok is None else f"{last_ok:%Y-%m-%d %H:%M} UTC"
    detail = f"{unsent} records waiting; last successful sync: {when}"
    if unsent and (last_ok is None or now - last_ok > timedelta(days=SYNC_DAYS)):
        fix = ("kiosk sync  (kiosk status tells why it fails)" if networked else
               "kiosk sync --to-file /media/<usb key>/  then, with the hub's receipt, "
               "kiosk sync --receipt <file>")
        return failed("sync", detail + f" (over {SYNC_DAYS} days)", fix)
    return passed("sync", detail)


# --- places, Chromium ----------------------------------------------------------------

def check_places(imported_at: str | None, count: int, now: datetime, source: Path) -> Result:
    fix = f"kiosk places import {source}"
    if not count or not imported_at:
        return failed("places", "no places imported: the result shows no place nearby", fix)
    age = (now - datetime.fromisoformat(imported_at)).days
    detail = f"{count} places, imported {age} days ago"
    if age > PLACES_DAYS:
        return failed("places", f"{detail} (over {PLACES_DAYS}: hours and addresses may "
                      "have changed)", fix + "  (a newer file from the Département)")
    return passed("places", detail)


def check_chromium_policy(path: str) -> Result:
    """The managed policy that locks the kiosk's browser (empty path: no Chromium here)."""
    fix = "sudo deploy/install.sh  (rewrites the policy; rerunning changes nothing else)"
    if not path:
        return passed("chromium", "not a Chromium kiosk (KIOSK_CHROMIUM_POLICY empty)")
    try:
        policy = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return failed("chromium", f"no policy at {path}: the browser is not locked", fix)
    except (OSError, ValueError) as exc:
        return failed("chromium", f"{path} is not valid JSON ({exc})", fix)
    if not isinstance(policy, dict):
        return failed("chromium", f"{path} is not a JSON object", fix)
    wrong = [name for name, value in CHROMIUM_SETTINGS.items()
             # json.dumps tells false from 0, which == does not
             if json.dumps(policy.get(name)) != json.dumps(value)]
    wrong += [name for name, item in CHROMIUM_LISTS.items()
              if not isinstance(policy.get(name), list) or item not in policy[name]]
    if wrong:
        return failed("chromium", f"{path}: wrong or missing {', '.join(wrong)}", fix)
    return passed("chromium", f"{path}: the browser is locked down")


# --- the report ------------------------------------------------------------------------

def secrets_of(config) -> list[str]:
    """The values never to print: the secret key, the hub token, and a password in the
    hub's address (a proxy's ``https://user:password@...``)."""
    try:
        password = urlsplit(str(config.get("HUB_URL") or "")).password
    except ValueError:
        password = None
    values = [config.get("SECRET_KEY"), config.get("HUB_TOKEN"), password]
    return [str(v) for v in values if v and len(str(v)) >= 4]


def mask(text: str, secrets: list[str]) -> str:
    for secret in secrets:
        text = text.replace(secret, MASK)
    return text


def report_lines(results: list[Result], secrets: list[str]) -> list[str]:
    """One line per check (OK / PROBLEM), the fix under each problem, then a total."""
    lines = []
    for result in results:
        lines.append(f"{'OK' if result.ok else 'PROBLEM':8} {result.name}: {result.detail}")
        if not result.ok and result.fix:
            lines.append(f"{'':8}   fix: {result.fix}")
    problems = sum(not result.ok for result in results)
    lines.append(f"{len(results)} checks: {len(results) - problems} OK, {problems} "
                 f"problem{'s' if problems != 1 else ''}.")
    return [mask(line, secrets) for line in lines]


def summary(results: list[Result]) -> dict:
    """What a kiosk may tell the hub of its health: counts and failing checks' names."""
    return {"ok": sum(r.ok for r in results), "problems": sum(not r.ok for r in results),
            "failing": [r.name for r in results if not r.ok]}
