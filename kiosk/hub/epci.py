"""The EPCI of the Allier (questionnaires/data/epci_03.csv): SIREN code -> name. Pure.

Records carry EPCI codes only; the dashboard and the open data name them from this
file. A broken file is reported as ``file:line: message``.
"""
from __future__ import annotations

import csv
import re
from pathlib import Path

from ..diagnostic.yamlfile import DataFileError, Problem

_SIREN = re.compile(r"\d{9}")


def load_epci(path: str | Path) -> dict[str, str]:
    """SIREN -> name, in the file's order; DataFileError listing every bad line."""
    where = str(path)
    names: dict[str, str] = {}
    problems: list[Problem] = []
    with open(path, encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = {"epci_siren", "epci_name"} - set(reader.fieldnames or ())
        if missing:
            raise DataFileError([Problem(where, 1, f"missing columns: {', '.join(sorted(missing))}")])
        for row in reader:
            line = reader.line_num
            code, name = (row["epci_siren"] or "").strip(), (row["epci_name"] or "").strip()
            if not _SIREN.fullmatch(code):
                problems.append(Problem(where, line, f"epci_siren {code!r} is not 9 digits"))
            elif code in names:
                problems.append(Problem(where, line, f"epci_siren {code} appears twice"))
            elif not name:
                problems.append(Problem(where, line, "epci_name is empty"))
            else:
                names[code] = name
    if problems:
        raise DataFileError(problems)
    return names
