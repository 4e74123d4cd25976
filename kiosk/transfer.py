"""Records by USB key, kiosk side: write the records file, apply the hub's receipt.

The bus may never see a network. ``kiosk sync --to-file`` writes every unsent record and
the kiosk's identity to a signed file and marks the records "exported, awaiting
receipt"; the hub's ``kiosk hub import`` stores them through the same idempotent path
as the API and writes a receipt; ``kiosk sync --receipt`` applies it. Until then a
network sync sends the exported records again: the hub deduplicates them.
"""
from __future__ import annotations

import json
import os
from datetime import datetime
from pathlib import Path

from . import contract, protocol, store
from .sync import bind, readable_unsent, too_new


def write_json(path: Path, document: dict) -> None:
    """Write ``document`` to ``path`` atomically and durably: a USB key pulled out too
    early leaves the old file or none, never half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".part")
    with open(tmp, "wb") as out:
        out.write(json.dumps(document, ensure_ascii=False, indent=1).encode("utf-8"))
        out.flush()
        os.fsync(out.fileno())
    os.replace(tmp, path)
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


def records_file_name(device: int, now: datetime) -> str:
    """A file name saying which kiosk and when, for a USB key holding several."""
    return f"kiosk-{device}-{now.strftime('%Y%m%d-%H%M%S')}.records.json"


def export_to_file(db, path: Path, token: str, *, now: datetime) -> tuple[Path, int]:
    """Write the unsent records to ``path`` (a folder: a new file in it) and mark them
    exported. Returns (file written, number of records)."""
    device = protocol.device_of_token(token)
    # Only the versions the hub accepts, once a receipt said which; before that, all
    # (apply_receipt keeps pending what a hub refuses for being too new).
    accepted = store.hub_accepts(db)
    records = bind(readable_unsent(db, lambda: now, accepted), token, accepted)
    if path.is_dir():
        path = path / records_file_name(device, now)
    document = protocol.records_file(device, records, protocol.token_hash(token))
    write_json(path, document)
    store.mark_exported(db, [r["id"] for r in records], now)
    store.log_sync(db, now, "file", "ok", left=len(records), detail=str(path))
    return path, len(records)


def apply_receipt(db, raw: bytes, token: str, now: datetime) -> tuple[int, int]:
    """Apply a receipt file's statuses; returns (delivered, quarantined).

    Raises protocol.BadFile for a file that is not a receipt for this kiosk (or was
    altered): then nothing changes.
    """
    try:
        document = json.loads(raw)
    except (ValueError, RecursionError) as exc:
        raise protocol.BadFile(f"not JSON ({exc})") from None
    acks = protocol.read_receipt(document, token)
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
