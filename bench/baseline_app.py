"""The baseline for bench/kiosk_flow.py: the least a Flask app served by waitress can do
for one kiosk screen.

- ``GET /page``: a static HTML page of exactly ``--size`` bytes (the size of a typical
  question screen, measured on the real kiosk first);
- ``POST /hit``: ONE sqlite-utils insert into a table, on the server thread's own
  connection with the kiosk's pragmas (``kiosk.storage.db.connect``: WAL, synchronous=FULL),
  reused across requests exactly as the kiosk reuses its connections (kiosk/storage/db.py),
  then a 303 redirect, as the kiosk answers a question.

No session, no CSRF, no template: the kiosk/baseline ratio is what the kiosk's own
work costs on top of the framework, the server and one durable write.

    python bench/baseline_app.py --port 5001 --size 4000 --database /tmp/b.db --threads 4
"""
from __future__ import annotations

import argparse
import sys
import threading
import time

from flask import Flask, Response, redirect, request
from waitress import serve

from kiosk.storage.db import connect


def make_page(size: int) -> bytes:
    """An HTML page of exactly ``size`` bytes (ASCII filler in a paragraph)."""
    head = b"<!doctype html>\n<html lang=\"fr\"><head><meta charset=\"utf-8\"><title>Baseline</title>" \
           b"</head><body><main><p>"
    tail = b"</p></main></body></html>\n"
    filler = size - len(head) - len(tail)
    if filler < 0:
        return b"x" * max(size, 0)
    return head + (b"Lorem ipsum dolor sit amet. " * (filler // 28 + 1))[:filler] + tail


def create_app(size: int, database: str) -> Flask:
    """The baseline app; creates its one table up front."""
    app = Flask(__name__)
    page = make_page(size)
    db = connect(database)
    db["hits"].create({"id": int, "at": float, "answer": str}, pk="id", if_not_exists=True)
    db.close()

    @app.get("/page")
    def show_page():
        return Response(page, mimetype="text/html")

    threads = threading.local()

    @app.post("/hit")
    def hit():
        if not hasattr(threads, "db"):
            threads.db = connect(database)
        threads.db["hits"].insert({"at": time.time(), "answer": request.form.get("answer", "")})
        return redirect("/page", 303)

    return app


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--size", type=int, required=True, help="bytes of the GET page")
    parser.add_argument("--database", required=True)
    parser.add_argument("--threads", type=int, default=4)
    args = parser.parse_args(argv)
    app = create_app(args.size, args.database)
    print(f"Baseline ready on http://127.0.0.1:{args.port}", file=sys.stderr, flush=True)
    serve(app, host="127.0.0.1", port=args.port, threads=args.threads, ident="baseline")


if __name__ == "__main__":
    main()
