"""`kiosk serve`: waitress with its limits taken from the configuration, and requests
refused on their headers, before their body is read.

Waitress reads a request's whole body (up to ``max_request_body_size``, 1 GB unless
set) before it calls the app, so a view answering 401 or 413 does so only after the
upload: 400 MB without a token were received before the refusal. Here:

- waitress's body limit is the largest body a route accepts (the records API's
  ``KIOSK_HUB_MAX_BATCH_BYTES`` on a hub, ``KIOSK_MAX_CONTENT_LENGTH`` otherwise), so
  even a chunked body (no Content-Length) stops being read there;
- as soon as a request's headers are in, a body larger than its route accepts (413),
  or a records upload without a valid device token (401, kiosk.hub.api), is answered
  at once and the connection closed: its body is never read.
"""
from __future__ import annotations

import logging

from waitress.channel import HTTPChannel
from waitress.parser import HTTPRequestParser
from waitress.server import BaseWSGIServer, create_server
from waitress.utilities import Error, RequestEntityTooLarge

LOG = logging.getLogger(__name__)
# Request line and headers: a cookie, a token and the usual headers fit in a few KB;
# waitress's default (256 KB) is memory an idle client can hold per connection.
MAX_HEADER_BYTES = 32 * 1024
# Seconds a connection may stay idle (waitress's default is 120); a kiosk's sync waits
# 30 s for an answer, a browser reconnects.
CHANNEL_TIMEOUT = 60


def body_limit(config, path: str) -> int:
    """The largest request body ``path`` accepts, in bytes."""
    from ..hub.api import RECORDS_PATH

    if config["ROLE"] == "hub" and path == RECORDS_PATH:
        return int(config["HUB_MAX_BATCH_BYTES"])
    return int(config["MAX_CONTENT_LENGTH"])


def limits(config) -> dict:
    """waitress's adjustments for this configuration."""
    from ..hub.api import RECORDS_PATH

    largest = max(body_limit(config, ""), body_limit(config, RECORDS_PATH))
    # waitress refuses a body of max_request_body_size bytes or more: one more byte.
    return {"max_request_body_size": largest + 1, "max_request_header_size": MAX_HEADER_BYTES,
            "channel_timeout": CHANNEL_TIMEOUT}


class Refusal(Error):
    """A response made before the body was read (waitress sends it, then closes)."""

    def __init__(self, code: int, reason: str, headers: list, body: bytes):
        super().__init__(body)
        self.code, self.reason, self.headers = code, reason, headers

    def to_response(self, ident=None):
        return f"{self.code} {self.reason}", list(self.headers), self.body

    @classmethod
    def of(cls, response) -> "Refusal":
        """From a Flask response."""
        headers = [(k, v) for k, v in response.headers.items() if k.lower() != "content-length"]
        return cls(response.status_code, response.status.partition(" ")[2], headers,
                   response.get_data())


def check_headers(app, method: str, path: str, headers: dict, address: str) -> Refusal | None:
    """The refusal a request earns from its headers alone (waitress's header names:
    upper case, ``_`` for ``-``), or None to read its body and call the app."""
    from ..hub import address as addresses, api
    from ..hub.web import TRUSTED_PROXIES

    try:
        length = int(headers.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0  # waitress has already refused it as a bad request
    if app.config["ROLE"] == "hub" and path == api.RECORDS_PATH and method == "POST":
        client = addresses.client_address(address, headers.get("X_FORWARDED_FOR"),
                                          app.extensions.get(TRUSTED_PROXIES, ()))
        with app.app_context():
            _, refusal = api.authorise(headers.get("AUTHORIZATION", ""), length, client)
            return Refusal.of(refusal) if refusal is not None else None
    limit = body_limit(app.config, path)
    if length > limit:
        return Refusal(413, "Request Entity Too Large",
                       [("Content-Type", "text/plain; charset=utf-8")],
                       f"Request Entity Too Large: at most {limit} bytes.\n".encode())
    return None


def _channel_class(app):
    """A waitress channel whose requests are checked once their headers are in."""
    class Parser(HTTPRequestParser):
        address = ""
        checked = False

        def received(self, data):
            consumed = super().received(data)
            too_large = isinstance(self.error, RequestEntityTooLarge)
            if self.headers_finished and not self.checked and (not self.completed or too_large):
                self.checked = True
                try:
                    refusal = check_headers(app, self.command, self.path, self.headers,
                                            self.address)
                except Exception:  # never let a check take the server's loop down
                    LOG.exception("checking the headers of %s %s", self.command, self.path)
                    refusal = None
                if refusal is not None:
                    self.error, self.completed = refusal, True
                    self.expect_continue = False  # no "100 Continue" for a refused body
            return consumed

    class Channel(HTTPChannel):
        def __init__(self, server, sock, addr, adj, map=None):
            address = addr[0] if isinstance(addr, tuple) and addr else ""

            def parser(adj):
                made = Parser(adj)
                made.address = address
                return made
            self.parser_class = parser
            super().__init__(server, sock, addr, adj, map)

    return Channel


def serve(app, *, host: str, port: int, threads: int, proxy_headers: bool = False) -> None:
    """Serve ``app`` until interrupted (what `kiosk serve` runs); ``proxy_headers`` lets
    X-Forwarded-* reach the app, which then trusts them only from its configured proxies."""
    sockets: dict = {}
    server = create_server(app, map=sockets, host=host, port=port, threads=threads,
                           ident="kiosk", clear_untrusted_proxy_headers=not proxy_headers,
                           **limits(app.config))
    channel = _channel_class(app)
    for dispatcher in list(sockets.values()):
        if isinstance(dispatcher, BaseWSGIServer):
            dispatcher.channel_class = channel
    server.run()
