"""The translation catalogues: how complete each one is, and whether it is safe to ship.

A message counts as translated when its msgstr is not empty, not fuzzy, and differs from
its msgid, unless the translator flagged it ``proper-name`` (a name such as "France
Services" or "WhatsApp" stays the same in every language). A msgstr whose placeholders
differ from the msgid's would crash or mislead at render time: it is an error.

Beside a catalogue, ``spoken.po`` may hold *spoken forms*: what the speech engine reads
instead of the displayed translation (Arabic with its short vowels written, French names
respelled in the language's script). Each is written for one displayed translation, kept
as its msgctxt: when the translation changes, the spoken form is stale and no longer used.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from babel.messages.pofile import read_po

DOMAIN = "messages"
PROPER_NAME = "proper-name"
PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|%[sdif]|\{\w*\}")
DRAFT_MARK = "draft"  # the header must say translations await a native speaker's review
SPOKEN_DOMAIN = "spoken"
# Languages whose every question, answer and next step must have a spoken form:
# espeak-ng reads unvowelled Arabic as consonant clusters.
SPOKEN_REQUIRED = {"ar"}


@dataclass
class Completeness:
    lang: str
    path: Path
    total: int = 0
    translated: int = 0
    missing: list[str] = field(default_factory=list)
    placeholder_errors: list[str] = field(default_factory=list)
    marked_draft: bool = False

    @property
    def percent(self) -> float:
        return 100.0 * self.translated / self.total if self.total else 100.0

    @property
    def complete(self) -> bool:
        return self.translated == self.total and not self.placeholder_errors


def po_path(translations_dir: Path, lang: str, domain: str = DOMAIN) -> Path:
    return translations_dir / lang / "LC_MESSAGES" / f"{domain}.po"


def read_catalog(path: Path, lang: str | None = None):
    with path.open("rb") as f:
        return read_po(f, locale=lang)


def placeholders(text: str) -> list[str]:
    return sorted(PLACEHOLDER.findall(text))


def is_translated(message) -> bool:
    """Written, not fuzzy, not a copy of the French (unless a proper name), and for a
    plural every form the language has: an empty one shows the French for its counts."""
    forms = message.string if isinstance(message.string, (tuple, list)) else (message.string,)
    if message.fuzzy or not forms or not all(forms):
        return False
    return message.string != message.id or PROPER_NAME in message.flags


def completeness(template_path: Path, translations_dir: Path, lang: str) -> Completeness:
    """How much of the template ``lang``'s catalogue translates, and what is wrong."""
    template = read_catalog(template_path)
    path = po_path(translations_dir, lang)
    report = Completeness(lang, path)
    catalog = read_catalog(path, lang) if path.exists() else None
    if catalog is not None:
        header = " ".join(filter(None, [catalog.header_comment, catalog.project]))
        report.marked_draft = DRAFT_MARK in header.lower()
    for entry in template:
        if not entry.id:
            continue
        report.total += 1
        message = catalog.get(entry.id, entry.context) if catalog is not None else None
        if message is None or not is_translated(message):
            report.missing.append(_first(entry.id))
            continue
        report.translated += 1
        if placeholders(_first(message.id)) != placeholders(_first(message.string)):
            report.placeholder_errors.append(_first(message.id))
    return report


@dataclass
class SpokenForms:
    """One language's spoken forms: those in use, and what ``kiosk check`` lists.

    ``stale`` and ``missing`` hold ``(file, line, msgid)``: a stale form at its line in
    ``spoken.po``, a missing one at its message's line in ``messages.po``.
    """
    lang: str
    current: dict[str, str] = field(default_factory=dict)  # displayed text -> spoken form
    stale: list[tuple[Path, int, str]] = field(default_factory=list)
    missing: list[tuple[Path, int, str]] = field(default_factory=list)


def spoken_forms(translations_dir: Path, lang: str, required=()) -> SpokenForms:
    """``lang``'s spoken forms that match its displayed translations; those that do not
    (the translation changed, or its message is gone), and the msgids of ``required``
    translated without one."""
    forms = SpokenForms(lang)
    shown_path = po_path(translations_dir, lang)
    if not shown_path.exists():  # French, the source, has no catalogue
        return forms
    shown = read_catalog(shown_path, lang)
    path = po_path(translations_dir, lang, SPOKEN_DOMAIN)
    for entry in read_catalog(path, lang) if path.exists() else ():
        if not entry.id or not entry.string:  # the header, or a form not written yet
            continue
        message = shown.get(entry.id)
        if (message is not None and is_translated(message) and not entry.fuzzy
                and entry.context == message.string):
            forms.current[message.string] = entry.string
        else:
            forms.stale.append((path, entry.lineno, entry.id))
    for msgid in sorted(set(required)):
        message = shown.get(msgid)
        if message is not None and is_translated(message) and message.string not in forms.current:
            forms.missing.append((shown_path, message.lineno, msgid))
    return forms


def _first(value):
    return value[0] if isinstance(value, (tuple, list)) else value
