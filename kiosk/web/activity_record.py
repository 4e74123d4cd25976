"""The mediator's activity record pages: after a guided diagnostic, a quick help at the
counter, a group workshop; and the export of the mediator's own records to a USB key.

request -> kiosk.mediation.cra (the record, pure) -> kiosk.storage.store (the record
and its anonymised outbox row, in one transaction) -> a confirmation page. Every page
requires an unlocked mediator (kiosk.web.mediator_session).
"""
from __future__ import annotations

import os
import sqlite3
from datetime import datetime, timedelta, timezone
from pathlib import Path

from flask import (Blueprint, abort, current_app, redirect, render_template, request,
                   url_for)
from flask_babel import lazy_gettext as _l

from ..mediation import coop, cra
from ..storage import store
from ..storage.db import get_db
from ..sync import anonymise, usbkey
from ..sync.export import write_csv
from . import bus
from .mediator_session import current_mediator, require_mediator
from .result_page import LOCAL_TIME

bp = Blueprint("activity", __name__, url_prefix="/mediateur/compte-rendu")

# French labels of La Coop's values, as its own form words them (the themes' are in
# kiosk.mediation.coop, which the hub's dashboard reads too).
DIGITAL_THEMES = {code: _l(coop.THEME_WORDS[code]) for code in coop.DIGITAL_THEMES}
PROCEDURE_THEMES = {code: _l(coop.THEME_WORDS[code]) for code in coop.PROCEDURE_THEMES}
PLACE_TYPES = {
    "lieu_activite": _l("Dans le lieu d'accueil"),
    "domicile": _l("Au domicile de la personne"),
    "a_distance": _l("À distance"),
    "autre": _l("Ailleurs"),
}
EQUIPMENT = {
    "ordinateur": _l("Ordinateur"), "telephone": _l("Téléphone"),
    "tablette": _l("Tablette"), "autre": _l("Autre matériel"), "aucun": _l("Aucun"),
}
AUTONOMY = {
    "entierement_accompagne": _l("Entièrement accompagnée : avec guidage"),
    "partiellement_autonome": _l("Partiellement autonome : guidage en cas de besoin"),
    "autonome": _l("Autonome"),
}
REFERRALS = {
    "": _l("Pas d'orientation"),
    "administration": _l("Une administration"),
    "mediation_numerique": _l("La médiation numérique"),
    "operateur_ou_organisme_en_charge": _l("L'opérateur ou l'organisme en charge"),
    "aide_sociale": _l("L'aide sociale"),
    "insertion_professionnelle": _l("L'insertion professionnelle"),
    "aide_aux_demarches_administratives": _l("L'aide aux démarches administratives"),
    "autre": _l("Une autre structure"),
}
LEVELS = {"debutant": _l("Débutant"), "intermediaire": _l("Intermédiaire"),
          "avance": _l("Avancé")}
TITLES = {"guided": _l("Compte rendu du diagnostic accompagné"),
          "counter": _l("Compte rendu d'une aide au guichet"),
          "workshop": _l("Compte rendu d'un atelier collectif")}
# The labels must cover La Coop's vocabulary exactly (tests/test_activity_record.py).
LABELS = {"thematiques": {**DIGITAL_THEMES, **PROCEDURE_THEMES}, "type_lieu": PLACE_TYPES,
          "materiel": EQUIPMENT, "autonomie": AUTONOMY, "structure_de_redirection": REFERRALS,
          "niveau": LEVELS}
EXPORT_FILE_NAME = "comptes-rendus-{stamp}.csv"


def now() -> datetime:
    return datetime.now(timezone.utc)


def today():
    """The kiosk's local day (a record's date as the mediator says it): Paris time, as
    every date the kiosk shows."""
    return now().astimezone(LOCAL_TIME).date()


def render_form(mode: str, values: dict, action: str, error=None, status: int = 200,
                visit=None):
    return render_template("activity/form.html", mode=mode, title=TITLES[mode],
                           values=values, action=action, error=error, visit=visit,
                           durations=coop.DURATIONS, labels=LABELS,
                           digital_themes=DIGITAL_THEMES, procedure_themes=PROCEDURE_THEMES,
                           max_notes=cra.MAX_NOTES, max_participants=cra.MAX_PARTICIPANTS,
                           today=today().isoformat()), status


def kept_values(form) -> dict:
    """What the mediator sent, to show the form again as it was."""
    values = {key: form.get(key, "") for key in (
        "date", "duree", "duree_autre", "type_lieu", "autonomie", "structure_de_redirection",
        "titre_atelier", "niveau", "participants", "notes")}
    values.update(materiel=form.getlist("materiel"), thematiques=form.getlist("thematiques"))
    return values


def blank(mode: str) -> dict:
    """A new record's form: today, at this place, one person (or none yet)."""
    record = cra.ActivityRecord(mode=mode, type=cra.TYPE_OF_MODE[mode], date=today(),
                                duree=30, type_lieu="lieu_activite", thematiques=())
    return dict(cra.form_values(record), duree="")


def save(record: cra.ActivityRecord, visit_id: int | None = None):
    """Store the record with its anonymised outbox row; then the confirmation."""
    db, moment = get_db(), now()
    cfg = current_app.config
    payload = anonymise.anonymise_kind(
        "activity", cra.hub_values(record), site_epci=bus.site_epci(),
        week=anonymise.iso_week(moment))
    try:
        record_id = store.add_activity_record(
            db, visit_id=visit_id, mediator=current_mediator().name, kind=record.type,
            mode=record.mode, day=record.date.isoformat(), fields=record.fields(),
            notes=record.notes, payload=payload, now=moment)
    except sqlite3.IntegrityError:   # a second submit of the same diagnostic's record
        done = store.activity_record_for_visit(db, visit_id) if visit_id else None
        if done is None:
            raise
        record_id = done["id"]
    # Old notes go as records are written: no kiosk keeps them past the retention period.
    store.purge_notes(db, moment - timedelta(days=int(cfg["NOTES_RETENTION_DAYS"])))
    return redirect(url_for("activity.saved", record_id=record_id), 303)


def own_record(record_id: int) -> dict:
    """The record if the unlocked mediator wrote it on this kiosk, else 404."""
    row = store.activity_record(get_db(), record_id)
    if row is None or row["mediator"].casefold() != current_mediator().name.casefold():
        abort(404)
    return row


def handle(mode: str, prefilled: dict, action: str, visit=None, complete=None):
    """GET shows the form; POST reads it: the form again with the message, or saved."""
    if request.method != "POST":
        return render_form(mode, prefilled, action, visit=visit)
    try:
        record = cra.read_form(request.form, today(), mode)
    except cra.CraError as refused:
        if refused.status == 400:
            abort(400)
        return render_form(mode, kept_values(request.form), action, error=refused,
                           status=refused.status, visit=visit)
    return save(complete(record) if complete else record,
                visit_id=visit["id"] if visit else None)


@bp.route("/diagnostic/<int:visit_id>", methods=["GET", "POST"])
@require_mediator
def diagnostic(visit_id: int):
    """The record of a finished guided diagnostic, prefilled from it."""
    db = get_db()
    visit = store.finished_guided_visit(db, visit_id)
    result = store.result_for_visit(db, visit_id) if visit else None
    if result is None:
        abort(404)
    done = store.activity_record_for_visit(db, visit_id)
    if done is not None:   # made already: one record per diagnostic
        return redirect(url_for("activity.saved", record_id=own_record(done["id"])["id"]), 303)
    prefilled = cra.prefill(visit, result, store.answers(db, visit_id), now())
    return handle("guided", cra.form_values(prefilled),
                  url_for("activity.diagnostic", visit_id=visit_id), visit=visit,
                  complete=lambda record: cra.with_beneficiary(record, prefilled))


@bp.route("/guichet", methods=["GET", "POST"])
@require_mediator
def counter():
    """A quick help at the counter, with no diagnostic."""
    return handle("counter", blank("counter"), url_for("activity.counter"))


@bp.route("/atelier", methods=["GET", "POST"])
@require_mediator
def workshop():
    """A group workshop: participants counted, never named."""
    return handle("workshop", blank("workshop"), url_for("activity.workshop"))


@bp.route("/<int:record_id>")
@require_mediator
def saved(record_id: int):
    """The confirmation: what was recorded."""
    record = cra.from_row(own_record(record_id))
    return render_template("activity/saved.html", record=record, labels=LABELS,
                           title=TITLES[record.mode])


# --- the mediator's own export, on a USB key ----------------------------------------

def find_key() -> Path | None:
    """The first USB key mounted under a removable-media root (``/media/usb``,
    ``/media/<user>/<key>``, ``/run/media/<user>/<key>``), or None."""
    for root in usbkey.REMOVABLE_ROOTS:
        base = Path(root)
        levels = [base]
        for _ in range(2):   # a key is at most two folders below its root
            levels = [child for folder in levels for child in _folders(folder)]
            for folder in levels:
                if usbkey.is_mount(folder):
                    return folder
    return None


def _folders(folder: Path) -> list[Path]:
    try:
        return sorted(p for p in folder.iterdir() if p.is_dir())
    except OSError:
        return []


@bp.route("/export", methods=["GET", "POST"])
@require_mediator
def export():
    """The unlocked mediator's records, with their notes, as the La Coop CSV on the
    USB key plugged in: where it was written, or why not."""
    if request.method != "POST":
        return render_template("activity/export.html", written=None, problem=None)
    rows = store.activity_records(get_db(), mediator=current_mediator().name)
    columns, lines = cra.coop_export(rows, private=True)
    key = find_key()
    written, problem, count = None, None, 0
    if key is None:
        problem = _l("Aucune clé USB n'est branchée. Branchez-la, attendez quelques "
                     "secondes, puis recommencez.")
    else:
        try:
            target = usbkey.destination(
                key, EXPORT_FILE_NAME.format(stamp=now().strftime("%Y%m%d-%H%M%S")))
            count = write_csv(target, columns, lines)
            written = os.fspath(target)
        except (usbkey.Refused, OSError):
            problem = _l("La clé USB n'a pas pu être écrite (pleine, protégée ou retirée). "
                         "Essayez une autre clé.")
    return render_template("activity/export.html", written=written, problem=problem,
                           count=count), 200 if written else 409
