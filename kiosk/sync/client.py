"""Outbox -> hub over HTTP(S): batches, retries with backoff and jitter, acknowledgements.

A run first asks the hub which record versions it accepts (``GET /api/v1/contract``;
a first-release hub answers 404 and accepts diagnostic version 1 only) and sends only
those: a record of a version the hub does not know yet waits, pending, for the hub's
upgrade; it is never sent to be refused, so never quarantined for it.

Records travel exactly as they were frozen at completion. A record leaves the unsent
states only when the hub's structured acknowledgement names it: stored or already had
-> sent; conflict or invalid -> quarantined (never retried); later (a week after the
hub's current week) -> kept pending for a later sync. Anything else (no answer,
a 500, a captive portal's page, a cut connection) is retried with backoff, then left
for the next run; the hub deduplicates by record id, so resending is always harmless.
"""
from __future__ import annotations

import email.utils
import http.client
import json
import random
import ssl
import time
import urllib.error
import urllib.request
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Callable
from urllib.parse import urlsplit

from . import contract, feed, protocol, roster
from ..storage import store

API_PATH = "/api/v1/records"
OPENAPI_PATH = "/api/v1/openapi.json"
CONTRACT_PATH = "/api/v1/contract"


class Misconfigured(Exception):
    """The kiosk cannot sync as configured (no hub URL, no token...): exit status 2."""


@dataclass(frozen=True)
class Settings:
    """What a sync needs from the configuration (see kiosk/config.py)."""

    url: str
    token: str
    batch_size: int
    base: float
    ceiling: float
    attempts: int
    timeout: float
    ca_file: str = ""

    @classmethod
    def from_config(cls, config, *, need_url: bool = True) -> "Settings":
        """Read and check the settings; raises Misconfigured with what is wrong."""
        url, token = str(config["HUB_URL"] or "").rstrip("/"), str(config["HUB_TOKEN"] or "")
        if need_url:
            parts = urlsplit(url)
            if parts.scheme not in ("http", "https") or not parts.netloc:
                raise Misconfigured("KIOSK_HUB_URL is not set to the hub's http(s) address")
        if protocol.device_of_token(token) is None:
            raise Misconfigured("KIOSK_HUB_TOKEN is not set to the token `kiosk hub device "
                                "add` printed for this kiosk")
        try:
            settings = cls(url, token, int(config["SYNC_BATCH_SIZE"]),
                           float(config["SYNC_RETRY_BASE"]), float(config["SYNC_RETRY_CEILING"]),
                           int(config["SYNC_ATTEMPTS"]), float(config["SYNC_TIMEOUT"]),
                           str(config["HUB_CA_FILE"] or ""))
        except (TypeError, ValueError) as exc:
            raise Misconfigured(f"a KIOSK_SYNC_* setting is not a number ({exc})") from None
        if min(settings.batch_size, settings.attempts) < 1 or settings.base < 0 \
                or settings.ceiling < settings.base or settings.timeout <= 0:
            raise Misconfigured("KIOSK_SYNC_* settings out of range (batch size and attempts "
                                "at least 1, 0 <= base <= ceiling, timeout above 0)")
        return settings


def backoff(attempt: int, base: float, ceiling: float, rng: random.Random) -> float:
    """Seconds to wait after failed attempt number ``attempt`` (0 for the first).

    Exponential (``base * 2**attempt``, capped at ``ceiling``) with "equal jitter": a
    random wait between half and all of it, so kiosks that failed together do not
    retry together, yet none retries at once.
    """
    delay = min(ceiling, base * 2 ** attempt)
    return delay / 2 + rng.uniform(0, delay / 2)


@dataclass
class Outcome:
    """What a sync did. ``exit_status``: 0 all sent, 1 some left, 2 token refused."""

    delivered: int = 0
    quarantined: int = 0
    left: int = 0
    later: int = 0  # answered "later" by the hub: still pending, among ``left``
    waiting: int = 0  # of versions the hub does not accept yet: not counted in left
    error: str | None = None
    refused: bool = False
    roster: str = ""  # what became of the mediators' roster (kiosk.sync.roster.refresh)
    data: list[str] = field(default_factory=list)  # data from the hub applied or refused

    @property
    def exit_status(self) -> int:
        return 2 if self.refused else (1 if self.left else 0)


@dataclass(frozen=True)
class Answer:
    status: int
    content_type: str
    body: bytes
    retry_after: float | None


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """The hub never redirects its API; a redirect is a captive portal: not followed."""

    def redirect_request(self, *args, **kwargs):
        return None


def _opener(settings: Settings):
    context = ssl.create_default_context(cafile=settings.ca_file or None)
    return urllib.request.build_opener(urllib.request.HTTPSHandler(context=context),
                                       _NoRedirect())


def hub_time(settings: Settings) -> datetime | None:
    """What the hub's clock says (the ``Date`` of its API document's answer), or None
    when no answer is the hub's (no network, a captive portal...)."""
    request = urllib.request.Request(settings.url + OPENAPI_PATH, method="HEAD",
                                     headers={"User-Agent": "kiosk-sync/1"})
    try:
        with _opener(settings).open(request, timeout=settings.timeout) as response:
            ours = response.headers.get("Content-Type", "").startswith("application/json")
            date = response.headers.get("Date") if response.status == 200 and ours else None
    except (OSError, http.client.HTTPException):
        return None
    try:
        return email.utils.parsedate_to_datetime(date) if date else None
    except (TypeError, ValueError):
        return None


def http_post(settings: Settings, body: bytes) -> Answer:
    """POST one batch; network failures raise OSError or http.client.HTTPException."""
    return _request(settings, API_PATH, body)


def http_get(settings: Settings, path: str) -> Answer:
    """GET one of the hub's documents (e.g. CONTRACT_PATH)."""
    return _request(settings, path, None)


def _request(settings: Settings, path: str, body: bytes | None) -> Answer:
    opener = _opener(settings)
    headers = {"Accept": "application/json", "Authorization": f"Bearer {settings.token}",
               "User-Agent": "kiosk-sync/1"}
    if body is not None:
        headers["Content-Type"] = "application/json"
    request = urllib.request.Request(settings.url + path, data=body,
                                     method="GET" if body is None else "POST", headers=headers)
    try:
        with opener.open(request, timeout=settings.timeout) as response:
            return _answer(response.status, response.headers, response.read())
    except urllib.error.HTTPError as exc:
        with exc:
            return _answer(exc.code, exc.headers, exc.read())


def _answer(status, headers, body) -> Answer:
    retry_after = headers.get("Retry-After", "")
    return Answer(status, headers.get("Content-Type", ""), body,
                  float(retry_after) if retry_after.strip().isdigit() else None)


def readable_unsent(db, now: Callable[[], datetime], accepted: dict | None = None
                    ) -> list[dict]:
    """The unsent records, each payload checked as JSON; one the kiosk itself cannot
    read (damaged on disk) is quarantined rather than blocking every batch after it.

    With ``accepted`` (``kind -> versions``, see kiosk/sync/contract.py), only the records
    of a version the hub accepts: the others wait for its upgrade.
    """
    records = []
    for record in store.unsent_records(db):
        try:
            payload = json.loads(record["payload"])
        except (TypeError, ValueError):
            store.quarantine_record(db, record["id"], "unreadable on the kiosk", now())
            continue
        if not isinstance(payload, dict):
            payload = {}
        if accepted is None or contract.is_accepted(payload, accepted):
            records.append(dict(record, version=contract.version_of(payload)))
    return records


def bind(records: list[dict], token: str, accepted: dict | None) -> list[dict]:
    """The records, each with the MAC that binds it to this device (protocol.record_mac).

    Made at send time from the current token, for records frozen before MACs existed
    as for new ones: the MAC needs only the token's hash, and a kiosk given a new token
    (`kiosk hub device replace`) keeps its records verifiable. A first-release hub
    refuses any unknown key in an item, so a version 1 record goes without a MAC to a
    hub not known to take one (its version 2 records are kept back anyway).
    """
    device, key = protocol.device_of_token(token), protocol.token_hash(token)
    takes_mac = contract.takes_mac(accepted)
    return [dict(r, mac=protocol.record_mac(device, r["id"], r["content_hash"], key))
            if takes_mac or r["version"] != (contract.DIAGNOSTIC, 1) else r
            for r in records]


def waiting_for_upgrade(db) -> int | None:
    """How many unsent records are of a version the hub (as last heard) does not accept
    yet; None when the kiosk has not heard what its hub accepts."""
    accepted = store.hub_accepts(db)
    if accepted is None:
        return None
    return sum(too_new(record["payload"], accepted) for record in store.unsent_records(db))


def too_new(payload: str, accepted: dict) -> bool:
    """True when the frozen ``payload`` is a record of a version ``accepted`` lacks
    (an unreadable one is not: it is the kiosk's own problem, not the hub's)."""
    try:
        document = json.loads(payload)
    except (TypeError, ValueError):
        return False
    return isinstance(document, dict) and not contract.is_accepted(document, accepted)


def ask_contract(settings: Settings, get, sleep, rng) -> tuple[dict | None, str | None]:
    """``(accepted versions, None)`` from the hub, or ``(None, error)`` after every
    attempt failed. A first-release hub has no such path: its JSON 404 means LEGACY."""
    error = None
    for attempt in range(settings.attempts):
        try:
            answer = get(settings, CONTRACT_PATH)
        except (OSError, http.client.HTTPException) as exc:
            error = f"no answer from the hub ({type(exc).__name__}: {exc})"
        else:
            document = _hub_json(answer)
            if document is not None and answer.status == 200:
                return contract.accepts(document.get("accepts")), None
            if document is not None and answer.status == 404:
                return dict(contract.LEGACY), None
            error = f"not the hub's contract (HTTP {answer.status})"
        if attempt + 1 < settings.attempts:
            sleep(backoff(attempt, settings.base, settings.ceiling, rng))
    return None, f"{error} after {settings.attempts} attempts"


def _hub_json(answer: Answer) -> dict | None:
    """The hub's JSON document in ``answer`` (one naming the API), else None."""
    if answer.content_type.split(";")[0].strip().lower() != "application/json":
        return None
    try:
        document = json.loads(answer.body)
    except (ValueError, RecursionError):
        return None
    return document if isinstance(document, dict) and document.get("api") == protocol.API \
        else None


def _utcnow() -> datetime:
    return datetime.now(timezone.utc)


def run(db, settings: Settings, *, post: Callable[[Settings, bytes], Answer] = http_post,
        get: Callable[[Settings, str], Answer] = http_get,
        sleep: Callable[[float], None] = time.sleep, rng: random.Random | None = None,
        now: Callable[[], datetime] = _utcnow,
        progress: Callable[[int], None] = lambda n: None,
        data_target: feed.Target | None = None) -> Outcome:
    """Send every unsent record in batches; return what happened (also in the sync log).

    Each batch is tried up to ``settings.attempts`` times with backoff; a batch that
    still fails ends the run (the network is not usable now) and the rest stays for
    the next one. A 401 or 403 ends it at once: retrying with a refused token is useless.
    With ``data_target``, the places, offers and stops the hub publishes are applied
    to it (kiosk.sync.feed).
    """
    rng = rng or random.Random()
    outcome = Outcome()
    accepted, outcome.error = ask_contract(settings, get, sleep, rng)
    if accepted is not None:
        store.set_hub_accepts(db, accepted, now(), "network")
    records = bind(readable_unsent(db, now, accepted), settings.token, accepted) \
        if accepted is not None else []
    size = settings.batch_size
    queue = deque(records[i:i + size] for i in range(0, len(records), size))
    while queue and outcome.error is None:
        batch = queue.popleft()
        error = _send(db, settings, batch, post, sleep, rng, now, outcome, progress, queue)
        if error:
            outcome.error = error
    if accepted is not None:  # the hub answers: the mediators' roster comes with the sync
        outcome.roster = roster.refresh(db, settings, get, now())
        if data_target is not None:
            outcome.data = feed.refresh(db, data_target, settings, get, now())
    outcome.waiting = waiting_for_upgrade(db) or 0
    outcome.left = store.count_unsent(db) - outcome.waiting
    if outcome.error:
        result = "error"
    else:
        result = "partial" if outcome.left else "ok"
        if outcome.left:
            outcome.error = f"the hub did not acknowledge {outcome.left} records"
            if outcome.later:
                outcome.error += (f" ({outcome.later} dated after the hub's current week: "
                                  "kept, sent again at a later sync)")
    store.log_sync(db, now(), "network", result, delivered=outcome.delivered,
                   quarantined=outcome.quarantined, left=outcome.left,
                   detail=outcome.error or "")
    return outcome


def _send(db, settings, batch, post, sleep, rng, now, outcome, progress, queue) -> str | None:
    """Deliver one batch (with retries); return an error that ends the run, or None."""
    body = protocol.batch_body(batch)
    ids = [r["id"] for r in batch]
    error = None
    for attempt in range(settings.attempts):
        retry_after = None
        try:
            answer = post(settings, body)
        except (OSError, http.client.HTTPException) as exc:
            error = f"no answer from the hub ({type(exc).__name__}: {exc})"
        else:
            if answer.status in (401, 403):
                outcome.refused = True
                return f"the hub refused this kiosk's token (HTTP {answer.status})"
            if answer.status == 413:
                return _too_large(db, batch, now, outcome, queue)
            try:
                acks = protocol.parse_acknowledgement(answer.status, answer.content_type,
                                                      answer.body, ids)
            except protocol.NotAnAcknowledgement as exc:
                error = f"not an acknowledgement: {exc}"
                retry_after = answer.retry_after
            else:
                delivered, quarantined = store.apply_acknowledgements(db, acks, now())
                outcome.later += sum(status == protocol.LATER for status, _ in acks.values())
                outcome.delivered += delivered
                outcome.quarantined += quarantined
                progress(len(batch))
                return None
        if attempt + 1 < settings.attempts:
            wait = backoff(attempt, settings.base, settings.ceiling, rng)
            sleep(min(settings.ceiling, max(wait, retry_after or 0)))
    return f"{error} after {settings.attempts} attempts"


def _too_large(db, batch, now, outcome, queue) -> None:
    """A 413: split the batch in two and send the halves next; a single record the hub
    will never take is quarantined."""
    if len(batch) == 1:
        store.quarantine_record(db, batch[0]["id"], "too large for the hub (HTTP 413)", now())
        outcome.quarantined += 1
        return None
    half = len(batch) // 2
    queue.extendleft([batch[half:], batch[:half]])
    return None
