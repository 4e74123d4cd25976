"""The communes of the Allier: lookup by INSEE code, search by name or postal code.

Pure data code (no Flask). The kiosk asks a visitor where they live, so search must be
forgiving: people type "st pourcain", "SAINT-POURÇAIN" or a postal code. A postal code does
not identify a commune (one code covers up to 15 communes, sometimes in different EPCI), so a
postal-code search returns every commune using it, most populated first (the likeliest
answer on top), and the visitor picks one.
"""

from __future__ import annotations

import csv
import math
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from os import PathLike

MAX_NAME_RESULTS = 12
EARTH_RADIUS_KM = 6371.0088  # mean Earth radius (IUGG)

# Abbreviations people type for the name words they stand for.
_ABBREVIATIONS = {"st": "saint", "ste": "sainte"}
_POSTAL_CODE = re.compile(r"\d{5}", re.ASCII)


@dataclass(frozen=True)
class Commune:
    """One commune: INSEE code, name, a postal code, its EPCI, its town-centre point and
    its population (None when the file gives none)."""

    insee: str
    name: str
    postal_code: str
    epci_siren: str
    epci_name: str
    lat: float
    lon: float
    population: int | None = None


def normalise_name(text: str) -> str:
    """Fold ``text`` for name matching.

    Lower-cases, drops accents, expands "st"/"ste" to "saint"/"sainte" and removes every
    separator (spaces, hyphens, apostrophes), so "St Pourçain-sur-Sioule" and
    "saint pourcain sur sioule" both give "saintpourcainsursioule".
    """
    return "".join(_fold_words(text))


def _fold_words(text: str) -> list[str]:
    """The words of ``text``, folded as :func:`normalise_name` describes."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    plain = plain.replace("œ", "oe").replace("æ", "ae")  # NFKD leaves ligatures alone
    words = re.split(r"[^0-9a-z]+", plain)
    return [_ABBREVIATIONS.get(word, word) for word in words if word]


class Communes:
    """A read-only collection of communes keyed by INSEE code.

    Built from rows that may repeat a commune with another postal code (La Poste gives some
    communes several codes): the first row is kept as the commune, later rows only add their
    postal code to the postal-code index.
    """

    def __init__(self, communes: Iterable[Commune]) -> None:
        """Index ``communes``; a repeated INSEE code only contributes its postal code."""
        self._by_insee: dict[str, Commune] = {}
        self._by_postal_code: dict[str, list[str]] = {}
        for commune in communes:
            self._by_insee.setdefault(commune.insee, commune)
            insee_codes = self._by_postal_code.setdefault(commune.postal_code, [])
            if commune.insee not in insee_codes:
                insee_codes.append(commune.insee)
        # Each name folded twice: without separators, and with single spaces between words.
        self._folded: dict[str, tuple[str, str]] = {}
        for insee, commune in self._by_insee.items():
            words = _fold_words(commune.name)
            self._folded[insee] = ("".join(words), " ".join(words))

    def get(self, insee: str) -> Commune | None:
        """Return the commune with this INSEE code, or None."""
        return self._by_insee.get(insee)

    def __contains__(self, insee: object) -> bool:
        return insee in self._by_insee

    def __len__(self) -> int:
        return len(self._by_insee)

    def __iter__(self) -> Iterator[Commune]:
        return iter(self._by_insee.values())

    def epci_of(self, insee: str) -> str | None:
        """Return the SIREN of the EPCI the commune belongs to, or None if unknown."""
        commune = self._by_insee.get(insee)
        return commune.epci_siren if commune else None

    def postal_codes_of(self, insee: str) -> list[str]:
        """Return every postal code used by the commune (sorted; empty if unknown)."""
        return sorted(code for code, codes in self._by_postal_code.items() if insee in codes)

    def search(self, text: str) -> list[Commune]:
        """Find communes matching what a visitor typed.

        Five digits (spaces allowed, e.g. "03 000") search by postal code and return every
        commune using it, most populated first (ties and unknown populations by name). Anything else matches names, ignoring case, accents,
        separators and "st"/"saint": exact matches first, then names starting with the text,
        then names containing it (whole-word matches before the others in both groups), each
        group sorted by name, at most 12 results. Text shorter than 2 characters returns [].
        """
        text = text.strip()
        if len(text) < 2:
            return []
        compact = text.replace(" ", "")
        if _POSTAL_CODE.fullmatch(compact):
            return sorted((self._by_insee[i] for i in self._by_postal_code.get(compact, [])),
                          key=_population_key)
        return self._search_name(_fold_words(text))

    def _search_name(self, words: list[str]) -> list[Commune]:
        """Rank communes whose folded name matches the folded query ``words``.

        Ranks: exact, then prefix, then substring; within prefix and substring, matches on
        word boundaries come first, so "sainte" lists Sainte-Thérence before Saint-Éloy.
        """
        compact, spaced = "".join(words), " ".join(words)
        if not compact:  # only punctuation was typed
            return []
        ranked = []
        for insee, (name, spaced_name) in self._folded.items():
            tier = _match_tier(compact, spaced, name, spaced_name)
            if tier is not None:
                ranked.append((tier, name, insee))
        ranked.sort()
        return [self._by_insee[insee] for _, _, insee in ranked[:MAX_NAME_RESULTS]]


def _match_tier(compact: str, spaced: str, name: str, spaced_name: str) -> int | None:
    """0 exact, 1-2 prefix, 3-4 substring (word-aligned first), None for no match."""
    if name == compact:
        return 0
    if name.startswith(compact):
        return 1 if spaced_name.startswith(spaced) else 2
    if compact in name:
        return 3 if f" {spaced}" in f" {spaced_name}" else 4
    return None


def _population_key(commune: Commune) -> tuple[int, str, str]:
    """Most populated first; then by folded name (so "É" sorts with "E")."""
    return -(commune.population or 0), normalise_name(commune.name), commune.insee


def load_communes(path: str | PathLike[str]) -> Communes:
    """Read communes_03.csv (columns insee_code, name, postal_code, epci_siren,
    epci_name, lat, lon, optional population; others ignored) into a :class:`Communes`.

    Codes stay strings (INSEE and postal codes have leading zeros). Raises ValueError
    naming the line if a row cannot be read.
    """
    with open(path, encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        return Communes([_commune_from_row(row, reader.line_num) for row in reader])


def _commune_from_row(row: dict[str, str], line: int) -> Commune:
    try:
        return Commune(
            insee=row["insee_code"].strip(),
            name=row["name"].strip(),
            postal_code=row["postal_code"].strip(),
            epci_siren=row["epci_siren"].strip(),
            epci_name=row["epci_name"].strip(),
            lat=float(row["lat"]),
            lon=float(row["lon"]),
            population=_population(row.get("population")),
        )
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise ValueError(f"communes file, line {line}: cannot read row ({exc!r})") from exc


def _population(text: str | None) -> int | None:
    """A population count; an empty or missing cell is None, a negative one an error."""
    if not (text or "").strip():
        return None
    count = int(text)
    if count < 0:
        raise ValueError(f"negative population {text!r}")
    return count


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle (haversine) distance in kilometres between two WGS84 points."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi = phi2 - phi1
    dlambda = math.radians(lon2 - lon1)
    h = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))
