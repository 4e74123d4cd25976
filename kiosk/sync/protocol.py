"""The wire formats between kiosk and hub, shared by both sides. Pure functions.

- A batch (``POST /api/v1/records``): ``{"records": [{"id", "content_hash", "payload"}]}``.
- Its acknowledgement: ``{"api": API, "results": [{"index", "id", "status", "reason"?}]}``,
  one result per item, in order. Only this structured answer counts as delivery: a
  captive portal's HTML page with status 200 is not one.
- A USB transfer: the kiosk writes a *records file* (its device id, the records, an HMAC);
  ``kiosk hub import`` answers with a *receipt file* (the per-item statuses, an HMAC).
- A *hub message* (hub -> one kiosk, e.g. the mediators' roster): a signed envelope
  ``{"format", "device", "kind", "version", "issued_at", "body", "signature"}`` that
  the kiosk checks with :func:`read_hub_message` before using its body.

Both files are signed with HMAC-SHA256 keyed by the SHA-256 of the device's token: the
kiosk knows the token, the hub keeps only that hash, so each side can check the other's
file without the token ever travelling on the key.
"""
from __future__ import annotations

import hashlib
import hmac
import json
from typing import Iterable, Mapping

API = "kiosk-hub/1"
RECORDS_FORMAT = "kiosk-records/1"
RECEIPT_FORMAT = "kiosk-receipt/1"
MESSAGE_FORMAT = "kiosk-hub-message/1"

STORED, ALREADY, CONFLICT, INVALID = "stored", "already", "conflict", "invalid"
# Not now: the record's week is after the hub's current week. Neither delivered nor
# refused: the kiosk keeps it pending and sends it again at a later sync.
LATER = "later"
STATUSES = (STORED, ALREADY, CONFLICT, INVALID, LATER)
# Delivered: the hub holds this exact record. Refused: it never will, resending is useless.
DELIVERED = {STORED, ALREADY}
REFUSED = {CONFLICT, INVALID}


class NotAnAcknowledgement(ValueError):
    """The answer is not the hub's acknowledgement (a portal page, a proxy error...)."""


class BadFile(ValueError):
    """A records or receipt file that cannot be used (wrong format, signature, device)."""


def token_hash(token: str) -> str:
    """The SHA-256 of a device token, as the hub stores it (tokens are long and random,
    so an unsalted hash is enough: there is nothing to guess)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def device_of_token(token: str) -> int | None:
    """The device id a token starts with (``<id>.<secret>``), or None if malformed."""
    head, dot, secret = token.partition(".")
    return int(head) if dot and head.isdigit() and secret else None


def batch_body(records: Iterable[Mapping]) -> bytes:
    """The JSON body of a batch of outbox rows (``id``, ``content_hash``, ``payload``).

    Each payload is the canonical JSON text frozen at completion, spliced in as it is
    (the caller has checked it parses): sent byte for byte as it was hashed, and no
    decode/encode round trip per record.
    """
    parts = ['{"id":%s,"content_hash":%s,%s"payload":%s}'
             % (json.dumps(r["id"]), json.dumps(r["content_hash"]),
                '"mac":%s,' % json.dumps(r["mac"]) if r.get("mac") else "", r["payload"])
             for r in records]
    return ('{"records":[' + ",".join(parts) + "]}").encode("utf-8")


def item(record: Mapping) -> dict:
    """One record as it travels: id, the hash frozen with it, its MAC when it has one
    (:func:`record_mac`), the payload as an object."""
    payload = record["payload"]
    travelling = {"id": record["id"], "content_hash": record["content_hash"]}
    if record.get("mac"):
        travelling["mac"] = record["mac"]
    travelling["payload"] = json.loads(payload) if isinstance(payload, str) else payload
    return travelling


def parse_acknowledgement(status: int, content_type: str, body: bytes,
                          sent_ids: Iterable[str]) -> dict[str, tuple[str, str | None]]:
    """``id -> (status, reason)`` from the hub's answer to a batch of ``sent_ids``.

    Raises NotAnAcknowledgement unless the answer is the hub's structured JSON: a 200
    with an HTML page (a captive portal) or any other shape is not a delivery. Results
    for ids that were not sent are ignored; sent ids the hub did not mention stay
    pending (they are simply absent from the mapping).
    """
    if status != 200:
        raise NotAnAcknowledgement(f"HTTP {status}")
    if not content_type.split(";")[0].strip().lower() == "application/json":
        raise NotAnAcknowledgement(f"HTTP 200 with {content_type or 'no content type'}, "
                                   "not the hub's JSON (a captive portal?)")
    try:
        answer = json.loads(body)
    except (ValueError, RecursionError) as exc:
        raise NotAnAcknowledgement(f"unreadable JSON ({exc})") from None
    if not isinstance(answer, dict) or answer.get("api") != API \
            or not isinstance(answer.get("results"), list):
        raise NotAnAcknowledgement("JSON that is not a kiosk-hub acknowledgement")
    sent = set(sent_ids)
    acks = {}
    for result in answer["results"]:
        if not isinstance(result, dict):
            raise NotAnAcknowledgement("an acknowledgement result is not an object")
        rid, status_ = result.get("id"), result.get("status")
        if rid in sent and status_ in STATUSES:
            reason = result.get("reason")
            acks[rid] = (status_, str(reason)[:500] if reason is not None else None)
    return acks


def record_mac(device: int, record_id: str, content_hash: str, key_hash: str) -> str:
    """The MAC binding one record to its device: HMAC-SHA256, keyed like the files by the
    SHA-256 of the device's token, over the device id, the record id and the payload's
    hash. Another kiosk cannot make it, so a copy of the record posted with another
    token does not verify for that token."""
    message = _CANONICAL.encode({"content_hash": content_hash, "device": device,
                                 "id": record_id}).encode("utf-8")
    return hmac.new(key_hash.encode("ascii"), message, hashlib.sha256).hexdigest()


# One encoder: json.dumps with options builds a new one per call, a cost paid per record.
_CANONICAL = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def canonical(document: Mapping) -> bytes:
    """Canonical JSON bytes of a document (what is signed)."""
    return _CANONICAL.encode(document).encode("utf-8")


def sign(document: Mapping, key_hash: str) -> dict:
    """``document`` with its ``signature`` (HMAC-SHA256 keyed by the token's hash)."""
    unsigned = {k: v for k, v in document.items() if k != "signature"}
    mac = hmac.new(key_hash.encode("ascii"), canonical(unsigned), hashlib.sha256)
    return dict(unsigned, signature=mac.hexdigest())


def signature_ok(document: Mapping, key_hash: str) -> bool:
    """True when ``document['signature']`` was made with ``key_hash``."""
    given = document.get("signature")
    return isinstance(given, str) and hmac.compare_digest(
        sign(document, key_hash)["signature"], given)


def records_file(device: int, records: Iterable[Mapping], key_hash: str,
                 health: Mapping | None = None) -> dict:
    """The signed document ``kiosk sync --to-file`` writes: the device id, its records
    exactly as the records API receives them (:func:`item`), the format and the
    signature. Nothing more: a USB key is the channel most easily lost, so it carries
    no site code, no commune and no time (the hub knows the site from its device table).
    ``health``, when given, is the kiosk's health report (kiosk.ops.health), as a network
    sync sends it; a hub of an earlier release ignores it.
    """
    document = {"format": RECORDS_FORMAT, "device": device,
                "records": [item(r) for r in records]}
    if health is not None:  # kiosk.ops.health: version and kiosk doctor's counts only
        document["health"] = dict(health)
    return sign(document, key_hash)


def receipt_file(device: int, results: list[dict], key_hash: str, *, imported_at: str,
                 source_sha256: str, accepts: Mapping | None = None,
                 roster: Mapping | None = None, data: Mapping | None = None) -> dict:
    """The signed receipt ``kiosk hub import`` writes for the kiosk, with the record
    versions the hub accepts (``accepts``: the kiosk writes only those next time), the
    mediators' roster and the data published for kiosks (hub messages of their own, for
    a kiosk with no network)."""
    document = {"format": RECEIPT_FORMAT, "device": device, "imported_at": imported_at,
                "source_sha256": source_sha256, "results": results}
    if accepts is not None:
        document["accepts"] = dict(accepts)
    if roster is not None:
        document["roster"] = dict(roster)
    if data is not None:
        document["data"] = dict(data)
    return sign(document, key_hash)


def check_file(document, expected_format: str) -> dict:
    """Basic shape of a records or receipt file (raises BadFile)."""
    if not isinstance(document, dict) or document.get("format") != expected_format:
        raise BadFile(f"not a {expected_format} file")
    if not isinstance(document.get("device"), int) or isinstance(document["device"], bool):
        raise BadFile("the file names no device")
    key = "records" if expected_format == RECORDS_FORMAT else "results"
    if not isinstance(document.get(key), list):
        raise BadFile(f"the file has no {key} list")
    return document


def read_receipt(document, token: str) -> dict[str, tuple[str, str | None]]:
    """``id -> (status, reason)`` from a receipt meant for the kiosk holding ``token``."""
    check_file(document, RECEIPT_FORMAT)
    if document["device"] != device_of_token(token):
        raise BadFile(f"this receipt is for device {document['device']}, not this kiosk")
    if not signature_ok(document, token_hash(token)):
        raise BadFile("the receipt's signature does not match this kiosk's token")
    acks = {}
    for result in document["results"]:
        if isinstance(result, dict) and isinstance(result.get("id"), str) \
                and result.get("status") in STATUSES:
            acks[result["id"]] = (result["status"], result.get("reason"))
    return acks


def hub_message(device: int, kind: str, body: Mapping, key_hash: str, *, issued_at: str,
                version: int = 1) -> dict:
    """A signed message from the hub to the kiosk ``device`` (keyed like the files).

    ``kind`` names what the body is (e.g. "roster"), ``version`` its layout, so a kiosk
    can refuse a layout newer than it understands; ``issued_at`` lets it keep the newest.
    """
    return sign({"format": MESSAGE_FORMAT, "device": device, "kind": kind,
                 "version": version, "issued_at": issued_at, "body": dict(body)}, key_hash)


def read_hub_message(document, token: str, understood: Mapping[str, Iterable[int]]) -> dict:
    """The verified message (its ``kind``, ``version``, ``issued_at``, ``body``) meant
    for the kiosk holding ``token``; raises BadFile for anything else: another
    format, another kiosk's, altered, or a kind or version not in ``understood``."""
    if not isinstance(document, dict) or document.get("format") != MESSAGE_FORMAT:
        raise BadFile(f"not a {MESSAGE_FORMAT} message")
    if document.get("device") != device_of_token(token):
        raise BadFile(f"this message is for device {document.get('device')}, not this kiosk")
    if not signature_ok(document, token_hash(token)):
        raise BadFile("the message's signature does not match this kiosk's token")
    kind, version = document.get("kind"), document.get("version")
    if not isinstance(kind, str) or version not in tuple(understood.get(kind, ())):
        raise BadFile(f"a {kind!r} message of version {version!r}: this kiosk does not "
                      "understand it (upgrade the kiosk)")
    if not isinstance(document.get("body"), dict) or not isinstance(
            document.get("issued_at"), str):
        raise BadFile("the message has no body or no date")
    return {k: document[k] for k in ("kind", "version", "issued_at", "body")}
