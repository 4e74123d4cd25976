"""Writing a file for a USB key so that it is really on the key.

A kiosk user types a path (``/media/usb/``); the key may not be plugged in, not mounted,
read-only or full. Then nothing may be written on the kiosk's own disk in its place and
nothing may be reported as done: ``destination`` refuses a folder that is not there (no
folder is ever created) or, under a removable-media root, one that is not on a mounted
filesystem; ``write_verified`` writes durably, reads the file back from the device and
checks it, or raises ``Refused``. The caller marks its records only after both returned.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Callable

# Where desktop systems and administrators mount removable media. A folder under one of
# these that is not on a mounted filesystem is a folder of the kiosk's own disk: the
# key is not there. Module attributes, read at each call, so tests can point them at a
# temporary folder.
REMOVABLE_ROOTS = ("/media", "/run/media", "/mnt")
is_mount = os.path.ismount


class Refused(Exception):
    """The file cannot be written (or was not read back intact) where the user asked."""


def destination(target: str | os.PathLike, file_name: str) -> Path:
    """The file to write for ``target`` as the user typed it: in an existing folder (a
    new file named ``file_name``), or a file name in an existing folder."""
    raw = os.fspath(target)
    path = Path(os.path.abspath(os.path.expanduser(raw)))
    try:
        if path.is_dir():
            folder, path = path, path / file_name
        elif raw.endswith(("/", os.sep)):
            raise Refused(f"{raw}: no such folder (is the USB key plugged in and mounted?)")
        else:
            folder = path.parent
            if not folder.is_dir():
                raise Refused(f"{folder}: no such folder; folders are not created "
                              "(is the USB key plugged in and mounted?)")
        check_mounted(folder)
    except OSError as exc:
        raise Refused(f"{path}: cannot be reached ({exc.strerror or exc})") from None
    return path


def check_mounted(folder: Path) -> None:
    """Refuse a folder under a removable-media root unless it is, or is inside, a mount
    point below that root (the root itself is the kiosk's own disk)."""
    real = Path(os.path.realpath(folder))
    for root in REMOVABLE_ROOTS:
        base = Path(os.path.realpath(root))
        if real != base and base not in real.parents:
            continue
        here = real
        while here != base:
            if is_mount(here):
                return
            here = here.parent
        raise Refused(f"{folder}: no USB key is mounted there (it is a folder of the "
                      "kiosk's own disk); plug the key in and wait for it to open, then "
                      "try again")


def write_verified(path: Path, data: bytes, check: Callable[[bytes], None]) -> None:
    """Write ``data`` to ``path`` durably, read it back from the device and ``check``
    it (``check`` raises ``Refused``). Raises ``Refused`` on any failure, after removing
    what was written: a key pulled out or faulty leaves no file that looks complete."""
    try:
        write_durably(path, data)
    except OSError as exc:
        raise Refused(f"{path}: cannot write there ({exc.strerror or exc})") from None
    try:
        back = read_back(path)
        if back != data:
            raise Refused(f"{path}: the file read back differs from what was written "
                          "(a faulty or full key?)")
        check(back)
    except (Refused, OSError) as exc:
        remove_quietly(path)
        if isinstance(exc, Refused):
            raise
        raise Refused(f"{path}: cannot read the file back ({exc.strerror or exc})") from None


def write_durably(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically and durably: a key pulled out too early
    leaves the old file or none, never half a file."""
    tmp = path.with_name(path.name + ".part")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except OSError:
        remove_quietly(tmp)
        raise
    fsync_folder(path.parent)


def fsync_folder(folder: Path) -> None:
    """Flush a folder's entries (a file's new name) to the device."""
    directory = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


def read_back(path: Path) -> bytes:
    """The file's bytes as the device holds them: its cached pages are dropped first
    (they are clean after the fsync), so the read goes to the key, not to memory."""
    fd = os.open(path, os.O_RDONLY)
    try:
        try:
            os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
        except (AttributeError, OSError):
            pass  # no such advice here: the read may come from the cache
        with os.fdopen(fd, "rb") as source:
            fd = None
            return source.read()
    finally:
        if fd is not None:
            os.close(fd)


def remove_quietly(path: Path) -> None:
    """Remove ``path`` if possible (cleaning up after a failure: never a new error)."""
    try:
        os.unlink(path)
    except OSError:
        pass
