"""Babel extractor for the questionnaire and offers YAML files.

The YAML holds the French source text; this extractor puts every resident-facing string
(titles, labels, texts, help, picture descriptions, explanations) into the gettext template, so
translators work in ordinary tools (Poedit, Weblate) and the app translates the
questionnaire at render time like any interface string.
"""
from __future__ import annotations

import io

import yaml

from ..diagnostic.yamlfile import LineDict, LineList, LineLoader

TRANSLATABLE_KEYS = ("title", "label", "text", "help", "illustration_alt", "explanation")


def extract_yaml(fileobj, keywords, comment_tags, options):
    """Babel extraction method: yields ``(line, funcname, message, comments)``."""
    text = io.TextIOWrapper(fileobj, encoding="utf-8").read()
    document = yaml.load(text, Loader=LineLoader)  # noqa: S506 - SafeLoader subclass
    yield from _walk(document, "")


def _walk(node, where):
    if isinstance(node, LineDict):
        label = f"{where}/{node['id']}" if "id" in node else where
        for key, value in node.items():
            if key in TRANSLATABLE_KEYS and isinstance(value, str):
                yield node.key_lines[key], None, value, [f"{label.strip('/')} ({key})"]
            else:
                yield from _walk(value, f"{label}/{key}" if not isinstance(value, LineList) else label)
    elif isinstance(node, LineList):
        for item in node:
            yield from _walk(item, where)
