"""The health report a kiosk sends with each network sync: its version and the counts of
`kiosk doctor` (OK, problems, the names of the failing checks), for the hub's "État des
bornes". Nothing else: no path, no detail, no setting, no secret, nothing of a person.
The hub checks every field against a closed vocabulary (:func:`parse`), so a report
cannot carry free text either.
"""
from __future__ import annotations

import json
import re
from datetime import datetime, timezone
from importlib import metadata

from .doctor import CHECK_NAMES, summary

HEALTH_PATH = "/api/v1/health"
DISTRIBUTION = "kiosk-diagnostic-allier"
VERSION = re.compile(r"^[0-9A-Za-z.+~-]{1,40}$")
FIELDS = {"version", "ok", "problems", "failing"}


def app_version() -> str:
    """This installation's version (the package's), or "unknown" from a bare checkout."""
    try:
        return metadata.version(DISTRIBUTION)
    except metadata.PackageNotFoundError:
        return "unknown"


def report(version: str, results) -> dict:
    """The report of ``results`` (kiosk.ops.doctor.Result): what the hub may know."""
    return {"version": version, **summary(results)}


def parse(body) -> dict:
    """A report as the hub accepts it; ValueError says what is wrong with ``body``."""
    if not isinstance(body, dict) or set(body) != FIELDS:
        raise ValueError(f"expected exactly the fields {sorted(FIELDS)}")
    version, ok, problems, failing = (body[k] for k in ("version", "ok", "problems", "failing"))
    if not isinstance(version, str) or not VERSION.match(version):
        raise ValueError("version: 1 to 40 letters, digits or . + ~ -")
    for name, value in (("ok", ok), ("problems", problems)):
        if type(value) is not int or not 0 <= value <= len(CHECK_NAMES):
            raise ValueError(f"{name}: a whole number from 0 to {len(CHECK_NAMES)}")
    if not isinstance(failing, list) or len(set(failing)) != len(failing) \
            or any(name not in CHECK_NAMES for name in failing):
        raise ValueError(f"failing: distinct names among {list(CHECK_NAMES)}")
    if len(failing) != problems:
        raise ValueError("failing: one name per problem")
    return {"version": version, "ok": ok, "problems": problems,
            "failing": [name for name in CHECK_NAMES if name in failing]}


def current(app) -> dict | None:
    """This kiosk's report now (doctor offline: the network is the sync's business), or
    None when it cannot be made: a report never stops records from leaving."""
    from .gather import examine

    try:
        return report(app_version(), examine(app, offline=True,
                                             now=datetime.now(timezone.utc)))
    except Exception:  # noqa: BLE001
        app.logger.exception("no health report could be made")
        return None


def send(app, settings, post=None) -> str:
    """Examine this kiosk (offline: the sync has just reached the hub) and send the
    report; what became of it, in a few words. Never raises for the network."""
    import http.client

    from ..sync import client

    made = current(app)
    if made is None:
        return "not sent (it could not be made: see the log)"
    post = post or (lambda s, b: client._request(s, HEALTH_PATH, b))
    try:
        answer = post(settings, json.dumps(made).encode())
    except (OSError, http.client.HTTPException) as exc:
        return f"not sent ({type(exc).__name__})"
    if answer.status == 404:
        return "not sent (this hub does not take health reports yet)"
    if answer.status != 200:
        return f"not sent (HTTP {answer.status})"
    problems = made["problems"]
    return f"sent ({problems} problem{'s' if problems != 1 else ''}: see `kiosk doctor`)" \
        if problems else "sent (all checks OK)"
