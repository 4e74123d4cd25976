"""Every SQL statement of the kiosk side, as named operations.

Views and CLI commands call these functions; nothing else talks to the tables.
Times are stored as ISO 8601 UTC strings.
"""
from __future__ import annotations

import json
from datetime import datetime

from .db import write_transaction


def _json(value) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


# --- visits and answers -------------------------------------------------------------

def start_visit(db, token: str, language: str, mode: str, now: datetime) -> int:
    """Open a visit reachable by its session ``token``; return its id."""
    with write_transaction(db):
        return db.execute("insert into visits (token, started_at, language, mode, status) "
                          "values (?, ?, ?, ?, 'active')",
                          [token, now.isoformat(), language, mode]).lastrowid


def visit_by_token(db, token: str):
    """The visit reachable by this session token (active or complete), or None."""
    rows = list(db.query("select * from visits where token = ?", [token]))
    return rows[0] if rows else None


def set_visit_language(db, visit_id: int, language: str) -> None:
    """Record the language the person switched to."""
    with write_transaction(db):
        db.execute("update visits set language = ? where id = ?", [language, visit_id])


def answers(db, visit_id: int) -> dict:
    """The visit's answers, ``screen id -> value``."""
    return {row["screen_id"]: json.loads(row["value"]) for row in
            db.query("select screen_id, value from answers where visit_id = ?", [visit_id])}


def save_answer(db, visit_id: int, screen_id: str, value, now: datetime) -> None:
    """Save (or replace) one answer: a crash loses at most the current screen."""
    with write_transaction(db):
        db.execute(
            "insert into answers (visit_id, screen_id, value, answered_at) values (?, ?, ?, ?) "
            "on conflict (visit_id, screen_id) do update set value = excluded.value, "
            "answered_at = excluded.answered_at",
            [visit_id, screen_id, _json(value), now.isoformat()])


def last_answer(db, visit_id: int) -> dict | None:
    """The visit's latest answer saved: ``screen_id``, ``value`` and ``answered_at``
    (a datetime), or None before the first."""
    rows = list(db.query("select screen_id, value, answered_at from answers "
                         "where visit_id = ? order by answered_at desc limit 1", [visit_id]))
    if not rows:
        return None
    return dict(rows[0], value=json.loads(rows[0]["value"]),
                answered_at=datetime.fromisoformat(rows[0]["answered_at"]))


def _insert(db, table: str, row: dict) -> int:
    # Plain INSERTs on the hot path: sqlite-utils' insert() reads the table's layout
    # first, which costs more than the write itself on a kiosk answering a person.
    columns = ", ".join(row)
    marks = ", ".join("?" for _ in row)
    return db.execute(f"insert into {table} ({columns}) values ({marks})",  # noqa: S608
                      list(row.values())).lastrowid


def _insert_record(db, visit_id: int, record) -> int:
    result_id = _insert(db, "results", dict(record.result, visit_id=visit_id,
                                            indicators=_json(record.result["indicators"]),
                                            needs=_json(record.result["needs"]),
                                            offers=_json(record.result["offers"])))
    for row in record.scores:
        _insert(db, "scores", dict(row, result_id=result_id))
    _insert(db, "outbox", dict(record.outbox, result_id=result_id))
    # Records of other kinds the diagnostic leaves (a follow-up's), tied to its result
    # so that erasing the visit takes them too.
    for row in record.extra_outbox:
        _insert(db, "outbox", dict(row, result_id=result_id))
    return result_id


def outbox_row(payload: dict, now: datetime) -> dict:
    """An outbox row for an anonymised ``payload`` (kiosk.sync.anonymise): frozen now,
    as it will be sent, with its content hash."""
    import uuid

    from ..sync import anonymise

    return {"id": str(uuid.uuid4()), "created_at": now.isoformat(),
            "payload": anonymise.canonical(payload),
            "content_hash": anonymise.content_hash(payload), "state": "pending"}


def queue_record(db, payload: dict, now: datetime) -> str:
    """Queue a record of another kind than a diagnostic (activity, follow-up, screening:
    built by kiosk.sync.anonymise.anonymise_kind) for the hub; its id. Inside a caller's
    write transaction when there is one, so it commits with what it records."""
    row = outbox_row(payload, now)
    if db.conn.in_transaction:
        _insert(db, "outbox", row)
    else:
        with write_transaction(db):
            _insert(db, "outbox", row)
    return row["id"]


def complete_visit(db, visit_id: int, record) -> bool:
    """Store a finished diagnostic: result, scores and outbox record in ONE transaction.

    ``record`` is a :class:`kiosk.diagnostic.record.Record`. Only an active visit can be
    completed, so a double submit cannot store twice. Returns True when stored.
    """
    with write_transaction(db):
        cursor = db.execute("update visits set status = 'complete' "
                            "where id = ? and status = 'active'", [visit_id])
        if cursor.rowcount != 1:
            return False
        _insert_record(db, visit_id, record)
    return True


def end_visit(db, visit_id: int, record=None) -> None:
    """Forget a visit's session token; an active one is abandoned, leaving ``record``.

    The incomplete record (if the person answered anything) and the end of the visit
    are written in one transaction.
    """
    with write_transaction(db):
        cursor = db.execute("update visits set status = 'abandoned' "
                            "where id = ? and status = 'active'", [visit_id])
        if cursor.rowcount == 1 and record is not None:
            _insert_record(db, visit_id, record)
        db.execute("update visits set token = null where id = ?", [visit_id])


def erase_visit(db, visit_id: int) -> None:
    """Delete a visit and everything it left (answers, result, scores, outbox record, a
    mediator's observations and notes), in one transaction: "Arrêter et tout effacer"
    leaves no trace, not even an abandon."""
    results = "select id from results where visit_id = ?"
    with write_transaction(db):
        db.execute(f"delete from scores where result_id in ({results})", [visit_id])  # noqa: S608
        db.execute(f"delete from outbox where result_id in ({results})", [visit_id])  # noqa: S608
        # The mediator's observations and notes of a guided visit go with it.
        for table in ("results", "answers", "observations", "mediator_notes"):
            db.execute(f"delete from {table} where visit_id = ?", [visit_id])  # noqa: S608
        db.execute("delete from visits where id = ?", [visit_id])


def stale_visits(db, last_activity_before: datetime,
                 last_activity_after: datetime | None = None) -> list[dict]:
    """Active visits with no answer (or start) since ``last_activity_before``, or whose
    last activity is later than ``last_activity_after`` (stamped before the clock
    stepped back)."""
    after = last_activity_after.isoformat() if last_activity_after else "9999"
    return list(db.query(
        "select v.* from visits v left join answers a on a.visit_id = v.id "
        "where v.status = 'active' group by v.id "
        "having max(coalesce(a.answered_at, v.started_at), v.started_at) not between ? and ?",
        [last_activity_before.isoformat(), after]))


# --- results ------------------------------------------------------------------------

def result_for_visit(db, visit_id: int):
    """The result of a visit with its scores, or None."""
    rows = list(db.query("select * from results where visit_id = ?", [visit_id]))
    if not rows:
        return None
    result = _decode_result(rows[0])
    rows = list(db.query("select area, level, shown_level from scores where result_id = ?",
                         [result["id"]]))
    result["levels"] = {row["area"]: row["level"] for row in rows}
    result["shown_levels"] = {row["area"]: row["level"] if row["shown_level"] is None
                              else row["shown_level"] for row in rows}
    return result


def _decode_result(row: dict) -> dict:
    row = dict(row)
    for key in ("indicators", "needs", "offers"):
        row[key] = json.loads(row[key]) if row[key] else None
    return row


def count_results(db) -> int:
    """Number of results stored."""
    return db["results"].count


def iter_results(db):
    """Every result with its area levels flattened (``level_<area>``), oldest first."""
    levels: dict[int, dict] = {}
    for row in db.query("select result_id, area, level from scores"):
        levels.setdefault(row["result_id"], {})[f"level_{row['area']}"] = row["level"]
    for row in db.query("select * from results order by id"):
        yield dict(_decode_result(row), **levels.get(row["id"], {}))


# --- places -------------------------------------------------------------------------

def replace_places(db, places: list[dict], now: datetime) -> int:
    """Replace the stored mediation places with ``places`` (one transaction)."""
    rows = [{
        "id": p["id"], "nom": p["nom"], "commune": p["commune"],
        "code_postal": p["code_postal"], "code_insee": p.get("code_insee"),
        "adresse": p["adresse"], "latitude": p.get("latitude"),
        "longitude": p.get("longitude"), "horaires": p.get("horaires"),
        "telephone": _first(p.get("telephone")),
        "services": _json(p.get("services") or []),
        "programmes": _json(p.get("dispositif_programmes_nationaux") or []),
        "data": _json(p), "imported_at": now.isoformat(),
    } for p in places]
    with write_transaction(db):
        db.execute("delete from places")
        db["places"].insert_all(rows)
    return len(rows)


def _first(value):
    return value[0] if isinstance(value, list) and value else value or None


def all_places(db) -> list[dict]:
    """Every stored place, with `services` and `dispositif_programmes_nationaux` as lists."""
    return [dict(row, services=json.loads(row["services"]),
                 dispositif_programmes_nationaux=json.loads(row["programmes"]))
            for row in db.query("select * from places order by nom")]


# --- outbox and sync ----------------------------------------------------------------
# Outbox states (migration m004): pending -> exported (on a USB key, awaiting receipt)
# -> sent (acknowledged by the hub), or -> quarantined (refused: never retried).

UNSENT = ("pending", "exported")


def unsent_records(db) -> list[dict]:
    """Records not yet acknowledged (pending or awaiting a receipt), oldest first."""
    return list(db.query("select id, payload, content_hash, state from outbox "
                         "where state in ('pending', 'exported') order by created_at, id"))


def count_unsent(db) -> int:
    """Number of records not yet acknowledged by the hub."""
    return db.execute("select count(*) from outbox "
                      "where state in ('pending', 'exported')").fetchone()[0]


def apply_acknowledgements(db, acks: dict, now: datetime) -> tuple[int, int]:
    """Apply the hub's per-record verdicts ``id -> (status, reason)`` in one transaction.

    Delivered records (stored, already) become sent; refused ones (conflict, invalid)
    are quarantined with the reason; "later" ones stay as they are, for a later sync.
    Only records still unsent change: a record the
    kiosk already settled keeps its state. Returns (delivered, quarantined).
    """
    from ..sync.protocol import DELIVERED, REFUSED

    stamp = now.isoformat()
    delivered = [(stamp, rid) for rid, (status, _) in acks.items() if status in DELIVERED]
    refused = [(stamp, f"{status}: {reason}" if reason else status, rid)
               for rid, (status, reason) in acks.items() if status in REFUSED]
    with write_transaction(db):
        done = db.conn.executemany(
            "update outbox set state = 'sent', acknowledged_at = ? "
            "where id = ? and state in ('pending', 'exported')", delivered).rowcount
        quarantined = db.conn.executemany(
            "update outbox set state = 'quarantined', quarantined_at = ?, "
            "quarantine_reason = ? where id = ? and state in ('pending', 'exported')",
            refused).rowcount
    return max(done, 0), max(quarantined, 0)


def quarantine_record(db, record_id: str, reason: str, now: datetime) -> None:
    """Quarantine one unsent record the kiosk itself cannot send (e.g. unreadable)."""
    with write_transaction(db):
        db.execute("update outbox set state = 'quarantined', quarantined_at = ?, "
                   "quarantine_reason = ? where id = ? and state in ('pending', 'exported')",
                   [now.isoformat(), reason, record_id])


def mark_exported(db, ids: list[str], now: datetime) -> None:
    """Mark records written to a USB file as awaiting the hub's receipt."""
    with write_transaction(db):
        db.conn.executemany("update outbox set state = 'exported', exported_at = ? "
                            "where id = ? and state in ('pending', 'exported')",
                            [(now.isoformat(), rid) for rid in ids])


def outbox_counts(db) -> dict[str, int]:
    """Number of records in each outbox state (every state present, zeros included)."""
    counts = dict.fromkeys(("pending", "exported", "sent", "quarantined"), 0)
    counts.update({row["state"]: row["n"] for row in
                   db.query("select state, count(*) as n from outbox group by state")})
    return counts


def quarantined_records(db) -> list[dict]:
    """The quarantined records: id, when, and the hub's reason."""
    return list(db.query("select id, quarantined_at, quarantine_reason from outbox "
                         "where state = 'quarantined' order by quarantined_at, id"))


def log_sync(db, now: datetime, channel: str, outcome: str, *, delivered: int = 0,
             quarantined: int = 0, left: int = 0, detail: str = "") -> None:
    """Record one sync attempt (``outcome``: ok, partial or error)."""
    with write_transaction(db):
        db.execute("insert into sync_log (at, channel, outcome, delivered, quarantined, "
                   "left, detail) values (?, ?, ?, ?, ?, ?, ?)",
                   [now.isoformat(), channel, outcome, delivered, quarantined, left, detail])


def last_sync(db, outcomes: tuple[str, ...], channels: tuple[str, ...]):
    """The latest sync log row with one of ``outcomes`` on one of ``channels``, or None.

    Latest as logged (the row id), not by its time: after the clock is set back, the
    newest row carries an earlier time than the ones before it."""
    marks = ", ".join("?" for _ in outcomes)
    channel_marks = ", ".join("?" for _ in channels)
    rows = list(db.query(f"select * from sync_log where outcome in ({marks}) "  # noqa: S608
                         f"and channel in ({channel_marks}) order by id desc limit 1",
                         [*outcomes, *channels]))
    return rows[0] if rows else None


def note_hub_time(db, channel: str, hub_time: datetime, kiosk_time: datetime) -> None:
    """Remember what the hub's clock said on ``channel`` ("network": an answer's Date,
    read at ``kiosk_time``; "receipt": a USB receipt's import time)."""
    with write_transaction(db):
        db.execute("insert into hub_clock (channel, hub_time, kiosk_time) values (?, ?, ?) "
                   "on conflict (channel) do update set hub_time = excluded.hub_time, "
                   "kiosk_time = excluded.kiosk_time",
                   [channel, hub_time.isoformat(), kiosk_time.isoformat()])


def latest_hub_time(db):
    """The most recent word from the hub's clock (kiosk.sync.clock.HubTime), or None."""
    from ..sync.clock import HubTime

    for row in db.query("select * from hub_clock order by hub_time desc limit 1"):
        return HubTime(datetime.fromisoformat(row["hub_time"]),
                       datetime.fromisoformat(row["kiosk_time"]), row["channel"] == "network")
    return None


def purge_answers(db, acknowledged_before: datetime) -> int:
    """Delete the raw answers of diagnostics the hub acknowledged before that moment.

    Results and scores stay (the local views need them); only the per-screen answers
    go. Returns the number of answers deleted.
    """
    with write_transaction(db):
        return db.execute(
            "delete from answers where visit_id in (select r.visit_id from results r "
            "join outbox o on o.result_id = r.id where o.state = 'sent' "
            "and o.acknowledged_at < ?)", [acknowledged_before.isoformat()]).rowcount


# --- what the hub accepts (migration m007) ------------------------------------------

def hub_accepts(db) -> dict | None:
    """The record versions the hub last said it accepts (``kind -> [versions]``), or
    None when the kiosk has not heard from it yet."""
    row = db.execute("select accepts from hub_contract where id = 1").fetchone()
    return {kind: tuple(versions) for kind, versions in json.loads(row[0]).items()} \
        if row else None


def set_hub_accepts(db, accepts: dict, now: datetime, source: str) -> None:
    """Remember what the hub accepts (``source``: network or receipt)."""
    with write_transaction(db):
        db.execute("insert into hub_contract (id, accepts, learned_at, source) "
                   "values (1, ?, ?, ?) on conflict (id) do update set "
                   "accepts = excluded.accepts, learned_at = excluded.learned_at, "
                   "source = excluded.source",
                   [_json(accepts), now.isoformat(), source])


def save_roster(db, issued_at: str, body: dict, now: datetime, source: str) -> bool:
    """Keep the mediators' roster ``body`` unless the kiosk holds one issued later (a
    receipt carried on a USB key for days is older than a roster fetched since); True
    when it was kept. ``source``: network or receipt."""
    with write_transaction(db):
        held = db.execute("select issued_at from roster where id = 1").fetchone()
        if held is not None and (datetime.fromisoformat(held[0])
                                 > datetime.fromisoformat(issued_at)):
            return False
        db.execute("insert into roster (id, issued_at, received_at, source, body) "
                   "values (1, ?, ?, ?, ?) on conflict (id) do update set "
                   "issued_at = excluded.issued_at, received_at = excluded.received_at, "
                   "source = excluded.source, body = excluded.body",
                   [issued_at, now.isoformat(), source, _json(body)])
    return True


def roster(db) -> dict | None:
    """The roster held: ``issued_at``, ``received_at``, ``source`` and ``mediators``."""
    row = db.execute("select issued_at, received_at, source, body from roster "
                     "where id = 1").fetchone()
    if row is None:
        return None
    return {"issued_at": row[0], "received_at": row[1], "source": row[2],
            "mediators": json.loads(row[3])["mediators"]}


def add_local_mediator(db, name: str, structure: str, code_hash: str, now: datetime) -> bool:
    """Add a mediator on this kiosk; False when the name is taken (whatever its case)."""
    with write_transaction(db):
        cursor = db.conn.execute(
            "insert into local_mediators (name, structure, code_hash, created_at) "
            "values (?, ?, ?, ?) on conflict (name) do nothing",
            (name, structure, code_hash, now.isoformat()))
    return cursor.rowcount == 1


def local_mediators(db) -> list[dict]:
    """The mediators added on this kiosk, by name (with the roster's entry fields)."""
    return [{"name": r[0], "structure": r[1], "code_hash": r[2], "active": True,
             "created_at": r[3]} for r in db.execute(
        "select name, structure, code_hash, created_at from local_mediators order by name")]


def unlock_failures(db, since: datetime) -> list[str]:
    """The times of the wrong codes typed since ``since`` (ISO, ascending); older ones are
    forgotten at the same time."""
    with write_transaction(db):
        db.execute("delete from unlock_failures where at < ?", [since.isoformat()])
    return [row[0] for row in db.execute("select at from unlock_failures order by at")]


def add_unlock_failure(db, now: datetime) -> None:
    with write_transaction(db):
        db.execute("insert into unlock_failures (at) values (?)", [now.isoformat()])


def clear_unlock_failures(db) -> None:
    with write_transaction(db):
        db.execute("delete from unlock_failures")


# --- observations and notes -----------------------------------------------------------
# What a mediator observed on a guided diagnostic, and their notes (migration m013).
# Neither leaves the kiosk: no record, USB file or export reads these tables.

def _replace_observations(db, visit_id: int, screen_id: str, levels: dict) -> None:
    db.execute("delete from observations where visit_id = ? and screen_id = ?",
               [visit_id, screen_id])
    for item, level in levels.items():
        _insert(db, "observations", {"visit_id": visit_id, "screen_id": screen_id,
                                     "item": item, "level": level})


def _insert_note(db, visit_id: int | None, screen_id: str, text: str, now: datetime,
                 mediator: str) -> int:
    return _insert(db, "mediator_notes", {"visit_id": visit_id, "screen_id": screen_id,
                                          "text": text, "written_at": now.isoformat(),
                                          "mediator": mediator})


def save_observations(db, visit_id: int, screen_id: str, levels: dict) -> None:
    """Replace what was observed on one screen: ``{item: level}`` (item "" for a task);
    an item left out was not observed."""
    with write_transaction(db):
        _replace_observations(db, visit_id, screen_id, levels)


def save_guided_screen(db, visit_id: int, screen_id: str, value, now: datetime, *,
                       observed: dict, note: str | None, mediator: str) -> None:
    """One screen of a guided diagnostic in ONE transaction: the resident's answer
    (``value``; None: unchanged), the mediator's observations of it (replacing earlier
    ones) and their note, if any (added beside earlier ones, unless it repeats the
    screen's latest)."""
    with write_transaction(db):
        if value is not None:
            db.execute(
                "insert into answers (visit_id, screen_id, value, answered_at) "
                "values (?, ?, ?, ?) on conflict (visit_id, screen_id) do update set "
                "value = excluded.value, answered_at = excluded.answered_at",
                [visit_id, screen_id, _json(value), now.isoformat()])
        _replace_observations(db, visit_id, screen_id, observed)
        # The same note sent twice (a double tap on "Suivant") is kept once.
        last = db.execute("select text from mediator_notes where visit_id = ? and "
                          "screen_id = ? order by id desc limit 1",
                          [visit_id, screen_id]).fetchone()
        if note and (last is None or last[0] != note):
            _insert_note(db, visit_id, screen_id, note, now, mediator)


def observations(db, visit_id: int) -> dict[str, dict[str, str]]:
    """A visit's observations, ``screen id -> {item: level}`` (item "" for a task)."""
    seen: dict[str, dict[str, str]] = {}
    for row in db.query("select screen_id, item, level from observations "
                        "where visit_id = ? order by screen_id, item", [visit_id]):
        seen.setdefault(row["screen_id"], {})[row["item"]] = row["level"]
    return seen


def add_note(db, visit_id: int | None, screen_id: str, text: str, now: datetime,
             mediator: str) -> int:
    """Keep a mediator's note (``visit_id`` None: not tied to a visit); its id."""
    with write_transaction(db):
        return _insert_note(db, visit_id, screen_id, text, now, mediator)


def notes(db, *, visit_id: int | None = None, mediator: str | None = None) -> list[dict]:
    """Mediators' notes, oldest first: of one visit, of one mediator, or all."""
    where, args = [], []
    if visit_id is not None:
        where.append("visit_id = ?")
        args.append(visit_id)
    if mediator is not None:
        where.append("mediator = ?")
        args.append(mediator)
    clause = f" where {' and '.join(where)}" if where else ""
    return list(db.query("select * from mediator_notes" + clause  # noqa: S608
                         + " order by written_at, id", args))


def purge_notes(db, written_before: datetime) -> int:
    """Delete the mediators' notes written before that moment, on guided screens and in
    activity records (the record itself stays); how many went."""
    with write_transaction(db):
        screens = db.execute("delete from mediator_notes where written_at < ?",
                             [written_before.isoformat()]).rowcount
        records = db.execute("update activity_records set notes = null "
                             "where notes is not null and created_at < ?",
                             [written_before.isoformat()]).rowcount
    return screens + records


# --- activity records ---------------------------------------------------------------
# A mediator's records (migration m014, kiosk/mediation/cra.py): La Coop's fields as
# JSON, the mediator's name and the notes stay here; only the anonymised payload leaves.

def add_activity_record(db, *, visit_id: int | None, mediator: str, kind: str, mode: str,
                        day: str, fields: dict, notes: str, payload: dict,
                        now: datetime) -> int:
    """Store one record and queue its anonymised ``payload`` for the hub, in ONE
    transaction: no record without its outbox row, nor the reverse. Its id."""
    with write_transaction(db):
        record_id = _insert(db, "activity_records", {
            "visit_id": visit_id, "mediator": mediator, "kind": kind, "mode": mode,
            "date": day, "fields": _json(fields), "notes": notes or None,
            "created_at": now.isoformat()})
        queue_record(db, payload, now)
    return record_id


def _activity_row(row) -> dict:
    return dict(row, fields=json.loads(row["fields"]))


def activity_records(db, *, mediator: str | None = None, since: str | None = None,
                     until: str | None = None) -> list[dict]:
    """This kiosk's records, oldest first: of one mediator (None: all; whatever the
    case of the name), dated between
    ``since`` and ``until`` (ISO dates, both included; None: no bound)."""
    where, params = ["1 = 1"], []
    if since:
        where.append("date >= ?")
        params.append(since)
    if until:
        where.append("date <= ?")
        params.append(until)
    rows = db.query(f"select * from activity_records where {' and '.join(where)} "  # noqa: S608
                    "order by date, id", params)
    # A name as typed, whatever its case, accents included (SQLite's NOCASE folds ASCII
    # only): "émilie martin" is Émilie Martin.
    wanted = mediator.casefold() if mediator is not None else None
    return [_activity_row(row) for row in rows
            if wanted is None or row["mediator"].casefold() == wanted]


def activity_record(db, record_id: int) -> dict | None:
    """One record of this kiosk by its id, or None (a forged or another kiosk's id)."""
    rows = list(db.query("select * from activity_records where id = ?", [record_id]))
    return _activity_row(rows[0]) if rows else None


def activity_record_for_visit(db, visit_id: int) -> dict | None:
    """The record made after this guided diagnostic, or None."""
    rows = list(db.query("select * from activity_records where visit_id = ? "
                         "order by id limit 1", [visit_id]))
    return _activity_row(rows[0]) if rows else None


def finished_guided_visit(db, visit_id: int) -> dict | None:
    """The visit if it is a guided diagnostic of this kiosk that was completed, else
    None: only those have a record prefilled from them."""
    rows = list(db.query("select * from visits where id = ? and mode = 'guided' "
                         "and status = 'complete'", [visit_id]))
    return rows[0] if rows else None


# --- mediators' pages ---------------------------------------------------------------
# What "Mes accompagnements" reads (kiosk/web/mediator.py): the guided diagnostics of this
# kiosk and its screenings. A mediator's name is kept on the visit (migration m012) for
# these pages only: no record carries it.

def set_visit_mediator(db, token: str, name: str) -> None:
    """Note who runs the guided visit reachable by ``token``."""
    with write_transaction(db):
        db.execute("update visits set mediator = ? where token = ?", [name, token])


def guided_diagnostics(db, since: datetime, until: datetime) -> list[dict]:
    """The guided diagnostics finished in [since, until), newest first: ``finished_at``,
    ``complete``, ``language``, ``profile``, ``needs``, ``mediator``, ``followup``
    (whether it was started from an earlier diagnostic's code) and ``referral`` (the
    structure its activity record sent the person to, if any)."""
    rows = db.query(
        "select r.finished_at, r.complete, r.language, r.profile, r.needs, v.mediator, "
        "v.followup is not null as followup, "
        "json_extract(a.fields, '$.structure_de_redirection') as referral "
        "from results r join visits v on v.id = r.visit_id "
        "left join activity_records a on a.visit_id = v.id "
        "where v.mode = 'guided' and r.finished_at >= ? and r.finished_at < ? "
        "order by r.finished_at desc", [since.isoformat(), until.isoformat()])
    return [dict(row, needs=json.loads(row["needs"]) if row["needs"] else [],
                 followup=bool(row["followup"])) for row in rows]


def count_screenings(db, since: datetime, until: datetime) -> dict[str, int]:
    """The counter screenings queued in [since, until), by orientation."""
    return {row["orientation"]: row["n"] for row in db.query(
        "select json_extract(payload, '$.orientation') as orientation, count(*) as n "
        "from outbox where json_extract(payload, '$.kind') = 'screening' "
        "and created_at >= ? and created_at < ? group by orientation",
        [since.isoformat(), until.isoformat()])}


# --- follow-up ----------------------------------------------------------------------

def set_visit_followup(db, visit_id: int, earlier: dict) -> None:
    """Link a visit to the diagnostic its follow-up code carried: ``earlier`` is
    ``{"week", "levels" (area -> level), "offers"}``, kept on this kiosk only."""
    with write_transaction(db):
        db.execute("update visits set followup = ? where id = ?", [_json(earlier), visit_id])


def visit_followup(visit) -> dict | None:
    """What a visit's follow-up code carried (see :func:`set_visit_followup`), or None
    for a visit not started from a code."""
    return json.loads(visit["followup"]) if visit.get("followup") else None


def set_visit_takeup(db, visit_id: int, takeup: dict) -> None:
    """Keep whether the person went to each offer proposed last time (offer id -> a
    status of kiosk.sync.contract.TAKEUP); replaces what was said before."""
    with write_transaction(db):
        db.execute("update visits set takeup = ? where id = ?", [_json(takeup), visit_id])


def visit_takeup(visit) -> dict:
    """A visit's take-up answers (offer id -> status); empty when none were given."""
    return json.loads(visit["takeup"]) if visit.get("takeup") else {}


def erase_by_followup_code(db, code_digits: str) -> bool:
    """The right to erasure, by follow-up code: delete the visit whose result gave this
    code (16 ASCII digits, as kiosk.diagnostic.followup.digits reads them) and all it
    left on this kiosk (:func:`erase_visit`); False when no result here has it.

    A record already sent to the hub stays there: it is anonymous (no code, no commune,
    the week only), so nothing on the hub can be told to belong to this person. Records
    still waiting in the outbox are deleted with the visit and never leave.
    """
    visit_id = visit_of_followup_code(db, code_digits)
    if visit_id is None:
        return False
    erase_visit(db, visit_id)
    return True


def visit_of_followup_code(db, code_digits: str) -> int | None:
    """The id of the visit whose result gave this follow-up code here, or None."""
    row = db.execute("select visit_id from results where followup_code = ?",
                     [code_digits]).fetchone()
    return row[0] if row else None
