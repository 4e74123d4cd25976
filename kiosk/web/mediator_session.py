"""Who is at the kiosk as a mediator: the unlocked session every mediator page requires.

A mediator unlocks the "Espace médiateur" with their name and code
(kiosk.mediation.unlock); the session cookie then carries who they are, until
"Terminer", their longer inactivity limit, or anything that starts a resident's
self-service visit (which clears the whole session): a mediator session never survives
to the next resident.
"""
from __future__ import annotations

import functools

from flask import abort, redirect, request, session, url_for

from ..mediation.unlock import Mediator

KEY = "mediator"


def current_mediator() -> Mediator | None:
    """The mediator unlocked in this browser session, or None."""
    held = session.get(KEY)
    fields = ("name", "structure", "source")
    # Only the kiosk writes the (signed) cookie; a value of another shape (an older
    # kiosk's, mid-upgrade) is no mediator, not an error.
    if not isinstance(held, dict) or not all(isinstance(held.get(f), str) for f in fields):
        return None
    return Mediator(*(held[f] for f in fields))


def open_session(mediator: Mediator) -> None:
    """Start a mediator session: nothing of a resident's stays in it."""
    session.clear()
    session[KEY] = {"name": mediator.name, "structure": mediator.structure,
                    "source": mediator.source}


def close_session() -> None:
    """"Terminer": the whole session goes, the mediator's and any visit's token."""
    session.clear()


def require_mediator(view):
    """Refuse a page to anyone not unlocked: a page is sent to the unlock screen, a form
    sent without a mediator session is refused (403)."""
    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        if current_mediator() is None:
            if request.method in ("GET", "HEAD"):
                return redirect(url_for("mediator.unlock"), 303)
            abort(403)
        return view(*args, **kwargs)
    return wrapped
