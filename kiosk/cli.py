"""The ``kiosk`` command (also ``flask --app kiosk ...``).

Commands that touch the database or the network live here, never in create_app().
"""
from __future__ import annotations

import sys
from datetime import datetime, timezone
from pathlib import Path

import click
from flask import current_app
from flask.cli import FlaskGroup, with_appcontext

from .storage import migrations, secretkey, store
from . import config, paths
from .storage.db import connect
from .diagnostic.yamlfile import DataFileError


def register(app) -> None:
    """Attach the commands to the app (so ``flask --app kiosk`` sees them too)."""
    app.cli.add_command(init_command)
    app.cli.add_command(serve_command)
    app.cli.add_command(check_command)
    app.cli.add_command(places_group)
    app.cli.add_command(export_command)
    from .hub.cli import hub_group
    app.cli.add_command(hub_group)
    from .hub import publish
    publish.register(app)
    from .languages.cli import audio_group, fonts_group, i18n_group
    app.cli.add_command(i18n_group)
    app.cli.add_command(audio_group)
    app.cli.add_command(fonts_group)
    from .sync import cli as sync_cli
    sync_cli.register(app)
    from .mediation import cli as mediation_cli
    mediation_cli.register(app)
    from .web import bus
    bus.register(app)
    from .ops import cli as ops_cli
    ops_cli.register(app)


def _db():
    return connect(current_app.config["DATABASE"])


def _refuse_on_the_hub(instead: str) -> None:
    """Stop a kiosk's command run with the hub's settings: it would write kiosk tables
    into the hub's database."""
    if current_app.config["ROLE"] == "hub":
        raise click.ClickException(f"this is the hub (KIOSK_ROLE=hub): this command is a "
                                   f"kiosk's; {instead}")


def _require_current_db(db) -> None:
    from .hub import schema

    # A hub's database has its own migrations, applied by `kiosk hub init`.
    hub = current_app.config["ROLE"] == "hub"
    todo = migrations.pending(db, schema.MIGRATIONS if hub else None)
    if todo:
        command = "kiosk hub init" if hub else "kiosk init"
        raise click.ClickException(f"the database needs `{command}` ({len(todo)} migrations pending)")


@click.command("init")
@with_appcontext
def init_command():
    """Create the database, or bring it up to date; make a secret key if none is set."""
    app = current_app._get_current_object()
    _refuse_on_the_hub("the hub's database is set up by `kiosk hub init`")
    db = _db()
    try:
        applied = migrations.migrate(db, report=lambda path: click.echo(f"Backup: {path}"))
    except (migrations.BackupFailed, migrations.WrongDatabase) as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        db.close()
    try:
        written = secretkey.ensure_file(app)
    except OSError as exc:
        click.echo(f"Warning: no secret key could be written ({exc}); set KIOSK_SECRET_KEY.",
                   err=True)
    else:
        if written:
            click.echo(f"Secret key generated in {written} (mode 0600).")
    click.echo(f"Database {current_app.config['DATABASE']}: "
               + (f"applied {', '.join(applied)}." if applied else "already up to date."))
    _require_data_folder(current_app.config)


def _require_data_folder(cfg) -> None:
    """Refuse a data folder that lacks what the kiosk reads, saying how to fill it.

    `kiosk init` does not copy the shipped folder itself: the install script does, once,
    so that an upgrade never overwrites a folder edited on the kiosk."""
    folder = Path(cfg["DATA_DIR"])
    wanted = [Path(cfg["QUESTIONNAIRE"]), Path(cfg["OFFERS"]),
              *(config.data_file(cfg, name) for name in config.DATA_FILES[2:])]
    missing = [path for path in wanted if not path.is_file()]
    if not missing:
        return
    state = ("does not exist" if not folder.exists() else "is empty"
             if not any(folder.iterdir()) else "lacks " + ", ".join(map(str, missing)))
    raise click.ClickException(
        f"the data folder {folder} (KIOSK_DATA_DIR) {state}. Copy the shipped one into it, "
        f"then run `kiosk check`:\n  mkdir -p {folder} && cp -rn {paths.QUESTIONNAIRES}/. "
        f"{folder}/")


LOOPBACK = {"127.0.0.1", "::1", "localhost"}


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=5000, show_default=True, type=int, help="Port to listen on.")
@click.option("--threads", default=4, show_default=True, type=int, help="Worker threads.")
@click.option("--network", is_flag=True,
              help="Allow an address other devices reach (the bus's tablets on the laptop's "
                   "own Wi-Fi): without it, only this computer's loopback is served.")
@with_appcontext
def serve_command(host, port, threads, network):
    """Serve the kiosk with waitress (refuses a broken questionnaire, or a weak secret key
    on a server with logins)."""
    from .web.serving import serve

    from .diagnostic.resources import communes_for, questionnaire_for, stops_for

    if host not in LOOPBACK and not network:
        # A kiosk serves the screen it stands beside: listening on the network by mistake
        # would offer the residents' pages, and the mediators' unlock page, to anyone on
        # the post office's Wi-Fi.
        raise click.ClickException(
            f"--host {host} serves other devices on the network: add --network if that is "
            "meant (the bus's tablets), else keep the default 127.0.0.1")
    app = current_app._get_current_object()
    fatal, message = secretkey.serving_check(app)
    if fatal:
        raise click.ClickException(message)
    if message:
        click.echo(message, err=True)
    try:
        questionnaire_for(app)
    except DataFileError as exc:
        for problem in exc.problems:
            click.echo(str(problem), err=True)
        raise click.ClickException("the questionnaire has errors: fix them, then run `kiosk check`")
    communes_for(app)
    try:  # read now, not on a resident's result page
        stops_for(app)
    except OSError as exc:
        raise click.ClickException(f"{exc.filename}: cannot read: {exc.strerror}") from None
    db = _db()
    _require_current_db(db)
    db.close()
    if app.config["ROLE"] == "hub":
        from .hub.weeks import service_start

        try:
            service_start(app.config["HUB_SERVICE_START"])
        except ValueError as exc:
            raise click.ClickException(str(exc)) from None
    click.echo(f"Kiosk ready on http://{host}:{port}  (Ctrl+C to stop)", err=True)
    # Proxy headers reach the app only when it has trusted proxies to check them against
    # (kiosk.hub.address); otherwise waitress drops them.
    from .hub.web import TRUSTED_PROXIES

    proxies = app.extensions.get(TRUSTED_PROXIES)
    serve(app, host=host, port=port, threads=threads, proxy_headers=bool(proxies))


@click.command("check")
@click.argument("questionnaire", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--offers", type=click.Path(dir_okay=False, path_type=Path),
              help="Offers catalogue to check with it (default: the configured one).")
@with_appcontext
def check_command(questionnaire, offers):
    """Validate the questionnaire, the offers and the data files (file:line: message)."""
    problems = check_problems(current_app.config, questionnaire, offers)
    for problem in problems:
        click.echo(problem, err=True)
    if problems:
        sys.exit(1)


def check_problems(cfg, questionnaire: Path | None = None, offers: Path | None = None,
                   echo=click.echo, *, catalogues: bool = True) -> list[str]:
    """What `kiosk check` finds wrong (``file:line: message``), each file found sound
    told to ``echo``; `kiosk doctor` calls it too, with ``catalogues=False``: it reads
    the compiled catalogues in a check of their own."""
    from .places.communes import load_communes
    from .places.directory import load_schema, read_places
    from .diagnostic.resources import COMMUNES_FILE, PLACES_SCHEMA, load_questionnaire_files

    echo(f"Data folder: {cfg['DATA_DIR']}")
    q_path = questionnaire or Path(cfg["QUESTIONNAIRE"])
    o_path = offers or Path(cfg["OFFERS"])
    problems, q = [], None
    try:
        q = load_questionnaire_files(q_path, o_path)
        echo(f"{q_path}: ok ({q.id} {q.version}, frame {q.frame}, {len(q.screens)} "
             f"screens, {len(q.dsi_items())} DSI 2.0 activities mapped)")
        echo(f"{o_path}: ok ({len(q.offers)} offers)")
    except DataFileError as exc:
        problems += [str(p) for p in exc.problems]
    try:
        communes = load_communes(COMMUNES_FILE)
        echo(f"{COMMUNES_FILE}: ok ({len(communes)} communes)")
        site = cfg["SITE_COMMUNE"]
        if site and site not in communes:
            problems.append(f"KIOSK_SITE_COMMUNE:1: {site!r} is not an Allier commune code")
    except ValueError as exc:
        problems.append(f"{COMMUNES_FILE}:{exc}")
    from .languages.cli import compiled_problems, language_problems
    problems += language_problems(cfg, echo, q)
    if catalogues:
        problems += compiled_problems(current_app, echo)
    places_file = config.data_file(cfg, config.PLACES_FILE)
    try:
        report = read_places(places_file, load_schema(PLACES_SCHEMA))
    except OSError as exc:
        problems.append(f"{places_file}:1: cannot read: {exc.strerror}")
    else:
        problems += [f"{places_file}:{issue.line}: {issue.detail}" for issue in report.errors]
        if not report.errors:
            echo(f"{places_file}: ok ({len(report.places)} places, "
                 f"{len(report.warnings)} warnings)")
        problems += _stops_problems(report.places, config.data_file(cfg, config.STOPS_FILE),
                                    echo)
    return problems


def _stops_problems(places: list[dict], stops_file: Path, echo) -> list[str]:
    """Check the itinerant places' stops against the communes and the places file."""
    from .places.communes import load_communes
    from .places.stops import read_stops
    from .diagnostic.resources import COMMUNES_FILE

    try:
        communes = load_communes(COMMUNES_FILE)
    except ValueError:
        return []  # already reported: stops cannot be checked without communes
    itinerant = [p["id"] for p in places if "Itinérant" in (p.get("itinerance") or ())]
    try:
        report = read_stops(stops_file, communes, itinerant)
    except OSError as exc:
        return [f"{stops_file}:1: cannot read: {exc.strerror}"]
    if not report.errors:
        echo(f"{stops_file}: ok ({len(report.stops)} stops)")
    return [f"{stops_file}:{issue.line}: {issue.detail}" for issue in report.errors]


@click.group("places")
def places_group():
    """Digital-mediation places (national data standard)."""


@places_group.command("import")
@click.argument("file", required=False,
                type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def places_import(file):
    """Replace the places with those of FILE (CSV in the national standard; default: the
    data folder's data/lieux_03.csv)."""
    from .places.directory import load_schema, read_places
    from .diagnostic.resources import PLACES_SCHEMA

    _refuse_on_the_hub("the hub publishes places to the kiosks with `kiosk hub data publish`")
    if file is None:
        file = config.data_file(current_app.config, config.PLACES_FILE)
        if not file.is_file():
            raise click.ClickException(f"{file} not found: give a FILE, or fill the data "
                                       "folder (`kiosk init` says how)")
    report = read_places(file, load_schema(PLACES_SCHEMA))
    for issue in report.warnings:
        click.echo(f"{file}:{issue.line}: warning: {issue.detail}", err=True)
    for issue in report.errors:
        click.echo(f"{file}:{issue.line}: rejected: {issue.detail}", err=True)
    file_level = any(issue.line == 1 for issue in report.errors)
    if report.places and not file_level:
        db = _db()
        _require_current_db(db)
        count = store.replace_places(db, report.places, datetime.now(timezone.utc))
        db.close()
        click.echo(f"{count} places imported from {file}.")
    rejected = len({issue.line for issue in report.errors})
    if rejected:
        click.echo(f"{rejected} rows rejected.", err=True)
        sys.exit(1)


@click.command("export")
# A plain string: a trailing "/" says "a folder", which a Path would drop.
@click.option("--output", "-o", type=click.Path(),
              help="CSV file to write, or an existing folder "
                   "(default: exports/results-<date>.csv).")
@with_appcontext
def export_command(output):
    """Export the local results to a CSV file."""
    from .sync.cli import csv_destination, write_csv_with_progress
    from .sync.export import results_export
    from .diagnostic.resources import questionnaire_for

    output = csv_destination(output, "results")
    db = _db()
    _require_current_db(db)
    total = store.count_results(db)
    columns, rows = results_export(db, questionnaire_for(current_app._get_current_object()))
    try:   # the rows are read from the database as they are written
        count = write_csv_with_progress(output, columns, rows, total)
    finally:
        db.close()
    click.echo(f"{count} results written to {output}.")


def _create_app():
    from . import create_app

    app = create_app()
    if app.config["ROLE"] == "hub":
        # The hub's security and data events go to stderr (systemd's journal), for
        # `kiosk serve` and every `kiosk hub` command alike. Here, in the console
        # script, rather than in the commands: tests' runners keep logging's defaults.
        from .hub import events

        events.configure()
    return app


# The `kiosk` console script: the same commands as `flask --app kiosk`, on the app
# configured from the environment (KIOSK_*) and the instance folder.
main = FlaskGroup(name="kiosk", create_app=_create_app, add_default_commands=False,
                  add_version_option=False,
                  help="The Allier digital-skills diagnostic kiosk.")
# The release installed, first: what a technician reads out on the phone, and what an
# upgrade changes (deploy/README.md); Python's and Flask's after it.
main = click.version_option(
    package_name="kiosk-diagnostic-allier",
    message="%(package)s %(version)s (Python " + sys.version.split()[0] + ")")(main)
