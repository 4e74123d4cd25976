"""`kiosk hub import`: a kiosk's USB file through the same path as the API, and its receipt."""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date, datetime

from ..sync import contract
from ..sync.protocol import (RECORDS_FORMAT, BadFile, check_file, hub_message, receipt_file,
                             signature_ok)
from . import ingest, mediators, publish, store


@dataclass(frozen=True)
class Imported:
    device_id: int
    counts: dict
    receipt: dict
    health: str = "none"  # the health report the file carried: stored, none, or why not


def import_file(db, raw: bytes, now: datetime, chunk: int, start: date) -> Imported:
    """Store the records of a records file (``raw`` bytes) and build its signed receipt.

    The device is the one the file names, and the file must carry that device's
    signature (HMAC keyed by its token hash): a file from an unknown or revoked
    device, or altered on the way, raises BadFile and stores nothing. Records go
    through :func:`ingest.receive` in chunks of ``chunk``, so importing the same file
    twice stores nothing the second time. ``start`` is the start of service.
    """
    try:
        document = check_file(json.loads(raw), RECORDS_FORMAT)
    except RecursionError:
        raise BadFile("JSON nested too deep to be a records file") from None
    device = store.device_by_id(db, document["device"])
    if device is None:
        raise BadFile(f"unknown device {document['device']}")
    if device["revoked_at"]:
        raise BadFile(f"device {device['id']} is revoked")
    if not signature_ok(document, device["token_hash"]):
        raise BadFile(f"the signature does not match device {device['id']}'s token "
                      "(a file altered, or made by another kiosk)")
    records, results = document["records"], []
    for first in range(0, len(records), chunk):
        part = ingest.receive(db, device, records[first:first + chunk], now, start)
        results += [dict(r, index=r["index"] + first) for r in part]
    receipt = receipt_file(
        device["id"], [{k: r[k] for k in ("id", "status", "reason") if k in r}
                       for r in results if r["id"] is not None],
        device["token_hash"], imported_at=now.isoformat(),
        source_sha256=hashlib.sha256(raw).hexdigest(), accepts=contract.advertisement(),
        roster=roster_for(db, device, now), data=publish.message_if_any(db, device, now))
    return Imported(device["id"], ingest.summary(results), receipt,
                    _keep_health(db, device["id"], document.get("health"), now))


def _keep_health(db, device_id: int, report, now: datetime) -> str:
    """Keep the health report a records file carries (the bus, a USB-only kiosk: their
    only way to report); one the allow-list refuses is left out, the records still in."""
    from ..ops import health

    if report is None:
        return "none"
    try:
        store.save_health(db, device_id, health.parse(report), now)
    except ValueError as exc:
        return f"left out ({exc})"
    return "stored"


def roster_for(db, device, now: datetime) -> dict:
    """The mediators' roster signed for ``device`` (a hub message, as GET
    /api/v1/roster answers it): the receipt carries it to a kiosk with no network."""
    body = mediators.roster(db, device["id"], now)
    return hub_message(device["id"], mediators.ROSTER_KIND, body, device["token_hash"],
                       issued_at=now.isoformat(timespec="seconds"),
                       version=mediators.ROSTER_VERSION)
