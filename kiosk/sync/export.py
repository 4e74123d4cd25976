"""Local exports: a row generator per export, one shared CSV writer."""
from __future__ import annotations

import csv
import os
from pathlib import Path
from typing import Callable, Iterable

from ..storage import store
from . import usbkey


def results_export(db, questionnaire):
    """(columns, rows) of every local result, one row per diagnostic."""
    areas = [a.id for a in questionnaire.areas]
    indicators = [i.id for i in questionnaire.indicators]
    columns = (["id", "finished_at", "questionnaire_id", "questionnaire_version", "complete",
                "last_screen", "language", "mode", "age_band", "commune", "situation",
                "profile", "points"] + [f"level_{a}" for a in areas] + indicators
               + ["needs", "offers"])

    def rows():
        for result in store.iter_results(db):
            row = {key: result.get(key) for key in columns}
            for key in indicators:
                value = (result["indicators"] or {}).get(key)
                row[key] = "" if value is None else int(value)
            row["needs"] = "|".join(result["needs"] or [])
            row["offers"] = "|".join(result["offers"] or [])
            yield row

    return columns, rows()


def write_csv(path: Path, columns: list[str], rows: Iterable[dict],
              on_row: Callable[[], None] | None = None) -> int:
    """Write rows to ``path`` (UTF-8 with BOM so spreadsheet software reads accents),
    in an existing folder, flushed to the device before it carries its name (a USB key
    pulled out after the message holds the whole file). Raises OSError, leaving no
    part file where it could remove it."""
    count = 0
    tmp = path.with_suffix(path.suffix + ".part")
    try:
        with tmp.open("w", encoding="utf-8-sig", newline="") as out:
            writer = csv.DictWriter(out, fieldnames=columns)
            writer.writeheader()
            for row in rows:
                writer.writerow(row)
                count += 1
                if on_row:
                    on_row()
            out.flush()
            os.fsync(out.fileno())
        tmp.replace(path)  # a half-written export never carries the final name
        usbkey.fsync_folder(path.parent)
    except OSError:
        usbkey.remove_quietly(tmp)
        raise
    return count
