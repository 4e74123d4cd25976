"""The records API described once: JSON Schemas used to validate what kiosks send, and
the OpenAPI 3.1 document built from the same schemas (served at /api/v1/openapi.json).

The payload schema is the anonymisation allow-list seen from the hub: no other field is
accepted, and every text value is a short code or a fixed format, so free text cannot
travel inside a record even from a tampered kiosk.
"""
from __future__ import annotations

from ..anonymise import ALLOWED_FIELDS
from ..protocol import API, STATUSES

CODE = {"type": "string", "pattern": "^[A-Za-z0-9_+-]{1,40}$"}
CODE_OR_NULL = {"type": ["string", "null"], "pattern": "^[A-Za-z0-9_+-]{1,40}$"}
EPCI = {"type": ["string", "null"], "pattern": "^[0-9]{9}$", "description": "EPCI SIREN"}

PAYLOAD = {
    "type": "object",
    "description": "The anonymised record frozen on the kiosk (kiosk/anonymise.py).",
    "additionalProperties": False,
    "required": list(ALLOWED_FIELDS),
    "properties": {
        "schema_version": {"const": 1},
        "questionnaire_id": CODE,
        "questionnaire_version": {"type": "string", "pattern": "^[A-Za-z0-9_.+-]{1,20}$"},
        "site_epci": EPCI,
        "residence_epci": EPCI,
        "week": {"type": "string", "pattern": "^[0-9]{4}-W(0[1-9]|[1-4][0-9]|5[0-3])$",
                 "description": "ISO 8601 week"},
        "mode": {"enum": ["self", "guided", None]},
        "language": {"type": ["string", "null"], "pattern": "^[a-z]{2,3}(_[A-Za-z]{2,4})?$"},
        "age_band": CODE_OR_NULL,
        "situation": CODE_OR_NULL,
        "levels": {"type": "object", "maxProperties": 20, "propertyNames": CODE,
                   "additionalProperties": {"enum": [0, 1, 2]}},
        "indicators": {"type": "object", "maxProperties": 20, "propertyNames": CODE,
                       "additionalProperties": {"type": "boolean"}},
        "profile": CODE_OR_NULL,
        "needs": {"type": "array", "maxItems": 30, "items": CODE},
        "offers": {"type": "array", "maxItems": 30, "items": CODE},
        "complete": {"type": "boolean"},
        "last_screen": CODE_OR_NULL,
    },
}

RECORD_ID = {"type": "string", "description": "UUID made on the kiosk",
             "pattern": "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"}

ITEM = {
    "type": "object",
    "additionalProperties": False,
    "required": ["id", "payload"],
    "properties": {
        "id": RECORD_ID,
        "content_hash": {"type": "string", "pattern": "^[0-9a-f]{64}$",
                         "description": "SHA-256 of the payload's canonical JSON, as frozen "
                                        "on the kiosk; when given it must match"},
        "payload": PAYLOAD,
    },
}


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

ACK = {
    "type": "object", "required": ["api", "results", "counts"],
    "properties": {
        "api": {"const": API},
        "results": {"type": "array", "items": {"$ref": "#/components/schemas/Result"}},
        "counts": {"type": "object", "additionalProperties": {"type": "integer"}},
    },
}

ERROR = {"type": "object", "required": ["api", "error"],
         "properties": {"api": {"const": API}, "error": {"type": "string"}}}


def _error(description: str) -> dict:
    return {"description": description, "content": {"application/json": {
        "schema": {"$ref": "#/components/schemas/Error"}}}}


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
                        "Error": ERROR},
        },
    }
