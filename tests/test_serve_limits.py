"""`kiosk serve` refuses a request on its headers, before reading its body: a real
waitress process, spoken to over a raw socket."""
from __future__ import annotations

import json
import logging
import socket

import pytest

from kiosk.config import DEFAULTS
from tests.hubkit import HubProcess, make_hub, new_device

HUGE = 400 * 1024 * 1024           # announced, never sent
HANG_GUARD = 20                    # seconds: far more than any answer takes


@pytest.fixture(scope="module")
def hub(tmp_path_factory):
    process = HubProcess(tmp_path_factory.mktemp("hub"))
    _, token = new_device(process.database)
    process.start()
    yield process, token
    process.stop()


def send_head(port: int, head: str, body_part: bytes = b"{" * 1000) -> tuple[int, dict, bytes]:
    """Send a request's head and a little of its body; the answer (status, headers,
    body), read without sending the rest (the socket's timeout guards against a hang)."""
    with socket.create_connection(("127.0.0.1", port), timeout=HANG_GUARD) as sock:
        sock.sendall(head.replace("\n", "\r\n").encode() + b"\r\n" + body_part)
        answer = b""
        while b"\r\n\r\n" not in answer:
            chunk = sock.recv(65536)
            assert chunk, f"connection closed without an answer: {answer!r}"
            answer += chunk
        top, _, body = answer.partition(b"\r\n\r\n")
        lines = top.decode("latin-1").split("\r\n")
        headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
        while len(body) < int(headers.get("content-length", 0)):
            chunk = sock.recv(65536)
            if not chunk:
                break
            body += chunk
        return int(lines[0].split()[1]), headers, body


def records_head(length: int, token: str | None = None) -> str:
    auth = f"Authorization: Bearer {token}\n" if token else ""
    return (f"POST /api/v1/records HTTP/1.1\nHost: hub\nContent-Type: application/json\n"
            f"{auth}Content-Length: {length}\n")


def test_an_upload_without_a_valid_token_is_refused_before_its_body(hub):
    process, token = hub
    for bad in (None, "1.not-the-token", "77.unknown-device"):
        status, headers, body = send_head(process.port, records_head(HUGE, bad))
        assert status == 401, body
        assert json.loads(body)["error"] == "missing, unknown or revoked device token"
        assert headers["www-authenticate"] == 'Bearer realm="kiosk-hub"'
        assert headers["connection"] == "close"
    chunked = ("POST /api/v1/records HTTP/1.1\nHost: hub\nContent-Type: application/json\n"
               "Transfer-Encoding: chunked\n")               # no length announced at all
    status, _, _ = send_head(process.port, chunked, b"3e8\r\n" + b"{" * 1000 + b"\r\n")
    assert status == 401
    log = (process.folder / "hub-0.log").read_text()
    refused = [json.loads(line) for line in log.splitlines() if '"token_refused"' in line]
    assert [(e["device"], e["address"]) for e in refused] == [(1, "127.0.0.1"),
                                                              (77, "127.0.0.1")]
    assert "not-the-token" not in log and "unknown-device" not in log


def test_an_oversized_upload_with_a_valid_token_gets_413_before_its_body(hub):
    process, token = hub
    limit = DEFAULTS["HUB_MAX_BATCH_BYTES"]
    status, _, body = send_head(process.port, records_head(limit + 1, token))
    assert status == 413 and json.loads(body)["error"] == f"at most {limit} bytes per batch"
    status, _, _ = send_head(process.port, records_head(HUGE, token))
    assert status == 413


def test_a_form_larger_than_the_pages_accept_is_refused_before_its_body(hub):
    process, _ = hub
    head = ("POST /connexion HTTP/1.1\nHost: hub\n"
            "Content-Type: application/x-www-form-urlencoded\n"
            f"Content-Length: {DEFAULTS['MAX_CONTENT_LENGTH'] + 1}\n")
    status, _, body = send_head(process.port, head, b"name=" + b"a" * 100)
    assert status == 413 and b"at most 16384 bytes" in body


def test_the_servers_limits_come_from_the_configuration():
    from kiosk.web.serving import limits

    assert limits({**DEFAULTS, "ROLE": "kiosk"})["max_request_body_size"] == 16384 + 1
    assert limits({**DEFAULTS, "ROLE": "hub"})["max_request_body_size"] == 2097152 + 1
    assert limits({**DEFAULTS, "ROLE": "hub"})["max_request_header_size"] == 32768


def test_the_api_logs_a_refused_token_never_the_token(tmp_path, caplog):
    app = make_hub(tmp_path / "hub")
    new_device(app.config["DATABASE"])
    with caplog.at_level(logging.INFO, logger="kiosk.hub.events"):
        response = app.test_client().post("/api/v1/records", json={"records": []},
                                          headers={"Authorization": "Bearer 5.stolen-secret"})
    assert response.status_code == 401
    lines = [json.loads(r.getMessage()) for r in caplog.records if "token_refused" in r.getMessage()]
    assert [(e["device"], e["address"]) for e in lines] == [(5, "127.0.0.1")]
    assert "stolen-secret" not in caplog.text


def test_a_refused_token_behind_the_trusted_proxy_logs_the_client(tmp_path, caplog):
    # Behind the Département's reverse proxy every request comes from the proxy: the
    # log must name the kiosk's address the proxy forwarded, as the staff login does.
    app = make_hub(tmp_path / "hub", HUB_TRUSTED_PROXIES="127.0.0.1")
    new_device(app.config["DATABASE"])
    with caplog.at_level(logging.INFO, logger="kiosk.hub.events"):
        response = app.test_client().post(
            "/api/v1/records", json={"records": []},
            headers={"Authorization": "Bearer 5.stolen-secret",
                     "X-Forwarded-For": "192.0.2.7"})
    assert response.status_code == 401
    lines = [json.loads(r.getMessage()) for r in caplog.records if "token_refused" in r.getMessage()]
    assert [e["address"] for e in lines] == ["192.0.2.7"]
