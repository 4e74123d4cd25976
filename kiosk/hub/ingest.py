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

from ..sync import anonymise, contract
from ..storage.db import write_transaction
from ..sync.protocol import INVALID, STATUSES, record_mac
from . import events, openapi, store, tally
from .weeks import Window

# Compiled once per accepted record version: fastjsonschema turns the schema into Python
# code, about thirty times faster than an interpreting validator, which keeps ingestion
# near raw insert speed. The item is checked against the version its payload declares.
_CHECKS = {(kind, version): fastjsonschema.compile(openapi.item_schema(
               contract.payload_schema(kind, version)))
           for kind, versions in contract.ACCEPTED.items() for version in versions}
_check_shape = fastjsonschema.compile(openapi.item_schema({"type": "object"}))


def _check_item(item) -> None:
    """Raise JsonSchemaValueException unless ``item`` is a record of an accepted version."""
    payload = item.get("payload") if isinstance(item, dict) else None
    check = _CHECKS.get(contract.version_of(payload)) if isinstance(payload, dict) else None
    if check is None:
        _check_shape(item)  # what is wrong with the item itself, if anything
        kind, version = contract.version_of(payload)
        raise fastjsonschema.JsonSchemaValueException(
            f"record kind {kind!r} version {version!r} is not one this hub accepts "
            f"(GET /api/v1/contract)")
    check(item)


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


def unbound(item: dict, row: tuple, device: dict) -> str | None:
    """Why ``item`` (prepared as ``row``) is not bound to ``device``, or None when it is.

    A record carries a MAC keyed by its own device's token hash (protocol.record_mac):
    one copied from another kiosk (off a USB key, say) does not verify for the device
    posting it, and is refused for that poster alone. First-release kiosks sent no MAC:
    a version 1 record may come without one; from version 2 on it is required.
    """
    mac = item.get("mac")
    if mac is None:
        return None if item["payload"].get("schema_version") == 1 else \
            "no MAC: a record of version 2 or later must carry its device's MAC"
    if mac != record_mac(device["id"], row[0], row[2], device["token_hash"]):
        return "the MAC does not verify for this device (a record of another kiosk?)"
    return None


def receive(db, device: dict, items: list, now: datetime, start: date) -> list[dict]:
    """Store the valid ``items`` sent by ``device``; one result per item, in order.

    ``start`` is the start of service (KIOSK_HUB_SERVICE_START): the weeks accepted run
    from its week to ``now``'s (ValueError if ``now`` is before it: the hub's clock is
    wrong). A result is ``{"index", "id", "status"}`` plus ``reason`` for an item not
    stored (invalid, or later).
    Stored records, their counts and the device's last-seen time commit together.
    """
    window = Window(start, now.date())
    results, rows, payloads, unbound_count = [], [], [], 0
    for index, item in enumerate(items):
        rid = item.get("id") if isinstance(item, dict) else None
        result = {"index": index, "id": rid if isinstance(rid, str) else None}
        row, refused = prepare(item, window)
        if row is not None:
            why = unbound(item, row, device)
            refused = (INVALID, why) if why else None
            row = None if why else row
            unbound_count += why is not None
        if row is None:
            result.update(status=refused[0], reason=refused[1])
        else:
            rows.append(row)
            payloads.append(item["payload"])
        results.append(result)
    with write_transaction(db):
        statuses, shared = store.insert_records(db, device["id"], rows, now)
        stored = [p for p, status in zip(payloads, statuses) if status == "stored"]
        store.add_tally(db, tally.counts(device, stored))
        store.touch_device(db, device["id"], now, len(stored))
    if unbound_count:  # another kiosk's records, or a kiosk that lost its key
        events.log("records_not_bound_to_device", device=device["id"], records=unbound_count)
    if shared:  # a UUID never repeats by chance: a copy of one device's records
        events.log("record_ids_on_two_devices", device=device["id"], records=len(shared),
                   other_devices=sorted(set(shared.values())))
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
