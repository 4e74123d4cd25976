"""The ``kiosk hub ...`` commands: the hub's database, devices, staff, imports, exports."""
from __future__ import annotations

import sys
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext


@click.group("hub")
def hub_group():
    """The Département's hub (run with KIOSK_ROLE=hub)."""


def hub_db():
    """The hub's database, refused unless every hub migration is applied."""
    from .. import migrations
    from ..db import connect
    from . import schema

    db = connect(current_app.config["DATABASE"])
    todo = migrations.pending(db, schema.MIGRATIONS)
    if todo:
        db.close()
        raise click.ClickException(
            f"the hub database needs `kiosk hub init` ({len(todo)} migrations pending)")
    return db


# --- Staff accounts ---------------------------------------------------------------------

@hub_group.group("staff")
def staff_group():
    """Accounts of the Département's staff for the dashboard."""


@staff_group.command("add")
@click.argument("name")
@click.option("--password-stdin", is_flag=True,
              help="Read the password from the first line of standard input.")
@with_appcontext
def staff_add(name, password_stdin):
    """Create a dashboard account NAME (the password is asked twice)."""
    from . import staff

    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    db = hub_db()
    try:
        account = staff.add(db, name, password, datetime.now(timezone.utc))
    except staff.StaffError as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        db.close()
    click.echo(f"Staff account {account.name!r} created.")


@staff_group.command("disable")
@click.argument("name")
@with_appcontext
def staff_disable(name):
    """Disable the account NAME: no more logins, its open sessions end."""
    from . import staff

    db = hub_db()
    try:
        done = staff.disable(db, name, datetime.now(timezone.utc))
    finally:
        db.close()
    if not done:
        raise click.ClickException(f"no active staff account named {name!r}")
    click.echo(f"Staff account {name!r} disabled.")


# --- Open data --------------------------------------------------------------------------

def _week(ctx, param, value):
    from .stats import parse_week

    if value is None:
        return None
    try:
        return parse_week(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


@hub_group.command("export")
@click.option("--output", "-o", type=click.Path(file_okay=False, path_type=Path),
              help="Folder to write (default: <KIOSK_EXPORT_DIR>/opendata-<date>).")
@click.option("--from", "first", callback=_week, metavar="WEEK",
              help="First ISO week (e.g. 2026-W01; default: the first with data).")
@click.option("--to", "last", callback=_week, metavar="WEEK",
              help="Last ISO week (default: the last with data).")
@with_appcontext
def export_command(output, first, last):
    """Write the open data: aggregated CSV files and their datapackage.json."""
    from ..resources import questionnaire_for
    from . import opendata, reports, stats, tables
    from .dashboard import EPCI_FILE, language_name
    from .epci import load_epci

    if first and last and first > last:
        raise click.BadParameter("--from is after --to")
    now = datetime.now(timezone.utc)
    output = output or Path(current_app.config["EXPORT_DIR"]) / f"opendata-{now:%Y%m%d-%H%M%S}"
    names = load_epci(EPCI_FILE)
    db = hub_db()
    try:
        with reports.snapshot(db):
            bounds = reports.week_range(db) or (None, None)
            first, last = first or bounds[0], last or bounds[1]
            breakdown = reports.counts_by_epci(db, "residence", first, last)
            weekly = Counter({(week, site): n for (week, site, _), n
                              in reports.weekly(db, "site", first, last).items()})
    finally:
        db.close()
    questionnaire = questionnaire_for(current_app._get_current_object())
    layout = opendata.Layout(
        weeks=stats.weeks_between(first, last) if first and last else [],
        site_columns=tables.epci_order({s for _, s in weekly} | set(names), names),
        residence_columns=tables.epci_order({r for *_, r in breakdown} | set(names) | {""}, names),
        variables=tables.variables(questionnaire, {(d, v) for d, v, _ in breakdown},
                                   language_name))
    written = opendata.export(output, weekly, breakdown, layout, names, first=first, last=last,
                              now=now)
    for path, rows in written.files.items():
        click.echo(f"{path}: {rows} rows")
    click.echo(f"{written.hidden} of {written.cells} cells suppressed "
               f"({written.primary} of 1 to 10 people, {written.hidden - written.primary} "
               f"more so that no total gives them away). Open data in {output}.")
