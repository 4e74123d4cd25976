"""Inactivity on the resident screens: how long each waits, what its warning says.

After a silence a screen shows "Êtes-vous toujours là ?" with a countdown, then resets
for the next person. The result page waits longer than a question: a person reads their
next steps, copies a phone number, photographs the QR code. The server ends a silent
visit by itself too (JavaScript off, a browser gone), a little after the page would have
(kiosk.web.resident.idle_limit).
"""
from __future__ import annotations

import json

from flask import current_app
from flask_babel import ngettext
from markupsafe import Markup

from ..config import flag
from .mediator_session import current_mediator


def wait_seconds(result: bool = False) -> int:
    """Seconds of silence before the warning: on the result (and its printable sheet)
    or on any other screen; on every screen alike while a mediator is unlocked (their
    pages and a guided diagnostic): a mediator talks with the person, and a pause to
    explain is not an absence."""
    cfg = current_app.config
    if current_mediator() is not None:
        return int(cfg["MEDIATOR_IDLE_SECONDS"])
    return int(cfg["RESULT_IDLE_SECONDS"] if result else cfg["IDLE_SECONDS"])


def sound_on() -> bool:
    """Whether the warning chimes and speaks (``IDLE_SOUND``); the words show anyway."""
    return flag(current_app.config["IDLE_SOUND"])


def countdown_moments(seconds: int) -> list[int]:
    """The seconds left at which the countdown's words change: the start, every ten
    seconds, and each of the last five (a screen reader reading every second is noise)."""
    return sorted({seconds, *range(10, seconds, 10), *range(1, min(seconds, 5) + 1)},
                  reverse=True)


def countdown_text(seconds: int) -> str:
    """The countdown in words, with its unit, in the page's language."""
    return ngettext("Retour au début dans %(num)s seconde.",
                    "Retour au début dans %(num)s secondes.", seconds)


# What would end a single-quoted attribute or open a tag, escaped the JSON way (the
# page's script reads the same text): its double quotes then need no &#34; each.
_ATTRIBUTE_SAFE = str.maketrans({"&": "\\u0026", "<": "\\u003c", ">": "\\u003e",
                                 "'": "\\u0027"})


def countdown(seconds: int) -> Markup:
    """The countdown's words at each of its moments, as JSON for the page's script to
    show in turn (not ASCII-escaped: Arabic or Ukrainian would weigh three times more),
    safe inside a single-quoted attribute."""
    words = json.dumps({n: countdown_text(n) for n in countdown_moments(seconds)},
                       ensure_ascii=False, separators=(",", ":"))
    return Markup(words.translate(_ATTRIBUTE_SAFE))
