"""Receiving records: the one idempotent path shared by the API and `kiosk hub import`.

Each item is checked on its own (schema, declared hash, week: kiosk.hub.weeks); the
valid ones are stored by
their unique id and counted in the tally in ONE transaction, so the counts always
match the records acknowledged, whatever crashes or retries happen around it.
"""
from __future__ import annotations

import hashlib
from datetime import date, datetime

import fastjsonschema

from .. import anonymise
from ..db import write_transaction
from ..protocol import INVALID, STATUSES
from . import openapi, store, tally
from .weeks import Window

# Compiled once: fastjsonschema turns the schema into Python code, about thirty times
# faster than an interpreting validator, which keeps ingestion near raw insert speed.
_check_item = fastjsonschema.compile(openapi.ITEM)


def prepare(item, window: Window) -> tuple[tuple | None, tuple[str, str] | None]:
    """``((id, week, content_hash, canonical payload), None)`` for a valid record, or
    ``(None, (status, why))`` when ``item`` cannot be stored: INVALID, or LATER for a
    week after the hub's (see kiosk.hub.weeks)."""
    try:
        _check_item(item)
    except fastjsonschema.JsonSchemaValueException as exc:
        return None, (INVALID, exc.message)
    payload = item["payload"]
    refused = window.verdict(payload["week"])
    if refused:
        return None, refused
    text = anonymise.canonical(payload)
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    declared = item.get("content_hash")
    if declared is not None and declared != digest:
        return None, (INVALID, "content_hash does not match the payload (altered after it "
                               "was frozen?)")
    return (item["id"], payload["week"], digest, text), None


def receive(db, device: dict, items: list, now: datetime, start: date) -> list[dict]:
    """Store the valid ``items`` sent by ``device``; one result per item, in order.

    ``start`` is the start of service (KIOSK_HUB_SERVICE_START): the weeks accepted run
    from its week to ``now``'s (ValueError if ``now`` is before it: the hub's clock is
    wrong). A result is ``{"index", "id", "status"}`` plus ``reason`` for an item not
    stored (invalid, or later).
    Stored records, their counts and the device's last-seen time commit together.
    """
    window = Window(start, now.date())
    results, rows, payloads = [], [], []
    for index, item in enumerate(items):
        rid = item.get("id") if isinstance(item, dict) else None
        result = {"index": index, "id": rid if isinstance(rid, str) else None}
        row, refused = prepare(item, window)
        if row is None:
            result.update(status=refused[0], reason=refused[1])
        else:
            rows.append(row)
            payloads.append(item["payload"])
        results.append(result)
    with write_transaction(db):
        statuses = store.insert_records(db, device["id"], rows, now)
        stored = [p for p, status in zip(payloads, statuses) if status == "stored"]
        store.add_tally(db, tally.counts(device, stored))
        store.touch_device(db, device["id"], now, len(stored))
    pending = iter(statuses)
    for result in results:
        if "status" not in result:
            result["status"] = next(pending)
    return results


def summary(results: list[dict]) -> dict[str, int]:
    """How many results of each status (every status present)."""
    counts = dict.fromkeys(STATUSES, 0)
    for result in results:
        counts[result["status"]] += 1
    return counts
