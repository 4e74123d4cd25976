"""The bundled fonts: Noto Sans and Noto Sans Arabic, subset to what the kiosk shows.

No web font is fetched: the kiosk serves WOFF2 files from static/fonts, cut down (with
fontTools) to the characters of every shipped catalogue, the place and commune names,
and the basic Latin and French repertoire. The sources are Debian's fonts-noto-core
(SIL Open Font License 1.1). ``kiosk fonts build`` rebuilds them after a catalogue or a
language is added; a test fails if any catalogue character is missing from them.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

SOURCE_DIR = Path("/usr/share/fonts/truetype/noto")
# Letters a French text may hold, and the punctuation the templates use.
BASE_TEXT = ("".join(chr(c) for c in range(0x20, 0x7F))
             + "«»’‘“”–—…·€°  ")
# Whole blocks, so that names imported later (places, communes) still render: Latin-1,
# Latin Extended-A (Turkish, Portuguese, French), and Cyrillic with Ukrainian's Ґ ґ.
BASE_RANGES = ((0x00A0, 0x017F), (0x0400, 0x045F), (0x0490, 0x0491))


def base_chars() -> set[str]:
    chars = set(BASE_TEXT)
    for start, end in BASE_RANGES:
        chars |= {chr(c) for c in range(start, end + 1)}
    return {c for c in chars if visible(c)}


@dataclass(frozen=True)
class Face:
    family: str
    weight: int
    source: str        # file name in SOURCE_DIR
    output: str        # file name in static/fonts
    arabic: bool


FACES = (
    Face("Noto Sans", 400, "NotoSans-Regular.ttf", "noto-sans-400.woff2", False),
    Face("Noto Sans", 700, "NotoSans-Bold.ttf", "noto-sans-700.woff2", False),
    Face("Noto Sans Arabic", 400, "NotoSansArabic-Regular.ttf", "noto-sans-arabic-400.woff2", True),
    Face("Noto Sans Arabic", 700, "NotoSansArabic-Bold.ttf", "noto-sans-arabic-700.woff2", True),
)


def is_arabic(char: str) -> bool:
    """Characters of the Arabic script (Arabic, Persian and Dari letters, marks, digits)."""
    code = ord(char)
    return (0x0600 <= code <= 0x06FF or 0x0750 <= code <= 0x077F or 0x08A0 <= code <= 0x08FF
            or 0xFB50 <= code <= 0xFDFF or 0xFE70 <= code <= 0xFEFF)


def visible(char: str) -> bool:
    """Characters a font must draw (not controls such as the bidi marks)."""
    return unicodedata.category(char) not in ("Cc", "Cf", "Zl", "Zp")


def split(chars: Iterable[str]) -> tuple[set[str], set[str]]:
    """(Latin/Cyrillic/common characters, Arabic-script characters)."""
    latin, arabic = set(), set()
    for char in chars:
        if visible(char):
            (arabic if is_arabic(char) else latin).add(char)
    return latin, arabic


def missing(font_path: Path, chars: Iterable[str]) -> set[str]:
    """The characters of ``chars`` that the font at ``font_path`` does not draw."""
    from fontTools.ttLib import TTFont

    with TTFont(str(font_path)) as font:
        cmap = font.getBestCmap()
    return {char for char in chars if ord(char) not in cmap and char not in " \u00a0\u202f"}


def build(chars: set[str], out_dir: Path, source_dir: Path = SOURCE_DIR) -> list[tuple[Path, int]]:
    """Write the four WOFF2 subsets; return (path, size in bytes) of each."""
    from fontTools import subset

    latin, arabic = split(chars | base_chars())
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for face in FACES:
        wanted = arabic if face.arabic else latin
        options = subset.Options()
        options.flavor = "woff2"
        options.layout_features = ["*"] if face.arabic else options.layout_features
        options.name_IDs = [0, 1, 2, 3, 4, 5, 6, 13, 14]  # keep the copyright and licence
        options.notdef_outline = True
        font = subset.load_font(str(source_dir / face.source), options)
        subsetter = subset.Subsetter(options)
        subsetter.populate(unicodes=sorted(ord(c) for c in wanted))
        subsetter.subset(font)
        target = out_dir / face.output
        subset.save_font(font, str(target), options)
        written.append((target, target.stat().st_size))
    return written
