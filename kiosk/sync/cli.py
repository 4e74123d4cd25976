"""`kiosk sync`, `kiosk status`, `kiosk purge`: the kiosk's side of the way to the hub.

Exit statuses of `kiosk sync`: 0 every record sent (or, with --to-file/--receipt, the
file written or applied), 1 some records left for the next run, 2 misconfigured, token
refused, a receipt that is not for this kiosk, or a clock too wrong to trust
(kiosk/sync/clock.py: the records are held, nothing is sent).
"""
from __future__ import annotations

import json
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import urlsplit

import click
from flask import current_app
from flask.cli import with_appcontext

from ..storage import migrations, store
from ..storage.db import connect


def kiosk_db():
    """The kiosk's database, for a command that runs on a kiosk only (ClickException on
    the hub, or before `kiosk init`)."""
    if current_app.config["ROLE"] == "hub":
        raise click.ClickException("this is the hub: this command runs on a kiosk")
    db = connect(current_app.config["DATABASE"])
    if migrations.pending(db):
        db.close()
        raise click.ClickException("the database needs `kiosk init`")
    return db


def csv_destination(output: str | None, prefix: str) -> Path:
    """Where a CSV export goes: ``output`` as typed (a file, or an existing folder: often
    a USB key, never created, it must be mounted), else the kiosk's export folder
    (created if need be); the file is ``<prefix>-<UTC time>.csv`` in a folder.
    ClickException, nothing written, when it cannot go there."""
    from . import usbkey

    file_name = f"{prefix}-{_now().strftime('%Y%m%d-%H%M%S')}.csv"
    try:
        if output is None:
            folder = Path(current_app.config["EXPORT_DIR"])
            folder.mkdir(parents=True, exist_ok=True)
            output = folder
        return usbkey.destination(output, file_name)
    except (usbkey.Refused, OSError) as exc:
        raise click.ClickException(f"{exc}; nothing was written") from None


def write_csv_with_progress(output: Path, columns, rows, total: int) -> int:
    """Write an export with a progress bar on standard error; the rows written."""
    from .export import write_csv

    try:
        with click.progressbar(length=total, label="Exporting", file=sys.stderr) as bar:
            return write_csv(output, columns, rows, on_row=lambda: bar.update(1))
    except OSError as exc:
        raise click.ClickException(f"{output}: cannot write there "
                                   f"({exc.strerror or exc}); nothing was written") from None


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _fail(message: str, status: int) -> None:
    click.echo(f"Error: {message}", err=True)
    sys.exit(status)


@click.command("sync")
# A plain string: a trailing "/" says "a folder", which a Path would drop.
@click.option("--to-file", "to_file", type=click.Path(),
              help="Write the unsent records to this file (or existing folder) on a USB key.")
@click.option("--receipt", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Apply the receipt `kiosk hub import` wrote for a records file.")
@with_appcontext
def sync_command(to_file, receipt):
    """Send the unsent records to the hub (or by USB key: --to-file, --receipt)."""
    from . import client, feed, transfer
    from .protocol import BadFile
    from .usbkey import Refused

    if to_file and receipt:
        _fail("use --to-file or --receipt, not both", 2)
    cfg = current_app.config
    if not (to_file or receipt or str(cfg["HUB_URL"] or "").strip()):
        # A USB-only site (the bus, a post office without network): the hourly run has
        # nothing to reach, which is not a failure; `kiosk purge` runs after it all the same.
        db = kiosk_db()
        unsent = store.count_unsent(db)
        db.close()
        click.echo("No hub configured (KIOSK_HUB_URL is empty): nothing sent over the "
                   f"network; {unsent} records wait for a USB key (`kiosk sync --to-file`).")
        return
    try:
        settings = client.Settings.from_config(cfg, need_url=not (to_file or receipt))
    except client.Misconfigured as exc:
        _fail(str(exc), 2)
    db = kiosk_db()
    if not receipt:
        _hold_if_the_clock_is_wrong(db, settings, ask_hub=not to_file)
    if to_file:
        try:
            from ..ops import health

            path, count = transfer.export_to_file(
                db, to_file, settings.token, now=_now(),
                health=health.current(current_app._get_current_object()))
        except Refused as exc:
            db.close()
            _fail(f"{exc}; no record was marked as exported", 2)
        click.echo(f"{count} records written to {path}; they await the hub's receipt.")
        return
    if receipt:
        try:
            delivered, quarantined = transfer.apply_receipt(db, receipt.read_bytes(),
                                                            settings.token, _now())
        except BadFile as exc:
            _fail(f"{receipt}: {exc}; nothing changed", 2)
        _note_receipt_time(db, receipt)
        click.echo(f"Receipt applied: {delivered} records acknowledged, "
                   f"{quarantined} quarantined, {store.count_unsent(db)} still unsent.")
        for line in feed.from_receipt(db, feed.Target.of(current_app), receipt.read_bytes(),
                                      settings.token, _now()):
            click.echo(line)
        return
    if urlsplit(settings.url).scheme == "http" and not _local(settings.url):
        click.echo("Warning: KIOSK_HUB_URL is plain http: the token travels unencrypted.",
                   err=True)
    total = store.count_unsent(db)
    with click.progressbar(length=total, label="Sending", file=sys.stderr) as bar:
        outcome = client.run(db, settings, progress=bar.update,
                             data_target=feed.Target.of(current_app))
    db.close()
    click.echo(f"{outcome.delivered} sent, {outcome.quarantined} quarantined, "
               f"{outcome.left} left for the next sync"
               + (f" ({outcome.later} dated after the hub's current week)." if outcome.later
                  else ".")
               + (f" {outcome.waiting} wait for the hub to be upgraded (a newer record "
                  "version than it accepts)." if outcome.waiting else ""))
    if outcome.roster:
        click.echo(f"Mediators' roster: {outcome.roster}.")
    for line in outcome.data:
        click.echo(line)
    if outcome.roster and not outcome.refused:  # the hub answered: tell it how we are
        from ..ops import health
        click.echo(f"Health report: {health.send(current_app._get_current_object(), settings)}.")
    if outcome.quarantined:
        click.echo("Quarantined records are never resent: see `kiosk status`.", err=True)
    if outcome.error:
        click.echo(f"Error: {outcome.error}", err=True)
    sys.exit(outcome.exit_status)


def _hold_if_the_clock_is_wrong(db, settings, *, ask_hub: bool) -> None:
    """Exit 2, sending nothing, while the kiosk's clock is implausible (kiosk/sync/clock.py);
    a network sync first asks the hub its time, the best evidence there is."""
    from . import client, clock

    told = client.hub_time(settings) if ask_hub else None
    if told is not None:
        store.note_hub_time(db, "network", told, _now())
    now = _now()
    why = clock.problem(now, store.latest_hub_time(db))
    if why is None:
        return
    store.log_sync(db, now, "file" if not ask_hub else "network", "error",
                   left=store.count_unsent(db), detail=f"clock implausible: {why}")
    db.close()
    _fail(f"this kiosk's clock is implausible: {why}. Nothing was sent: the records are "
          "held until the clock is set (e.g. `timedatectl set-ntp true`); see `kiosk status`.",
          2)


def _note_receipt_time(db, receipt: Path) -> None:
    """A receipt applied: its import time is a time the hub's clock has seen."""
    try:
        imported = datetime.fromisoformat(json.loads(receipt.read_bytes())["imported_at"])
    except (ValueError, KeyError, TypeError):
        return
    if imported.tzinfo is not None:
        store.note_hub_time(db, "receipt", imported, _now())


def _local(url: str) -> bool:
    return urlsplit(url).hostname in ("127.0.0.1", "localhost", "::1")


@click.command("status")
@with_appcontext
def status_command():
    """Records pending, awaiting a receipt, quarantined; last success and last error;
    whether the clock is plausible."""
    from . import clock, feed
    from .client import waiting_for_upgrade

    db = kiosk_db()
    counts = store.outbox_counts(db)
    waiting = waiting_for_upgrade(db)
    success = store.last_sync(db, ("ok",), ("network", "receipt"))
    failure = store.last_sync(db, ("error", "partial"), ("network", "file"))
    exported = store.last_sync(db, ("ok",), ("file",))
    quarantined = store.quarantined_records(db)
    latest = store.latest_hub_time(db)
    db.close()
    click.echo(f"Pending:            {counts['pending']}")
    click.echo(f"Awaiting receipt:   {counts['exported']}  (written to a USB file)")
    click.echo("Waiting for a hub upgrade: " + (
        "unknown until the first sync or receipt" if waiting is None else
        f"{waiting}  (of the unsent: newer than the hub accepts; kept, sent once it "
        "is upgraded)"))
    click.echo(f"Quarantined:        {counts['quarantined']}")
    click.echo(f"Sent:               {counts['sent']}")
    click.echo(f"Last success:       {_describe(success)}")
    click.echo(f"Last error:         {_describe(failure)}")
    click.echo(f"Last USB export:    {_describe(exported)}")
    click.echo(f"Clock:              {clock.describe(_now(), latest)}")
    click.echo(f"Data from the hub:  {feed.describe(feed.data_folder(current_app))}")
    for row in quarantined:
        click.echo(f"  quarantined {row['id']} ({row['quarantined_at'][:19]}): "
                   f"{row['quarantine_reason']}")


def _describe(row) -> str:
    if row is None:
        return "never"
    when = row["at"][:19].replace("T", " ") + " UTC"
    if row["outcome"] == "ok":
        what = {"network": f"{row['delivered']} sent over the network",
                "file": f"{row['left']} records written to {row['detail']}",
                "receipt": f"receipt applied, {row['delivered']} acknowledged"}[row["channel"]]
        return f"{when}, {what}"
    return f"{when}, {row['detail']}"


@click.command("purge")
@click.option("--days", type=int, default=None,
              help="Keep answers this many days after the hub's acknowledgement "
                   "(default: KIOSK_ANSWERS_RETENTION_DAYS).")
@with_appcontext
def purge_command(days):
    """Delete raw answers of diagnostics the hub acknowledged long enough ago, and the
    mediators' notes older than KIOSK_NOTES_RETENTION_DAYS."""
    days = int(current_app.config["ANSWERS_RETENTION_DAYS"]) if days is None else days
    if days < 0:
        raise click.ClickException("--days must be 0 or more")
    notes_days = int(current_app.config["NOTES_RETENTION_DAYS"])
    db = kiosk_db()
    try:
        now = _now()
        deleted = store.purge_answers(db, now - timedelta(days=days))
        notes = store.purge_notes(db, now - timedelta(days=notes_days))
    finally:
        db.close()
    click.echo(f"{deleted} answers deleted (results and scores kept).")
    click.echo(f"{notes} mediator notes deleted (kept {notes_days} days).")


def register(app) -> None:
    """Attach the sync commands to the app's CLI."""
    for command in (sync_command, status_command, purge_command):
        app.cli.add_command(command)
