"""The visit service: one person's way through the questionnaire, from start to record.

Pages (the resident's self-service today, a mediator's guided session later) call this
module and only redirect or render what it answers: request -> service -> redirect.

:class:`Route` is the pure part: the screens this person is asked, given their answers,
computed once and then asked anything (is this screen reachable, which one is due, what
comes before or after). :class:`VisitService` adds the kiosk's storage: it starts a visit,
reads and saves answers, and closes or completes it, leaving the record of
:mod:`kiosk.diagnostic.record`. Neither knows about Flask.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Callable, Mapping

from ..storage import store
from . import record
from .questionnaire import Questionnaire, Screen
from .questions import (BadAnswer, carries_guided_fields, read_answer, read_note,
                        read_observations)
from .scoring import IDK, visible_screens


# A second tap on "Suivant" lands on the next screen as soon as it appears: a form with
# nothing chosen this soon after an answer given with "Suivant" is that tap, not the
# person's choice.
STRAY_TAP = timedelta(seconds=1.5)


def nothing_given(form) -> bool:
    """Whether a screen's form came with nothing chosen and nothing typed (by the
    resident: a mediator's observations and note are theirs, not an answer)."""
    return not any(str(value).strip() for name, value in form.items(multi=True)
                   if name != "csrf_token" and not carries_guided_fields((name,)))


class Route:
    """The screens one person is asked, in order, given their answers so far.

    The visible screens are computed once, when the route is built; answering builds a
    new route (an answer may open or close later screens).
    """

    def __init__(self, questionnaire: Questionnaire, answers: Mapping):
        self.questionnaire = questionnaire
        self.answers = dict(answers)
        self.shown: list[Screen] = visible_screens(questionnaire, self.answers)
        self._index = {s.id: i for i, s in enumerate(self.shown)}

    @property
    def due(self) -> Screen | None:
        """The first screen shown with no answer yet (None: every one is answered)."""
        return next((s for s in self.shown if s.id not in self.answers), None)

    @property
    def complete(self) -> bool:
        """Whether every screen this person is asked has an answer."""
        return self.due is None

    @property
    def stopped_at(self) -> str:
        """The screen where the visit stands: the one due, or the last one when complete
        (where people stop matters to the Département)."""
        due = self.due
        return due.id if due is not None else self.shown[-1].id

    def reachable(self, screen_id: str) -> Screen | None:
        """The screen if it may be shown now: answered already, or the one due. Screens
        after the first one due are not reachable yet: no skipping ahead by URL."""
        for screen in self.shown:
            if screen.id == screen_id:
                return screen
            if screen.id not in self.answers:
                break
        return None

    def number(self, screen: Screen) -> int:
        """The screen's place on this route, from 1."""
        return self._index[screen.id] + 1

    @property
    def total(self) -> int:
        """How many screens this route has, given the answers so far."""
        return len(self.shown)

    @property
    def settled_total(self) -> int | None:
        """How many screens this route has, once no answer still to come can change it;
        None before.

        The progress shows only this total: one announced earlier could be wrong
        ("question 3 of 25", then a branch that ends at 9). A screen's visibility is
        settled when every question its ``show_if`` tests is answered, or is itself
        hidden for good (show_if tests earlier answers only: kiosk check). Going back
        and changing an answer may still change the total: that is the person's doing.
        """
        shown = {s.id for s in self.shown}
        settled: dict[str, bool] = {}
        for screen in self.questionnaire.screens:
            settled[screen.id] = all(
                asked in self.answers or (settled.get(asked, False) and asked not in shown)
                for asked in questions_tested(screen.show_if))
        return self.total if all(settled.values()) else None

    def previous(self, screen: Screen) -> Screen | None:
        """The screen before this one on the route (None for the first)."""
        index = self._index[screen.id]
        return self.shown[index - 1] if index else None

    def after(self, screen_id: str) -> Screen | None:
        """Where to go after answering ``screen_id`` (None: the diagnostic is complete):
        the next screen if it is already answered (someone going back over their
        answers), else the first one due."""
        due = self.due
        if due is None:
            return None
        later = self.shown[self._index[screen_id] + 1:]
        return later[0] if later and later[0].id in self.answers else due

    def answered(self, screen: Screen, value) -> Route:
        """The route once ``screen`` has this answer."""
        return Route(self.questionnaire, {**self.answers, screen.id: value})


def questions_tested(condition: Mapping | None):
    """The ids of the questions a ``show_if`` condition reads the answers of."""
    if not condition:
        return
    if "question" in condition:
        yield condition["question"]
    for part in [*condition.get("any", ()), *condition.get("all", ())]:
        yield from questions_tested(part)


class Unreachable(Exception):
    """A screen that cannot be answered now: ``status`` 404 (no such screen) or 409 (not
    yet reached)."""

    def __init__(self, status: int):
        super().__init__(status)
        self.status = status


@dataclass(frozen=True)
class Step:
    """What submitting one screen gave: the route after it, and either the screen to show
    next (None once the diagnostic is complete; the same screen again after a
    ``stray_tap``) or the answer's problem to show on the same screen (``error``, with the
    route before the answer)."""

    route: Route
    screen: Screen
    following: Screen | None = None
    error: BadAnswer | None = None
    stray_tap: bool = False


class VisitService:
    """A visit's life on this kiosk: start, answer, close, complete.

    ``visit`` arguments are rows of the ``visits`` table (see kiosk.storage.store).
    ``clock`` gives the current time (UTC); ``epci_of`` and ``languages`` are what a
    record needs to be anonymised (the communes' EPCI, the kiosk's languages).
    """

    def __init__(self, db, questionnaire: Questionnaire, communes, *,
                 clock: Callable[[], datetime], site_commune: str | None, languages,
                 notes_retention: timedelta | None = None):
        self.db, self.questionnaire, self.communes = db, questionnaire, communes
        self.clock, self.site_commune, self.languages = clock, site_commune, languages
        self.notes_retention = notes_retention

    def start(self, token: str, language: str, mode: str = "self") -> None:
        """Start a visit under a new session token (``mode``: self or guided).

        A guided visit first deletes the mediators' notes older than
        ``notes_retention`` (one indexed DELETE): notes are written only during guided
        visits, so they are purged where they are made, even on a kiosk where nobody
        runs `kiosk purge`.
        """
        if mode == "guided" and self.notes_retention is not None:
            store.purge_notes(self.db, self.clock() - self.notes_retention)
        store.start_visit(self.db, token, language, mode, self.clock())

    def find(self, token: str):
        """The visit reachable by this session token (active or complete), or None."""
        return store.visit_by_token(self.db, token)

    def set_language(self, visit, language: str) -> None:
        """Record the language an active visit switched to (answers are kept)."""
        if visit["status"] == "active":
            store.set_visit_language(self.db, visit["id"], language)

    def route(self, visit) -> Route:
        """The visit's route, from its stored answers."""
        return Route(self.questionnaire, store.answers(self.db, visit["id"]))

    def submit(self, visit, screen_id: str, form, *, forgive_stray_tap: bool = True,
               mediator: str | None = None) -> Step:
        """Read and save one screen's answer; complete the visit on its last screen.

        On a guided visit with ``mediator`` (their name) at the kiosk, the form may also
        carry what they observed and a note: saved with the answer in one transaction
        (kiosk.storage.store.save_guided_screen). Without a mediator those fields were
        never on the page: a form carrying them is tampered with (400).

        Raises :class:`Unreachable` for a screen that cannot be answered now and
        :class:`BadAnswer` (status 400) for a tampered form; an answer the person must
        fix comes back as the step's ``error``, and nothing is stored.

        A double tap on "Suivant" is harmless: the same answer sent again is not stored
        again and leads on as the first one did; with ``forgive_stray_tap``, a form with
        nothing chosen or typed arriving within :data:`STRAY_TAP` of an answer given
        with "Suivant" (the second tap landing on the screen that just appeared) shows
        that screen again, with no error (the page forgives that once per screen).
        """
        route = self.route(visit)
        screen = route.reachable(screen_id)
        if screen is None:
            raise Unreachable(404 if self.questionnaire.screen(screen_id) is None else 409)
        guided = mediator is not None and visit["mode"] == "guided"
        if not guided and carries_guided_fields(form):
            raise BadAnswer("a mediator's field without a mediator", status=400)
        observed = read_observations(screen, form) if guided else {}  # 400 when tampered
        try:
            value = read_answer(screen, form, self.communes)
        except BadAnswer as bad:
            if bad.status == 400:
                raise
            if forgive_stray_tap and nothing_given(form) and self.after_next(visit):
                return Step(route, screen, following=screen, stray_tap=True)
            return Step(route, screen, error=bad)
        try:
            note = read_note(form) if guided else None
        except BadAnswer as bad:  # too long: the screen again, with the answer given
            if bad.status == 400:
                raise
            return Step(route, screen, error=BadAnswer(bad.message, kept=value))
        changed = screen.id not in route.answers or route.answers[screen.id] != value
        if guided:
            store.save_guided_screen(self.db, visit["id"], screen.id,
                                     value if changed else None, self.clock(),
                                     observed=observed, note=note, mediator=mediator)
        elif changed:
            store.save_answer(self.db, visit["id"], screen.id, value, self.clock())
        if changed:
            route = route.answered(screen, value)
        following = route.after(screen.id)
        if following is None:
            store.complete_visit(self.db, visit["id"], self.build_record(visit, route))
        return Step(route, screen, following)

    def observations(self, visit) -> dict[str, dict[str, str]]:
        """What the mediator observed on a guided visit, ``screen id -> {item: level}``."""
        return store.observations(self.db, visit["id"])

    def after_next(self, visit) -> bool:
        """Whether the visit's latest answer was given with "Suivant" (not "Je ne sais
        pas") less than :data:`STRAY_TAP` ago."""
        last = store.last_answer(self.db, visit["id"])
        return (last is not None and last["value"] != IDK
                and timedelta(0) <= self.clock() - last["answered_at"] < STRAY_TAP)

    def close(self, visit) -> None:
        """End one visit; an unfinished one with answers leaves an incomplete record."""
        leaves = None
        if visit["status"] == "active":
            route = self.route(visit)
            if route.answers:
                leaves = self.build_record(visit, route)
        store.end_visit(self.db, visit["id"], leaves)

    def erase(self, visit) -> None:
        """"Arrêter et tout effacer": the visit and all it left are deleted at once. It
        counts nowhere, not even among the abandoned diagnostics."""
        store.erase_visit(self.db, visit["id"])

    def sweep(self, limit: timedelta) -> None:
        """Close the visits silent for longer than ``limit`` (a browser gone away without
        a reset: power cut, closed tab)."""
        now = self.clock()
        # A last activity later than now plus the limit means the clock stepped back
        # since: the silence is unknown, and the kiosk has one screen, whose own visit
        # was ended just before; the other active visits are browsers gone away.
        for visit in store.stale_visits(self.db, now - limit, now + limit):
            self.close(visit)

    def build_record(self, visit, route: Route) -> record.Record:
        """What the visit leaves at its end, scored from its route (and, on a guided
        visit, the mediator's observations: for what is shown only)."""
        observed = self.observations(visit) if visit["mode"] == "guided" else None
        return record.build_record(route, visit, now=self.clock(),
                                   site_commune=self.site_commune,
                                   epci_of=self.communes.epci_of, languages=self.languages,
                                   observed=observed)
