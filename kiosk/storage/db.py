"""The database connection: one per server thread, handed to each request on ``g``.

Reusing a thread's connection spares every request the connect, the pragmas and,
above all, the WAL checkpoint SQLite runs when the last connection to a file closes.

WAL lets the kiosk page and a sync or export run read and write side by side;
``synchronous=FULL`` makes a committed result survive a power cut, which matters more
on a post-office PC than a few milliseconds per screen.
"""
from __future__ import annotations

import contextlib
import sqlite3
import threading
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


_threads = threading.local()


def get_db() -> sqlite_utils.Database:
    """The request's database connection: this thread's, opened on first use."""
    if "db" not in g:
        connections = _threads.__dict__.setdefault("connections", {})
        path = str(current_app.config["DATABASE"])
        if path not in connections:
            connections[path] = connect(path)
        g.db = connections[path]
    return g.db


def close_db(exc=None) -> None:
    """End the request's use of the connection; never leave a transaction open."""
    db = g.pop("db", None)
    if db is not None and db.conn.in_transaction:
        db.conn.execute("ROLLBACK")


def init_app(app) -> None:
    """Register the teardown; opening happens lazily, never at start-up."""
    app.teardown_appcontext(close_db)
