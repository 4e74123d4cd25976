"""Places, offers and the bus's stops published on the hub, applied on the kiosk.

The Département publishes a newer file on the hub (``kiosk hub data publish``, see
kiosk/hub/publish.py). Each kiosk gets the latest publication of each kind in a hub
message signed for it (kiosk.sync.protocol.hub_message): fetched after each network
sync, or carried by a USB receipt. A message altered, made for another kiosk, or of a
layout this kiosk does not know is refused whole, and nothing changes.

Each publication newer than the one the kiosk applied is checked exactly as ``kiosk
check`` and ``kiosk places import`` would check it on this kiosk (:func:`check`), and
only then applied: places into the database in one transaction, every file into the
data folder by write-to-temp and rename, the file it replaces kept as
``<name>.previous``. A bad file is refused with its ``file:line`` problems and the
kiosk keeps what it had. Which publication of each kind was applied (its SHA-256 and
date) is kept in ``feed.json`` in the data folder, beside the files it describes: the
same one is never applied twice, and an older one never replaces a newer one.
"""
from __future__ import annotations

import hashlib
import http.client
import json
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from . import protocol, usbkey
from .. import config
from ..storage import store

PATH = "/api/v1/data"
KIND, VERSION = "data", 1
UNDERSTOOD = {KIND: (VERSION,)}
# In the order they are applied: stops are checked against the places the kiosk then holds.
KINDS = ("places", "stops", "offers")
# Where each kind lives in the data folder (the layout of the repository's questionnaires/).
FILES = {"places": config.PLACES_FILE, "stops": config.STOPS_FILE,
         "offers": config.DATA_FILES[1]}
STATE_FILE = "feed.json"
ITINERANT = "Itinérant"


def data_folder(app) -> Path:
    """The kiosk's data folder (``KIOSK_DATA_DIR``; unset, the shipped questionnaires/)."""
    return config.data_file(app.config, "")


@dataclass(frozen=True)
class Target:
    """What checking and applying a publication needs to know of this kiosk."""

    folder: Path          # the data folder the files are written to
    questionnaire: Path   # the questionnaire the offers must fit
    communes: object      # kiosk.places.communes.Communes, for the stops

    @classmethod
    def of(cls, app) -> "Target":
        from ..diagnostic.resources import communes_for

        return cls(data_folder(app), Path(app.config["QUESTIONNAIRE"]), communes_for(app))


@dataclass
class Checked:
    """A file's problems (``name:line: message``), and the places read from a places file."""

    problems: list[str] = field(default_factory=list)
    places: list[dict] = field(default_factory=list)


def itinerant_ids(places) -> list[str]:
    """The ids of the itinerant places (the bus) among ``places``."""
    return [p["id"] for p in places if ITINERANT in (p.get("itinerance") or ())]


def check(kind: str, path: Path, name: str, *, communes, itinerant: list[str] | None,
          questionnaire: Path) -> Checked:
    """Check a file of ``kind`` with the readers the kiosk uses, every problem named
    ``name:line: ...``. Any rejected row refuses the whole file: a kiosk never applies
    part of one. ``itinerant``: the ids a stop may name (None: not checked)."""
    from ..diagnostic.resources import PLACES_SCHEMA, load_questionnaire_files
    from ..diagnostic.yamlfile import DataFileError
    from ..places.directory import load_schema, read_places
    from ..places.stops import read_stops

    if kind == "places":
        report = read_places(path, load_schema(PLACES_SCHEMA))
        checked = Checked([f"{name}:{i.line}: {i.detail}" for i in report.errors],
                          report.places)
        if not report.places and not checked.problems:
            checked.problems.append(f"{name}:1: no place in the file")
        return checked
    if kind == "stops":
        try:
            report = read_stops(path, communes, itinerant)
        except UnicodeDecodeError:
            return Checked([f"{name}:1: the file is not UTF-8 text"])
        return Checked([f"{name}:{i.line}: {i.detail}" for i in report.errors])
    try:
        load_questionnaire_files(questionnaire, path)
    except DataFileError as exc:
        return Checked([f"{name}:{p.line}: {p.message}" if p.path == str(path) else str(p)
                        for p in exc.problems])
    return Checked()


def refresh(db, target: Target, settings, get, now: datetime) -> list[str]:
    """Fetch the hub's publications after a sync and apply the newer ones; a line for
    each thing that happened. A hub of a release before publications answers 404."""
    try:
        answer = get(settings, PATH)
    except (OSError, http.client.HTTPException) as exc:
        return [f"Data from the hub: not fetched ({type(exc).__name__})."]
    if answer.status == 404:
        return []
    if answer.status != 200:
        return [f"Data from the hub: not fetched (HTTP {answer.status})."]
    try:
        document = json.loads(answer.body)
    except ValueError:
        return ["Data from the hub: not fetched (not JSON)."]
    return accept_or_say(db, target, document, settings.token, now, "network")


def from_receipt(db, target: Target, raw: bytes, token: str, now: datetime) -> list[str]:
    """Apply the publications a USB receipt carries (the receipt itself already read
    and applied: kiosk.sync.transfer.apply_receipt)."""
    document = json.loads(raw)
    if document.get("data") is None:  # nothing published, or a hub of an earlier release
        return []
    return accept_or_say(db, target, document["data"], token, now, "receipt")


def accept_or_say(db, target, document, token, now, source) -> list[str]:
    """:func:`accept`, a message refused whole said in one line."""
    try:
        return accept(db, target, document, token, now, source)
    except protocol.BadFile as exc:
        store.log_sync(db, now, KIND, "refused", detail=f"data from the hub refused: {exc}")
        return [f"Data from the hub refused ({exc}); nothing changed."]


def accept(db, target: Target, document, token: str, now: datetime, source: str) -> list[str]:
    """Check a data message and apply each publication newer than the one applied; a
    line per publication applied or refused. Raises BadFile (nothing changes) for a
    message that is not this kiosk's or not understood."""
    message = protocol.read_hub_message(document, token, UNDERSTOOD)
    publications = message["body"].get("publications")
    if not isinstance(publications, dict):
        raise protocol.BadFile("the data message has no publications")
    state = read_state(target.folder)
    lines = []
    for kind in KINDS:  # a kind this release does not know is left for a later one
        publication = publications.get(kind)
        if publication is None or not _newer(publication, state["applied"].get(kind)):
            continue
        line = _apply(db, target, kind, publication, state, now, source)
        lines.append(line)
    return lines


def _newer(publication, held: dict | None) -> bool:
    """True unless the publication is the one applied or older (a malformed one is
    "newer": it is then refused, with a line saying so)."""
    if held is None:
        return True
    try:
        return (publication.get("sha256") != held["sha256"] and
                datetime.fromisoformat(publication["published_at"])
                > datetime.fromisoformat(held["published_at"]))
    except (AttributeError, KeyError, TypeError, ValueError):
        return True


def _well_formed(publication) -> bool:
    fields = ("name", "content", "sha256", "published_at")
    if not (isinstance(publication, dict)
            and all(isinstance(publication.get(k), str) for k in fields)):
        return False
    try:
        datetime.fromisoformat(publication["published_at"])
    except ValueError:
        return False
    return hashlib.sha256(publication["content"].encode("utf-8")).hexdigest() \
        == publication["sha256"]


def _apply(db, target: Target, kind: str, publication, state: dict, now: datetime,
           source: str) -> str:
    """Check one publication and apply it, or refuse it; the line saying which."""
    if not _well_formed(publication):
        return _refused(db, kind, ["malformed publication (fields or SHA-256)"], state,
                        target, now, publication)
    name = Path(publication["name"]).name or FILES[kind]
    destination = target.folder / FILES[kind]
    incoming = None
    try:
        incoming = _incoming(destination, publication["content"].encode("utf-8"))
        itinerant = itinerant_ids(_held_places(db)) if kind == "stops" else None
        checked = check(kind, incoming, name, communes=target.communes, itinerant=itinerant,
                        questionnaire=target.questionnaire)
        if checked.problems:
            return _refused(db, kind, checked.problems, state, target, now, publication)
        # The file first: a folder that cannot be written leaves the database as it was.
        _replace_keeping_previous(incoming, destination)
    except OSError as exc:
        return _refused(db, kind, [f"cannot write in {target.folder} ({exc})"], state,
                        target, now, publication)
    finally:
        if incoming is not None:
            incoming.unlink(missing_ok=True)
    if kind == "places":
        store.replace_places(db, checked.places, now)
    state["applied"][kind] = {"name": name, "sha256": publication["sha256"],
                              "published_at": publication["published_at"],
                              "applied_at": now.isoformat(), "source": source}
    state["refused"].pop(kind, None)
    write_state(target.folder, state)
    detail = f"{kind} from the hub applied: {name} published {publication['published_at']}"
    store.log_sync(db, now, KIND, "ok", detail=detail)
    return detail[0].upper() + detail[1:] + "."


def _refused(db, kind, problems: list[str], state, target, now, publication) -> str:
    """Say why a publication is refused (in the sync log once per publication)."""
    more = f" (and {len(problems) - 1} more problems)" if len(problems) > 1 else ""
    detail = f"{kind} from the hub refused: {problems[0]}{more}"
    sha = publication.get("sha256") if isinstance(publication, dict) else None
    if state["refused"].get(kind) != sha:
        store.log_sync(db, now, KIND, "refused", detail=detail)
        state["refused"][kind] = sha
        try:
            write_state(target.folder, state)
        except OSError:
            pass  # the refusal is logged; only its "once" is lost
    return detail[0].upper() + detail[1:] + "; the kiosk keeps what it had."


def _held_places(db) -> list[dict]:
    """The places the kiosk holds, as imported (with their ``itinerance``)."""
    return [json.loads(place["data"]) for place in store.all_places(db)]


def _incoming(destination: Path, data: bytes) -> Path:
    """``data`` on disk beside ``destination``, under a name of its own ending like it
    (a reader may need the suffix), until checked and renamed into place."""
    destination.parent.mkdir(parents=True, exist_ok=True)
    descriptor, name = tempfile.mkstemp(prefix=".incoming-", suffix=destination.name,
                                        dir=destination.parent)
    # mkstemp makes it private: give it the mode of the file it replaces
    mode = destination.stat().st_mode & 0o777 if destination.exists() else 0o644
    os.fchmod(descriptor, mode)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    return Path(name)


def _replace_keeping_previous(incoming: Path, destination: Path) -> None:
    """Put ``incoming`` in place of ``destination`` in one rename (a reader sees the old
    file or the new, never half of one); the old one stays as ``<name>.previous``."""
    if destination.exists():
        shutil.copy2(destination, destination.with_name(destination.name + ".previous"))
    os.replace(incoming, destination)
    usbkey.fsync_folder(destination.parent)


def describe(folder: Path) -> str:
    """What the kiosk applied of the hub's publications, for `kiosk status`."""
    applied = read_state(folder)["applied"]
    if not applied:
        return "none applied (the files the kiosk was installed with)"
    return "; ".join(f"{kind} {held.get('name')} published {held.get('published_at')}"
                     for kind, held in sorted(applied.items()) if isinstance(held, dict))


def read_state(folder: Path) -> dict:
    """Which publication of each kind was applied, and which was last refused."""
    try:
        state = json.loads((folder / STATE_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        state = {}
    if not isinstance(state, dict):
        state = {}
    return {"applied": dict(state.get("applied") or {}),
            "refused": dict(state.get("refused") or {})}


def write_state(folder: Path, state: dict) -> None:
    usbkey.write_durably(folder / STATE_FILE,
                         json.dumps(state, indent=1, ensure_ascii=False).encode("utf-8"))
