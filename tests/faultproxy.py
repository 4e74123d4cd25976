"""A fault-injecting HTTP proxy between a kiosk and its hub, for the reliability tests.

Each request the kiosk makes takes the next fault of a script (then ``pass``):

- ``pass``: forwarded, the hub's answer returned;
- ``drop_after_commit``: forwarded, the hub's whole answer read (so it has committed),
  then the kiosk's connection closed with no answer;
- ``error_500``: not forwarded, a 500 answered;
- ``portal``: not forwarded, a captive portal's HTML page answered with status 200;
- ``duplicate``: forwarded twice at the same time, one answer returned;
- ``cut_request``: the hub gets the headers and half the body, then both connections
  are closed;
- ``cut_response``: forwarded, and the kiosk gets the headers and half the body;
- ``restart``: forwarded, then the hub is killed (SIGKILL) and started again while the
  batch is in flight, and the kiosk's connection closed.

``fired`` lists the faults actually applied, so a test can show none was skipped.
"""
from __future__ import annotations

import socket
import socketserver
import threading
from collections import deque
from typing import Callable

PORTAL = (b"<!DOCTYPE html><html><head><title>Wi-Fi La Poste</title></head><body>"
          b"<h1>Connectez-vous</h1><form method=post><button>Accepter</button></form>"
          b"</body></html>")


def _read_request(conn: socket.socket) -> tuple[bytes, bytes]:
    """The request's head (up to the blank line) and body (Content-Length bytes)."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            raise ConnectionError("the client closed before sending a request")
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    while len(body) < length:
        chunk = conn.recv(65536)
        if not chunk:
            break
        body += chunk
    return head, body


def _closing(head: bytes) -> bytes:
    """The head with ``Connection: close``, so the hub ends its answer by closing."""
    lines = [line for line in head.split(b"\r\n")
             if not line.lower().startswith(b"connection:")]
    return b"\r\n".join(lines + [b"Connection: close"]) + b"\r\n\r\n"


def _answer(status: str, content_type: str, body: bytes) -> bytes:
    return (f"HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\n"
            f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n").encode() + body


class FaultProxy:
    """Listen on a free port; forward to ``127.0.0.1:upstream_port`` with faults."""

    def __init__(self, upstream_port: int, script=(), restart: Callable[[], None] | None = None):
        self.upstream_port = upstream_port
        self.script = deque(script)
        self.restart_hub = restart
        self.fired: list[str] = []
        self.hub_answers: list[tuple[str, bytes]] = []  # (fault, answer) the hub gave
        self.requests = 0
        self._lock = threading.Lock()
        proxy = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self):
                proxy._handle(self.request)

        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self._thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def _handle(self, conn: socket.socket) -> None:
        try:
            head, body = _read_request(conn)
        except (ConnectionError, OSError):
            return
        with self._lock:
            fault = self.script.popleft() if self.script else "pass"
            self.requests += 1
        getattr(self, "_" + fault)(conn, head, body)
        with self._lock:
            self.fired.append(fault)
        conn.close()

    def _forward(self, head: bytes, body: bytes, *, part: int | None = None,
                 fault: str = "") -> bytes:
        """Send the request to the hub (only ``part`` body bytes if given); its answer."""
        with socket.create_connection(("127.0.0.1", self.upstream_port), timeout=30) as up:
            up.sendall(_closing(head) + (body if part is None else body[:part]))
            if part is not None:
                return b""
            answer = b""
            while chunk := up.recv(65536):
                answer += chunk
        with self._lock:
            self.hub_answers.append((fault, answer))
        return answer

    # --- the faults ---------------------------------------------------------------
    def _pass(self, conn, head, body):
        conn.sendall(self._forward(head, body))

    def _drop_after_commit(self, conn, head, body):
        self._forward(head, body)  # the hub answered: it has committed; the kiosk never knows

    def _error_500(self, conn, head, body):
        conn.sendall(_answer("500 Internal Server Error", "text/plain", b"upstream error"))

    def _portal(self, conn, head, body):
        conn.sendall(_answer("200 OK", "text/html; charset=utf-8", PORTAL))

    def _duplicate(self, conn, head, body):
        answers = [None, None]

        def deliver(i):
            answers[i] = self._forward(head, body, fault="duplicate")
        threads = [threading.Thread(target=deliver, args=(i,)) for i in (0, 1)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        conn.sendall(answers[1])

    def _cut_request(self, conn, head, body):
        self._forward(head, body, part=len(body) // 2)

    def _cut_response(self, conn, head, body):
        answer = self._forward(head, body)
        head_end = answer.index(b"\r\n\r\n") + 4
        conn.sendall(answer[:head_end + (len(answer) - head_end) // 2])

    def _restart(self, conn, head, body):
        with socket.create_connection(("127.0.0.1", self.upstream_port), timeout=30) as up:
            up.sendall(_closing(head) + body)
            self.restart_hub()  # killed while the batch is in flight, then started again
