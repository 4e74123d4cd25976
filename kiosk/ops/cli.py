"""`kiosk doctor`, `kiosk backup` and `kiosk hub backup`: looking after a kiosk."""
from __future__ import annotations

import sqlite3
import sys
from datetime import datetime, timezone
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from . import backup, doctor, gather


def register(app) -> None:
    """Attach the commands to the app's CLI (and `backup` to the hub's group)."""
    from ..hub.cli import hub_group

    app.cli.add_command(doctor_command)
    app.cli.add_command(backup_command)
    if "backup" not in hub_group.commands:
        hub_group.add_command(hub_backup_command)


@click.command("doctor")
@click.option("--offline", is_flag=True,
              help="Do not contact the hub (its reachability and the clock are not checked).")
@with_appcontext
def doctor_command(offline):
    """Check this kiosk: database, files, languages, secret key, clock, hub, places and
    Chromium policy. Prints each problem with the command that fixes it; exit 1 if any."""
    app = current_app._get_current_object()
    if app.config["ROLE"] == "hub":
        raise click.ClickException("kiosk doctor checks a kiosk; on the hub, see "
                                   "`systemctl status kiosk-hub` and the journal")
    results = gather.examine(app, offline=offline, now=datetime.now(timezone.utc))
    for line in doctor.report_lines(results, doctor.secrets_of(app.config)):
        click.echo(line)
    sys.exit(0 if all(result.ok for result in results) else 1)


def _backup(folder: Path | None, role: str) -> None:
    app = current_app._get_current_object()
    if app.config["ROLE"] != role:
        raise click.ClickException(f"this is a {app.config['ROLE']}: run "
                                   + ("`kiosk hub backup`" if role == "kiosk" else
                                      "`kiosk backup`") + " instead")
    policy = backup.policy_of(app, folder)
    if not policy.database.is_file():
        raise click.ClickException(f"no database at {policy.database}")
    try:
        made = backup.make(policy)
    except (OSError, sqlite3.Error) as exc:
        raise click.ClickException(f"no backup written to {policy.folder}: {exc}") from None
    click.echo(f"Backup: {made} ({made.stat().st_size / 1e6:.1f} MB, mode 0600).")
    usual = backup.policy_of(app).folder
    if policy.folder.resolve() != usual.resolve():
        # erasures and purges reach the usual folder only: a copy elsewhere is the
        # technician's to delete in time
        click.echo(f"Warning: {policy.folder} is not KIOSK_BACKUP_DIR ({usual}): a resident's "
                   "erasure will not reach this copy; delete it within "
                   f"{policy.keep_days} days.", err=True)
    deleted = backup.prune(policy, keep=made)
    click.echo(f"{len(deleted)} backups older than {policy.keep_days} days deleted; the "
               "others purged as the database is.")


TO_FOLDER = click.option("--to", "folder", type=click.Path(file_okay=False, path_type=Path),
                         help="Folder to write the copy to (default: KIOSK_BACKUP_DIR).")


@click.command("backup")
@TO_FOLDER
@with_appcontext
def backup_command(folder):
    """Copy the live database (consistent while the kiosk serves) and prune old copies."""
    _backup(folder, "kiosk")


@click.command("backup")
@TO_FOLDER
@with_appcontext
def hub_backup_command(folder):
    """Copy the hub's live database and prune copies older than KIOSK_BACKUP_KEEP_DAYS."""
    _backup(folder, "hub")
