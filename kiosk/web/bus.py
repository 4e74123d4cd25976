"""The Bourbon'Net bus: a laptop serving tablets, moving from stop to stop.

Two things differ from a kiosk in a post office:

* **The day's stop.** The bus moves, so a record carries the EPCI of the stop where it was
  made, not one fixed commune. A mediator (their page "Arrêt du jour") or the operator
  (``kiosk stop set INSEE``) sets it when the bus arrives, in one tap from a short list:
  the stops the bus's stops file schedules today first, then its other communes. It is
  kept with its day: a stop set yesterday no longer applies, and records fall back to
  ``KIOSK_SITE_COMMUNE``. :func:`site_commune` is the one place that decides.
* **Printing through the laptop.** With ``KIOSK_PRINT_COMMAND`` set (``lp -d
  bus-printer``), a tablet's print button posts to the laptop, which renders the printable
  sheet to PDF with headless Chromium (offline: its stylesheets and fonts read from the
  app's static folder as files) and hands the PDF to the command. The PDF lives in a
  temporary folder removed at once, printed or not.
"""
from __future__ import annotations

import logging
import os
import shlex
import subprocess
import tempfile
from datetime import date, datetime, time, timezone
from pathlib import Path

import click
from flask import (Blueprint, abort, current_app, g, redirect, render_template, request,
                   url_for)
from flask.cli import with_appcontext
from flask_babel import get_locale

from ..config import flag
from ..diagnostic.resources import communes_for, get_communes, get_stops, stops_for
from ..places.communes import normalise_name
from ..places.hours import format_hour, parse_or_none
from ..storage.db import get_db, write_transaction
from . import resident, result_page
from .mediator_session import require_mediator

LOG = logging.getLogger(__name__)

bp = Blueprint("bus", __name__)


# --- the day's stop -------------------------------------------------------------------

def local_today(moment: datetime | None = None) -> date:
    """The day at the kiosk (Paris time)."""
    return (moment or resident.now()).astimezone(result_page.LOCAL_TIME).date()


def day_stop(db, day: date) -> str | None:
    """The INSEE code of the stop set for ``day``, or None (none set, or set another day)."""
    for row in db.query("SELECT code_insee, day FROM day_stop WHERE id = 1"):
        if row["day"] == day.isoformat():
            return row["code_insee"]
    return None


def set_day_stop(db, code_insee: str, day: date, now: datetime) -> None:
    """Make ``code_insee`` the stop of ``day`` (replacing any earlier choice)."""
    with write_transaction(db):
        db["day_stop"].upsert({"id": 1, "code_insee": code_insee, "day": day.isoformat(),
                               "set_at": now.astimezone(timezone.utc).isoformat()}, pk="id")


def clear_day_stop(db) -> None:
    with write_transaction(db):
        db.execute("DELETE FROM day_stop")


def site_commune() -> str:
    """The commune where this request's records are made: today's stop of the bus when one
    is set, else ``KIOSK_SITE_COMMUNE``. Records take its EPCI; the nearest places are
    measured from it when the person gave no commune. Read once a request (a page asks
    for its visit service several times)."""
    if "site_commune" not in g:
        g.site_commune = day_stop(get_db(), local_today()) or current_app.config["SITE_COMMUNE"]
    return g.site_commune


def site_epci() -> str | None:
    """The EPCI a record made now carries (see :func:`site_commune`)."""
    site = site_commune()
    return get_communes().epci_of(site) if site else None


def stop_choices(stops: list[dict], day: date) -> tuple[list[dict], list[dict]]:
    """The stops file as a short list: the stops scheduled on ``day`` (in time order, each
    with its ``start`` and ``end``), then the file's other communes (by name); one entry a
    commune, since the commune is what is kept."""
    midnight = datetime.combine(day, time())
    today = []
    for stop in stops:
        schedule = parse_or_none(stop["horaires"])
        if schedule is None:
            continue
        status = schedule.status(midnight)
        spans = list(status.later_today)
        if status.is_open:
            spans.insert(0, (midnight, status.open_until or midnight))
        if spans:
            today.append(dict(stop, start=spans[0][0], end=spans[0][1]))
    today.sort(key=lambda stop: stop["start"])
    today = _one_per_commune(today)
    shown = {stop["code_insee"] for stop in today}
    by_name = sorted(stops, key=lambda stop: normalise_name(stop["commune"]))
    others = [stop for stop in _one_per_commune(by_name) if stop["code_insee"] not in shown]
    return today, others


def _one_per_commune(stops: list[dict]) -> list[dict]:
    seen, kept = set(), []
    for stop in stops:
        if stop["code_insee"] not in seen:
            seen.add(stop["code_insee"])
            kept.append(stop)
    return kept


def is_bus() -> bool:
    """This kiosk is the bus (``KIOSK_BUS``): its mediators are asked for the day's stop."""
    return flag(current_app.config["BUS"])


@bp.app_template_global("bus_day_stop")
def day_stop_for_page() -> dict | None:
    """For the mediator's home: today's stop (``commune`` empty when none is set today
    on the bus); None on a kiosk that is not the bus, unless a stop is set today, which
    its records then carry and its mediators must see."""
    code = day_stop(get_db(), local_today())
    if not (is_bus() or code):
        return None
    commune = get_communes().get(code) if code else None
    return {"code_insee": code or "", "commune": commune.name if commune else ""}


@bp.get("/mediateur/arret")
@require_mediator
def stop_page():
    """The day's stop, chosen in one tap."""
    today, others = stop_choices(get_stops(), local_today())
    locale = get_locale()
    for stop in today:
        stop["hours"] = f"{format_hour(stop['start'], locale)} – {format_hour(stop['end'], locale)}"
    return render_template("mediator/stop.html", today=today, others=others,
                           current=day_stop_for_page() or {"commune": ""}, idle=True)


@bp.post("/mediateur/arret/choisir")
@require_mediator
def choose_stop():
    """Keep the stop tapped (one of the stops file's communes) for today; or forget it."""
    code = request.form.get("code_insee", "")
    db = get_db()
    if request.form.get("clear"):
        clear_day_stop(db)
    elif code in {stop["code_insee"] for stop in get_stops()}:
        set_day_stop(db, code, local_today(), resident.now())
    else:
        abort(400)  # a tampered form: the page offers only the file's communes
    return redirect(url_for("mediator.home"), 303)


# --- `kiosk stop` -----------------------------------------------------------------------

@click.group("stop")
def stop_group():
    """The Bourbon'Net bus's stop of the day (records carry its EPCI)."""


def _kiosk_db():
    from ..sync.cli import kiosk_db

    return kiosk_db()


@stop_group.command("set")
@click.argument("code_insee")
@with_appcontext
def stop_set(code_insee):
    """Set today's stop: the INSEE code of the commune the bus stands in."""
    app = current_app._get_current_object()
    commune = communes_for(app).get(code_insee)
    if commune is None:
        raise click.ClickException(f"{code_insee!r} is not the INSEE code of an Allier commune")
    db = _kiosk_db()
    try:
        set_day_stop(db, code_insee, local_today(), resident.now())
    finally:
        db.close()
    if code_insee not in {stop["code_insee"] for stop in stops_for(app)}:
        click.echo(f"Note: {commune.name} is not in the bus's stops file.", err=True)
    click.echo(f"Today's stop: {commune.name} ({code_insee}), EPCI "
               f"{communes_for(app).epci_of(code_insee)}.")


@stop_group.command("clear")
@with_appcontext
def stop_clear():
    """Forget the day's stop: records take KIOSK_SITE_COMMUNE's EPCI again."""
    db = _kiosk_db()
    try:
        clear_day_stop(db)
    finally:
        db.close()
    click.echo(f"No stop set: records are made at {current_app.config['SITE_COMMUNE']}.")


@stop_group.command("show")
@with_appcontext
def stop_show():
    """Today's stop, or the commune records fall back to."""
    db = _kiosk_db()
    try:
        code = day_stop(db, local_today())
    finally:
        db.close()
    if code is None:
        click.echo(f"No stop set today: records are made at "
                   f"{current_app.config['SITE_COMMUNE']} (KIOSK_SITE_COMMUNE).")
    else:
        click.echo(f"Today's stop: {communes_for(current_app).get(code).name} ({code}).")


def register(app) -> None:
    app.cli.add_command(stop_group)


# --- printing through the laptop ------------------------------------------------------

class PrintFailed(Exception):
    """The sheet could not be rendered or the print command failed (the reason is logged,
    never shown: it may name paths)."""


@bp.post("/result/print/bus")
def print_on_bus():
    """Send the result's printable sheet to the bus's printer; back to the sheet, which
    says whether it went."""
    command = current_app.config["PRINT_COMMAND"]
    if not command:
        abort(404)
    visit, leave = resident.require_visit(active=False)
    if leave:
        return leave
    if visit["status"] != "complete":
        return redirect(url_for("resident.result"), 303)
    html = render_template("print.html", idle=False,
                           **result_page.context(visit, resident.now(), sheet=True))
    cfg = current_app.config
    try:
        print_html(html, static_dir=current_app.static_folder,
                   static_url=url_for("static", filename=""), command=shlex.split(command),
                   browser=cfg["PRINT_BROWSER"], timeout=float(cfg["PRINT_TIMEOUT"]))
    except PrintFailed as failure:
        LOG.error("printing the sheet failed: %s", failure)
        return redirect(url_for("resident.print_sheet", imprime="erreur"), 303)
    return redirect(url_for("resident.print_sheet", imprime="ok"), 303)


def print_html(html: str, *, static_dir: str, static_url: str, command: list[str],
               browser: str, timeout: float) -> None:
    """Render ``html`` to PDF and run ``command`` with the PDF's path as last argument;
    nothing is left on disk. Raises PrintFailed."""
    with tempfile.TemporaryDirectory(prefix="kiosk-print-") as folder:
        page, pdf = Path(folder, "sheet.html"), Path(folder, "sheet.pdf")
        # Static files as files: no server, no network, whatever address the app serves on.
        page.write_text(html.replace(f'="{static_url}', f'="{Path(static_dir).as_uri()}/'),
                        encoding="utf-8")
        _run([browser, *pdf_flags(Path(folder, "profile"), pdf), page.as_uri()], timeout)
        if not pdf.is_file() or pdf.stat().st_size == 0:
            raise PrintFailed(f"{browser} wrote no PDF")
        _run([*command, str(pdf)], timeout)


def pdf_flags(profile: Path, pdf: Path) -> list[str]:
    """Headless Chromium printing one page to ``pdf``: a throw-away profile, no network
    service of its own, no header or footer (date and file path) on the sheet."""
    return ["--headless", "--disable-gpu", "--no-first-run", "--disable-sync",
            "--disable-background-networking", "--disable-component-update",
            "--disable-extensions", "--no-default-browser-check",
            # The page is the app's own sheet read from a file, never the web: Chromium's
            # sandbox (unavailable as root or under a service's restrictions) adds nothing.
            "--no-sandbox",
            f"--user-data-dir={profile}", "--no-pdf-header-footer",
            "--print-to-pdf-no-header", f"--print-to-pdf={pdf}"]


def _run(argv: list[str], timeout: float) -> None:
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=timeout,
                              stdin=subprocess.DEVNULL, env=_quiet_env())
    except (OSError, subprocess.TimeoutExpired) as error:
        raise PrintFailed(f"{argv[0]}: {error}") from None
    if done.returncode != 0:
        raise PrintFailed(f"{argv[0]} exited with {done.returncode}: "
                          f"{done.stderr.strip()[-500:]}")


def _quiet_env() -> dict:
    """The environment for the browser and the print command: no proxy to try."""
    return {key: value for key, value in os.environ.items()
            if not key.lower().endswith("_proxy")}
