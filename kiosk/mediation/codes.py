"""Mediators' unlock codes: made at random, stored only as a slow hash. Pure.

The code has :data:`CODE_DIGITS` digits, typed on a kiosk's on-screen keypad. Its hash is
werkzeug's scrypt, tens of milliseconds a try: a roster travels to kiosks that may be
stolen, and 10**8 codes then take months of one computer's time to try, which leaves the
Département time to reset the codes a stolen kiosk held (``kiosk hub device revoke``).
"""
from __future__ import annotations

import secrets
import unicodedata

from werkzeug.security import generate_password_hash

CODE_DIGITS = 8
MAX_NAME, MAX_STRUCTURE = 80, 120  # characters of a mediator's name and structure


def new_code() -> str:
    """A random unlock code of CODE_DIGITS digits (leading zeros kept)."""
    return f"{secrets.randbelow(10 ** CODE_DIGITS):0{CODE_DIGITS}d}"


def hash_code(code: str) -> str:
    """The slow hash stored for ``code`` (and sent in the roster)."""
    return generate_password_hash(code, method="scrypt")


def grouped(code: str) -> str:
    """The code in groups of four digits, as it is printed and read aloud."""
    return " ".join(code[i:i + 4] for i in range(0, len(code), 4))


def clean_text(value: str, what: str, longest: int, error=ValueError) -> str:
    """A name or structure with its spaces tidied; ``error`` when empty or too long."""
    value = " ".join(value.split())
    if not value:
        raise error(f"the {what} is empty")
    if len(value) > longest:
        raise error(f"the {what} is longer than {longest} characters")
    return value


def read_digits(text: str) -> str | None:
    """The digits of a code as typed, as 0-9: digits of any script (Persian ۱۲۳,
    Arabic-Indic ١٢٣, fullwidth １２３) are read as theirs, spaces, dashes and dots are
    dropped; None when anything else is in it."""
    out = []
    for char in text or "":
        if char.isspace() or char in ".\u2212" or unicodedata.category(char) == "Pd":
            continue
        value = unicodedata.decimal(char, None)
        if value is None:
            return None
        out.append(str(value))
    return "".join(out)


def announce(name: str, code: str) -> str:
    """What a command prints when it makes a code: the code once, and what to do."""
    return (f"Unlock code of {name!r}: {grouped(code)}\n"
            "Give it to them in person: it is not stored and will not be shown again.")
