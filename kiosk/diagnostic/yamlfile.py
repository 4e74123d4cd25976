"""Read YAML files keeping line numbers, and validate them against a JSON Schema.

Every problem found in a data file is reported as ``file:line: message`` so that the
person editing a questionnaire can go straight to the line (`kiosk check`).
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import jsonschema
import yaml


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a data file."""

    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


class DataFileError(Exception):
    """Raised with every problem found in one or more data files."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


class LineDict(dict):
    """A mapping that remembers its own line and the line of each of its keys."""

    line = 1
    key_lines: dict


class LineList(list):
    """A sequence that remembers its own line and the line of each item."""

    line = 1
    item_lines: list


class LineLoader(yaml.SafeLoader):
    def construct_mapping(self, node, deep=False):
        self.flatten_mapping(node)
        result = LineDict()
        result.line = node.start_mark.line + 1
        result.key_lines = {}
        for key_node, value_node in node.value:
            key = self.construct_object(key_node, deep=True)
            if key in result:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key {key!r}", key_node.start_mark)
            result[key] = self.construct_object(value_node, deep=True)
            result.key_lines[key] = key_node.start_mark.line + 1
        return result

    def construct_sequence(self, node, deep=False):
        result = LineList(self.construct_object(child, deep=True) for child in node.value)
        result.line = node.start_mark.line + 1
        result.item_lines = [child.start_mark.line + 1 for child in node.value]
        return result


LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG,
                            LineLoader.construct_mapping)
LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG,
                            LineLoader.construct_sequence)


def load_yaml(path: Path):
    """Parse ``path``; a syntax error becomes a :class:`DataFileError` with its line."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise DataFileError([Problem(str(path), 1, f"cannot read the file: {exc}")]) from exc
    try:
        return yaml.load(text, Loader=LineLoader)  # noqa: S506 - SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        line = mark.line + 1 if mark else 1
        reason = getattr(exc, "problem", None) or str(exc)
        raise DataFileError([Problem(str(path), line, f"YAML syntax: {reason}")]) from exc


def line_of(document, path) -> int:
    """Line of the deepest node of ``document`` reachable along ``path``."""
    node, line = document, getattr(document, "line", 1)
    for step in path:
        if isinstance(node, LineDict) and step in node:
            line = node.key_lines.get(step, line)
            node = node[step]
        elif isinstance(node, LineList) and isinstance(step, int) and step < len(node):
            line = node.item_lines[step]
            node = node[step]
        else:
            break
        line = getattr(node, "line", line)
    return line


def schema_problems(document, schema_path: Path, file_path: str) -> list[Problem]:
    """Validate ``document`` against the JSON Schema at ``schema_path``."""
    schema = json.loads(Path(schema_path).read_text(encoding="utf-8"))
    validator = jsonschema.Draft202012Validator(schema)
    problems = []
    for error in sorted(validator.iter_errors(document), key=lambda e: list(map(str, e.path))):
        # A oneOf failure says "is not valid under any of the given schemas": the
        # closest sub-error tells the editor what is actually expected.
        detail = jsonschema.exceptions.best_match(error.context) if error.context else error
        where = "/".join(str(p) for p in error.path) or "(top)"
        path = list(detail.path)
        if detail.validator == "additionalProperties" and isinstance(detail.instance, dict):
            # Point at the unexpected key itself, not at the start of its mapping.
            allowed = detail.schema.get("properties", {})
            path.append(next(k for k in detail.instance if k not in allowed))
        problems.append(Problem(file_path, line_of(document, path),
                                f"{where}: {detail.message}"))
    return problems
