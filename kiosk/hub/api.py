"""The records API kiosks push to: ``POST /api/v1/records``, ``GET /api/v1/contract``
(the record versions accepted), ``GET /api/v1/roster`` (the mediators, signed for the
asking kiosk), ``GET /api/v1/data`` (the data published for kiosks, signed likewise),
``GET /api/v1/openapi.json``.

Checks run in this order, and each refusal stores nothing: the device token (401), the
size (413), both from the headers alone (`kiosk serve` makes them before reading the
body), then the JSON (400), the batch shape (400, or 413 for too many records). A
batch that passes is answered 200 with one status per item.
"""
from __future__ import annotations

import json
from datetime import datetime, timezone

from flask import Blueprint, current_app, jsonify, request
from werkzeug.exceptions import HTTPException, default_exceptions

from ..sync import contract
from ..storage.db import get_db, write_transaction
from ..sync.protocol import API, device_of_token, token_hash
from . import events, ingest, openapi, store, weeks
from .web import client_address

bp = Blueprint("hub_api", __name__, url_prefix="/api/v1")
RECORDS_PATH = "/api/v1/records"


def _error(status: int, message: str, **headers):
    response = jsonify(api=API, error=message)
    response.status_code = status
    response.headers.update(headers)
    return response


def authorise(authorization: str, length: int | None, address: str):
    """``(device, None)`` for an upload the headers allow, else ``(None, refusal)``: 401
    without an active device's token, 413 for a Content-Length over the limit.

    Needs only the headers: `kiosk serve` runs it before reading the body (see
    kiosk/web/serving.py), and the view runs it again. A token that names no active device
    (unknown, revoked) is logged with its device number and the address, never itself.
    """
    scheme, _, token = authorization.partition(" ")
    token = token.strip()
    device = None
    if scheme.lower() == "bearer" and token:
        device = store.active_device_by_token_hash(get_db(), token_hash(token))
        if device is None:
            events.log("token_refused", device=device_of_token(token), address=address)
    if device is None:
        return None, _error(401, "missing, unknown or revoked device token",
                            **{"WWW-Authenticate": 'Bearer realm="kiosk-hub"'})
    limit = int(current_app.config["HUB_MAX_BATCH_BYTES"])
    if length is not None and length > limit:
        return None, _error(413, f"at most {limit} bytes per batch")
    return device, None


@bp.post("/records")
def post_records():
    """Store a batch; answer one status per item (see the OpenAPI document)."""
    device, refusal = authorise(request.headers.get("Authorization", ""),
                                request.content_length, client_address())
    if refusal is not None:
        return refusal
    cfg = current_app.config
    # A body without Content-Length (chunked) is measured as it is read.
    request.max_content_length = int(cfg["HUB_MAX_BATCH_BYTES"])
    raw = request.get_data(cache=False)  # 413 raised here when too big
    try:
        body = json.loads(raw)
    except (ValueError, RecursionError):  # RecursionError: nesting thousands deep
        return _error(400, "the body is not JSON")
    records = body.get("records") if isinstance(body, dict) else None
    if not isinstance(records, list) or not records or set(body) != {"records"}:
        return _error(400, 'expected {"records": [...]} with at least one record')
    if len(records) > int(cfg["HUB_MAX_BATCH_RECORDS"]):
        return _error(413, f"at most {cfg['HUB_MAX_BATCH_RECORDS']} records per batch")
    now, start = datetime.now(timezone.utc), weeks.service_start(cfg["HUB_SERVICE_START"])
    if now.date() < start:  # every week would look "later", or be refused: store nothing
        return _error(503, f"the hub's clock ({now:%Y-%m-%d}) is before its start of "
                           f"service ({start})", **{"Retry-After": "3600"})
    results = ingest.receive(get_db(), device, records, now, start)
    return jsonify(api=API, results=results, counts=ingest.summary(results),
                   accepts=contract.advertisement())


@bp.get("/roster")
def roster_message():
    """The mediators' roster, as a hub message signed for the asking kiosk."""
    from .transfer import roster_for

    return _signed_for_kiosk(roster_for)


@bp.get("/data")
def data_message():
    """The latest places, offers and stops published, as a hub message signed for the
    asking kiosk (kiosk/hub/publish.py)."""
    from .publish import message_for

    return _signed_for_kiosk(message_for)


def _signed_for_kiosk(message):
    """``message(db, device, now)`` for the kiosk whose token the request carries."""
    device, refusal = authorise(request.headers.get("Authorization", ""), None,
                                client_address())
    if refusal is not None:
        return refusal
    now = datetime.now(timezone.utc)
    _heard_from(device, now)
    return jsonify(message(get_db(), device, now))


def _heard_from(device, now) -> None:
    """Every call a kiosk makes tells the hub it is alive, records or not: a quiet
    agency's kiosk that syncs with nothing to send is not "silent" on the dashboard
    (a batch of records marks it as it is stored, kiosk.hub.ingest)."""
    with write_transaction(get_db()) as db:
        store.touch_device(db, device["id"], now, 0)


@bp.post("/health")
def post_health():
    """Keep the asking kiosk's health report: its version and `kiosk doctor`'s counts."""
    from ..ops import health

    device, refusal = authorise(request.headers.get("Authorization", ""),
                                request.content_length, client_address())
    if refusal is not None:
        return refusal
    request.max_content_length = 4096  # a report is under 300 bytes
    try:
        report = health.parse(json.loads(request.get_data(cache=False)))
    except (ValueError, RecursionError) as exc:
        return _error(400, f"not a health report: {exc}")
    now = datetime.now(timezone.utc)
    with write_transaction(get_db()) as db:
        store.save_health(db, device["id"], report, now)
        store.touch_device(db, device["id"], now, 0)
    return jsonify(api=API, stored=True)


@bp.get("/contract")
def contract_document():
    """The record kinds and versions this hub accepts (a kiosk asks before sending)."""
    return jsonify(api=API, accepts=contract.advertisement())


@bp.get("/openapi.json")
def openapi_document():
    """The OpenAPI 3.1 document of this API."""
    cfg = current_app.config
    return jsonify(openapi.document(int(cfg["HUB_MAX_BATCH_RECORDS"]),
                                    int(cfg["HUB_MAX_BATCH_BYTES"])))


def _json_errors(error: HTTPException):
    """Errors under /api/ answer JSON, as clients of an API expect (not an HTML page)."""
    return _error(error.code or 500, error.description or error.name)


def init_app(app) -> None:
    """Register the API; kiosks authenticate with their token, so no CSRF here.

    Call it after the other hub pages registered their error handlers: errors under
    /api/ then answer JSON, and every other path keeps the handler it had.
    """
    from .. import csrf

    csrf.exempt(bp)
    app.register_blueprint(bp)
    handlers = app.error_handler_spec[None]
    for code in (400, 401, 404, 405, 413, 415, 500):
        previous = handlers[code].get(default_exceptions[code])
        app.register_error_handler(code, _api_or(previous))
    app.register_error_handler(HTTPException, _api_or(handlers[None].get(HTTPException)))


def _api_or(previous):
    """An HTTP error handler: JSON under /api/, else ``previous`` (the resident error page
    excepted: it links to resident screens, which a hub does not serve)."""
    from ..web import site

    if previous is site.error_page:
        previous = None

    def handle(error: HTTPException):
        if request.path.startswith(bp.url_prefix + "/"):
            return _json_errors(error)
        return previous(error) if previous else error
    return handle
