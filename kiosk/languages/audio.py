"""Read-aloud clips: which texts are spoken, where their clips are, how they are made.

A clip is named by a hash of the exact text it speaks, in ``static/audio/<lang>/``: an
edited translation gets a new clip, and the clip of the old text becomes stale and is
removed by the next build. Human recordings go in ``static/audio/<lang>/recorded/``
under the same name; they win over synthesis and the build never touches them.

A text with a spoken form (``translations/<lang>/LC_MESSAGES/spoken.po``: the text with
its vowels written, names respelled) is synthesised from that form, but its clip keeps the
displayed text's name, since pages know only what they show. ``spoken.json`` beside the
clips records, for such clips, the key of the form they say: a changed spoken form remakes
its clip, and the clips of languages without spoken forms are named as before.

Synthesis is offline and deterministic (espeak-ng, then opusenc with a serial number
derived from the text), so a rebuild of unchanged text changes no committed byte.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from . import locales
from .catalogues import PLACEHOLDER

SUFFIX = ".opus"
RECORDED = "recorded"
SAID = "spoken.json"  # clip key -> key of the spoken form it says, when not the text
# Slower than espeak-ng's default 175 words a minute: many listeners are elderly.
WORDS_PER_MINUTE = 150
# Mono speech at 12 kbit/s keeps a 15-second sentence near 25 KB.
BITRATE_KBPS = 12


def clip_key(text: str) -> str:
    """The clip's file stem for ``text`` (what the page shows, exactly)."""
    return hashlib.sha256(text.strip().encode("utf-8")).hexdigest()[:20]


def spoken(text: str) -> bool:
    """Whether ``text`` gets a clip: any non-empty text without a placeholder (a text
    such as "Question %(number)s sur %(total)s" is never spoken as such)."""
    return bool(text.strip()) and not PLACEHOLDER.search(text)


def texts_of_catalogue(catalog) -> set[str]:
    """The texts a language shows: each message's translation (the msgid for French)."""
    texts = set()
    for message in catalog:
        if not message.id or message.pluralizable:
            continue
        text = message.string or message.id
        if spoken(text):
            texts.add(text)
    return texts


def clip_folder(static_dir: Path, lang: str) -> Path:
    return static_dir / "audio" / lang


@dataclass
class Clips:
    """The clips present for one language: key -> path relative to the static folder."""
    lang: str
    files: dict[str, str] = field(default_factory=dict)

    @classmethod
    def scan(cls, static_dir: Path, lang: str) -> "Clips":
        folder = clip_folder(static_dir, lang)
        files = {}
        if folder.is_dir():
            for path in folder.glob("*" + SUFFIX):
                files[path.stem] = f"audio/{lang}/{path.name}"
            for path in (folder / RECORDED).glob("*" + SUFFIX):  # recordings win
                files[path.stem] = f"audio/{lang}/{RECORDED}/{path.name}"
        return cls(lang, files)

    def for_text(self, text: str) -> str | None:
        """The static path of the clip for ``text``, or None."""
        return self.files.get(clip_key(text)) if text else None


@dataclass
class BuildReport:
    made: list[str] = field(default_factory=list)
    kept: int = 0
    recorded: int = 0
    removed: list[str] = field(default_factory=list)


def tools_missing() -> list[str]:
    """The speech tools not installed (Debian packages espeak-ng and opus-tools)."""
    return [tool for tool in ("espeak-ng", "opusenc") if shutil.which(tool) is None]


def synthesise(text: str, lang: str, target: Path) -> None:
    """Speak ``text`` in ``lang`` into the Ogg/Opus file ``target`` (atomically)."""
    key = clip_key(text)
    with tempfile.TemporaryDirectory() as tmp:
        wav = Path(tmp) / "speech.wav"
        subprocess.run(["espeak-ng", "-v", locales.voice(lang), "-s", str(WORDS_PER_MINUTE),
                        "-w", str(wav), "--", text], check=True, capture_output=True)
        part = target.with_suffix(".part")
        # --serial fixes the Ogg stream number (random otherwise); no date is written.
        subprocess.run(["opusenc", "--quiet", "--serial", str(int(key[:7], 16)),
                        "--bitrate", str(BITRATE_KBPS), "--downmix-mono", str(wav), str(part)],
                       check=True, capture_output=True)
        os.replace(part, target)


def said_by_clips(folder: Path) -> dict[str, str]:
    """For each clip made from a spoken form, the key of that form (``spoken.json``)."""
    path = folder / SAID
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def build(static_dir: Path, lang: str, texts: Iterable[str], on_clip=None,
          spoken_forms: dict[str, str] | None = None) -> BuildReport:
    """Make the missing clips of ``texts`` and remove stale synthesised ones. A text with
    a form in ``spoken_forms`` (displayed text -> what to say) is synthesised from it."""
    folder = clip_folder(static_dir, lang)
    folder.mkdir(parents=True, exist_ok=True)
    recorded = {p.stem for p in (folder / RECORDED).glob("*" + SUFFIX)}
    wanted = {clip_key(text): text for text in texts}
    was_said, said = said_by_clips(folder), {}
    report = BuildReport()
    for key, text in sorted(wanted.items()):
        target = folder / (key + SUFFIX)
        source = (spoken_forms or {}).get(text, text)
        if key in recorded:
            report.recorded += 1
        elif target.exists() and was_said.get(key, key) == clip_key(source):
            report.kept += 1
        else:
            synthesise(source, lang, target)
            report.made.append(key)
        if key not in recorded and source != text:
            said[key] = clip_key(source)
        if on_clip:
            on_clip()
    for path in folder.glob("*" + SUFFIX):
        if path.stem not in wanted or path.stem in recorded:
            path.unlink()
            report.removed.append(path.stem)
    _write_said(folder, said)
    return report


def _write_said(folder: Path, said: dict[str, str]) -> None:
    path = folder / SAID
    if said:
        path.write_text(json.dumps(said, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    elif path.exists():
        path.unlink()
