"""Security and data events of the hub: one structured line each, for an administrator.

A login, a throttled name, a refused token, an import, a publication: each is written as
one JSON object on one line to the ``kiosk.hub.events`` logger (stderr by default, so
systemd's journal keeps it). Only names, ids, addresses and counts are logged: never a
password, a token, a token hash or a record's payload.
"""
from __future__ import annotations

import json
import logging
from datetime import datetime, timezone

LOGGER = logging.getLogger("kiosk.hub.events")

# Field names that must never reach a log line, whatever a caller passes.
_SECRET_FIELDS = {"password", "token", "token_hash", "secret", "payload", "cookie"}


def log(event: str, level: int = logging.INFO, **fields) -> None:
    """Log ``event`` with ``fields`` as one JSON line (secret-looking fields dropped)."""
    line = {"event": event, "at": datetime.now(timezone.utc).isoformat(timespec="seconds")}
    line.update((key, value) for key, value in fields.items() if key not in _SECRET_FIELDS)
    LOGGER.log(level, json.dumps(line, ensure_ascii=False, sort_keys=True, default=str))


def configure() -> None:
    """Send event lines to stderr once, unless the deployment configured the logger."""
    if LOGGER.handlers:
        return
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(message)s"))
    LOGGER.addHandler(handler)
    LOGGER.setLevel(logging.INFO)
    LOGGER.propagate = False
