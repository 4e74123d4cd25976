"""Read a QR code back with zbar's `zbarimg` (Debian package zbar-tools; `make test-deps`
installs it), as a phone camera would. Never skipped: without zbarimg the tests fail."""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path


def decode_png(path: Path) -> str:
    """The text of the one QR code in the image at ``path``, as zbar reads it."""
    zbarimg = shutil.which("zbarimg")
    assert zbarimg, "zbarimg not found: install Debian's zbar-tools (make test-deps)"
    found = subprocess.run([zbarimg, "--raw", "--quiet", "-Sdisable", "-Sqrcode.enable",
                            str(path)], capture_output=True, check=False)
    assert found.returncode == 0, f"zbar found no QR code in {path}: {found.stderr!r}"
    return found.stdout.decode("utf-8").removesuffix("\n")
