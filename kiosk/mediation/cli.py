"""`kiosk mediator list` and `kiosk mediator add`: the mediators this kiosk knows;
`kiosk mediator export`: their activity records, as La Coop's CSV."""
from __future__ import annotations

from datetime import datetime, timezone

import click
from flask.cli import with_appcontext

from ..storage import store
from ..sync.cli import csv_destination, kiosk_db, write_csv_with_progress
from . import cra
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


@mediator_group.command("export")
@click.option("--from", "since", type=click.DateTime(["%Y-%m-%d"]),
              help="First day (YYYY-MM-DD), included.")
@click.option("--to", "until", type=click.DateTime(["%Y-%m-%d"]),
              help="Last day (YYYY-MM-DD), included.")
@click.option("--mediator", "name", help="Only this mediator's records, WITH their notes "
              "and workshop titles (their own export of their own notes).")
# A plain string: a trailing "/" says "a folder", which a Path would drop.
@click.option("--out", "output", type=click.Path(),
              help="CSV file to write, or an existing folder "
                   "(default: exports/comptes-rendus-<date>.csv).")
@with_appcontext
def export_command(since, until, name, output):
    """Write the activity records as CSV with La Coop's column names and values, to
    type them into La Coop or for one's own reporting. A value the kiosk cannot map
    (an age band straddling La Coop's) is "non_communique". Free text (notes, workshop
    titles) is written only with --mediator NAME: a mediator's export of their own."""
    output = csv_destination(output, "comptes-rendus")
    db = kiosk_db()
    try:
        rows = store.activity_records(
            db, mediator=name, since=since.date().isoformat() if since else None,
            until=until.date().isoformat() if until else None)
    finally:
        db.close()
    columns, lines = cra.coop_export(rows, private=name is not None)
    count = write_csv_with_progress(output, columns, lines, len(rows))
    whose = f" of {name}, with their notes," if name else " (no notes)"
    click.echo(f"{count} activity records{whose} written to {output}.")


def register(app) -> None:
    app.cli.add_command(mediator_group)
