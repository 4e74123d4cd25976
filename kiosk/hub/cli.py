"""The ``kiosk hub ...`` commands: the hub's database, devices, staff, imports, exports."""
from __future__ import annotations

import click


@click.group("hub")
def hub_group():
    """The Département's hub (run with KIOSK_ROLE=hub)."""
