"""`kiosk doctor`: one line per check, OK or PROBLEM, the command that fixes each problem,
exit 0 only when all is well; never a secret on the screen, and never a long wait for
a hub that does not answer."""
from __future__ import annotations

import json
import shutil
import socket
import sqlite3
from datetime import datetime, timedelta, timezone

import pytest

from kiosk import paths
from kiosk.config import DEV_SECRET_KEY
from kiosk.ops import backup, doctor, gather
from kiosk.storage import migrations
from kiosk.storage.db import connect
from tests.hubkit import hub_in_thread, make_hub, new_device, no_env_proxy  # noqa: F401

NOW = datetime(2026, 12, 1, 3, 0, tzinfo=timezone.utc)
KEY = "q8Xv2LrT9wPz4KbN7cYh3JdM6sFg1AeU5nRkWo0Ti"  # strong, and unmistakable in output
TOKEN = "7.Hn4Rt8Wq2Zx6Vb9Mk3Pj5Ly1Cs7Df0Ga"
POLICY = {"TranslateEnabled": False, "PasswordManagerEnabled": False, "BrowserSignin": 0,
          "SyncDisabled": True, "DeveloperToolsAvailability": 2, "URLBlocklist": ["*"],
          "URLAllowlist": ["http://127.0.0.1:5000"], "IncognitoModeAvailability": 1}


@pytest.fixture
def healthy(make_app, tmp_path):
    """Factory: a kiosk with nothing wrong (places imported, a strong key, a locked-down
    Chromium, no hub: records go by USB key)."""
    policy = tmp_path / "policy.json"
    policy.write_text(json.dumps(POLICY), encoding="utf-8")

    def factory(**config):
        settings = {"SECRET_KEY": KEY, "SECRET_KEY_FILE": str(tmp_path / "no-key-file"),
                    "CHROMIUM_POLICY": str(policy), "BACKUP_DIR": str(tmp_path / "backups")}
        app = make_app(**{**settings, **config})
        imported = app.test_cli_runner().invoke(
            args=["places", "import", str(paths.DATA / "lieux_03.csv")])
        assert imported.exit_code == 0, imported.output
        return app
    return factory


def doctor_run(app, *args):
    return app.test_cli_runner().invoke(args=["doctor", *args])


def found(app, offline=True, now=None) -> dict[str, doctor.Result]:
    results = gather.examine(app, offline=offline, now=now or datetime.now(timezone.utc))
    return {r.name: r for r in results}


def test_a_healthy_kiosk_passes_every_check_and_exits_0(healthy):
    result = doctor_run(healthy(), "--offline")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    checks = [line for line in lines[:-1] if not line.startswith(" ")]
    names = [line.split(":")[0].split(maxsplit=1)[1] for line in checks]
    assert names == ["database", "migrations", "disk", "files", "catalogues", "clips",
                     "fonts", "secret key", "clock", "hub", "sync", "places", "chromium"]
    assert all(line.startswith("OK ") for line in checks)
    assert lines[-1] == "13 checks: 13 OK, 0 problems."


def problem(app, name, **kwargs) -> doctor.Result:
    result = found(app, **kwargs)[name]
    assert not result.ok, result
    return result


def test_a_missing_database_is_made_by_kiosk_init_not_by_the_doctor(make_app, tmp_path):
    app = make_app(DATABASE=str(tmp_path / "nowhere" / "kiosk.db"), SECRET_KEY=KEY)
    result = doctor_run(app, "--offline")
    assert result.exit_code == 1
    assert "PROBLEM  database: no database at" in result.output
    assert "fix: kiosk init" in result.output
    assert "OK       disk: " in result.output and f"({tmp_path})" in result.output
    assert not (tmp_path / "nowhere").exists()


def test_pending_migrations_are_fixed_by_kiosk_init(healthy, tmp_path):
    app = healthy()
    old = tmp_path / "old.db"
    db = connect(old)
    migrations.migrate(db, migrations.MIGRATIONS[:3])
    db.close()
    app.config["DATABASE"] = str(old)
    result = problem(app, "migrations")
    assert result.fix == "kiosk init"
    assert result.detail.startswith(f"{len(migrations.MIGRATIONS) - 3} pending")


def test_a_damaged_database_is_restored_from_the_newest_backup(healthy):
    app = healthy()
    rules = backup.policy_of(app)
    backup.make(rules, now=NOW - timedelta(days=2))
    newest = backup.make(rules, now=NOW - timedelta(days=1))
    path = rules.database
    data = bytearray(path.read_bytes())
    data[100:4096 * 3] = b"\xff" * (4096 * 3 - 100)  # the schema's pages, wiped
    path.write_bytes(bytes(data))
    result = problem(app, "database")
    assert "damaged" in result.detail
    assert result.fix == (f"sudo systemctl stop kiosk && sudo -u kiosk cp {newest} {path} "
                          "&& sudo systemctl start kiosk")


@pytest.mark.parametrize("free_mb, ok", [(499, False), (501, True)])
def test_free_disk_space_below_500_mb_is_a_problem(tmp_path, free_mb, ok):
    result = doctor.check_disk(tmp_path, free_mb * 1024 * 1024)
    assert result.ok is ok
    assert ok or "journalctl --vacuum-size" in result.fix


def test_a_broken_questionnaire_sends_to_kiosk_check(healthy, tmp_path):
    broken = tmp_path / "diagnostic.yaml"
    broken.write_text((paths.QUESTIONNAIRES / "diagnostic.yaml").read_text("utf-8")
                      .replace('{question: internet_ever, in: ["yes"]}',
                               "{question: internet_ever, in: [offline]}", 1), encoding="utf-8")
    result = problem(healthy(QUESTIONNAIRE=str(broken)), "files")
    assert result.fix.startswith("kiosk check")
    assert "diagnostic.yaml" in result.detail and "has no option 'offline'" in result.detail


def test_an_uncompiled_catalogue_is_fixed_by_i18n_compile(healthy, tmp_path):
    translations = tmp_path / "translations"
    shutil.copytree(paths.TRANSLATIONS, translations)
    (translations / "en" / "LC_MESSAGES" / "messages.mo").unlink()
    app = healthy(LANGUAGES="fr,en,ar", BABEL_TRANSLATION_DIRECTORIES=str(translations))
    result = problem(app, "catalogues")
    assert result.fix == "kiosk i18n compile"
    assert "en" in result.detail and "ar" not in result.detail
    po = translations / "ar" / "LC_MESSAGES" / "messages.po"   # edited since compiled
    po.write_text(po.read_text("utf-8").replace('msgstr "البدء"', 'msgstr "لنبدأ"', 1),
                  encoding="utf-8")
    assert "ar" in problem(app, "catalogues").detail


def test_missing_clips_and_fonts_name_their_build_commands():
    clips = doctor.check_clips({"fr": 0, "en": 2}, {"fr": 0, "en": 1})
    assert not clips.ok and clips.fix == "kiosk audio build"
    assert clips.detail == "read-aloud clips en: 2 missing; en: 1 stale"
    assert doctor.check_clips({"fr": 0}, {"fr": 0}).ok
    fonts = doctor.check_fonts({"noto-sans-400.woff2": -1, "noto-sans-700.woff2": 3})
    assert not fonts.ok and fonts.fix == "kiosk fonts build"
    assert fonts.detail == "noto-sans-400.woff2 missing; noto-sans-700.woff2 lacks 3"
    assert doctor.check_fonts({"noto-sans-400.woff2": None}).ok


def test_the_shipped_clips_and_fonts_pass(healthy):
    results = found(healthy(LANGUAGES="fr,ar"))
    assert results["clips"].ok and results["fonts"].ok, (results["clips"], results["fonts"])


def test_the_development_key_is_a_problem_fixed_by_kiosk_init(healthy):
    result = problem(healthy(SECRET_KEY=DEV_SECRET_KEY), "secret key")
    assert result.fix == "kiosk init"


def test_a_key_file_others_can_read_is_a_problem(healthy, tmp_path):
    key_file = tmp_path / "secret_key"
    key_file.write_text(KEY + "\n", encoding="utf-8")
    key_file.chmod(0o644)
    app = healthy(SECRET_KEY_FILE=str(key_file))
    result = problem(app, "secret key")
    assert result.fix == f"chmod 600 {key_file}" and "0644" in result.detail
    key_file.chmod(0o600)
    assert found(app)["secret key"].ok


@pytest.mark.parametrize("offset_minutes, ok", [(4, True), (-4, True), (6, False), (-6, False)])
def test_the_clock_may_differ_from_the_hubs_by_five_minutes(offset_minutes, ok):
    result = doctor.check_clock(NOW + timedelta(minutes=offset_minutes), NOW, None)
    assert result.ok is ok
    assert ok or result.fix == "sudo timedatectl set-ntp true"


def test_a_clock_before_the_release_is_a_problem_even_offline(healthy):
    result = problem(healthy(), "clock", now=datetime(2000, 1, 1, tzinfo=timezone.utc))
    assert "2000-01-01" in result.detail
    assert result.fix == "sudo timedatectl set-ntp true"


@pytest.mark.parametrize("days, ok", [(6, True), (8, False)])
def test_records_waiting_over_a_week_since_the_last_sync(days, ok):
    result = doctor.check_sync(3, NOW - timedelta(days=days), NOW, networked=True)
    assert result.ok is ok
    assert ok or result.fix.startswith("kiosk sync")


def test_records_never_synced_by_a_kiosk_without_hub_go_by_usb_key():
    result = doctor.check_sync(3, None, NOW, networked=False)
    assert not result.ok and "kiosk sync --to-file" in result.fix
    assert doctor.check_sync(0, None, NOW, networked=False).ok


@pytest.mark.parametrize("days, ok", [(179, True), (181, False)])
def test_places_data_older_than_180_days_is_a_problem(tmp_path, days, ok):
    source = tmp_path / "lieux_03.csv"
    result = doctor.check_places((NOW - timedelta(days=days)).isoformat(), 120, NOW, source)
    assert result.ok is ok
    assert ok or result.fix.startswith(f"kiosk places import {source}")


def test_no_places_imported_is_a_problem(make_app, tmp_path):
    app = make_app(SECRET_KEY=KEY, CHROMIUM_POLICY="")
    result = problem(app, "places")
    assert result.fix.startswith("kiosk places import ")
    assert result.fix.endswith("lieux_03.csv")


@pytest.mark.parametrize("change, named", [
    ({"TranslateEnabled": 0}, "TranslateEnabled"),  # 0 is not false for Chromium
    ({"DeveloperToolsAvailability": 1}, "DeveloperToolsAvailability"),
    ({"URLAllowlist": ["https://example.org"]}, "URLAllowlist"),
    ({"URLBlocklist": "*"}, "URLBlocklist"),  # a string, not a list
    ({"SyncDisabled": None}, "SyncDisabled"),
])
def test_the_chromium_policy_must_lock_the_browser(tmp_path, change, named):
    path = tmp_path / "kiosk-diagnostic.json"
    path.write_text(json.dumps({**POLICY, **change}), encoding="utf-8")
    result = doctor.check_chromium_policy(str(path))
    assert not result.ok and named in result.detail
    assert result.fix.startswith("sudo deploy/install.sh")


def test_a_missing_or_broken_chromium_policy_and_none_wanted(tmp_path):
    assert "no policy at" in doctor.check_chromium_policy(str(tmp_path / "none.json")).detail
    broken = tmp_path / "broken.json"
    broken.write_text("{", encoding="utf-8")
    assert "not valid JSON" in doctor.check_chromium_policy(str(broken)).detail
    assert doctor.check_chromium_policy("").ok  # the bus's laptop: no Chromium kiosk


# --- the hub, for real over HTTP on this computer ---------------------------------------

def test_a_hub_that_accepts_the_token_and_agrees_on_the_time(healthy, tmp_path):
    hub = make_hub(tmp_path / "hub")
    _, token = new_device(hub.config["DATABASE"])
    with hub_in_thread(hub) as url:
        results = found(healthy(HUB_URL=url, HUB_TOKEN=token), offline=False)
    assert results["hub"].ok and results["hub"].detail == f"{url} reachable, token accepted"
    assert results["clock"].ok and "of the hub's" in results["clock"].detail


def test_a_refused_token_says_how_to_get_a_new_one(healthy, tmp_path):
    hub = make_hub(tmp_path / "hub")
    new_device(hub.config["DATABASE"])
    with hub_in_thread(hub) as url:
        app = healthy(HUB_URL=url, HUB_TOKEN=TOKEN)
        result = doctor_run(app)
    assert result.exit_code == 1
    assert "PROBLEM  hub: " + url + " refused this kiosk's token" in result.output
    assert "kiosk hub device replace" in result.output
    assert TOKEN not in result.output and TOKEN.split(".")[1] not in result.output


def test_a_hub_that_does_not_answer_is_given_up_quickly(healthy, monkeypatch):
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen()  # accepts the connection, never answers
    monkeypatch.setattr(doctor, "HUB_TIMEOUT", 0.2)
    try:
        app = healthy(HUB_URL=f"http://127.0.0.1:{silent.getsockname()[1]}", HUB_TOKEN=TOKEN)
        result = found(app, offline=False)["hub"]
    finally:
        silent.close()
    assert not result.ok and "did not answer" in result.detail
    assert "timed out" in result.detail
    assert result.fix.startswith("curl -sSI http://127.0.0.1:")


def test_offline_never_contacts_the_hub(healthy, monkeypatch):
    def ask(settings):
        raise AssertionError("the hub was contacted")
    monkeypatch.setattr(gather, "ask_hub", ask)
    result = doctor_run(healthy(HUB_URL="http://127.0.0.1:9", HUB_TOKEN=TOKEN), "--offline")
    assert result.exit_code == 0, result.output
    assert "OK       hub: http://127.0.0.1:9 configured (not contacted: --offline)" \
        in result.output


# --- never a secret ----------------------------------------------------------------------

def test_no_secret_is_printed_even_when_checks_fail_with_them(healthy, monkeypatch):
    def leaky(*args):
        raise ValueError(f"cannot parse {KEY} with {TOKEN}")

    def ask(settings):
        raise RuntimeError(f"refused {settings.token}")
    monkeypatch.setattr(doctor, "check_chromium_policy", leaky)
    monkeypatch.setattr(gather, "ask_hub", ask)
    app = healthy(HUB_URL="http://127.0.0.1:9", HUB_TOKEN=TOKEN)
    result = doctor_run(app)
    assert result.exit_code == 1
    assert "PROBLEM  chromium: could not be checked (ValueError: cannot parse [hidden] " \
           "with [hidden])" in result.output
    assert "PROBLEM  hub: http://127.0.0.1:9 did not answer (RuntimeError)" in result.output
    for secret in (KEY, TOKEN, TOKEN.split(".")[1]):
        assert secret not in result.output


def test_a_password_in_the_hubs_address_is_never_shown(healthy):
    app = healthy(HUB_URL="http://doctor:Pw-9fK2mQx7@127.0.0.1:9", HUB_TOKEN=TOKEN)
    result = doctor_run(app, "--offline")
    assert "http://doctor:[hidden]@127.0.0.1:9 configured" in result.output
    assert "Pw-9fK2mQx7" not in result.output


def test_a_weak_key_is_named_weak_but_never_shown(healthy):
    weak = "kiosk-borne-03-moulins"
    result = doctor_run(healthy(SECRET_KEY=weak), "--offline")
    assert result.exit_code == 1
    assert "PROBLEM  secret key: KIOSK_SECRET_KEY has 22 characters, fewer than 32" \
        in result.output
    assert weak not in result.output


def test_the_summary_for_the_hub_holds_counts_and_names_only():
    results = [doctor.passed("database", "/var/lib/kiosk/kiosk.db"),
               doctor.failed("clock", "7 minutes ahead", "sudo timedatectl set-ntp true")]
    assert doctor.summary(results) == {"ok": 1, "problems": 1, "failing": ["clock"]}


def test_the_doctor_is_for_kiosks(tmp_path):
    result = make_hub(tmp_path / "hub").test_cli_runner().invoke(args=["doctor"])
    assert result.exit_code == 1 and "kiosk doctor checks a kiosk" in result.output


def test_the_integrity_check_reads_a_sound_database(tmp_path):
    path = tmp_path / "sound.db"
    sqlite3.connect(path).close()
    assert doctor.integrity_check(path) == "ok"
