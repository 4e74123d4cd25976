"""A mediator's activity record (compte rendu d'activité, CRA). Pure: no Flask, no SQL.

A record says what a mediator did with a person or a group, in La Coop de la médiation
numérique's field names and values (kiosk.mediation.coop), so that it can be typed into
La Coop as it is. Three ways to make one: at the end of a guided diagnostic (prefilled
from it), a quick help at the counter, a group workshop (participants counted, never
named). This module reads the mediator's form, prefills from a diagnostic, and gives
what leaves the record: the anonymised values for the hub (:func:`hub_values`) and the
row of the La Coop CSV (:func:`coop_row`). Only ``notes`` and ``titre_atelier`` are free
text; neither is in what goes to the hub.
"""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field, replace
from datetime import date, datetime
from typing import Iterable, Mapping

from . import coop
from .coop import N_

EARLIEST = date(2025, 1, 1)   # the first day of service: an earlier date is a typing slip
MAX_NOTES = 2000
MAX_TITLE = 200
MAX_PARTICIPANTS = 200
OTHER_DURATION = "autre"

MODES = ("guided", "counter", "workshop")   # contract.ACTIVITY_MODES
TYPE_OF_MODE = {"guided": "individuel", "counter": "individuel", "workshop": "collectif"}


NO_THEME = N_("Cochez au moins une thématique.")
BAD_DATE = N_("Indiquez la date de l'accompagnement (jour, mois, année).")
FUTURE_DATE = N_("Cette date est dans le futur : indiquez le jour de l'accompagnement.")
OLD_DATE = N_("Cette date est trop ancienne : indiquez le jour de l'accompagnement.")
NO_DURATION = N_("Indiquez la durée de l'accompagnement.")
BAD_DURATION = N_("La durée va de 1 minute à 23 h 59 (1 439 minutes).")
BAD_PARTICIPANTS = N_("Le nombre de participants va de 1 à 200.")
LONG_NOTES = N_("Les notes font au plus 2 000 caractères.")
LONG_TITLE = N_("Le titre de l'atelier fait au plus 200 caractères.")
NO_PLACE = N_("Choisissez le type de lieu.")
TAMPERED = N_("Cette réponse n'existe pas.")


class CraError(ValueError):
    """A form the record cannot be made from: ``message`` (a French msgid) is shown to
    the mediator with the form; ``status`` 422, or 400 for a value no form offers (a
    tampered request)."""

    def __init__(self, message: str, status: int = 422, field_name: str | None = None):
        super().__init__(message)
        self.message, self.status, self.field_name = message, status, field_name


@dataclass(frozen=True)
class ActivityRecord:
    """One activity record, every value from La Coop's vocabulary (``mode`` aside: the
    kiosk's own guided / counter / workshop)."""

    mode: str
    type: str
    date: date
    duree: int
    type_lieu: str
    thematiques: tuple[str, ...]
    materiel: tuple[str, ...] = ()
    autonomie: str | None = None
    oriente_vers_structure: bool = False
    structure_de_redirection: str | None = None
    titre_atelier: str = ""
    niveau: str | None = None
    participants: int | None = None
    # the anonymous beneficiary (a guided diagnostic's profile answers, mapped)
    genre: str = coop.NOT_GIVEN
    tranche_age: str = coop.NOT_GIVEN
    statut_social: str = coop.NOT_GIVEN
    notes: str = field(default="", repr=False)

    def fields(self) -> dict:
        """Everything but the notes and the mode, JSON-ready (stored as they are)."""
        values = asdict(self)
        for key in ("notes", "mode", "type", "date"):
            values.pop(key)
        values["thematiques"], values["materiel"] = list(self.thematiques), list(self.materiel)
        return values

    @classmethod
    def from_stored(cls, mode: str, kind: str, day: str, fields: Mapping,
                    notes: str | None) -> ActivityRecord:
        """The record as :meth:`fields` stored it."""
        values = dict(fields)
        values["thematiques"] = tuple(values.get("thematiques") or ())
        values["materiel"] = tuple(values.get("materiel") or ())
        return cls(mode=mode, type=kind, date=date.fromisoformat(day), notes=notes or "",
                   **values)


# --- the mediator's form -----------------------------------------------------------

def _one(form, name: str, allowed) -> str | None:
    """One value from a closed list: absent is None, anything else outside it tampered."""
    value = (form.get(name) or "").strip()
    if not value:
        return None
    if value not in allowed:
        raise CraError(TAMPERED, 400, name)
    return value


def _many(form, name: str, allowed) -> tuple[str, ...]:
    values = [v for v in form.getlist(name) if v]
    if any(v not in allowed for v in values):
        raise CraError(TAMPERED, 400, name)
    return tuple(v for v in allowed if v in values)   # the vocabulary's order, once each


def _whole(text: str) -> int | None:
    text = (text or "").strip()
    return int(text) if text.isascii() and text.isdigit() else None


def _date(form, today: date) -> date:
    try:
        day = date.fromisoformat((form.get("date") or "").strip())
    except ValueError:
        raise CraError(BAD_DATE, field_name="date") from None
    if day > today:
        raise CraError(FUTURE_DATE, field_name="date")
    if day < EARLIEST:
        raise CraError(OLD_DATE, field_name="date")
    return day


def _duration(form) -> int:
    offered = {str(d) for d in coop.DURATIONS}
    choice = _one(form, "duree", offered | {OTHER_DURATION})
    if choice is None:
        raise CraError(NO_DURATION, field_name="duree")
    if choice != OTHER_DURATION:
        return int(choice)
    minutes = _whole(form.get("duree_autre"))
    if minutes is None:
        raise CraError(NO_DURATION, field_name="duree")
    if not 1 <= minutes <= coop.MAX_DURATION:
        raise CraError(BAD_DURATION, field_name="duree")
    return minutes


def read_form(form, today: date, mode: str = "counter") -> ActivityRecord:
    """The record a mediator's form describes (``form``: a MultiDict; ``mode``: which
    page it came from, never read from the form). Raises :class:`CraError`."""
    if mode not in MODES:
        raise ValueError(mode)
    day = _date(form, today)
    duree = _duration(form)
    type_lieu = _one(form, "type_lieu", coop.PLACE_TYPES)
    if type_lieu is None:
        raise CraError(NO_PLACE, field_name="type_lieu")
    materiel = _many(form, "materiel", coop.EQUIPMENT)
    themes = _many(form, "thematiques", coop.THEMES)
    if not themes:
        raise CraError(NO_THEME, field_name="thematiques")
    notes = (form.get("notes") or "").strip()
    if len(notes) > MAX_NOTES:
        raise CraError(LONG_NOTES, field_name="notes")
    values = dict(mode=mode, type=TYPE_OF_MODE[mode], date=day, duree=duree,
                  type_lieu=type_lieu, materiel=materiel, thematiques=themes, notes=notes)
    if mode == "workshop":
        title = " ".join((form.get("titre_atelier") or "").split())
        if len(title) > MAX_TITLE:
            raise CraError(LONG_TITLE, field_name="titre_atelier")
        participants = _whole(form.get("participants"))
        if participants is None or not 1 <= participants <= MAX_PARTICIPANTS:
            raise CraError(BAD_PARTICIPANTS, field_name="participants")
        return ActivityRecord(**values, titre_atelier=title, participants=participants,
                              niveau=_one(form, "niveau", coop.WORKSHOP_LEVELS))
    structure = _one(form, "structure_de_redirection", coop.REFERRALS)
    return ActivityRecord(**values, autonomie=_one(form, "autonomie", coop.AUTONOMY),
                          oriente_vers_structure=structure is not None,
                          structure_de_redirection=structure)


def form_values(record: ActivityRecord) -> dict:
    """The form's fields as a record fills them (a prefill, or a record shown again)."""
    offered = record.duree in coop.DURATIONS
    return {
        "date": record.date.isoformat(),
        "duree": str(record.duree) if offered else OTHER_DURATION,
        "duree_autre": "" if offered else str(record.duree),
        "type_lieu": record.type_lieu, "materiel": list(record.materiel),
        "thematiques": list(record.thematiques), "autonomie": record.autonomie or "",
        "structure_de_redirection": record.structure_de_redirection or "",
        "titre_atelier": record.titre_atelier, "niveau": record.niveau or "",
        "participants": "" if record.participants is None else str(record.participants),
        "notes": record.notes,
    }


# --- prefilled from a guided diagnostic --------------------------------------------

# The devices question (diagnostic.yaml, screen "devices": what the person has at home)
# -> La Coop's materiel. A prefill for the mediator to correct: La Coop asks what was
# used during the accompaniment, which is most often the person's own device.
EQUIPMENT_OF_DEVICE = {"smartphone": "telephone", "computer": "ordinateur",
                       "tablet": "tablette"}
DEVICES_SCREEN = "devices"

# A need of the diagnostic (diagnostic.yaml ``needs``) -> the La Coop theme worked on.
# Needs with no theme of their own are left out: "reading" (French, not digital),
# "equipment" and "connection" (having a device or a line is not an accompaniment
# theme) and "accompaniment" (how, not what).
THEME_OF_NEED = {
    "e_administration": "aide_aux_demarches_administratives",
    "basics": "prendre_en_main_du_materiel",
    "health": "sante",
    "safety": "securite_numerique",
    "employment": "insertion_professionnelle",
}

# An offer proposed by the diagnostic (offers.yaml) -> La Coop's structure_de_redirection.
# The fallback offers ("go_further", "help_others": proposed when no need calls for
# help) are no orientation.
STRUCTURE_OF_OFFER = {
    "aidants_connect": "aide_aux_demarches_administratives",
    "health_space": "aide_aux_demarches_administratives",
    "digital_advisor": "mediation_numerique",
    "collective_workshops": "mediation_numerique",
    "safety_awareness": "mediation_numerique",
    "free_access": "mediation_numerique",
    "second_chance_school": "insertion_professionnelle",
    "clea_certification": "insertion_professionnelle",
    "solidarity_device": "autre",
    "french_classes": "autre",
    "illiteracy_centre": "autre",
}

# The questionnaire's age bands -> La Coop's tranche_age: only bands that fall inside
# one of La Coop's; the others straddle two (0-15 spans 12, 16-29 spans 18 and 25,
# 30-44 spans 40, 60-74 spans 70) and are not given.
AGE_BAND_OF = {"45-59": "quarante_cinquante_neuf", "75+": "soixante_dix_plus"}
# The situation question -> statut_social. "Élève ou en formation" is not only
# "scolarisé" (adults in training), so it is not given.
STATUS_OF_SITUATION = {"employed": "en_emploi", "job_seeker": "sans_emploi",
                       "retired": "retraite"}


def offered_duration(minutes: float) -> int:
    """A duration in minutes rounded up to the next duration La Coop offers (15, 30, 45,
    60, 90, 120), or the whole minutes above 120; at least 1, at most 23 h 59."""
    whole = max(1, math.ceil(minutes))
    return min(next((d for d in coop.DURATIONS if whole <= d), whole), coop.MAX_DURATION)


def autonomy_of(levels: Mapping[str, int]) -> str | None:
    """The overall autonomy from the levels per area (0, 1, 2): every area at the top
    level is ``autonome``, no area at it ``entierement_accompagne``, else
    ``partiellement_autonome``; None with no level."""
    if not levels:
        return None
    top = sum(1 for level in levels.values() if level >= 2)
    if top == len(levels):
        return "autonome"
    return "entierement_accompagne" if top == 0 else "partiellement_autonome"


def prefill(visit_row: Mapping, result: Mapping, answers: Mapping, now: datetime) -> ActivityRecord:
    """The record of a finished guided diagnostic, as far as it can say: the mediator
    checks and completes it. ``visit_row``: the visit (``started_at``); ``result``: its
    stored result (kiosk.storage.store.result_for_visit: ``finished_at``, ``needs``,
    ``offers``, the levels shown, the profile answers); ``answers``: its answers."""
    started = datetime.fromisoformat(visit_row["started_at"])
    finished = datetime.fromisoformat(result.get("finished_at") or now.isoformat())
    devices = answers.get(DEVICES_SCREEN)
    devices = devices if isinstance(devices, list) else []
    materiel = tuple(e for e in coop.EQUIPMENT
                     if e in {EQUIPMENT_OF_DEVICE.get(d) for d in devices})
    needs = result.get("needs") or ()
    themes = {"diagnostic_numerique", *(THEME_OF_NEED[n] for n in needs if n in THEME_OF_NEED)}
    structure = next((STRUCTURE_OF_OFFER[o] for o in result.get("offers") or ()
                      if o in STRUCTURE_OF_OFFER), None)
    # The levels shown to the person take the mediator's observations into account.
    levels = result.get("shown_levels") or result.get("levels") or {}
    return ActivityRecord(
        # the kiosk's own day: a diagnostic ended at 00:30 in Moulins is of that day
        mode="guided", type="individuel", date=finished.astimezone().date(),
        duree=offered_duration((finished - started).total_seconds() / 60),
        type_lieu="lieu_activite", materiel=materiel,
        thematiques=tuple(t for t in coop.THEMES if t in themes),
        autonomie=autonomy_of(levels), oriente_vers_structure=structure is not None,
        structure_de_redirection=structure,
        tranche_age=AGE_BAND_OF.get(result.get("age_band"), coop.NOT_GIVEN),
        statut_social=STATUS_OF_SITUATION.get(result.get("situation"), coop.NOT_GIVEN))


def with_beneficiary(record: ActivityRecord, prefilled: ActivityRecord) -> ActivityRecord:
    """``record`` (read from the form) with the anonymous beneficiary of the diagnostic
    it was prefilled from: the form does not show it, the diagnostic's answers say it."""
    return replace(record, genre=prefilled.genre, tranche_age=prefilled.tranche_age,
                   statut_social=prefilled.statut_social)


# --- what leaves the record --------------------------------------------------------

def duration_band(minutes: int) -> str:
    """contract.DURATION_BANDS: how long, without the exact figure."""
    if minutes < 30:
        return "lt30"
    if minutes < 60:
        return "30_59"
    return "60_119" if minutes < 120 else "120_plus"


def hub_values(record: ActivityRecord) -> dict:
    """The values kiosk.sync.anonymise.anonymise_kind("activity", ...) keeps: never
    the notes, the workshop's title, the date or the exact duration."""
    return {"mode": record.mode, "duration_band": duration_band(record.duree),
            "themes": list(record.thematiques), "autonomy": record.autonomie,
            "referral": record.structure_de_redirection}


# La Coop's names, in the order of its form; list values joined by LIST_SEPARATOR, as
# in the kiosk's other exports.
COOP_COLUMNS = ("type", "date", "duree", "type_lieu", "materiel", "thematiques",
                "autonomie", "oriente_vers_structure", "structure_de_redirection",
                "niveau", "participants", "genre", "tranche_age", "statut_social")
# Free text, exported only to its author (the mediator's own export).
PRIVATE_COLUMNS = ("titre_atelier", "notes")
LIST_SEPARATOR = "|"


def coop_row(record: ActivityRecord, private: bool = False) -> dict[str, str]:
    """The record as one row of the La Coop CSV: La Coop's column names and values; what
    the kiosk does not know or cannot map is ``non_communique``. ``private`` adds the
    free text (workshop title, notes): only in a mediator's export of their own."""
    unknown = coop.NOT_GIVEN
    workshop = record.type == "collectif"
    row = {
        "type": record.type, "date": record.date.isoformat(), "duree": str(record.duree),
        "type_lieu": record.type_lieu,
        "materiel": LIST_SEPARATOR.join(record.materiel) or unknown,
        "thematiques": LIST_SEPARATOR.join(record.thematiques),
        "autonomie": unknown if workshop else record.autonomie or unknown,
        "oriente_vers_structure": unknown if workshop else
        ("oui" if record.oriente_vers_structure else "non"),
        "structure_de_redirection": record.structure_de_redirection or unknown,
        "niveau": record.niveau or unknown,
        "participants": str(record.participants if workshop else 1),
        "genre": record.genre, "tranche_age": record.tranche_age,
        "statut_social": record.statut_social,
    }
    if private:
        row.update(titre_atelier=record.titre_atelier, notes=record.notes)
    return row


def columns(private: bool = False) -> tuple[str, ...]:
    """The CSV's columns: La Coop's names, and the free text in a mediator's own export."""
    return COOP_COLUMNS + (PRIVATE_COLUMNS if private else ())


def from_row(row: Mapping) -> ActivityRecord:
    """A record as the kiosk stores it (kiosk.storage.store.activity_records)."""
    return ActivityRecord.from_stored(row["mode"], row["kind"], row["date"], row["fields"],
                                      row.get("notes"))



def coop_export(stored: Iterable[Mapping], private: bool = False):
    """``(columns, rows)`` of the La Coop CSV for stored records, for the kiosk's one
    CSV writer (kiosk.sync.export.write_csv)."""
    return list(columns(private)), (coop_row(from_row(row), private) for row in stored)
