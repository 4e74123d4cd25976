"""Outbox -> hub over HTTP(S): batches, retries with backoff and jitter, acknowledgements.

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
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Callable
from urllib.parse import urlsplit

from . import protocol, store

API_PATH = "/api/v1/records"
OPENAPI_PATH = "/api/v1/openapi.json"


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
    error: str | None = None
    refused: bool = False

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
    opener = _opener(settings)
    request = urllib.request.Request(settings.url + API_PATH, data=body, method="POST",
                                     headers={"Content-Type": "application/json",
                                              "Accept": "application/json",
                                              "Authorization": f"Bearer {settings.token}",
                                              "User-Agent": "kiosk-sync/1"})
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


def readable_unsent(db, now: Callable[[], datetime]) -> list[dict]:
    """The unsent records, each payload checked as JSON; one the kiosk itself cannot
    read (damaged on disk) is quarantined rather than blocking every batch after it."""
    records = []
    for record in store.unsent_records(db):
        try:
            json.loads(record["payload"])
        except (TypeError, ValueError):
            store.quarantine_record(db, record["id"], "unreadable on the kiosk", now())
            continue
        records.append(record)
    return records


def _utcnow() -> datetime:
    return datetime.now(timezone.utc)


def run(db, settings: Settings, *, post: Callable[[Settings, bytes], Answer] = http_post,
        sleep: Callable[[float], None] = time.sleep, rng: random.Random | None = None,
        now: Callable[[], datetime] = _utcnow,
        progress: Callable[[int], None] = lambda n: None) -> Outcome:
    """Send every unsent record in batches; return what happened (also in the sync log).

    Each batch is tried up to ``settings.attempts`` times with backoff; a batch that
    still fails ends the run (the network is not usable now) and the rest stays for
    the next one. A 401 or 403 ends it at once: retrying with a refused token is useless.
    """
    rng = rng or random.Random()
    outcome = Outcome()
    records = readable_unsent(db, now)
    size = settings.batch_size
    queue = deque(records[i:i + size] for i in range(0, len(records), size))
    while queue and outcome.error is None:
        batch = queue.popleft()
        error = _send(db, settings, batch, post, sleep, rng, now, outcome, progress, queue)
        if error:
            outcome.error = error
    outcome.left = store.count_unsent(db)
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
