"""Killed processes: what the kiosk acknowledged survives a power cut or a crash."""
from __future__ import annotations

import json
import signal

from kiosk.storage.db import connect
from tests.live import HttpResident, start_server

NEVER = {"internet_ever": {"answer": "no"}}


def kill(server_gen, server):
    server.process.send_signal(signal.SIGKILL)  # no shutdown, no flush: a power cut
    server.process.wait(timeout=10)
    server_gen.close()


def test_killed_server_loses_no_result_and_no_answer(tmp_path):
    folder = tmp_path / "site"
    first_gen = start_server(folder)
    server = next(first_gen)
    done, halfway = HttpResident(server.url), HttpResident(server.url)
    for resident in (done, halfway):
        resident.get("/")
        resident.post("/start", {})
        resident.get("/q/internet_ever")
    done.answer_until(NEVER)
    assert "Votre résultat" in done.page          # the person saw the result
    halfway.answer_until(NEVER, stop_at="task_back")
    assert halfway.path.endswith("/q/task_back")
    kill(first_gen, server)

    second_gen = start_server(folder)             # the PC restarts, `kiosk serve` again
    server = next(second_gen)
    try:
        for resident in (done, halfway):
            resident.url = server.url
        assert "Votre résultat" in done.get("/result")
        halfway.get("/q/reading")  # a later screen leads to the first one not answered
        assert halfway.path.endswith("/q/task_back")
        halfway.answer_until(NEVER)
        assert "Votre résultat" in halfway.page
    finally:
        second_gen.close()
    db = connect(folder / "kiosk.db")
    results = list(db["results"].rows)
    assert len(results) == 2 and all(r["complete"] == 1 for r in results)
    payloads = [json.loads(r["payload"]) for r in db["outbox"].rows]
    assert len(payloads) == 2 and all(p["complete"] for p in payloads)
    assert db.execute("pragma integrity_check").fetchone()[0] == "ok"
