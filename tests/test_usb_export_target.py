"""`kiosk sync --to-file` (and `kiosk export --output`) refuse a place where the file
would not really be on a key.

A folder that is not there, one nobody may write, a /media path with no key mounted, a
file that does not read back as written: a clear message, exit 2, no file left behind
and no record marked "awaiting receipt" (they stay pending for the next try).
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from kiosk.sync import transfer, usbkey
from kiosk.storage.db import connect
from tests.hubkit import make_kiosk, outbox_states
from tests.sample_records import fill_outbox

TOKEN = "1.secret-of-device-1-xxxxxxxx"


@pytest.fixture
def kiosk(tmp_path):
    """The bus's kiosk, offline, holding 3 unsent records."""
    app = make_kiosk(tmp_path / "bus", HUB_TOKEN=TOKEN, SITE_CODE="BUS-1")
    fill_outbox(connect(app.config["DATABASE"]), 3, site_commune="03190")
    return app


@pytest.fixture
def media(tmp_path, monkeypatch):
    """A stand-in for /media: the only removable-media root, with a folder ``usb`` in
    it that is a plain folder of the kiosk's disk (no key mounted)."""
    root = tmp_path / "media"
    (root / "usb").mkdir(parents=True)
    monkeypatch.setattr(usbkey, "REMOVABLE_ROOTS", (str(root),))
    return root


def to_file(app, target) -> tuple[int, str]:
    result = app.test_cli_runner().invoke(args=["sync", "--to-file", str(target)])
    assert result.exception is None or isinstance(result.exception, SystemExit), \
        result.exception   # a clear message, never a traceback
    return result.exit_code, result.output


def nothing_marked(app) -> bool:
    return set(outbox_states(app.config["DATABASE"]).values()) == {"pending"}


def test_a_folder_that_is_not_there_is_refused_and_not_created(kiosk, tmp_path):
    for target in (tmp_path / "key" / "f.json", f"{tmp_path / 'key'}/"):
        status, output = to_file(kiosk, target)
        assert status == 2 and "no such folder" in output and "no record was marked" in output
        assert not (tmp_path / "key").exists()
    assert nothing_marked(kiosk)


def test_a_file_in_place_of_the_folder_is_refused(kiosk, tmp_path):
    (tmp_path / "usb").write_text("not a folder")
    status, output = to_file(kiosk, tmp_path / "usb" / "f.json")
    assert status == 2 and "no such folder" in output
    assert (tmp_path / "usb").read_text() == "not a folder" and nothing_marked(kiosk)


def test_a_folder_nobody_may_write_is_refused_cleanly(kiosk):
    """sysfs never lets anyone create a file, root included: a real unwritable folder
    (chmod does not stop root, who runs these tests)."""
    status, output = to_file(kiosk, "/sys/kernel/")
    assert status == 2 and "cannot write there (Permission denied)" in output
    assert not list(Path("/sys/kernel").glob("kiosk-*")) and nothing_marked(kiosk)


def test_a_media_path_with_no_key_mounted_is_refused(kiosk, media):
    status, output = to_file(kiosk, f"{media / 'usb'}/")
    assert status == 2 and "no USB key is mounted there" in output
    assert list((media / "usb").iterdir()) == [] and nothing_marked(kiosk)
    status, output = to_file(kiosk, media / "records.json")   # the root itself: no key
    assert status == 2 and not (media / "records.json").exists()


def test_a_mounted_key_under_media_is_written(kiosk, media, monkeypatch):
    key = media / "usb"
    monkeypatch.setattr(usbkey, "is_mount", lambda path: Path(path) == key)
    (key / "exports").mkdir()
    status, output = to_file(kiosk, key / "exports")
    assert status == 0 and "3 records written" in output
    [written] = (key / "exports").glob("kiosk-1-*.records.json")
    assert len(json.loads(written.read_text("utf-8"))["records"]) == 3
    assert set(outbox_states(kiosk.config["DATABASE"]).values()) == {"exported"}


@pytest.mark.parametrize("alter", [
    lambda raw: raw[:-10],                                    # cut short (key pulled out)
    lambda raw: raw.replace(b'"records"', b'"records" ', 1),  # one byte more
])
def test_a_file_that_does_not_read_back_as_written_marks_nothing(kiosk, tmp_path,
                                                                 monkeypatch, alter):
    read = usbkey.read_back
    monkeypatch.setattr(usbkey, "read_back", lambda path: alter(read(path)))
    (tmp_path / "usb").mkdir()
    status, output = to_file(kiosk, tmp_path / "usb")
    assert status == 2 and "differs from what was written" in output
    assert list((tmp_path / "usb").iterdir()) == [] and nothing_marked(kiosk)


def test_the_read_back_check_wants_this_kiosks_signature_and_these_records():
    document = {"format": "kiosk-records/1", "device": 1, "records": [{"id": "a"}]}
    from kiosk.sync import protocol

    signed = protocol.sign(document, protocol.token_hash(TOKEN))
    raw = json.dumps(signed).encode()
    transfer.check_records_file(raw, TOKEN, 1, ["a"])
    for token, device, ids in [("2.other-secret-xxxxxxxxxxxxxxxxxx", 1, ["a"]),
                               (TOKEN, 2, ["a"]), (TOKEN, 1, ["a", "b"]), (TOKEN, 1, [])]:
        with pytest.raises(usbkey.Refused):
            transfer.check_records_file(raw, token, device, ids)
    with pytest.raises(usbkey.Refused, match="not a records file"):
        transfer.check_records_file(b"{oops", TOKEN, 1, ["a"])


# --- `kiosk export --output`: the same rule for the local results' CSV -------------------

def export(app, *args) -> tuple[int, str]:
    result = app.test_cli_runner().invoke(args=["export", *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), \
        result.exception   # a clear message, never a traceback
    return result.exit_code, result.output


@pytest.fixture
def results_kiosk(make_app, tmp_path):
    from tests.conftest import Resident

    app = make_app(EXPORT_DIR=str(tmp_path / "exports"))
    Resident(app.test_client()).complete({"internet_ever": {"answer": "no"}})
    return app


def test_export_refuses_a_folder_that_is_not_there(results_kiosk, tmp_path):
    for target in (tmp_path / "key" / "results.csv", f"{tmp_path / 'key'}/"):
        status, output = export(results_kiosk, "--output", str(target))
        assert status == 1 and "no such folder" in output and "nothing was written" in output
        assert not (tmp_path / "key").exists()


def test_export_refuses_a_media_path_with_no_key_mounted(results_kiosk, media):
    status, output = export(results_kiosk, "--output", str(media / "usb" / "results.csv"))
    assert status == 1 and "no USB key is mounted there" in output
    assert list((media / "usb").iterdir()) == []


def test_export_into_a_folder_nobody_may_write_is_a_message(results_kiosk):
    status, output = export(results_kiosk, "--output", "/sys/kernel/results.csv")
    assert status == 1 and "cannot write there (Permission denied)" in output


def test_export_into_an_existing_folder_names_the_file(results_kiosk, tmp_path):
    (tmp_path / "key").mkdir()
    status, output = export(results_kiosk, "--output", f"{tmp_path / 'key'}/")
    assert status == 0 and "1 results written" in output
    [written] = (tmp_path / "key").glob("results-*.csv")
    assert written.read_text("utf-8-sig").count("\n") == 2   # the header and one result
