"""Places, offers and the bus's stops the Département publishes for every kiosk.

``kiosk hub data publish --kind places|stops|offers FILE`` checks the file with the
readers a kiosk uses (kiosk.sync.feed.check): a file with any rejected row, or a problem
of the whole file, is refused with its ``file:line`` problems and nothing is stored.
Stored, it is kept whole with its SHA-256 and date; ``kiosk hub data list`` shows what
is published. Each kiosk fetches the latest of each kind (``GET /api/v1/data``), in a
hub message signed for it, or gets it with its USB receipt, and checks it again
against what it holds before applying it (kiosk/sync/feed.py).
"""
from __future__ import annotations

import hashlib
import io
import tempfile
from datetime import datetime, timezone
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from .. import paths
from ..storage.db import write_transaction
from ..sync import feed
from ..sync.protocol import hub_message

MAX_BYTES = 2_000_000  # the largest file a kiosk is sent (the places file is ~5 kB today)


class Refused(ValueError):
    """A file that cannot be published; ``problems`` says why, line by line."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


def latest(db) -> dict[str, dict]:
    """The latest publication of each kind: ``name``, ``content``, ``sha256``,
    ``published_at``."""
    rows = db.execute(
        "SELECT kind, name, content, sha256, published_at FROM data_publications "
        "WHERE id IN (SELECT max(id) FROM data_publications GROUP BY kind)").fetchall()
    return {r[0]: {"name": r[1], "content": r[2], "sha256": r[3], "published_at": r[4]}
            for r in rows}


def listing(db) -> list[dict]:
    """Every publication, newest first, without its content."""
    return [{"kind": r[0], "name": r[1], "sha256": r[2], "published_at": r[3], "bytes": r[4],
             "current": bool(r[5])} for r in db.execute(
        "SELECT kind, name, sha256, published_at, length(CAST(content AS BLOB)), "
        "id IN (SELECT max(id) FROM data_publications GROUP BY kind) "
        "FROM data_publications ORDER BY id DESC")]


def message_for(db, device, now: datetime) -> dict:
    """The latest publications, as a hub message signed for ``device`` (what GET
    /api/v1/data answers)."""
    return hub_message(device["id"], feed.KIND, {"publications": latest(db)},
                       device["token_hash"], issued_at=now.isoformat(timespec="seconds"),
                       version=feed.VERSION)


def message_if_any(db, device, now: datetime) -> dict | None:
    """:func:`message_for`, or None while nothing is published (a receipt then carries
    nothing more than before)."""
    has_any = db.execute("SELECT 1 FROM data_publications LIMIT 1").fetchone()
    return message_for(db, device, now) if has_any else None


def publish(db, kind: str, name: str, raw: bytes, now: datetime, *, communes,
            questionnaire: Path) -> dict | None:
    """Check and store a file of ``kind``; its publication, or None when it is already
    the one published. Raises Refused with every problem found."""
    if kind not in feed.KINDS:
        raise Refused([f"{name}:1: unknown kind {kind!r}"])
    if len(raw) > MAX_BYTES:
        raise Refused([f"{name}:1: larger than {MAX_BYTES} bytes"])
    try:
        content = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise Refused([f"{name}:1: the file is not UTF-8 text: save it as UTF-8 "
                       "and retry"]) from None
    sha = hashlib.sha256(raw).hexdigest()
    if latest(db).get(kind, {}).get("sha256") == sha:
        return None
    problems = _check(db, kind, name, raw, communes, questionnaire)
    if problems:
        raise Refused(problems)
    publication = {"kind": kind, "name": name, "content": content, "sha256": sha,
                   "published_at": now.isoformat(timespec="seconds")}
    with write_transaction(db):
        db["data_publications"].insert(publication)
    return publication


def _check(db, kind, name, raw, communes, questionnaire) -> list[str]:
    """The kiosk's check of the file. Stops are checked against the itinerant places
    the kiosks will hold: the published places, or else the shipped ones. The file is
    checked in a scratch folder laid out as a data folder, its ``data/`` the shipped
    one (offers may name a local list of places there)."""
    itinerant = feed.itinerant_ids(_places(db)) if kind == "stops" else None
    with tempfile.TemporaryDirectory(prefix="kiosk-publish-") as scratch:
        (Path(scratch) / "data").symlink_to(paths.DATA, target_is_directory=True)
        path = Path(scratch) / Path(feed.FILES[kind]).name
        path.write_bytes(raw)
        return feed.check(kind, path, name, communes=communes, itinerant=itinerant,
                          questionnaire=questionnaire).problems


def _places(db) -> list[dict]:
    """The places kiosks will hold: the published ones, else those shipped."""
    from ..diagnostic.resources import PLACES_SCHEMA
    from ..places.directory import load_schema, read_places

    published = latest(db).get("places")
    source = io.StringIO(published["content"]) if published else \
        paths.DATA / "lieux_03.csv"
    return read_places(source, load_schema(PLACES_SCHEMA)).places


@click.group("data")
def data_group():
    """Places, offers and the bus's stops published for every kiosk."""


@data_group.command("publish")
@click.option("--kind", type=click.Choice(feed.KINDS), required=True,
              help="places (national standard CSV), stops (the bus's itinerance CSV) or "
                   "offers (offers.yaml).")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def publish_command(kind, file):
    """Check FILE as a kiosk would and publish it: kiosks apply it at their next sync."""
    from ..diagnostic.resources import communes_for
    from .cli import on_hub

    app = current_app._get_current_object()
    try:
        publication = on_hub(lambda db: publish(
            db, kind, file.name, file.read_bytes(), datetime.now(timezone.utc),
            communes=communes_for(app), questionnaire=Path(app.config["QUESTIONNAIRE"])))
    except Refused as refused:
        for problem in refused.problems:
            click.echo(problem.replace(file.name, str(file), 1) if problem.startswith(
                file.name + ":") else problem, err=True)
        raise click.ClickException(f"{file} refused ({len(refused.problems)} problems); "
                                   "nothing published") from None
    if publication is None:
        click.echo(f"{file} is already the published {kind}: nothing changed.")
        return
    click.echo(f"Published {kind} from {file} (sha256 {publication['sha256'][:12]}, "
               f"{publication['published_at']}); kiosks apply it at their next sync.")


@data_group.command("list")
@with_appcontext
def list_command():
    """What is published, newest first (* the one kiosks are sent)."""
    from .cli import on_hub

    rows = on_hub(listing)
    if not rows:
        click.echo("Nothing published: kiosks keep the data they were installed with.")
    for row in rows:
        click.echo(f"{'*' if row['current'] else ' '} {row['kind']:<7} "
                   f"{row['published_at']}  {row['name']}  {row['bytes']} bytes  "
                   f"sha256 {row['sha256'][:12]}")


def register(app) -> None:
    """Add ``kiosk hub data`` to the hub's commands."""
    from .cli import hub_group

    hub_group.add_command(data_group)
