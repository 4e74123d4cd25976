"""``kiosk i18n ...`` (wrapping Babel's pybabel), ``kiosk audio build``, ``kiosk fonts build``.

Translators work on ordinary gettext catalogues; these commands keep the templates, the
catalogues, the compiled files, the read-aloud clips and the font subsets in step with
the sources.
"""
from __future__ import annotations

import contextlib
import sys
from pathlib import Path

import click
from babel.messages.frontend import CommandLineInterface
from babel.messages.mofile import read_mo
from flask import current_app
from flask.cli import with_appcontext

from . import audio, catalogues, fonts
from .. import config, paths

# The resident catalogues ("messages") and the hub's staff pages ("hub", French only,
# marked with their own functions, kiosk/hub/i18n.py): mapping file and keywords.
DOMAINS = {
    "messages": ("babel.cfg", ["-k", "_l"]),
    "hub": ("babel-hub.cfg", ["--no-default-keywords", "-k", "h_", "-k", "lh_",
                              "-k", "hn_:1,2", "-k", "N_"]),
}


def _pybabel(*args: str) -> None:
    CommandLineInterface().run(["pybabel", "-q", *args])


def _domains():
    for domain, (mapping, keywords) in DOMAINS.items():
        if (paths.ROOT / mapping).exists():
            yield domain, paths.ROOT / mapping, keywords


def template_path(domain: str = "messages") -> Path:
    return paths.TRANSLATIONS / f"{domain}.pot"


@click.group("i18n")
def i18n_group():
    """Translation catalogues (extract, update, compile)."""


@i18n_group.command("extract")
def extract_command():
    """Extract the strings of the code, templates and questionnaires to the .pot files."""
    for domain, mapping, keywords in _domains():
        # From the project folder, so the template names files by relative paths.
        with contextlib.chdir(paths.ROOT):
            _pybabel("extract", "-F", str(mapping), *keywords, "--sort-output",
                     "--project", "Diagnostic numérique de l'Allier", "-o",
                     str(template_path(domain)), ".")
        click.echo(f"{template_path(domain)} written.")


@i18n_group.command("update")
@with_appcontext
def update_command():
    """Merge the .pot template into each language's catalogue (new strings, fuzzy matches).

    A language without a catalogue yet gets one (``init``).
    """
    for lang in config.languages(current_app.config):
        po = catalogues.po_path(paths.TRANSLATIONS, lang)
        if lang == "fr":
            continue  # French is the source text
        action = "update" if po.exists() else "init"
        _pybabel(action, "-i", str(template_path()), "-d", str(paths.TRANSLATIONS), "-l", lang)
        click.echo(f"{po}: {action}d.")


@i18n_group.command("compile")
def compile_command():
    """Compile every catalogue (.po) to the .mo files the app reads."""
    _pybabel("compile", "-d", str(paths.TRANSLATIONS))
    click.echo("Catalogues compiled.")


def language_reports(cfg) -> list[catalogues.Completeness]:
    """Completeness of every configured language other than French (the source), against
    the template beside the catalogues the app reads."""
    directory = Path(str(cfg["BABEL_TRANSLATION_DIRECTORIES"]).split(";")[0])
    return [catalogues.completeness(directory / "messages.pot", directory, lang)
            for lang in config.languages(cfg) if lang != "fr"]


def language_problems(cfg, echo, questionnaire=None) -> list[str]:
    """Echo each language's share of translated messages; return the problems, with the
    stale spoken forms and, given the ``questionnaire``, the missing ones."""
    problems = []
    for report in language_reports(cfg):
        echo(f"{report.lang}: {report.percent:.1f} % translated "
             f"({report.translated}/{report.total})")
        problems += [f"{report.path}: {report.lang}: untranslated: {msgid!r}"
                     for msgid in report.missing]
        problems += [f"{report.path}: {report.lang}: placeholders differ from: {msgid!r}"
                     for msgid in report.placeholder_errors]
        required = ()
        if questionnaire is not None and report.lang in catalogues.SPOKEN_REQUIRED:
            required = said_on_screens(questionnaire)
        forms = catalogues.spoken_forms(report.path.parents[2], report.lang, required)
        if forms.current or forms.stale or required:
            echo(f"{report.lang}: {len(forms.current)} spoken forms in use")
        problems += [f"{path}:{line}: {report.lang}: stale spoken form (written for another "
                     f"translation, or its message is gone): {msgid!r}"
                     for path, line, msgid in forms.stale]
        problems += [f"{path}:{line}: {report.lang}: no spoken form in "
                     f"{catalogues.SPOKEN_DOMAIN}.po for: {msgid!r}"
                     for path, line, msgid in forms.missing]
    return problems


PROBE = "Commencer"


def catalogue_problems(app, echo=lambda text: None) -> dict[str, str]:
    """Check the compiled catalogues the app serves: each configured language's .mo, in
    the app's translation folder, must hold the translations of its .po (a .mo missing,
    or compiled before the .po last changed, shows French or old wording while the .po
    looks complete), and the app's own Babel must read one of them back. Contents, not
    dates, are compared: a wheel gives every file the same date, and git the checkout's.
    Returns each failing language's problem (``file: lang: what``)."""
    from flask_babel import force_locale, gettext

    directory = Path(str(app.config["BABEL_TRANSLATION_DIRECTORIES"]).split(";")[0])
    problems = {}
    for lang in config.languages(app.config):
        po = catalogues.po_path(directory, lang)
        if lang == "fr" or not po.exists():
            continue  # French is the source; a missing catalogue is reported as untranslated
        mo = po.with_suffix(".mo")
        if not mo.exists():
            problems[lang] = f"{mo}: {lang}: not compiled: run `kiosk i18n compile`"
            continue
        expected = compiled_messages(catalogues.read_catalog(po, lang))
        with mo.open("rb") as f:
            compiled = compiled_messages(read_mo(f))
        differ = sum(expected.get(key) != compiled.get(key) for key in expected | compiled)
        if differ:
            problems[lang] = (f"{mo}: {lang}: older than {po} ({differ} "
                              f"{'message differs' if differ == 1 else 'messages differ'}): "
                              "run `kiosk i18n compile`")
            continue
        # Read back as a page would: the welcome screen's button, or else the first
        # message whose translation differs from its French.
        probe = next((msgid for (msgid, context), text in expected.items()
                      if context is None and isinstance(msgid, str) and text != msgid
                      and (msgid == PROBE or (PROBE, None) not in expected)), None)
        if probe is not None:
            with app.test_request_context(), force_locale(lang):
                shown = gettext(probe)
            if shown != expected[(probe, None)]:
                problems[lang] = (f"{mo}: {lang}: the app shows {probe!r} as {shown!r}: "
                                  "check BABEL_TRANSLATION_DIRECTORIES, then run "
                                  "`kiosk i18n compile`")
                continue
        echo(f"{lang}: compiled catalogue {mo}: ok ({len(expected)} messages)")
    return problems


def compiled_problems(app, echo) -> list[str]:
    """`kiosk check`'s lines for :func:`catalogue_problems`."""
    return list(catalogue_problems(app, echo).values())


def compiled_messages(catalog) -> dict:
    """What ``pybabel compile`` puts in a .mo: (msgid, context) -> translation, fuzzy and
    untranslated messages left out; an empty plural form is compiled as the msgid's (as
    Babel's write_mo does)."""
    def plain(message):
        if not isinstance(message.id, (list, tuple)):
            return message.string
        return tuple(form or message.id[min(i, 1)] for i, form in enumerate(message.string))

    def key(msgid):
        return tuple(msgid) if isinstance(msgid, (list, tuple)) else msgid

    return {(key(m.id), m.context): plain(m) for m in catalog
            if m.id and m.string and not m.fuzzy}


def said_on_screens(questionnaire) -> set[str]:
    """The msgids of every question (its text, help, explanation and the texts of its
    type: a prompt, the activities' "how" answers), answer, and next step (an offer's
    title and text): the messages whose clips a language of
    ``catalogues.SPOKEN_REQUIRED`` must synthesise from a spoken form."""
    from ..diagnostic.questions import TYPES

    said = set()
    for screen in questionnaire.screens:
        said.update([screen.text, screen.help, screen.explanation])
        # lazy gettext strings: their first argument is the msgid
        said.update(text._args[0] for text in TYPES[screen.type].spoken_texts())
        said.update(option.label for option in screen.options)
    for offer in questionnaire.offers:
        said.update([offer.title, offer.text])
    return {msgid for msgid in said if msgid}


def language_texts(lang: str) -> set[str]:
    """The texts ``lang``'s pages show, from its catalogue (French: the template)."""
    if lang == "fr":
        return audio.texts_of_catalogue(catalogues.read_catalog(template_path()))
    po = catalogues.po_path(paths.TRANSLATIONS, lang)
    return audio.texts_of_catalogue(catalogues.read_catalog(po, lang))


@click.group("audio")
def audio_group():
    """Read-aloud clips."""


@audio_group.command("build")
@click.option("--lang", "only", multiple=True, help="Only this language (repeatable).")
@with_appcontext
def audio_build(only):
    """Make the missing clips with espeak-ng and opusenc; remove stale ones. A text with
    a current spoken form (spoken.po) is synthesised from it."""
    missing = audio.tools_missing()
    if missing:
        raise click.ClickException(f"install {', '.join(missing)} (Debian: apt install "
                                   "espeak-ng opus-tools)")
    for lang in only or config.languages(current_app.config):
        texts = language_texts(lang)
        with click.progressbar(length=len(texts), label=f"{lang:6}", file=sys.stderr) as bar:
            forms = catalogues.spoken_forms(paths.TRANSLATIONS, lang).current
            report = audio.build(paths.STATIC, lang, texts, on_clip=lambda: bar.update(1),
                                 spoken_forms=forms)
        click.echo(f"{lang}: {len(report.made)} made, {report.kept} kept, "
                   f"{report.recorded} recorded, {len(report.removed)} removed.")


def shown_characters() -> set[str]:
    """Every character the resident pages may show: all catalogues (the source French
    included), the commune names and the bundled places."""
    chars = set()
    for po in [template_path(), *paths.TRANSLATIONS.glob("*/LC_MESSAGES/messages.po")]:
        for message in catalogues.read_catalog(po):
            for text in (message.id, message.string):
                for part in (text if isinstance(text, (tuple, list)) else [text]):
                    chars.update(part or "")
    for data in ("communes_03.csv", "lieux_03.csv"):
        chars.update((paths.DATA / data).read_text(encoding="utf-8"))
    return {char for char in chars if fonts.visible(char)}


@click.group("fonts")
def fonts_group():
    """The bundled fonts."""


@fonts_group.command("build")
@click.option("--source", type=click.Path(file_okay=False, path_type=Path),
              default=fonts.SOURCE_DIR, show_default=True,
              help="Folder of the Noto TTF files (Debian: fonts-noto-core).")
def fonts_build(source):
    """Subset Noto Sans and Noto Sans Arabic to WOFF2 for the shipped catalogues."""
    total = 0
    for path, size in fonts.build(shown_characters(), paths.STATIC / "fonts", source):
        click.echo(f"{path}: {size / 1024:.1f} KB")
        total += size
    click.echo(f"Fonts: {total / 1024:.1f} KB in all.")
