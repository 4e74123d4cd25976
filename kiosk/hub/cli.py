"""The ``kiosk hub ...`` commands: the hub's database, devices, staff, imports, exports."""
from __future__ import annotations

import json
import logging
import secrets
import sys
from collections import Counter
from datetime import datetime, timedelta, timezone
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from ..storage import migrations
from ..storage.db import connect, write_transaction
from . import events


@click.group("hub")
def hub_group():
    """The Département's hub (run with KIOSK_ROLE=hub)."""


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _window():
    """The weeks the hub takes in and shows (kiosk.hub.weeks), up to today; refuses a
    malformed start of service or a hub clock before it."""
    from .weeks import Window, service_start

    try:
        return Window(service_start(current_app.config["HUB_SERVICE_START"]), _now().date())
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None


def hub_db(*, current: bool = True):
    """The hub's database; refuses a kiosk configuration or one that needs `hub init`."""
    from .schema import MIGRATIONS

    if current_app.config["ROLE"] != "hub":
        raise click.ClickException("this is a kiosk: run hub commands with KIOSK_ROLE=hub")
    db = connect(current_app.config["DATABASE"])
    if current and migrations.pending(db, MIGRATIONS):
        db.close()
        raise click.ClickException("the hub database needs `kiosk hub init`")
    return db


def on_hub(operation, *args, error: type[Exception] | None = None):
    """``operation(db, *args)`` on the hub's database, closed after; ``error`` (a
    problem of the user's asking) becomes the command's message."""
    db = hub_db()
    try:
        return operation(db, *args)
    except Exception as exc:
        if error is not None and isinstance(exc, error):
            raise click.ClickException(str(exc)) from None
        raise
    finally:
        db.close()


@hub_group.command("init")
@with_appcontext
def init_command():
    """Create the hub database, or bring it up to date."""
    from .schema import MIGRATIONS

    db = hub_db(current=False)
    try:
        applied = migrations.migrate(db, MIGRATIONS,
                                     report=lambda path: click.echo(f"Backup: {path}"))
    except (migrations.BackupFailed, migrations.WrongDatabase) as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        db.close()
    click.echo(f"Hub database {current_app.config['DATABASE']}: "
               + (f"applied {', '.join(applied)}." if applied else "already up to date."))


@hub_group.group("device")
def device_group():
    """The kiosks allowed to send records (one token each)."""


@device_group.command("add")
@click.option("--site", required=True, help="The site's name, e.g. 'APC Le Montet'.")
@click.option("--commune", required=True, help="INSEE code of the site's commune.")
@click.option("--itinerant", is_flag=True,
              help="A device that moves (the bus): its records count at the EPCI of the "
                   "stop each carries, not at the commune's.")
@with_appcontext
def device_add(site, commune, itinerant):
    """Register a kiosk and print its token (shown once; only its hash is kept)."""
    from ..diagnostic.resources import communes_for
    from . import store

    communes = communes_for(current_app._get_current_object())
    if commune not in communes:
        raise click.ClickException(f"{commune!r} is not the INSEE code of an Allier commune")
    db = hub_db()
    with write_transaction(db):
        device_id, token = store.add_device(
            db, site=site.strip(), commune=commune, epci=communes.epci_of(commune),
            make_token=lambda i: f"{i}.{secrets.token_urlsafe(32)}", now=_now(),
            itinerant=itinerant)
    db.close()
    events.log("device_added", device=device_id, site=site.strip(), commune=commune)
    click.echo(f"Device {device_id} added: {site.strip()} ({commune}).", err=True)
    click.echo("Its token, shown only now; set it as KIOSK_HUB_TOKEN on that kiosk:", err=True)
    click.echo(token)


@device_group.command("list")
@with_appcontext
def device_list():
    """Every device: site, last seen, records received."""
    from . import store

    db = hub_db()
    rows = store.devices(db)
    db.close()
    click.echo(f"{'id':>4}  {'site':30}  {'commune':7}  {'last seen':20}  {'records':>8}  state")
    for d in rows:
        seen = (d["last_seen_at"] or "never")[:19].replace("T", " ")
        state = f"revoked {d['revoked_at'][:10]}" if d["revoked_at"] else "active"
        click.echo(f"{d['id']:>4}  {d['site'][:30]:30}  {d['commune']:7}  {seen:20}  "
                   f"{d['records_received']:>8}  {state}")


@device_group.command("replace")
@click.argument("device_id", type=int)
@with_appcontext
def device_replace(device_id):
    """A kiosk PC replaced: a new token for the same device, the old one refused at once.

    The records and counts stay the device's, and a copy of the old PC's database set
    up with the new token resends nothing that counts twice (records are bound to the
    device at send time, with whatever token it holds).
    """
    from . import events, store

    db = hub_db()
    with write_transaction(db):
        token = store.replace_device_token(
            db, device_id, lambda i: f"{i}.{secrets.token_urlsafe(32)}")
    db.close()
    if token is None:
        raise click.ClickException(f"no device {device_id}")
    events.log("device_token_replaced", device=device_id)
    click.echo(f"Device {device_id}: new token; the old one is refused from now on.", err=True)
    click.echo("Its token, shown only now; set it as KIOSK_HUB_TOKEN on the new PC:", err=True)
    click.echo(token)


@device_group.command("revoke")
@click.argument("device_id", type=int)
@with_appcontext
def device_revoke(device_id):
    """Revoke a device's token: its requests and files are refused from now on, and the
    mediators' codes its roster held are withdrawn until reset."""
    from . import mediators, store

    db = hub_db()
    with write_transaction(db):
        done = store.revoke_device(db, device_id, _now())
        withdrawn = mediators.withdraw_codes(db, device_id) if done else []
    db.close()
    if not done:
        raise click.ClickException(f"no active device {device_id}")
    events.log("device_revoked", device=device_id, codes_withdrawn=len(withdrawn))
    click.echo(f"Device {device_id} revoked.")
    if withdrawn:
        click.echo(f"Its roster held the codes of {len(withdrawn)} mediator(s), withdrawn "
                   "until reset (a stolen kiosk's copy of their hashes can be attacked): "
                   "give each a new code with `kiosk hub mediator reset-code NAME`:")
        for name in withdrawn:
            click.echo(f"  {name}")


@hub_group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--receipt", type=click.Path(dir_okay=False, path_type=Path),
              help="Receipt to write (default: beside FILE, *.receipt.json).")
@with_appcontext
def import_command(file, receipt):
    """Store the records of a kiosk's USB file and write the receipt it needs."""
    from ..sync.protocol import BadFile
    from ..sync.transfer import write_json
    from .transfer import import_file

    now, window = _now(), _window()
    db = hub_db()
    try:
        outcome = import_file(db, file.read_bytes(), now,
                              int(current_app.config["HUB_MAX_BATCH_RECORDS"]), window.start)
    except json.JSONDecodeError as exc:
        raise click.ClickException(f"{file}:{exc.lineno}: not JSON ({exc.msg})")
    except BadFile as exc:
        events.log("import_refused", logging.WARNING, file=file.name, reason=str(exc))
        click.echo(f"{file}: refused: {exc}", err=True)
        sys.exit(2)
    except ValueError as exc:  # bytes that are not text at all
        raise click.ClickException(f"{file}:1: not a records file ({exc})")
    finally:
        db.close()
    receipt = receipt or file.with_name(file.name.removesuffix(".json") + ".receipt.json")
    write_json(receipt, outcome.receipt)
    events.log("import", device=outcome.device_id, file=file.name, **outcome.counts)
    counts = ", ".join(f"{n} {status}" for status, n in outcome.counts.items())
    click.echo(f"{file}: device {outcome.device_id}: {counts}. Receipt: {receipt}")
    click.echo(f"Health report: {outcome.health}.")


@hub_group.command("purge")
@click.option("--days", type=int, default=None,
              help="Keep this many days (default: KIOSK_HUB_RECORDS_RETENTION_DAYS).")
@with_appcontext
def purge_command(days):
    """Delete row-level records older than the retention period (the counts stay)."""
    from . import store

    days = int(current_app.config["HUB_RECORDS_RETENTION_DAYS"]) if days is None else days
    if days < 0:
        raise click.ClickException("--days must be 0 or more")
    cutoff = _now() - timedelta(days=days)
    db = hub_db()
    with write_transaction(db):
        count = store.purge_records(db, cutoff)
    db.close()
    click.echo(f"{count} records received before {cutoff.date().isoformat()} deleted; "
               "the counts are kept.")


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

    password = read_password(password_stdin)
    db = hub_db()
    try:
        account = staff.add(db, name, password, datetime.now(timezone.utc))
    except staff.StaffError as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        db.close()
    events.log("staff_added", name=account.name, staff=account.id)
    click.echo(f"Staff account {account.name!r} created.")


@staff_group.command("disable")
@click.argument("name")
@with_appcontext
def staff_disable(name):
    """Disable the account NAME: no more logins, its open sessions end."""
    from . import staff

    done = on_hub(staff.disable, name, _now())
    if not done:
        raise click.ClickException(f"no active staff account named {name!r}")
    events.log("staff_disabled", name=name.strip())
    click.echo(f"Staff account {name!r} disabled.")


def read_password(from_stdin: bool) -> str:
    """A new password: the first line of standard input, or asked twice, hidden."""
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return click.prompt("Password", hide_input=True, confirmation_prompt=True)


@staff_group.command("list")
@with_appcontext
def staff_list():
    """The dashboard accounts: name, active or disabled, created, last login."""
    from . import staff

    listed = on_hub(staff.accounts)
    if not listed:
        click.echo("No staff account yet: `kiosk hub staff add NAME`.")
        return
    width = max(len(a.name) for a in listed)
    for a in listed:
        click.echo(f"{a.name:<{width}}  {'active' if a.active else 'disabled':<8}  "
                   f"created {a.created_at[:10]}  last login "
                   f"{a.last_login[:16].replace('T', ' ') if a.last_login else 'never'}")


@staff_group.command("passwd")
@click.argument("name")
@click.option("--password-stdin", is_flag=True,
              help="Read the new password from the first line of standard input.")
@with_appcontext
def staff_passwd(name, password_stdin):
    """Give the account NAME a new password (asked twice): a forgotten password keeps
    its account and name. Its open sessions end."""
    from . import staff

    password = read_password(password_stdin)
    done = on_hub(staff.set_password, name, password, _now(), error=staff.StaffError)
    if not done:
        raise click.ClickException(f"no staff account named {name!r}")
    events.log("staff_password_changed", name=name.strip())
    click.echo(f"New password set for {name!r}; its open sessions are ended.")


@staff_group.command("enable")
@click.argument("name")
@with_appcontext
def staff_enable(name):
    """Let the disabled account NAME log in again."""
    from . import staff

    done = on_hub(staff.enable, name)
    if not done:
        raise click.ClickException(f"no disabled staff account named {name!r}")
    events.log("staff_enabled", name=name.strip())
    click.echo(f"Staff account {name!r} enabled.")


# --- Mediators ---------------------------------------------------------------------------

@hub_group.group("mediator")
def mediator_group():
    """Mediators' accounts, made once here for every kiosk."""


def _show_code(name: str, code: str) -> None:
    from ..mediation.codes import announce

    click.echo(announce(name, code))


@mediator_group.command("add")
@click.argument("name")
@click.option("--structure", required=True,
              help="Where they work, e.g. 'France Services de Cérilly'.")
@with_appcontext
def mediator_add(name, structure):
    """Make the account NAME and print its unlock code, once."""
    from . import mediators

    db = hub_db()
    try:
        account, code = mediators.add(db, name, structure, _now())
    except mediators.MediatorError as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        db.close()
    events.log("mediator_added", name=account.name, mediator=account.id)
    click.echo(f"Mediator {account.name!r} ({account.structure}) added.")
    _show_code(account.name, code)


@mediator_group.command("list")
@with_appcontext
def mediator_list():
    """Every mediator: name, structure, active or not, when the code was set."""
    from . import mediators

    accounts = on_hub(mediators.all_mediators)
    if not accounts:
        click.echo("No mediator yet: `kiosk hub mediator add NAME --structure ...`.")
    for account in accounts:
        state = ("disabled" if not account.active else "active" if account.has_code
                 else "active, code withdrawn: reset it")
        click.echo(f"{account.name}\t{account.structure}\t{state}\tcode set "
                   f"{account.code_set_at[:10]}")


@mediator_group.command("disable")
@click.argument("name")
@with_appcontext
def mediator_disable(name):
    """Disable NAME (the account stays: its name is never given to someone else)."""
    from . import mediators

    done = on_hub(mediators.disable, name, _now())
    if not done:
        raise click.ClickException(f"no active mediator named {name!r}")
    events.log("mediator_disabled", name=" ".join(name.split()))
    click.echo(f"Mediator {name!r} disabled.")


@mediator_group.command("reset-code")
@click.argument("name")
@with_appcontext
def mediator_reset_code(name):
    """Give NAME a new unlock code, printed once (the old one no longer matches)."""
    from . import mediators

    code = on_hub(mediators.reset_code, name, _now(), error=mediators.MediatorError)
    events.log("mediator_code_reset", name=" ".join(name.split()))
    _show_code(" ".join(name.split()), code)


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
@click.option("--frame", metavar="FRAME",
              help="The measurement frame to export (e.g. 2; default: the latest if it "
                   "holds data, else the newest that does). Two frames never mix.")
@click.option("--publish", is_flag=True,
              help="Register what is written as published: every later export of its frame "
                   "is audited against it. Without it, the export is a draft.")
@with_appcontext
def export_command(output, first, last, frame, publish):
    """Write the open data of one frame: aggregated CSV files and their datapackage.json."""
    from . import events, frames, opendata, reports, stats, store, trends
    from .publications import AuditError, Release, Snapshot

    if first and last and first > last:
        raise click.BadParameter("--from is after --to")
    now, window = datetime.now(timezone.utc), _window()
    for option, asked, bound in (("--from", first, window.first), ("--to", last, window.last)):
        if asked and not window.holds(asked):
            click.echo(f"{option} {asked} is outside the weeks of service "
                       f"({window.first} to {window.last}): {bound} is used.", err=True)
    db = hub_db()
    try:
        with reports.snapshot(db):
            held = reports.frames(db, window)
            if frame is not None and frame not in held:
                raise click.ClickException(
                    f"frame {frame!r} holds no diagnostic (frames with data: "
                    f"{', '.join(held) or 'none'})")
            frame = frame or frames.default(held)
            bounds = reports.week_range(db, window, frame) or (None, None)
            span = reports.readable(db, window, first or bounds[0], last or bounds[1], frame)
            weekly = Counter({(week, site): n for (week, site, _), n
                              in reports.weekly(db, "site", span).items()})
            breakdown = reports.counts_by_week(db, "residence", span)
            registered = store.registered_publications(db, frame)
    finally:
        db.close()
    output = output or (Path(current_app.config["EXPORT_DIR"])
                        / f"opendata-cadre{frame}-{now:%Y%m%d-%H%M%S}")
    click.echo(f"Frame {frame}: {frames.spec(frame).description}")
    first, last = span.first, span.last
    if publish and not (first and last):
        raise click.ClickException("nothing to publish: the hub holds no diagnostic")
    weeks = span.weeks()
    snapshot = Snapshot(tuple(weeks), weekly, breakdown)
    releases = [Release(Snapshot(tuple(stats.weeks_between(r["first_week"], r["last_week"])),
                                 r["weekly"], r["breakdown"]), r["hidden"]) for r in registered]
    layout = _export_layout(weeks, [snapshot] + [r.snapshot for r in releases], frame)
    try:
        written = opendata.export(output, snapshot, layout, _epci_names(), releases,
                                  protection=int(current_app.config["HUB_PROTECTION"]), now=now,
                                  contact=str(current_app.config["HUB_OPENDATA_CONTACT"]).strip(),
                                  populations=_epci_populations(),
                                  without_quarters=[i for i, r in enumerate(registered)
                                                    if trends.QUARTERS not in r["tables"]])
    except AuditError as exc:
        raise click.ClickException(f"the open data cannot be audited: {exc}") from None
    for path, rows in written.files.items():
        click.echo(f"{path}: {rows} rows")
    click.echo(f"{written.hidden} of {written.cells} cells suppressed "
               f"({written.primary} to protect, {written.hidden - written.first_pass} more than "
               f"the dashboard's method because of the audit against "
               f"{len(releases)} registered publications of frame {frame}). "
               f"Open data in {output}.")
    if not publish:
        click.echo("Draft: not registered (add --publish when this is what you publish).")
        return
    published = written.published
    db = hub_db()
    try:
        with write_transaction(db):
            publication = store.register_publication(
                db, now=now, frame=frame, first=first, last=last, folder=str(output),
                cells={key: published.shown(key) for key in published.values},
                weekly=weekly, breakdown=breakdown)
    finally:
        db.close()
    events.log("publication", id=publication, frame=frame, first_week=first, last_week=last,
               cells=written.cells, hidden=written.hidden, folder=str(output))
    click.echo(f"Registered as publication {publication}: later exports are audited against it.")


def _epci_names() -> dict[str, str]:
    from .dashboard import EPCI_FILE
    from .epci import load_epci

    return load_epci(EPCI_FILE)


def _epci_populations() -> dict[str, int]:
    """Inhabitants of the Allier communes of each EPCI (an EPCI astride the border counts
    its Allier part only, as the diagnostics come from the Allier's kiosks): the
    dashboard's denominators (kiosk.hub.reach)."""
    from .reach import allier_populations

    return {code: population.allier for code, population in allier_populations().items()}


def _export_layout(weeks: list[str], snapshots: list, frame: str):
    """The rows and columns of an export of ``frame``: those of every snapshot, so that a
    new publication and the registered ones (of the same frame) are cells of the same
    tables."""
    from ..diagnostic.resources import questionnaire_for
    from . import frames, opendata, tables
    from .dashboard import language_name

    names = _epci_names()
    sites = {site for snapshot in snapshots for _, site in snapshot.weekly}
    residences = {epci for snapshot in snapshots for _, _, epci, _ in snapshot.breakdown}
    seen = {(d, v) for snapshot in snapshots for d, v, _, _ in snapshot.breakdown}
    spec = frames.spec(frame)
    return opendata.Layout(
        weeks=weeks, frame=spec,
        site_columns=tables.epci_order(sites | set(names), names),
        residence_columns=tables.epci_order(residences | set(names) | {""}, names),
        variables=tables.variables(questionnaire_for(current_app._get_current_object()), seen,
                                   language_name, spec))
