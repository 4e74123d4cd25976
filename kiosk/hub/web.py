"""The hub's web side: the records API for kiosks and the staff dashboard."""
from __future__ import annotations


def init_app(app) -> None:
    """Register the hub's blueprints (the resident screens are not served by a hub)."""
    from . import api

    api.init_app(app)
