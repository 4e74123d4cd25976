"""The records API described once: JSON Schemas used to validate what kiosks send, and
the OpenAPI 3.1 document built from the same schemas (served at /api/v1/openapi.json).

The payload schema is the anonymisation allow-list seen from the hub: no other field is
accepted, and every text value is a short code or a fixed format, so free text cannot
travel inside a record even from a tampered kiosk.
"""
from __future__ import annotations

from ..sync import contract
from ..sync.protocol import API, STATUSES


def payload_ref(kind: str, version: int) -> str:
    """The name of a record version's schema in the document's components."""
    return f"Payload_{kind}_{version}"


# One schema per record version the hub accepts, all from kiosk/sync/contract.py (the
# anonymisation allow-list seen from the hub: no other field is accepted).
PAYLOADS = {payload_ref(kind, version): contract.payload_schema(kind, version)
            for kind, versions in contract.ACCEPTED.items() for version in versions}

RECORD_ID = {"type": "string", "description": "UUID made on the kiosk",
             "pattern": "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"}


def item_schema(payload: dict) -> dict:
    """An item of a batch whose payload follows ``payload``."""
    return {
        "type": "object",
        "additionalProperties": False,
        "required": ["id", "payload"],
        "properties": {
            "id": RECORD_ID,
            "content_hash": {"type": "string", "pattern": "^[0-9a-f]{64}$",
                             "description": "SHA-256 of the payload's canonical JSON, as "
                                            "frozen on the kiosk; when given it must match"},
            "mac": {"type": "string", "pattern": "^[0-9a-f]{64}$",
                    "description": "HMAC-SHA256 keyed by the SHA-256 of the device's token "
                                   "over {device, id, content_hash} (canonical JSON): "
                                   "binds the record to the device posting it. Required "
                                   "from version 2 on; when given it must verify"},
            "payload": payload,
        },
    }


ITEM = item_schema({"description": "The anonymised record frozen on the kiosk, in one of "
                                   "the versions the hub accepts (see /api/v1/contract)",
                    "oneOf": [{"$ref": f"#/components/schemas/{name}"} for name in PAYLOADS]})


def batch_schema(max_records: int) -> dict:
    """A batch: ``{"records": [...]}`` with at most ``max_records`` items."""
    return {"type": "object", "required": ["records"], "additionalProperties": False,
            "properties": {"records": {"type": "array", "minItems": 1,
                                       "maxItems": max_records,
                                       "items": {"$ref": "#/components/schemas/Item"}}}}


RESULT = {
    "type": "object", "required": ["index", "id", "status"],
    "properties": {
        "index": {"type": "integer", "minimum": 0},
        "id": {"type": ["string", "null"]},
        "status": {"enum": list(STATUSES)},
        "reason": {"type": "string"},
    },
}

ACCEPTS = {"type": "object", "description": "Record kind -> the versions the hub accepts "
                                           "(a version once accepted stays accepted)",
           "additionalProperties": {"type": "array", "items": {"type": "integer"}}}

CONTRACT = {
    "type": "object", "required": ["api", "accepts"],
    "properties": {"api": {"const": API}, "accepts": {"$ref": "#/components/schemas/Accepts"}},
}

ACK = {
    "type": "object", "required": ["api", "results", "counts", "accepts"],
    "properties": {
        "api": {"const": API},
        "accepts": {"$ref": "#/components/schemas/Accepts"},
        "results": {"type": "array", "items": {"$ref": "#/components/schemas/Result"}},
        "counts": {"type": "object", "additionalProperties": {"type": "integer"}},
    },
}

ERROR = {"type": "object", "required": ["api", "error"],
         "properties": {"api": {"const": API}, "error": {"type": "string"}}}


HUB_MESSAGE = {
    "type": "object", "additionalProperties": False,
    "required": ["format", "device", "kind", "version", "issued_at", "body", "signature"],
    "properties": {
        "format": {"const": "kiosk-hub-message/1"}, "device": {"type": "integer"},
        "kind": {"type": "string"}, "version": {"type": "integer"},
        "issued_at": {"type": "string", "format": "date-time"},
        "body": {"type": "object"},
        "signature": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
    },
}


def _error(description: str) -> dict:
    return {"description": description, "content": {"application/json": {
        "schema": {"$ref": "#/components/schemas/Error"}}}}


def health_schema() -> dict:
    """A health report (kiosk/ops/health.py): the version and closed vocabularies only."""
    from ..ops.doctor import CHECK_NAMES
    from ..ops.health import VERSION

    count = {"type": "integer", "minimum": 0, "maximum": len(CHECK_NAMES)}
    return {"type": "object", "additionalProperties": False,
            "required": ["version", "ok", "problems", "failing"],
            "properties": {"version": {"type": "string", "pattern": VERSION.pattern},
                           "ok": count, "problems": count,
                           "failing": {"type": "array", "uniqueItems": True,
                                       "items": {"enum": list(CHECK_NAMES)}}}}


def document(max_records: int, max_bytes: int) -> dict:
    """The OpenAPI 3.1 document of the records API."""
    return {
        "openapi": "3.1.0",
        "info": {"title": "Diagnostic numérique de l'Allier: hub records API",
                 "version": API,
                 "description": "Kiosks push anonymised records. Each item is answered on "
                                "its own: an item that does not match the schema is "
                                "answered `invalid` with the reason; the batch is refused "
                                "only when it is not a batch at all."},
        "paths": {
            "/api/v1/records": {"post": {
                "operationId": "postRecords",
                "summary": "Store a batch of records (idempotent by record id)",
                "description": f"At most {max_records} records and {max_bytes} bytes. "
                               "stored: new; already: same id and content hash; conflict: "
                               "same id, other content; invalid: see reason (a week that "
                               "does not exist, or before the start of service, is "
                               "invalid); later: a week after the hub's current week, "
                               "neither stored nor refused: send it again later. The token "
                               "and the size are checked on the headers, before the body "
                               "is read.",
                "security": [{"deviceToken": []}],
                "requestBody": {"required": True, "content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/Batch"}}}},
                "responses": {
                    "200": {"description": "One result per item, in order",
                            "content": {"application/json": {
                                "schema": {"$ref": "#/components/schemas/Acknowledgement"}}}},
                    "400": _error("Malformed JSON, or not a batch"),
                    "401": _error("Missing, unknown or revoked device token"),
                    "413": _error("Too many records or too many bytes"),
                    "503": _error("The hub's clock is before its start of service: "
                                  "nothing stored, retry later"),
                },
            }},
            "/api/v1/contract": {"get": {
                "operationId": "getContract",
                "summary": "The record kinds and versions this hub accepts",
                "description": "A kiosk sends only records of these versions and keeps "
                               "the others pending until its hub is upgraded. Every "
                               "acknowledgement carries the same `accepts`. A hub "
                               "without this path (404) is a first-release hub: it "
                               "accepts diagnostic version 1 only.",
                "security": [],
                "responses": {"200": {"description": "What the hub accepts",
                                      "content": {"application/json": {
                                          "schema": {"$ref": "#/components/schemas/"
                                                             "Contract"}}}}},
            }},
            "/api/v1/roster": {"get": {
                "operationId": "getRoster",
                "summary": "The mediators' roster, signed for the asking kiosk",
                "description": "A hub message (format kiosk-hub-message/1, kind `roster`, "
                               "version 1) signed with HMAC-SHA256 keyed by the SHA-256 of "
                               "the kiosk's token. Its body lists every mediator: name, "
                               "structure, active, and the scrypt hash of their unlock code "
                               "(empty when disabled or withdrawn). The hub notes which "
                               "codes each kiosk received: revoking a kiosk withdraws them.",
                "security": [{"deviceToken": []}],
                "responses": {
                    "200": {"description": "The signed roster",
                            "content": {"application/json": {
                                "schema": {"$ref": "#/components/schemas/HubMessage"}}}},
                    "401": _error("Missing, unknown or revoked device token"),
                },
            }},
            "/api/v1/data": {"get": {
                "operationId": "getData",
                "summary": "The data published for kiosks, signed for the asking kiosk",
                "description": "A hub message (format kiosk-hub-message/1, kind `data`, "
                               "version 1) signed like the roster. Its body's "
                               "`publications` maps each kind published (`places`, "
                               "`stops`, `offers`) to the latest file of that kind: "
                               "`name`, `content` (the file's text), `sha256` and "
                               "`published_at`. A kiosk checks each file again before "
                               "using it and keeps what it had when it is bad.",
                "security": [{"deviceToken": []}],
                "responses": {
                    "200": {"description": "The signed publications",
                            "content": {"application/json": {
                                "schema": {"$ref": "#/components/schemas/HubMessage"}}}},
                    "401": _error("Missing, unknown or revoked device token"),
                },
            }},
            "/api/v1/health": {"post": {
                "operationId": "postHealth",
                "summary": "A kiosk's health report, sent with its syncs",
                "description": "The kiosk's version and the counts of `kiosk doctor`, with "
                               "the names of the failing checks: nothing else is taken. "
                               "The latest report of each kiosk is kept.",
                "security": [{"deviceToken": []}],
                "requestBody": {"required": True, "content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/Health"}}}},
                "responses": {
                    "200": {"description": "Kept", "content": {"application/json": {
                        "schema": {"type": "object", "required": ["api", "stored"],
                                   "properties": {"api": {"type": "string"},
                                                  "stored": {"const": True}}}}}},
                    "400": _error("Not a health report"),
                    "401": _error("Missing, unknown or revoked device token"),
                },
            }},
            "/api/v1/openapi.json": {"get": {
                "operationId": "getOpenApi",
                "summary": "This document",
                "security": [],
                "responses": {"200": {"description": "The OpenAPI document",
                                      "content": {"application/json": {
                                          "schema": {"type": "object"}}}}},
            }},
        },
        "components": {
            "securitySchemes": {"deviceToken": {"type": "http", "scheme": "bearer",
                                                "description": "The token printed by "
                                                "`kiosk hub device add`"}},
            "schemas": {"Batch": batch_schema(max_records), "Item": ITEM,
                        "Acknowledgement": ACK, "Result": RESULT,
                        "Error": ERROR, "Accepts": ACCEPTS, "Contract": CONTRACT,
                        "HubMessage": HUB_MESSAGE, "Health": health_schema(),
                        **PAYLOADS},
        },
    }
