"""The secret key that signs session cookies: where it comes from, and whether it is safe.

Whoever knows the key can forge a session cookie; on a server with staff logins that
was a way in without a password. So a server whose pages have logins (the hub today, a
kiosk with mediator pages tomorrow: their ``init_app`` calls :func:`require_strong`)
refuses to start with a key that is public (the development default, the example
file's placeholder), looks like a placeholder, or is short. A kiosk without logins only
warns. When no key is configured, ``kiosk init`` writes a random one to the key file
(``KIOSK_SECRET_KEY_FILE``, by default ``instance/secret_key``, mode 0600, never
committed) and the app factory reads it, so ``make run`` works out of the box.
"""
from __future__ import annotations

import os
import secrets
from pathlib import Path

from ..config import DEV_SECRET_KEY

# 32 characters: a key made as below has 384 bits, and a 64-character hex key 256; one
# made by hand is short or guessable. A signed cookie (the login page hands one to
# anybody) lets an attacker test keys offline as fast as HMAC runs, so a short key falls
# to brute force: 32 random characters, even hex, are 128 bits, out of reach.
MIN_LENGTH = 32
# Public values: the development default, the placeholder of deploy/kiosk.env.example
# (copied to real servers) and the values tests, benchmarks and documents use.
KNOWN = frozenset({DEV_SECRET_KEY, "change-me", "changeme", "secret", "test", "test-secret",
                   "bench", "dev", "...", "<paste the generated key here>"})
# Words that a placeholder or a hand-made key holds and a random key (almost) never does:
# six letters or more, so that a random 64-character key contains one with a chance
# below one in ten million.
PLACEHOLDER_WORDS = ("change", "replace", "example", "placeholder", "secret", "insecure",
                     "default", "password", "motdepasse")
HOW_TO_MAKE = "python3 -c 'import secrets; print(secrets.token_urlsafe(48))'"
_STRONG_KEY = "kiosk_strong_key"


def problem(key) -> str | None:
    """Why ``key`` must not sign the cookies of a server with logins, or None if it may."""
    if not key or key == DEV_SECRET_KEY:
        return "KIOSK_SECRET_KEY is not set, and the development default is public"
    key = key if isinstance(key, str) else key.decode("utf-8", "replace")
    if key in KNOWN:
        return "KIOSK_SECRET_KEY is a value published with the code"
    lowered = key.lower()
    if any(word in lowered for word in PLACEHOLDER_WORDS) or any(c in key for c in " <>"):
        return "KIOSK_SECRET_KEY looks like a placeholder"
    if len(key) < MIN_LENGTH:
        return f"KIOSK_SECRET_KEY has {len(key)} characters, fewer than {MIN_LENGTH}"
    if len(set(key)) < 10:
        return "KIOSK_SECRET_KEY repeats too few characters to be random"
    return None


def key_file(app) -> Path:
    """Where a generated key is kept (``KIOSK_SECRET_KEY_FILE`` or instance/secret_key)."""
    return Path(app.config.get("SECRET_KEY_FILE") or os.path.join(app.instance_path,
                                                                   "secret_key"))


def configured(app) -> bool:
    """True when the configuration names a key of its own (not the development default)."""
    return app.config.get("SECRET_KEY") not in (None, "", DEV_SECRET_KEY)


def load(app) -> None:
    """Use the key file's key when none is configured. Reads a file, writes nothing
    (the app factory calls it)."""
    if configured(app):
        return
    path = key_file(app)
    if path.is_file():
        app.config["SECRET_KEY"] = path.read_text("utf-8").strip()
    elif not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = DEV_SECRET_KEY  # an empty KIOSK_SECRET_KEY= line


def ensure_file(app) -> Path | None:
    """Write a random key to the key file unless a key is configured or the file exists;
    the path written, or None. Mode 0600 from creation: no moment where others may read."""
    if configured(app):
        return None
    path = key_file(app)
    if path.exists():
        return None
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(secrets.token_urlsafe(48) + "\n")
    app.config["SECRET_KEY"] = path.read_text("utf-8").strip()
    return path


def require_strong(app, reason: str) -> None:
    """Declare that ``app`` has logins (``reason``): `kiosk serve` then refuses a weak key."""
    app.extensions[_STRONG_KEY] = reason


def serving_check(app) -> tuple[bool, str | None]:
    """(fatal, message) for `kiosk serve`: fatal when the app has logins and a weak key."""
    why = problem(app.config.get("SECRET_KEY"))
    if why is None:
        return False, None
    logins = app.extensions.get(_STRONG_KEY)
    if logins is None:
        return False, f"Warning: {why}."
    return True, (f"{why}: anyone who knows or guesses it can forge a cookie for the "
                  f"{logins}.\n"
                  f"Make a key with\n    {HOW_TO_MAKE}\n"
                  f"and set it as KIOSK_SECRET_KEY (at least {MIN_LENGTH} characters; e.g. in the "
                  f"server's environment file), or leave KIOSK_SECRET_KEY unset and write the key "
                  f"alone to {key_file(app)} (mode 0600).")
