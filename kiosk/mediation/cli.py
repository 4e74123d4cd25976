"""`kiosk mediator list` and `kiosk mediator add`: the mediators this kiosk knows."""
from __future__ import annotations

from datetime import datetime, timezone

import click
from flask.cli import with_appcontext

from ..storage import store
from ..sync.cli import kiosk_db
from .codes import MAX_NAME, MAX_STRUCTURE, announce, clean_text, hash_code, new_code


@click.group("mediator")
def mediator_group():
    """The mediators this kiosk knows: the hub's roster, and those added here."""


@mediator_group.command("list")
@with_appcontext
def list_command():
    """The roster the hub sent (with its date) and the mediators added on this kiosk."""
    db = kiosk_db()
    try:
        roster, local = store.roster(db), store.local_mediators(db)
    finally:
        db.close()
    if roster is None:
        click.echo("No roster from the hub yet: it comes with `kiosk sync`, or with the "
                   "receipt of a USB transfer.")
    else:
        click.echo(f"Roster from the hub, issued {roster['issued_at'][:16].replace('T', ' ')} "
                   f"UTC, received by {roster['source']}:")
        for entry in roster["mediators"]:
            state = ("disabled" if not entry["active"] else "active" if entry["code_hash"]
                     else "active, no code (ask the hub for a new one)")
            click.echo(f"  {entry['name']}\t{entry['structure']}\t{state}")
    if local:
        click.echo("Added on this kiosk:")
        for entry in local:
            click.echo(f"  {entry['name']}\t{entry['structure']}\tactive")


@mediator_group.command("add")
@click.argument("name")
@click.option("--structure", required=True, help="Where they work.")
@with_appcontext
def add_command(name, structure):
    """Add NAME on this kiosk, for a kiosk with no hub; prints the code once."""
    name = clean_text(name, "name", MAX_NAME, click.ClickException)
    structure = clean_text(structure, "structure", MAX_STRUCTURE, click.ClickException)
    code = new_code()
    db = kiosk_db()
    try:
        added = store.add_local_mediator(db, name, structure, hash_code(code),
                                         datetime.now(timezone.utc))
    finally:
        db.close()
    if not added:
        raise click.ClickException(f"a mediator named {name!r} is already added here")
    click.echo(f"Mediator {name!r} ({structure}) added on this kiosk.")
    click.echo(announce(name, code))


def register(app) -> None:
    app.cli.add_command(mediator_group)
