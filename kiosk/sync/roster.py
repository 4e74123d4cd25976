"""The mediators' roster on the kiosk: fetched at each sync, or carried by a USB receipt.

The hub signs the roster for this kiosk (kiosk.sync.protocol.hub_message, keyed by the
SHA-256 of its token): a roster altered, made for another kiosk, or of a layout this
kiosk does not know is refused, and the one held stays. The newest by its date of issue
is kept, so a receipt carried on a USB key for a week never replaces a roster fetched
since. Each entry: ``name``, ``structure``, ``active`` and ``code_hash`` (the scrypt hash
of the mediator's unlock code; empty when disabled or withdrawn).
"""
from __future__ import annotations

import http.client
import json
from datetime import datetime

from . import protocol
from ..storage import store

PATH = "/api/v1/roster"
KIND, VERSION = "roster", 1
UNDERSTOOD = {KIND: (VERSION,)}


def _entry_ok(entry) -> bool:
    return (isinstance(entry, dict) and isinstance(entry.get("name"), str)
            and entry["name"].strip() != "" and isinstance(entry.get("structure"), str)
            and isinstance(entry.get("active"), bool)
            and isinstance(entry.get("code_hash"), str))


def accept(db, document, token: str, now: datetime, source: str) -> bool:
    """Check a roster message and keep it if it is the newest; raises BadFile when it
    cannot be used (nothing changes then). True when kept."""
    message = protocol.read_hub_message(document, token, UNDERSTOOD)
    mediators = message["body"].get("mediators")
    if not isinstance(mediators, list) or not all(_entry_ok(m) for m in mediators):
        raise protocol.BadFile("the roster's list of mediators is malformed")
    try:
        datetime.fromisoformat(message["issued_at"])
    except ValueError:
        raise protocol.BadFile("the roster's date of issue is not a date") from None
    return store.save_roster(db, message["issued_at"], {"mediators": mediators}, now, source)


def refresh(db, settings, get, now: datetime) -> str:
    """Fetch the roster from the hub after a sync; what happened, in a few words. A hub
    of a release before rosters answers 404: the kiosk keeps what it has."""
    try:
        answer = get(settings, PATH)
    except (OSError, http.client.HTTPException) as exc:
        return f"not fetched ({type(exc).__name__})"
    if answer.status == 404:
        return "none on this hub"
    if answer.status != 200:
        return f"not fetched (HTTP {answer.status})"
    try:
        document = json.loads(answer.body)
    except ValueError:
        return "not fetched (not JSON)"
    try:
        kept = accept(db, document, settings.token, now, "network")
    except protocol.BadFile as exc:
        return f"refused ({exc})"
    return "updated" if kept else "older than the one held"
