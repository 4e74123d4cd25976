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
    with_help: bool = False  # choosing it raises the "accompaniment" need
    correct: bool = False
    exclusive: bool = False
    # An item of an activities screen: the DSI 2.0 activity it asks (None: not one of
    # them), and the survey's reference period in months (3; buying online 12).
    dsi_activity: str | None = None
    period_months: int | None = None


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
    # Said on the next screen once the screen is answered (a task's right answer and why).
    explanation: str | None = None

    def option(self, option_id: str) -> Option | None:
        """The option with this id, or None."""
        return next((o for o in self.options if o.id == option_id), None)


@dataclass(frozen=True)
class Indicator:
    """One figure sent to the hub: a ``measure`` of kiosk.diagnostic.indicators
    (illectronism_2021, at_least_basic, illectronism_2019_approx) under a ``count`` rule
    (headline or strict)."""

    id: str
    measure: str
    count: str


@dataclass(frozen=True)
class Profile:
    id: str
    min_points: int
    label: str
    text: str
    unless_needs: tuple[str, ...] = ()  # not given beside a step for one of these needs


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
    ages: tuple[str, ...] = ()             # age bands it is offered to (empty: every age)
    language_not_in: tuple[str, ...] = ()  # screen languages it is not offered in
    phone: str | None = None               # a number to call, "+33" and nine digits
    # Places of the local list (services the national standard does not name).
    local_places: tuple[dict, ...] = field(default=(), compare=False, repr=False)

    def fits(self, age_band: str | None, language: str) -> bool:
        """Whether this offer suits a person of ``age_band`` (None: not given) using the
        kiosk in ``language``. An age rule is met only by an age band given."""
        return ((not self.ages or age_band in self.ages)
                and language not in self.language_not_in)


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
    # What its counts measure (kiosk/sync/contract.py): counts of two frames never mix.
    frame: str = "1"
    # The screens saying whether (``ever``) and when (``last``) the person used internet.
    internet_use: dict = field(default_factory=dict)
    # The DSI 2.0 definition its activities map to (kiosk.diagnostic.indicators).
    dsi: object = field(default=None, compare=False, repr=False)
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

    def dsi_items(self):
        """(screen, option) for each item that asks a DSI activity, in order."""
        return [(s, o) for s in self.screens for o in s.options if o.dsi_activity]

    def profile_screen(self, profile_field: str) -> Screen | None:
        """The screen that asks the given profile field (age_band, commune, situation)."""
        return next((s for s in self.screens if s.profile_field == profile_field), None)


def load(questionnaire_path: Path, offers_path: Path, *, schema_dir: Path,
         static_dir: Path, places_schema_path: Path | None = None,
         data_dir: Path | None = None) -> Questionnaire:
    """Load, validate and cross-check a questionnaire and its offers catalogue.

    ``data_dir`` holds the DSI 2.0 definition (kiosk.diagnostic.indicators); by default
    the ``data`` folder beside the questionnaire. Raises :class:`DataFileError` listing
    every problem found in both files and in the definition.
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
    # The local list is read once the offers file itself is sound (it names the list).
    local = None if problems else read_local_places(odoc.get("local_places"),
                                                    Path(offers_path).parent)
    if local:
        problems += local.problems
    if problems:
        raise DataFileError(problems)
    from . import indicators
    from .crosscheck import CrossChecker, standard_vocabularies

    try:
        dsi = indicators.load_definition(data_dir or Path(questionnaire_path).parent / "data")
    except indicators.DefinitionError as exc:
        raise DataFileError([Problem(*_split_where(p)) for p in exc.problems]) from None
    except OSError as exc:
        raise DataFileError([Problem(str(exc.filename), 1, f"cannot read: {exc.strerror}")]) \
            from None
    vocab = standard_vocabularies(places_schema_path) if places_schema_path else None
    checker = CrossChecker(qdoc, qpath, odoc, opath, static_dir, vocab, local, dsi)
    questionnaire = checker.build()
    if checker.problems:
        raise DataFileError(checker.problems)
    return questionnaire


def _split_where(problem: str) -> tuple[str, int, str]:
    """``file:line: message`` (or ``file: message``) -> Problem's fields."""
    where, _, message = problem.partition(": ")
    path, _, line = where.rpartition(":")
    return (path, int(line), message) if line.isdigit() else (where, 1, message)


@dataclass(frozen=True)
class LocalPlaces:
    """The local list of places, with the values its ``services`` column allows."""

    places: tuple[dict, ...]
    services: frozenset[str]
    problems: tuple[Problem, ...] = ()


def read_local_places(spec: dict | None, base: Path) -> LocalPlaces | None:
    """Read the local list of places named by offers.yaml's ``local_places`` (paths
    relative to ``base``): services the national standard does not name (French classes,
    École de la deuxième chance, CléA). Each row is checked against the list's own Table
    Schema by the national directory's reader; problems come back as ``file:line``."""
    if not spec:
        return None
    from ..places.directory import load_schema, read_places
    from .crosscheck import pattern_values

    csv_path, schema_path = base / spec["file"], base / spec["schema"]
    try:
        schema = load_schema(schema_path)
        services = next(f for f in schema["fields"] if f["name"] == "services")
        vocabulary = pattern_values(services["constraints"]["pattern"])
    except (OSError, ValueError, KeyError, StopIteration, AttributeError) as exc:
        return LocalPlaces((), frozenset(), (Problem(str(schema_path), 1, "not a usable schema "
                                                     f"of local places ({exc!r})"),))
    try:
        report = read_places(csv_path, schema)
    except OSError as exc:
        return LocalPlaces((), vocabulary, (Problem(str(csv_path), 1, f"cannot read: {exc}"),))
    # A short list kept by hand: hours it cannot read are to be fixed, not merely warned of
    # (the national directory only warns, its rows coming from many hands).
    problems = tuple(Problem(str(csv_path), i.line, i.detail)
                     for i in report.errors + report.warnings)
    # Shaped as the places of the national directory (kiosk.storage.store.all_places).
    places = tuple(dict(p, dispositif_programmes_nationaux=[], itinerance=None, prise_rdv=None,
                        code_insee=None) for p in report.places)
    return LocalPlaces(places, vocabulary, problems)
