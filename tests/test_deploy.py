"""deploy/: the install script, run into a scratch root as a technician would run it on a
kiosk PC or the hub, and the files it installs (systemd units, shell scripts, the
Chromium policy) checked with the tools Debian checks them with."""
from __future__ import annotations

import json
import os
import re
import shutil
import sqlite3
import stat
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
DEPLOY = REPO / "deploy"
INSTALL = DEPLOY / "install.sh"
# The release this checkout is (what install.sh records and an upgrade compares).
RELEASE = tomllib.loads((REPO / "pyproject.toml").read_text("utf-8"))["project"]["version"]
UNITS = sorted(p for p in DEPLOY.rglob("*") if p.suffix in (".service", ".timer"))
ANSWERS = ["--site", "APC-LE-MONTET", "--commune", "03183",
           "--hub-url", "https://hub.example.fr", "--hub-token", "tok-123"]


def scratch_root(base: Path, app: str = "kiosk") -> Path:
    """A machine's root where the app's venv is already there (--no-pip: nothing is
    downloaded): its `kiosk` logs each call, then runs this checkout's."""
    root = base / "root"
    venv_bin = root / "opt" / app / ".venv" / "bin"
    venv_bin.mkdir(parents=True)
    kiosk = venv_bin / "kiosk"
    kiosk.write_text(f'#!/bin/sh\necho "$*" >> "{base}/calls.log"\n'
                     f'exec "{Path(sys.executable).parent / "kiosk"}" "$@"\n')
    kiosk.chmod(0o755)
    return root


def install(root: Path, *args: str, script: Path = INSTALL, stdin=subprocess.DEVNULL):
    env = {k: v for k, v in os.environ.items() if not k.startswith("KIOSK_")}
    return subprocess.run(["bash", str(script), "--root", str(root), "--no-pip", *args],
                          env=env, stdin=stdin, capture_output=True, text=True, timeout=240)


def installed(root: Path, *args: str, **kwargs) -> str:
    result = install(root, *args, **kwargs)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def snapshot(root: Path) -> dict[str, tuple]:
    """Every path under root: its type, mode, owner and content (or link target)."""
    state = {}
    for path in sorted(root.rglob("*")):
        info = path.lstat()
        if path.is_symlink():
            content = os.readlink(path)
        elif path.is_file():
            content = path.read_bytes()
        else:
            content = None
        state[str(path.relative_to(root))] = (stat.filemode(info.st_mode), info.st_uid,
                                              info.st_gid, content)
    return state


def summary(output: str) -> dict[str, list[str]]:
    """The install's summary lines, by state: {'created': [...], 'unchanged': [...]}."""
    lines = {}
    for state, item in re.findall(r"^  (\w+) +(.+)$", output, re.M):
        lines.setdefault(state, []).append(item)
    return lines


def passwd(root: Path) -> dict[str, int]:
    return {line.split(":")[0]: int(line.split(":")[2])
            for line in (root / "etc" / "passwd").read_text().splitlines()}


@pytest.fixture(scope="module")
def kiosk_root(tmp_path_factory):
    base = tmp_path_factory.mktemp("kiosk")
    root = scratch_root(base)
    output = installed(root, *ANSWERS)
    return root, output, base


@pytest.fixture(scope="module")
def hub_root(tmp_path_factory):
    base = tmp_path_factory.mktemp("hub")
    root = scratch_root(base, "kiosk-hub")
    output = installed(root, "--hub")
    return root, output, base


def test_a_kiosk_install_writes_settings_users_data_and_enables_the_services(kiosk_root):
    root, output, _ = kiosk_root
    env = root / "etc/kiosk/kiosk.env"
    assert stat.S_IMODE(env.stat().st_mode) == 0o640
    values = dict(line.split("=", 1) for line in env.read_text().splitlines()
                  if line and not line.startswith("#"))
    assert values["KIOSK_SITE_CODE"] == "APC-LE-MONTET"
    assert values["KIOSK_SITE_COMMUNE"] == "03183"
    assert values["KIOSK_HUB_URL"] == "https://hub.example.fr"
    assert values["KIOSK_HUB_TOKEN"] == "tok-123"
    assert values["KIOSK_DATA_DIR"] == "/var/lib/kiosk/questionnaires"
    assert values["KIOSK_DATABASE"] == "/var/lib/kiosk/kiosk.db"
    users = passwd(root)
    assert {"kiosk", "kiosk-screen"} <= set(users)
    state = root / "var/lib/kiosk"
    assert stat.S_IMODE(state.stat().st_mode) == 0o700
    assert stat.S_IMODE((state / "secret_key").stat().st_mode) == 0o600
    if os.geteuid() == 0:  # only root can give files away
        assert state.stat().st_uid == users["kiosk"]
        assert (state / "kiosk.db").stat().st_uid == users["kiosk"]
        assert env.stat().st_uid == 0 and env.stat().st_gid == users["kiosk"]
    assert ((state / "questionnaires/diagnostic.yaml").read_bytes()
            == (REPO / "questionnaires/diagnostic.yaml").read_bytes())
    with sqlite3.connect(state / "kiosk.db") as db:
        assert db.execute("SELECT count(*) FROM places").fetchone()[0] == 9
    wants = root / "etc/systemd/system"
    for link in ("multi-user.target.wants/kiosk.service",
                 "timers.target.wants/kiosk-sync.timer",
                 "timers.target.wants/kiosk-backup.timer",
                 "graphical.target.wants/kiosk-screen.service"):
        assert (wants / link).is_symlink(), link
    assert (root / "etc/chromium/policies/managed/kiosk-diagnostic.json").is_file()
    assert "created    /etc/kiosk/kiosk.env" in output
    assert "enabled    kiosk-screen.service" in output


def test_running_the_install_twice_changes_nothing(tmp_path):
    root = scratch_root(tmp_path)
    installed(root, *ANSWERS)
    first = snapshot(root)
    again = installed(root)  # no answers: the environment file's are kept
    assert snapshot(root) == first
    states = summary(again)
    assert not {"created", "updated", "replaced", "enabled", "kept"} & set(states), states
    assert "/etc/kiosk/kiosk.env" in states["unchanged"]


def test_a_rerun_changes_only_the_answer_given_and_keeps_added_lines(tmp_path):
    root = scratch_root(tmp_path)
    installed(root, *ANSWERS)
    env = root / "etc/kiosk/kiosk.env"
    env.write_text(env.read_text() + "KIOSK_LANGUAGES=fr,en\n")
    output = installed(root, "--hub-token", "tok-456")
    text = env.read_text()
    assert "KIOSK_HUB_TOKEN=tok-456\n" in text and "tok-123" not in text
    assert "KIOSK_LANGUAGES=fr,en\n" in text and "KIOSK_SITE_CODE=APC-LE-MONTET\n" in text
    assert "/etc/kiosk/kiosk.env" in summary(output)["updated"]


def test_an_unattended_install_without_the_answers_stops_with_exit_2(tmp_path):
    root = scratch_root(tmp_path)
    missing = install(root, "--commune", "03183")
    assert missing.returncode == 2 and "--site is needed" in missing.stderr
    wrong = install(root, "--site", "APC", "--commune", "3183")
    assert wrong.returncode == 2 and "--commune '3183'" in wrong.stderr
    assert not (root / "etc").exists()  # refused before anything was written


def release(tmp_path: Path, version: str) -> Path:
    """The next release's checkout: a newer version, a changed questionnaire and offers."""
    new = tmp_path / "release"
    new.mkdir()
    for name in ("deploy", "questionnaires"):
        shutil.copytree(REPO / name, new / name)
    pyproject = (REPO / "pyproject.toml").read_text()
    (new / "pyproject.toml").write_text(
        re.sub(r'^version = ".*"', f'version = "{version}"', pyproject, count=1, flags=re.M))
    for name in ("diagnostic.yaml", "offers.yaml"):
        with open(new / "questionnaires" / name, "a") as handle:
            handle.write(f"# release {version}\n")
    return new


def test_an_upgrade_backs_up_keeps_the_data_and_the_edited_files(tmp_path):
    root = scratch_root(tmp_path)
    installed(root, *ANSWERS)
    state = root / "var/lib/kiosk"
    with sqlite3.connect(state / "kiosk.db") as db:
        db.execute("CREATE TABLE witness (note TEXT)")
        db.execute("INSERT INTO witness VALUES ('a record waiting to sync')")
    offers = state / "questionnaires/offers.yaml"
    edited = offers.read_text() + "# the Département's own offer\n"
    offers.write_text(edited)
    env_before = (root / "etc/kiosk/kiosk.env").read_bytes()
    key_before = (state / "secret_key").read_bytes()

    new = release(tmp_path, "9.9.9")
    output = installed(root, script=new / "deploy" / "install.sh")

    with sqlite3.connect(state / "kiosk.db") as db:
        assert db.execute("SELECT note FROM witness").fetchall() == [("a record waiting to sync",)]
    backups = list((state / "backups").glob("*.db"))
    assert len(backups) == 1
    with sqlite3.connect(backups[0]) as copy:
        assert copy.execute("SELECT count(*) FROM witness").fetchone()[0] == 1
    assert offers.read_text() == edited
    assert ((state / "questionnaires.new/offers.yaml").read_bytes()
            == (new / "questionnaires/offers.yaml").read_bytes())
    assert ((state / "questionnaires/diagnostic.yaml").read_bytes()
            == (new / "questionnaires/diagnostic.yaml").read_bytes())
    states = summary(output)
    assert any(line.startswith("/var/lib/kiosk/questionnaires/offers.yaml (edited here")
               for line in states["kept"])
    assert any(line.startswith("/var/lib/kiosk/questionnaires/diagnostic.yaml")
               for line in states["replaced"])
    assert f"release {RELEASE} -> 9.9.9" in states["updated"]
    assert (state / "installed-release").read_text() == "9.9.9\n"
    assert (root / "etc/kiosk/kiosk.env").read_bytes() == env_before
    assert (state / "secret_key").read_bytes() == key_before


def test_the_hub_install_has_its_own_unit_and_never_runs_kiosk_init(hub_root):
    root, output, base = hub_root
    calls = (base / "calls.log").read_text().splitlines()
    assert "hub init" in calls and "init" not in calls
    units = {p.name for p in (root / "etc/systemd/system").rglob("*") if p.is_file()}
    assert units == {"kiosk-hub.service", "kiosk-hub-backup.service", "kiosk-hub-backup.timer"}
    assert (root / "etc/systemd/system/multi-user.target.wants/kiosk-hub.service").is_symlink()
    assert not (root / "etc/kiosk").exists() and not (root / "var/lib/kiosk").exists()
    state = root / "var/lib/kiosk-hub"
    assert stat.S_IMODE(state.stat().st_mode) == 0o700
    assert stat.S_IMODE((state / "secret_key").stat().st_mode) == 0o600
    assert stat.S_IMODE((root / "etc/kiosk-hub/hub.env").stat().st_mode) == 0o640
    with sqlite3.connect(state / "hub.db") as db:
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master")}
    assert "devices" in tables and "visits" not in tables
    assert "kiosk-hub hub staff add NAME" in output
    assert "kiosk-hub hub staff passwd NAME" in output


def verify_root(installed_root: Path, tmp_path: Path) -> Path:
    """A copy of an installed root with Debian's own units (the targets ours hang on) and
    what apt would have installed, for `systemd-analyze verify --root`."""
    root = tmp_path / "verify"
    shutil.copytree(installed_root, root, symlinks=True)
    system = Path("/usr/lib/systemd/system")
    shutil.copytree(system, root / "usr/lib/systemd/system", symlinks=True, dirs_exist_ok=True)
    for tool in ("usr/bin/cage", "usr/bin/python3"):
        (root / tool).parent.mkdir(parents=True, exist_ok=True)
        (root / tool).write_text("#!/bin/sh\n")
        (root / tool).chmod(0o755)
    return root


def systemd_verify(root: Path, units: list[Path]):
    return subprocess.run(["systemd-analyze", "verify", f"--root={root}",
                           *map(str, units)], capture_output=True, text=True, timeout=120)


def test_every_unit_passes_systemd_analyze_verify_as_installed(kiosk_root, hub_root,
                                                               tmp_path):
    checked = set()
    for (installed_root, _, _), name in ((kiosk_root, "kiosk"), (hub_root, "hub")):
        root = verify_root(installed_root, tmp_path / name)
        units = sorted(p for p in (root / "etc/systemd/system").iterdir() if p.is_file())
        result = systemd_verify(root, units)
        assert result.returncode == 0 and result.stderr == "", result.stderr
        checked |= {u.name for u in units}
    assert checked == {u.name for u in UNITS}


def test_systemd_analyze_verify_catches_a_missing_program(kiosk_root, tmp_path):
    root = verify_root(kiosk_root[0], tmp_path)
    (root / "opt/kiosk/.venv/bin/kiosk").unlink()
    result = systemd_verify(root, [root / "etc/systemd/system/kiosk.service"])
    assert result.returncode != 0 and "/opt/kiosk/.venv/bin/kiosk" in result.stderr


def test_every_shell_script_is_shellcheck_clean():
    scripts = sorted(DEPLOY.rglob("*.sh"))
    assert INSTALL in scripts and DEPLOY / "chromium-kiosk.sh" in scripts
    result = subprocess.run(["shellcheck", *map(str, scripts)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout


def test_the_chromium_policy_locks_what_kiosk_doctor_checks():
    policy = json.loads((DEPLOY / "chromium/kiosk-diagnostic.json").read_text())
    assert policy["TranslateEnabled"] is False and policy["PasswordManagerEnabled"] is False
    assert policy["BrowserSignin"] == 0 and policy["SyncDisabled"] is True
    assert policy["DeveloperToolsAvailability"] == 2 and policy["DownloadRestrictions"] == 3
    assert policy["URLBlocklist"] == ["*"]
    assert "http://127.0.0.1:5000" in policy["URLAllowlist"]
    assert policy["AutoplayAllowed"] is True  # the idle warning speaks without a touch


def test_the_screen_restarts_chromium_in_cage_on_tty1_when_it_stops():
    unit = (DEPLOY / "kiosk-screen.service").read_text()
    for line in ("User=kiosk-screen", "PAMName=login", "TTYPath=/dev/tty1", "Restart=always",
                 "RuntimeDirectory=kiosk-screen", "Conflicts=getty@tty1.service",
                 "ExecStart=/usr/bin/cage -d -- /opt/kiosk/bin/chromium-kiosk"):
        assert re.search(rf"^{re.escape(line)}$", unit, re.M), line


def test_chromium_starts_full_screen_on_an_empty_profile_each_time(tmp_path):
    """The launcher, with a stand-in `chromium` that records what it was given."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake = bin_dir / "chromium"
    fake.write_text('#!/bin/sh\nfor a; do echo "$a"; done > "$OUT"\n'
                    'for a; do case "$a" in --user-data-dir=*) ls -A "${a#*=}" >> "$OUT";; esac; done\n')
    fake.chmod(0o755)
    profile = tmp_path / "run/kiosk-screen/chromium"
    profile.mkdir(parents=True)
    (profile / "Cookies").write_text("a resident's session")
    out = tmp_path / "args"
    env = {"PATH": f"{bin_dir}:/usr/bin:/bin", "KIOSK_PROFILE_DIR": str(profile), "OUT": str(out)}
    subprocess.run(["sh", str(DEPLOY / "chromium-kiosk.sh")], env=env, check=True, timeout=30)
    args = out.read_text().splitlines()
    assert f"--user-data-dir={profile}" in args and "Cookies" not in args
    for flag in ("--kiosk", "--incognito", "--kiosk-printing", "--no-first-run",
                 "--disable-translate", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync",
                 "--disable-features=BackForwardCache,Translate"):
        assert flag in args, flag
    assert "http://127.0.0.1:5000/" in args
    assert not any(path.name == "Cookies" for path in profile.rglob("*"))


def test_a_hub_upgrade_backs_up_its_database_first(tmp_path):
    root = scratch_root(tmp_path, "kiosk-hub")
    installed(root, "--hub")
    state = root / "var/lib/kiosk-hub"
    with sqlite3.connect(state / "hub.db") as db:
        db.execute("CREATE TABLE witness (note TEXT)")
        db.execute("INSERT INTO witness VALUES ('a record received')")
    new = release(tmp_path, "9.9.9")
    output = installed(root, "--hub", script=new / "deploy" / "install.sh")
    backups = list((state / "backups").glob("hub-*.db"))
    assert len(backups) == 1 and stat.S_IMODE(backups[0].stat().st_mode) == 0o600
    with sqlite3.connect(backups[0]) as copy:
        assert copy.execute("SELECT note FROM witness").fetchall() == [("a record received",)]
    with sqlite3.connect(state / "hub.db") as db:
        assert db.execute("SELECT count(*) FROM witness").fetchone()[0] == 1
    assert f"release {RELEASE} -> 9.9.9" in summary(output)["updated"]
    assert "init" not in (tmp_path / "calls.log").read_text().splitlines()


def test_running_the_hub_install_twice_changes_nothing(tmp_path):
    root = scratch_root(tmp_path, "kiosk-hub")
    installed(root, "--hub")
    first = snapshot(root)
    again = installed(root, "--hub")
    assert snapshot(root) == first
    assert not {"created", "updated", "enabled"} & set(summary(again))


def test_a_kiosk_set_up_by_hand_is_upgraded_with_a_backup_first(tmp_path):
    """The first releases were installed by hand: no release recorded, no manifest."""
    root = scratch_root(tmp_path)
    installed(root, *ANSWERS)
    state = root / "var/lib/kiosk"
    (state / "installed-release").unlink()
    (state / "questionnaires.sha256").unlink()
    output = installed(root)
    assert len(list((state / "backups").glob("*.db"))) == 1
    assert f"release {RELEASE}" in summary(output)["created"]
    assert "kept" not in summary(output)  # files as shipped are recognised by content


def test_the_hubs_reverse_proxy_example_is_valid_and_points_at_the_hub(tmp_path):
    """Caddy's own check of deploy/hub/Caddyfile (a typo there would leave the hub without
    HTTPS on the day it is installed), and the port it proxies is the hub unit's."""
    caddyfile = DEPLOY / "hub" / "Caddyfile"
    port = re.search(r"reverse_proxy 127\.0\.0\.1:(\d+)", caddyfile.read_text()).group(1)
    assert f"--port {port}" in (DEPLOY / "hub" / "kiosk-hub.service").read_text()

    def validate(path):
        return subprocess.run(["caddy", "validate", "--config", str(path),
                               "--adapter", "caddyfile"], capture_output=True, text=True,
                              cwd=tmp_path, timeout=60)

    checked = validate(caddyfile)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    broken = tmp_path / "Caddyfile"
    broken.write_text(caddyfile.read_text().replace("reverse_proxy", "reverse_prox", 1))
    assert validate(broken).returncode != 0
