"""Records by USB key, kiosk side: write the records file, apply the hub's receipt.

The bus may never see a network. ``kiosk sync --to-file`` writes every unsent record and
the kiosk's identity to a signed file and, once the file reads back intact from the key
(``usbkey``), marks the records "exported, awaiting receipt"; the hub's ``kiosk hub
import`` stores them through the same idempotent path as the API and writes a receipt;
``kiosk sync --receipt`` applies it. Until then a network sync sends the exported
records again: the hub deduplicates them.
"""
from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

from . import contract, protocol, roster, usbkey
from ..storage import store
from .client import bind, readable_unsent, too_new


def write_json(path: Path, document: dict) -> None:
    """Write ``document`` to ``path`` atomically and durably (the hub's receipt)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    usbkey.write_durably(path, encode(document))


def encode(document: dict) -> bytes:
    """The bytes of a records or receipt file."""
    return json.dumps(document, ensure_ascii=False, indent=1).encode("utf-8")


def records_file_name(device: int, now: datetime) -> str:
    """A file name saying which kiosk and when, for a USB key holding several."""
    return f"kiosk-{device}-{now.strftime('%Y%m%d-%H%M%S')}.records.json"


def export_to_file(db, path: str | Path, token: str, *, now: datetime,
                   health: dict | None = None) -> tuple[Path, int]:
    """Write the unsent records to ``path`` (a folder: a new file in it) and mark them
    exported, once the file is on the device and read back intact. Returns (file
    written, number of records); raises usbkey.Refused with nothing marked."""
    device = protocol.device_of_token(token)
    path = usbkey.destination(path, records_file_name(device, now))
    # Only the versions the hub accepts, once a receipt said which; before that, all
    # (apply_receipt keeps pending what a hub refuses for being too new).
    accepted = store.hub_accepts(db)
    records = bind(readable_unsent(db, lambda: now, accepted), token, accepted)
    ids = [r["id"] for r in records]
    document = protocol.records_file(device, records, protocol.token_hash(token), health)
    usbkey.write_verified(path, encode(document),
                          lambda raw: check_records_file(raw, token, device, ids))
    store.mark_exported(db, ids, now)
    store.log_sync(db, now, "file", "ok", left=len(records), detail=str(path))
    return path, len(records)


def check_records_file(raw: bytes, token: str, device: int, ids: list[str]) -> None:
    """Raise usbkey.Refused unless ``raw`` is a records file of ``device``, signed with
    its token, holding exactly the records ``ids`` (what will be marked exported)."""
    try:
        document = protocol.check_file(json.loads(raw), protocol.RECORDS_FORMAT)
    except (ValueError, RecursionError, protocol.BadFile) as exc:
        raise usbkey.Refused(f"the file read back is not a records file ({exc})") from None
    if document["device"] != device or \
            not protocol.signature_ok(document, protocol.token_hash(token)):
        raise usbkey.Refused("the file read back is not signed for this kiosk")
    found = [r.get("id") if isinstance(r, dict) else None for r in document["records"]]
    if sorted(found, key=str) != sorted(ids):
        raise usbkey.Refused("the file read back does not hold the records being exported")


def apply_receipt(db, raw: bytes, token: str, now: datetime) -> tuple[int, int]:
    """Apply a receipt file's statuses; returns (delivered, quarantined).

    Raises protocol.BadFile for a file that is not a receipt for this kiosk (or was
    altered, or carries a roster that is not this kiosk's): then nothing changes. The
    mediators' roster it carries is kept when newer than the one held.
    """
    try:
        document = json.loads(raw)
    except (ValueError, RecursionError) as exc:
        raise protocol.BadFile(f"not JSON ({exc})") from None
    acks = protocol.read_receipt(document, token)
    if document.get("roster") is not None:  # a hub of a release before rosters sends none
        roster.accept(db, document["roster"], token, now, "receipt")
    accepted = contract.accepts(document.get("accepts"))  # signed with the rest
    store.set_hub_accepts(db, accepted, now, "receipt")
    acks = _keep_too_new(db, acks, accepted)
    delivered, quarantined = store.apply_acknowledgements(db, acks, now)
    store.log_sync(db, now, "receipt", "ok", delivered=delivered, quarantined=quarantined,
                   left=store.count_unsent(db))
    return delivered, quarantined


def _keep_too_new(db, acks: dict, accepted: dict) -> dict:
    """``acks`` without the refusals of records whose version the hub does not accept:
    written before the kiosk knew what its hub takes, they wait for its upgrade rather
    than being quarantined for ever."""
    waiting = {r["id"] for r in store.unsent_records(db)
               if r["id"] in acks and too_new(r["payload"], accepted)}
    return {rid: ack for rid, ack in acks.items()
            if not (rid in waiting and ack[0] in protocol.REFUSED)}
