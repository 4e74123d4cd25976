"""The languages the kiosk can speak: direction, speech voice, own name. No Flask.

Adding a language needs no code here when espeak-ng has a voice named after it; the
table only lists the voices whose name differs from the language code.
"""
from __future__ import annotations

from babel import Locale

RTL_LANGUAGES = {"ar", "fa", "he", "ps", "ur"}

# espeak-ng voice per language, when the code alone does not name it. Dari (fa_AF) is
# written like Persian; espeak-ng's "fa" voice has an Iranian accent: a recorded clip
# (static/audio/fa_AF/recorded/) should replace it where a Dari speaker can record.
VOICES = {"fr": "fr-fr", "en": "en-gb", "pt_PT": "pt", "fa_AF": "fa"}


def tag(code: str) -> str:
    """The BCP 47 tag of a catalogue code (``fa_AF`` -> ``fa-AF``)."""
    return code.replace("_", "-")


def is_rtl(code: str) -> bool:
    """True for languages written right to left."""
    return code.split("_")[0] in RTL_LANGUAGES


def voice(code: str) -> str:
    """The espeak-ng voice that reads ``code``."""
    return VOICES.get(code, code.split("_")[0])


# Names people use for their own language where CLDR's differs: Afghans call theirs
# Dari (CLDR says "Persian (Afghanistan)"); one Portuguese is enough on a French kiosk.
NAMES = {"fa_AF": "دری", "pt_PT": "Português"}


def own_name(code: str) -> str:
    """The language's name in itself, capitalised as a button label (``Українська``)."""
    name = NAMES.get(code) or Locale.parse(code).get_display_name(code) or code
    return name[:1].upper() + name[1:]
