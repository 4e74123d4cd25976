"""What `kiosk doctor` reads from the app, the disk and the hub, for the checks of
kiosk/ops/doctor.py. The database is opened read-only, and never created: a kiosk that
lacks one is told to run `kiosk init`, not given an empty one."""
from __future__ import annotations

import contextlib
import dataclasses
import email.utils
import http.client
import shutil
import sqlite3
import urllib.error
import urllib.request
from datetime import datetime
from pathlib import Path
from typing import Callable

import sqlite_utils

from .. import config as settings_keys, paths
from . import backup, doctor
from .doctor import HubAnswer, Result

ROSTER_PATH = "/api/v1/roster"  # authenticated and cheap: what `kiosk sync` asks too


def ask_hub(settings) -> HubAnswer:
    """One authenticated GET to the hub, within doctor.HUB_TIMEOUT seconds: its status
    and, when the answer is the hub's (JSON), its clock (``Date``)."""
    from ..sync.client import _opener

    request = urllib.request.Request(
        settings.url + ROSTER_PATH,
        headers={"Authorization": f"Bearer {settings.token}", "Accept": "application/json",
                 "User-Agent": "kiosk-doctor/1"})
    try:
        with _opener(settings).open(request, timeout=doctor.HUB_TIMEOUT) as response:
            status, headers = response.status, response.headers
    except urllib.error.HTTPError as exc:
        with exc:
            status, headers = exc.code, exc.headers
    except (OSError, http.client.HTTPException) as exc:
        reason = getattr(exc, "reason", None) or exc
        return HubAnswer(None, error=f"{type(exc).__name__}: {reason}")
    date = None
    if headers.get("Content-Type", "").startswith("application/json"):
        with contextlib.suppress(TypeError, ValueError):
            date = email.utils.parsedate_to_datetime(headers.get("Date"))
    return HubAnswer(status, date)


def _read_only(path: Path) -> sqlite_utils.Database:
    return sqlite_utils.Database(sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=15))


def _restore_fix(app, path: Path) -> str:
    copies = [p for p in backup.copies(backup.policy_of(app)) if p.name.startswith(backup.PREFIX)]
    if copies:
        newest = max(copies, key=backup.taken_at)
        return (f"sudo systemctl stop kiosk && sudo -u kiosk cp {newest} {path} "
                "&& sudo systemctl start kiosk")
    return (f"sudo systemctl stop kiosk && sudo -u kiosk sqlite3 {path} .recover "
            f"| sudo -u kiosk sqlite3 {path}.recovered  (no backup to restore)")


def _language_checks(app) -> list[tuple[str, Callable[[], Result]]]:
    from ..languages import audio, fonts
    from ..languages.cli import catalogue_problems, language_texts, shown_characters

    cfg = app.config
    languages = settings_keys.languages(cfg)

    def clips():
        missing, stale = {}, {}
        for lang in languages:
            texts = language_texts(lang)
            found = audio.Clips.scan(paths.STATIC, lang)
            missing[lang] = sum(found.for_text(text) is None for text in texts)
            wanted = {audio.clip_key(text) for text in texts}
            folder = audio.clip_folder(paths.STATIC, lang)
            stale[lang] = sum(p.stem not in wanted for p in folder.glob("*" + audio.SUFFIX))
        return doctor.check_clips(missing, stale)

    def faces():
        try:
            import fontTools  # noqa: F401  (an optional dependency)
            latin, arabic = fonts.split(shown_characters())
        except ImportError:
            latin = arabic = None
        lacking = {}
        for face in fonts.FACES:
            path = paths.STATIC / "fonts" / face.output
            if not path.is_file():
                lacking[face.output] = -1
            elif latin is None:
                lacking[face.output] = None
            else:
                lacking[face.output] = len(fonts.missing(path, arabic if face.arabic else latin))
        return doctor.check_fonts(lacking)

    def catalogues():
        with app.app_context():
            return doctor.check_catalogues(list(catalogue_problems(app)), languages)

    return [("catalogues", catalogues), ("clips", clips), ("fonts", faces)]


def _secret_key(app) -> Result:
    from ..storage import secretkey

    key, key_file = app.config.get("SECRET_KEY"), secretkey.key_file(app)
    try:
        from_file = key_file.is_file() and key_file.read_text("utf-8").strip() == key
    except OSError:
        from_file = False
    return doctor.check_secret_key(secretkey.problem(key), key_file, from_file,
                                   secretkey.HOW_TO_MAKE)


def _hub_checks(app, db, offline: bool, now: datetime, ask) -> list[tuple[str, Callable]]:
    from ..storage import store
    from ..sync import client, clock

    cfg = app.config
    url = str(cfg.get("HUB_URL") or "").rstrip("/")
    answer, misconfigured = None, None
    if url:
        try:
            settings = client.Settings.from_config(cfg)
        except client.Misconfigured as exc:
            misconfigured = str(exc)
        else:
            if not offline:
                try:
                    answer = ask(dataclasses.replace(settings, timeout=doctor.HUB_TIMEOUT))
                except Exception as exc:  # noqa: BLE001  (reported as the hub's problem)
                    answer = HubAnswer(None, error=type(exc).__name__)

    def clock_check():
        latest = store.latest_hub_time(db) if db is not None else None
        hub_date = answer.date if answer is not None else None
        return doctor.check_clock(now, hub_date, clock.problem(now, latest))

    def sync_check():
        row = store.last_sync(db, ("ok",), ("network", "receipt"))
        last = datetime.fromisoformat(row["at"]) if row else None
        return doctor.check_sync(store.count_unsent(db), last, now, bool(url))

    checks = [("clock", clock_check),
              ("hub", lambda: doctor.check_hub(url, misconfigured, answer))]
    if db is not None:
        checks.append(("sync", sync_check))
    return checks


def examine(app, *, offline: bool = False, now: datetime,
            ask: Callable[..., HubAnswer] | None = None) -> list[Result]:
    """Every check of this kiosk, in the order printed. ``ask`` stands for the hub (tests)."""
    from ..cli import check_problems
    from ..storage import migrations

    cfg = app.config
    path = Path(cfg["DATABASE"])
    db = None
    database = _safely("database", lambda: doctor.check_database(
        path, doctor.integrity_check, _restore_fix(app, path)))
    results = [database]
    if path.is_file():
        with contextlib.suppress(sqlite3.Error):
            db = _read_only(path)
    # the disk the database is (or will be) on: its nearest folder that exists
    folder = next(p for p in path.absolute().parents if p.is_dir())
    checks = []
    if db is not None:
        checks.append(("migrations", lambda: doctor.check_migrations(migrations.pending(db))))
    checks += [
        ("disk", lambda: doctor.check_disk(folder, shutil.disk_usage(folder).free)),
        ("files", lambda: _files(app, check_problems)),
        *_language_checks(app),
        ("secret key", lambda: _secret_key(app)),
        *_hub_checks(app, db, offline, now, ask or ask_hub),
    ]
    if db is not None:
        places = settings_keys.data_file(cfg, settings_keys.PLACES_FILE)
        checks.append(("places", lambda: doctor.check_places(
            *db.execute("select max(imported_at), count(*) from places").fetchone(),
            now, places)))
    checks.append(("chromium", lambda: doctor.check_chromium_policy(
        str(cfg.get("CHROMIUM_POLICY") or ""))))
    try:
        results += [_safely(name, check) for name, check in checks]
    finally:
        if db is not None:
            db.close()
    return results


def _files(app, check_problems) -> Result:
    """`kiosk check`'s findings but the catalogues (the "catalogues" check reads them,
    once), in the app's context as `kiosk check` runs."""
    with app.app_context():
        return doctor.check_files(check_problems(app.config, echo=lambda *a, **k: None,
                                                 catalogues=False))


def _safely(name: str, check: Callable[[], Result]) -> Result:
    """A check that raises is a problem of its own, not the end of the examination."""
    try:
        return check()
    except Exception as exc:  # noqa: BLE001  (any failure is reported, then the next check)
        return doctor.failed(name, f"could not be checked ({type(exc).__name__}: {exc})",
                             "kiosk doctor again; if it persists, report this line")
