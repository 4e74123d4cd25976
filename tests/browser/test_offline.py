"""Offline, proven: the server and a whole diagnostic in a network namespace of their own,
where no route leads anywhere (only the loopback interface exists). The kiosks of the
post offices and the bus often have no network; nothing of a visit may need it."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

RUN = Path(__file__).with_name("offline_run.py")


def test_a_whole_diagnostic_runs_with_no_network_route_at_all():
    unshare = shutil.which("unshare")
    if unshare is None:   # util-linux is essential on Debian: never skip, fail
        pytest.fail("unshare (util-linux) is needed to cut the network")
    done = subprocess.run([unshare, "--net", sys.executable, str(RUN)],
                          capture_output=True, text=True, timeout=240)
    assert done.returncode == 0, done.stdout + done.stderr
    report = json.loads(done.stdout.strip().splitlines()[-1])
    # The namespace is really cut off: no route, and a public address is unreachable.
    assert report["routes"] == "" and report["outside"] == "ENETUNREACH"
    # The resident reached the result and the printable sheet...
    assert report["result_heading"] == "Votre résultat"
    assert report["sheet_title"].startswith("Feuille à imprimer")
    # ...and no page asked for anything beyond the kiosk, nor saw a request fail.
    assert report["offsite"] == [] and report["failed"] == []
