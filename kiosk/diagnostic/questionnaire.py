"""Load and validate a questionnaire and its offers catalogue into frozen dataclasses.

The YAML files are checked twice: against their JSON Schema (shape), then by the
cross-checks of crosscheck.py (every ``show_if`` names an earlier question and real options, every
scoring rule a real area, task or option, every offer a real need). All problems are
collected and reported together as ``file:line: message``.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .yamlfile import DataFileError, Problem, load_yaml, schema_problems


@dataclass(frozen=True)
class Option:
    id: str
    label: str
    done: bool = False
    with_help: bool = False
    correct: bool = False
    exclusive: bool = False


@dataclass(frozen=True)
class Area:
    id: str
    label: str
    basic: int
    above_basic: int
    pictogram: str | None = None


@dataclass(frozen=True)
class Screen:
    id: str
    type: str
    text: str
    help: str | None = None
    section: str | None = None
    area: str | None = None
    options: tuple[Option, ...] = ()
    show_if: dict | None = None
    pictogram: str | None = None
    illustration: str | None = None
    illustration_alt: str | None = None
    profile_field: str | None = None

    def option(self, option_id: str) -> Option | None:
        """The option with this id, or None."""
        return next((o for o in self.options if o.id == option_id), None)


@dataclass(frozen=True)
class Indicator:
    id: str
    kind: str
    no_use_if: dict
    areas: tuple[str, ...]
    min_areas_lacking: int | None = None


@dataclass(frozen=True)
class Profile:
    id: str
    min_points: int
    label: str
    text: str


@dataclass(frozen=True)
class Need:
    id: str
    label: str
    when: dict


@dataclass(frozen=True)
class Offer:
    id: str
    title: str
    text: str
    needs: tuple[str, ...] = ()
    fallback: bool = False
    services: tuple[str, ...] = ()
    programmes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Questionnaire:
    id: str
    version: str
    title: str
    areas: tuple[Area, ...]
    screens: tuple[Screen, ...]
    indicators: tuple[Indicator, ...]
    profiles: tuple[Profile, ...]
    needs: tuple[Need, ...]
    offers: tuple[Offer, ...] = ()
    _by_id: dict = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self):
        self._by_id.update({s.id: s for s in self.screens})

    def screen(self, screen_id: str) -> Screen | None:
        """The screen with this id, or None."""
        return self._by_id.get(screen_id)

    def area(self, area_id: str) -> Area:
        """The area with this id."""
        return next(a for a in self.areas if a.id == area_id)

    def offer(self, offer_id: str) -> Offer | None:
        """The offer with this id, or None."""
        return next((o for o in self.offers if o.id == offer_id), None)

    def profile_screen(self, profile_field: str) -> Screen | None:
        """The screen that asks the given profile field (age_band, commune, situation)."""
        return next((s for s in self.screens if s.profile_field == profile_field), None)


def load(questionnaire_path: Path, offers_path: Path, *, schema_dir: Path,
         static_dir: Path, places_schema_path: Path | None = None) -> Questionnaire:
    """Load, validate and cross-check a questionnaire and its offers catalogue.

    Raises :class:`DataFileError` listing every problem found in both files.
    """
    qpath, opath = str(questionnaire_path), str(offers_path)
    problems: list[Problem] = []
    qdoc = odoc = None
    try:
        qdoc = load_yaml(questionnaire_path)
        problems += schema_problems(qdoc, schema_dir / "questionnaire.schema.json", qpath)
    except DataFileError as exc:
        problems += exc.problems
    try:
        odoc = load_yaml(offers_path)
        problems += schema_problems(odoc, schema_dir / "offers.schema.json", opath)
    except DataFileError as exc:
        problems += exc.problems
    if problems:
        raise DataFileError(problems)
    from .crosscheck import CrossChecker, standard_vocabularies

    vocab = standard_vocabularies(places_schema_path) if places_schema_path else None
    checker = CrossChecker(qdoc, qpath, odoc, opath, static_dir, vocab)
    questionnaire = checker.build()
    if checker.problems:
        raise DataFileError(checker.problems)
    return questionnaire
