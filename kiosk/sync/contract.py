"""The wire contract between kiosks and hub, defined once. Pure data and functions.

A record has a *kind* (today only "diagnostic"; a follow-up diagnostic, a mediator's
activity record or a counter screening will be new kinds) and a *version* of that
kind's layout. Each version lists its fields, in order, with:

- the JSON Schema of the value (the hub's OpenAPI document and its validator);
- how the kiosk cleans it (``shape`` and ``vocabulary``: the anonymisation allow-list);
- how the hub counts it (``count``: the tally dimensions).

``kiosk/sync/anonymise.py``, ``kiosk/hub/openapi.py`` and ``kiosk/hub/tally.py`` read this
module and nothing else about fields, so they cannot drift apart
(tests/test_contract.py checks that they agree).

A measurement has a *frame*: what its counts mean. A change to what is measured (a
new questionnaire) is a new frame, and counts of two frames are never added together:
the frame is a key of every count on the hub. Version 1 records carry no frame; they
all belong to frame "1".

Rules that keep old and new programs talking:

- a version, once released, never changes and never stops being accepted by a hub
  (``ACCEPTED`` only grows);
- the hub advertises what it accepts (``GET /api/v1/contract``, and ``accepts`` in
  every acknowledgement and receipt); a kiosk sends only those versions and keeps the
  others pending until its hub is upgraded; a hub that advertises nothing is a hub of
  the first release, which accepts diagnostic version 1 only (``LEGACY``).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

from ..mediation import coop

DIAGNOSTIC = "diagnostic"
# A mediator's activity record (guided diagnostic, help at the counter, workshop), a
# follow-up (a diagnostic started from an earlier one's code: what changed) and a
# counter screening (three questions, an orientation). Their counts never mix with the
# diagnostics' (kiosk.hub.tally names their dimensions after their kind).
ACTIVITY, FOLLOWUP, SCREENING = "activity", "followup", "screening"

CODE = {"type": "string", "pattern": "^[A-Za-z0-9_+-]{1,40}$"}
CODE_OR_NULL = {"type": ["string", "null"], "pattern": "^[A-Za-z0-9_+-]{1,40}$"}
EPCI = {"type": ["string", "null"], "pattern": "^[0-9]{9}$", "description": "EPCI SIREN"}
FRAME = {"type": "string", "pattern": "^[A-Za-z0-9_.+-]{1,20}$",
         "description": "What the counts measure: counts of two frames never mix"}

# Values fixed by the program itself (the others come from the questionnaire).
MODES = ("self", "guided")
LEVELS = (0, 1, 2)
LEVELS_SCHEMA = {"type": "object", "maxProperties": 20, "propertyNames": CODE,
                 "additionalProperties": {"enum": list(LEVELS)}}
WEEK = {"type": "string", "pattern": "^[0-9]{4}-W(0[1-9]|[1-4][0-9]|5[0-3])$",
        "description": "ISO 8601 week"}

# The mediators' records: La Coop's vocabulary (kiosk/mediation/coop.py), and bands that
# say how long, or how long ago, without an exact figure.
ACTIVITY_MODES = ("guided", "counter", "workshop")
DURATION_BANDS = ("lt30", "30_59", "60_119", "120_plus")
WEEKS_BANDS = ("lt5", "5_12", "13_26", "27_52", "53_plus")
CHANGES = (-1, 0, 1)
TAKEUP = ("yes", "not_yet", "no_too_far", "no_hours", "no_not_needed", "no_other")
ORIENTATIONS = ("diagnostic_now", "mediator", "nothing_needed")


@dataclass(frozen=True)
class Field:
    """One field of a record version.

    ``shape``: ``value`` (one code), ``levels`` (code -> 0/1/2), ``flags`` (code ->
    boolean), ``changes`` (code -> -1/0/+1), ``statuses`` (code -> one of TAKEUP),
    ``codes`` (a list of codes) or ``fixed`` (set by the program, never from what a
    person typed). ``vocabulary``: the list of allowed codes (the questionnaire's, see
    kiosk.diagnostic.record.vocabulary, or FIXED_VOCABULARY); a value outside it is
    dropped. ``count``: the tally dimension (``value``: one per record; the mappings:
    one per key, as ``<count>:<key>``; ``codes``: one per code), None when not counted.
    ``counted_when``: ``complete`` (outcomes: only a complete diagnostic says anything
    of the person), ``abandoned`` (where people stop) or ``always``.
    """

    name: str
    schema: dict
    shape: str = "fixed"
    vocabulary: str | None = None
    count: str | None = None
    counted_when: str = "always"


_V1_BODY = (
    Field("questionnaire_id", CODE),
    Field("questionnaire_version", {"type": "string",
                                    "pattern": "^[A-Za-z0-9_.+-]{1,20}$"}),
    Field("site_epci", EPCI),
    Field("residence_epci", EPCI),
    Field("week", {"type": "string", "pattern": "^[0-9]{4}-W(0[1-9]|[1-4][0-9]|5[0-3])$",
                   "description": "ISO 8601 week"}),
    Field("mode", {"enum": [*MODES, None]}, "value", "mode", "mode"),
    Field("language", {"type": ["string", "null"], "pattern": "^[a-z]{2,3}(_[A-Za-z]{2,4})?$"},
          "value", "language", "language"),
    Field("age_band", CODE_OR_NULL, "value", "age_band", "age_band"),
    Field("situation", CODE_OR_NULL, "value", "situation", "situation"),
    Field("levels", LEVELS_SCHEMA, "levels", "areas", "level", "complete"),
    Field("indicators", {"type": "object", "maxProperties": 20, "propertyNames": CODE,
                         "additionalProperties": {"type": "boolean"}},
          "flags", "indicators", "indicator", "complete"),
    Field("profile", CODE_OR_NULL, "value", "profiles", "profile", "complete"),
    Field("needs", {"type": "array", "maxItems": 30, "items": CODE},
          "codes", "needs", "need", "complete"),
    Field("offers", {"type": "array", "maxItems": 30, "items": CODE},
          "codes", "offers", "offer", "complete"),
    Field("complete", {"type": "boolean"}),
    Field("last_screen", CODE_OR_NULL, "value", "screens", "last_screen", "abandoned"),
)


def _enum(values, null=True) -> dict:
    return {"enum": [*values, *([None] if null else [])]}


def _kind_head(kind: str) -> tuple[Field, ...]:
    return (Field("kind", {"const": kind}), Field("schema_version", {"const": 1}))


_ACTIVITY_V1 = (
    *_kind_head(ACTIVITY),
    Field("site_epci", EPCI),
    Field("week", WEEK),
    Field("mode", _enum(ACTIVITY_MODES, null=False), "value", "activity_mode", "mode"),
    Field("duration_band", _enum(DURATION_BANDS), "value", "duration_band", "duration_band"),
    Field("themes", {"type": "array", "maxItems": 30, "items": CODE},
          "codes", "themes", "theme"),
    Field("autonomy", CODE_OR_NULL, "value", "autonomy", "autonomy"),
    Field("referral", CODE_OR_NULL, "value", "referral", "referral"),
)

_FOLLOWUP_V1 = (
    *_kind_head(FOLLOWUP),
    Field("frame", FRAME),
    Field("site_epci", EPCI),
    Field("week", WEEK),
    Field("mode", {"enum": [*MODES, None]}, "value", "mode", "mode"),
    Field("weeks_band", _enum(WEEKS_BANDS), "value", "weeks_band", "weeks_band"),
    # area -> -1, 0 or +1: never the levels themselves, nor the earlier week or code,
    # so that the hub cannot pair the two visits
    Field("change", {"type": "object", "maxProperties": 20, "propertyNames": CODE,
                     "additionalProperties": {"enum": list(CHANGES)}},
          "changes", "areas", "change"),
    # offer proposed last time -> whether the person went
    Field("takeup", {"type": "object", "maxProperties": 30, "propertyNames": CODE,
                     "additionalProperties": {"enum": list(TAKEUP)}},
          "statuses", "offers", "takeup"),
)

_SCREENING_V1 = (
    *_kind_head(SCREENING),
    Field("site_epci", EPCI),
    Field("week", WEEK),
    Field("orientation", _enum(ORIENTATIONS, null=False), "value", "orientation",
          "orientation"),
)

# kind -> version -> fields, in the order the kiosk writes them. Append only.
VERSIONS: dict[str, dict[int, tuple[Field, ...]]] = {
    DIAGNOSTIC: {
        # The first release: no kind, no frame (frame "1" implied).
        1: (Field("schema_version", {"const": 1}), *_V1_BODY),
        # Names its kind and its frame, so later kinds and frames fit beside it.
        2: (Field("kind", {"const": DIAGNOSTIC}), Field("schema_version", {"const": 2}),
            Field("frame", FRAME), *_V1_BODY),
        # Questionnaire 2026.3 (frame "2"): the levels also under the strict rule (what
        # was done alone only); ``levels`` are the headline ones ("alone" or "with
        # help"). Both are what the person reported, never the levels shown to them.
        3: (Field("kind", {"const": DIAGNOSTIC}), Field("schema_version", {"const": 3}),
            Field("frame", FRAME), *_V1_BODY,
            Field("levels_strict", LEVELS_SCHEMA, "levels", "areas", "level_strict",
                  "complete")),
    },
    ACTIVITY: {1: _ACTIVITY_V1},
    FOLLOWUP: {1: _FOLLOWUP_V1},
    SCREENING: {1: _SCREENING_V1},
}

# The vocabularies fixed by the program itself (the others come from the questionnaire:
# kiosk.diagnostic.record.vocabulary).
FIXED_VOCABULARY: dict[str, set] = {
    "mode": set(MODES), "activity_mode": set(ACTIVITY_MODES),
    "duration_band": set(DURATION_BANDS), "weeks_band": set(WEEKS_BANDS),
    "takeup": set(TAKEUP), "orientation": set(ORIENTATIONS),
    "themes": set(coop.THEMES), "autonomy": set(coop.AUTONOMY),
    "referral": set(coop.REFERRALS),
}

# What this program's kiosk writes today. The frame comes from the questionnaire
# (diagnostic.yaml's ``frame``); the default questionnaire's is LATEST_FRAME.
CURRENT = {DIAGNOSTIC: 3, ACTIVITY: 1, FOLLOWUP: 1, SCREENING: 1}
LATEST_FRAME = "2"
# The frame of records too old to name one.
IMPLIED_FRAME = "1"

# Every version this hub accepts: all it ever accepted (a version is never removed).
ACCEPTED: dict[str, tuple[int, ...]] = {kind: tuple(sorted(versions))
                                        for kind, versions in VERSIONS.items()}
# What a hub of the first release accepts (it advertises nothing).
LEGACY: dict[str, tuple[int, ...]] = {DIAGNOSTIC: (1,)}


def fields(kind: str = DIAGNOSTIC, version: int | None = None) -> tuple[Field, ...]:
    """The fields of ``kind`` at ``version`` (default: the one the kiosk writes)."""
    return VERSIONS[kind][CURRENT[kind] if version is None else version]


def allowed_fields(kind: str = DIAGNOSTIC, version: int | None = None) -> tuple[str, ...]:
    """The anonymisation allow-list: the only keys a record of that version holds."""
    return tuple(f.name for f in fields(kind, version))


def version_of(payload: Mapping) -> tuple[str | None, int | None]:
    """``(kind, version)`` a payload declares (no kind: a first-release diagnostic);
    None for what is not a kind name or a version number."""
    kind, version = payload.get("kind", DIAGNOSTIC), payload.get("schema_version")
    return (kind if isinstance(kind, str) else None,
            version if isinstance(version, int) and not isinstance(version, bool) else None)


def frame_of(payload: Mapping) -> str:
    """The frame a payload's counts belong to: "" for a kind measured by no
    questionnaire (activity records, screenings)."""
    frame = payload.get("frame")
    if frame:
        return str(frame)
    return IMPLIED_FRAME if payload.get("kind", DIAGNOSTIC) == DIAGNOSTIC else ""


def payload_schema(kind: str, version: int) -> dict:
    """The JSON Schema of one record version: its fields and nothing else."""
    fs = VERSIONS[kind][version]
    return {"type": "object", "title": f"{kind} record, version {version}",
            "additionalProperties": False, "required": [f.name for f in fs],
            "properties": {f.name: f.schema for f in fs}}


def accepts(advertised) -> dict[str, tuple[int, ...]]:
    """The versions a hub advertised (``{"kind": [versions]}``), checked; LEGACY when
    it advertised nothing usable (a first-release hub)."""
    if not isinstance(advertised, dict):
        return dict(LEGACY)
    clean = {kind: tuple(sorted({v for v in versions if isinstance(v, int)
                                 and not isinstance(v, bool)}))
             for kind, versions in advertised.items()
             if isinstance(kind, str) and isinstance(versions, list)}
    return {kind: versions for kind, versions in clean.items() if versions} or dict(LEGACY)


def is_accepted(payload: Mapping, accepted: Mapping[str, tuple[int, ...]]) -> bool:
    """True when a hub accepting ``accepted`` takes a record with this payload."""
    kind, version = version_of(payload)
    return version in accepted.get(kind, ())


def takes_mac(accepted: Mapping[str, tuple[int, ...]] | None) -> bool:
    """True when a hub accepting ``accepted`` takes records bound by a MAC: every hub
    after the first release (which accepted diagnostic version 1 only, and refused any
    key it did not know in an item). None: a hub not heard from yet."""
    return accepted is not None and any(
        (kind, version) != (DIAGNOSTIC, 1)
        for kind, versions in accepted.items() for version in versions)


def advertisement() -> dict[str, list[int]]:
    """What this hub says it accepts (JSON-ready)."""
    return {kind: list(versions) for kind, versions in ACCEPTED.items()}
