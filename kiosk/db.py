"""The database connection: one per request (on ``g``), pragmas set on opening.

WAL lets the kiosk page and a sync or export run read and write side by side;
``synchronous=FULL`` makes a committed result survive a power cut, which matters more
on a post-office PC than a few milliseconds per screen.
"""
from __future__ import annotations

import contextlib
import sqlite3
from pathlib import Path

import sqlite_utils
from flask import current_app, g


def connect(path: str | Path) -> sqlite_utils.Database:
    """Open the database at ``path`` with the kiosk's pragmas."""
    if str(path) != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    # isolation_level=None: the driver opens no implicit transaction; every write
    # goes through write_transaction() below (sqlite-utils nests savepoints inside it).
    conn = sqlite3.connect(str(path), timeout=15, isolation_level=None,
                           check_same_thread=False)
    db = sqlite_utils.Database(conn, execute_plugins=False)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("PRAGMA foreign_keys=ON")
    conn.execute("PRAGMA busy_timeout=15000")
    return db


@contextlib.contextmanager
def write_transaction(db: sqlite_utils.Database):
    """A write transaction that takes the write lock up front (``BEGIN IMMEDIATE``).

    A plain ``BEGIN`` starts as a reader; when two requests then both try to write,
    SQLite cannot upgrade one of them and fails at once with "database is locked",
    whatever the busy timeout. Taking the lock first makes writers queue instead.
    sqlite-utils calls inside use savepoints, so the whole block commits or rolls back
    as one.
    """
    db.conn.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        if db.conn.in_transaction:
            db.conn.execute("ROLLBACK")
        raise
    else:
        db.conn.execute("COMMIT")


def get_db() -> sqlite_utils.Database:
    """The request's database connection, opened on first use."""
    if "db" not in g:
        g.db = connect(current_app.config["DATABASE"])
    return g.db


def close_db(exc=None) -> None:
    """Close the request's connection, if one was opened."""
    db = g.pop("db", None)
    if db is not None:
        db.close()


def init_app(app) -> None:
    """Register the teardown; opening happens lazily, never at start-up."""
    app.teardown_appcontext(close_db)
