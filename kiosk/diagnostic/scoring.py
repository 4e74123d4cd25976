"""Scoring: answers -> area levels, indicators, profile and needs. Pure functions.

Nothing here imports Flask or touches the database: every rule comes from the
questionnaire file, so the figures can be checked by table-driven tests.

Answers are a mapping ``screen id -> value``: an option id (single, scale, task), a list
of option ids (multiple), ``{item id: how}`` (activities: "alone", "helped",
"done_for_me" or "not_done"), an INSEE commune code (commune), or :data:`IDK` when the
person chose "I don't know". Unanswered and "I don't know" both count as *not done*.

The levels and indicators are those of Eurostat's DSI 2.0 and INSEE, computed by
kiosk.diagnostic.indicators from the activities (each item maps one DSI activity):
``levels`` counts "alone" and "helped" as done (the headline rule), ``strict_levels``
"alone" only. What the resident is shown (``shown_levels``) caps an area done only with
someone's help at "Les bases".
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Mapping

from . import indicators as dsi
from .questionnaire import Questionnaire, Screen

IDK = "_idk"
LEVEL_NUMBER = {"none": 0, "basic": 1, "above_basic": 2}
HOW_DONE = dsi.COUNTED["headline"]  # "alone" or "helped"


@dataclass(frozen=True)
class Score:
    """Everything a diagnostic computes from its answers."""

    levels: dict[str, int]            # area id -> 0 (below basic), 1 (basic), 2 (above)
    strict_levels: dict[str, int]     # the same, counting only what was done alone
    # What the resident is shown: an area whose activities were all done with someone's
    # help reads at most "Les bases" (1), never "À l'aise"; the profile follows these.
    # The indicators and the hub keep ``levels``, what the person said they do.
    shown_levels: dict[str, int]
    activities_done: dict[str, int]   # area id -> number of activities done
    tasks: dict[str, bool | None]     # task id -> passed (None: not answered)
    indicators: dict[str, bool]
    points: int
    profile: str
    needs: tuple[str, ...]


def selected(value) -> tuple[str, ...]:
    """The option ids chosen in an answer value (empty for IDK or no answer)."""
    if value is None or value == IDK or isinstance(value, dict):
        return ()
    if isinstance(value, (list, tuple)):
        return tuple(value)
    return (value,)


def evaluate(cond: Mapping, answers: Mapping, *, levels=None, tasks=None,
             language: str = "fr", with_help: bool = False) -> bool:
    """Evaluate a condition of the questionnaire language (see diagnostic.yaml)."""
    if "any" in cond:
        return any(evaluate(c, answers, levels=levels, tasks=tasks, language=language,
                            with_help=with_help) for c in cond["any"])
    if "all" in cond:
        return all(evaluate(c, answers, levels=levels, tasks=tasks, language=language,
                            with_help=with_help) for c in cond["all"])
    if "question" in cond:
        value = answers.get(cond["question"])
        if "item" in cond:  # one item of an activities screen
            chosen = ({value.get(cond["item"])} if isinstance(value, dict)
                      else {"unknown"} if value == IDK else set())
        else:
            chosen = set(selected(value))
        if "in" in cond:
            return bool(chosen & set(cond["in"]))
        # not_in: an unanswered or "I don't know" question is not in any list.
        return not chosen & set(cond["not_in"])
    if "area" in cond:
        return (levels or {}).get(cond["area"], 0) < cond["level_below"]
    if "task" in cond:
        passed = (tasks or {}).get(cond["task"])
        # A task skipped with "I don't know" counts as not passed; one never shown, neither.
        return bool(passed) == cond["passed"]
    if "language_not_in" in cond:
        return language not in cond["language_not_in"]
    if "any_answer_with_help" in cond:
        return with_help
    raise ValueError(f"unknown condition {cond!r}")


def visible_screens(questionnaire: Questionnaire, answers: Mapping) -> list[Screen]:
    """The screens this person is asked, given the answers so far (show_if branching)."""
    return [s for s in questionnaire.screens
            if s.show_if is None or evaluate(s.show_if, answers)]


def item_answers(screen: Screen, value) -> dict[str, str]:
    """Each item of an activities screen -> its answer ("unknown" when not given)."""
    given = value if isinstance(value, dict) else {}
    return {o.id: given.get(o.id, "unknown") for o in screen.options}


def internet_use(questionnaire: Questionnaire, answers: Mapping) -> str:
    """When the person last used the internet, in kiosk.diagnostic.indicators' terms."""
    spec = questionnaire.internet_use
    ever, last = answers.get(spec.get("ever")), answers.get(spec.get("last"))
    if ever == "no":
        return "never"
    if ever != "yes" or last in (None, IDK):
        return "unknown"
    return last


def score(questionnaire: Questionnaire, answers: Mapping, language: str = "fr", *,
          shown: list[Screen] | None = None, observed: Mapping | None = None) -> Score:
    """Score a (possibly partial) set of answers; ``shown``: their visible screens, when
    the caller has them already.

    ``observed``: what a mediator saw on a guided diagnostic, ``screen id -> {item: La
    Coop autonomy level}`` (a task: ``{"": level}``). ``levels``, ``strict_levels``,
    ``activities_done`` and ``indicators`` stay the resident's own answers' (comparable
    with INSEE's and Eurostat's); what the resident is shown (``shown_levels``, tasks,
    points, profile, needs) is scored the same way on the answers with each observed
    item standing for the resident's answer to it (see :func:`with_observations`).
    """
    if shown is None:
        shown = visible_screens(questionnaire, answers)
    # Answers to screens hidden by a later change of an earlier answer do not count.
    answers = {s.id: answers[s.id] for s in shown if s.id in answers}
    reported = _score(questionnaire, answers, language, shown)
    if not observed:
        return reported
    seen = _score(questionnaire, with_observations(shown, answers, observed), language, shown)
    return replace(seen, levels=reported.levels, strict_levels=reported.strict_levels,
                   activities_done=reported.activities_done,
                   indicators=reported.indicators)


# What an observation in La Coop's levels stands for, in an activity's answers: done
# alone, done with help, not done by the person (done for them).
OBSERVED_HOW = {"autonome": "alone", "partiellement_autonome": "helped",
                "entierement_accompagne": "done_for_me"}


def with_observations(shown: list[Screen], answers: Mapping, observed: Mapping) -> dict:
    """The answers with what a mediator observed in place of the resident's own.

    An activity observed reads as :data:`OBSERVED_HOW` says; a task observed is passed
    only when the person did it alone ("autonome"): done with help or not done, it reads
    as "Je ne sais pas" (not passed), since a task checks what the person can do by
    themselves. Observations of screens not shown, of unknown items or with unknown
    levels are ignored (the page refuses them before they are stored).
    """
    merged = dict(answers)
    for screen in shown:
        seen = observed.get(screen.id) or {}
        if screen.type == "activities":
            items = {o.id for o in screen.options}
            stand_in = {item: OBSERVED_HOW[level] for item, level in seen.items()
                        if item in items and level in OBSERVED_HOW}
            if stand_in:  # items neither answered nor observed count as not done
                given = answers.get(screen.id)
                merged[screen.id] = {**(given if isinstance(given, dict) else {}),
                                     **stand_in}
        elif screen.type == "task" and seen.get("") in OBSERVED_HOW:
            correct = next(o.id for o in screen.options if o.correct)
            merged[screen.id] = correct if seen[""] == "autonome" else IDK
    return merged


def _score(questionnaire: Questionnaire, answers: Mapping, language: str,
           shown: list[Screen]) -> Score:
    done = {a.id: 0 for a in questionnaire.areas}
    alone = {a.id: 0 for a in questionnaire.areas}  # done without help
    with_help = False
    tasks: dict[str, bool | None] = {}
    dsi_answers: dict[str, str] = {}
    for screen in shown:
        if screen.type == "activities":
            items = item_answers(screen, answers.get(screen.id))
            relied = ("done_for_me",) if screen.area else ("helped", "done_for_me")
            with_help = with_help or any(a in relied for a in items.values())
            for option in screen.options:
                if option.dsi_activity:
                    dsi_answers[option.dsi_activity] = items[option.id]
            if screen.area:
                done[screen.area] += sum(1 for a in items.values() if a in HOW_DONE)
                alone[screen.area] += sum(1 for a in items.values() if a == "alone")
            continue
        chosen = [screen.option(o) for o in selected(answers.get(screen.id))]
        with_help = with_help or any(o.with_help for o in chosen if o is not None)
        if screen.type == "task":
            tasks[screen.id] = (any(o.correct for o in chosen if o is not None)
                                if screen.id in answers else None)
    figures = dsi.compute(questionnaire.dsi, dsi_answers, internet_use(questionnaire, answers),
                          profile_value(questionnaire, answers, "age_band"))
    levels = {a: LEVEL_NUMBER[n] for a, n in figures.headline.levels.items()}
    strict_levels = {a: LEVEL_NUMBER[n] for a, n in figures.strict.levels.items()}
    shown_levels = {area: min(n, 1) if done[area] and not alone[area] else n
                    for area, n in levels.items()}
    indicators = {ind.id: value for ind in questionnaire.indicators
                  if (value := indicator_value(ind, figures)) is not None}
    # Someone relies on help where a whole area was done only with it, or where someone
    # did a thing for them: one thing done with help among many done alone is not that.
    with_help = with_help or any(done[a] and not alone[a] for a in done)
    points = sum(shown_levels.values()) + sum(1 for passed in tasks.values() if passed)
    needs = tuple(n.id for n in questionnaire.needs
                  if evaluate(n.when, answers, levels=levels, tasks=tasks,
                              language=language, with_help=with_help))
    profile = [p for p in questionnaire.profiles
               if points >= p.min_points and not set(p.unless_needs) & set(needs)][-1].id
    return Score(levels, strict_levels, shown_levels, done, tasks, indicators, points,
                 profile, needs)


def profile_value(questionnaire: Questionnaire, answers: Mapping, field: str) -> str | None:
    """The answer to a profile field (age_band, commune, situation); None when not
    asked, not answered, or declined ("Je préfère ne pas répondre")."""
    screen = questionnaire.profile_screen(field)
    value = answers.get(screen.id) if screen else None
    return None if value == IDK else value


def indicator_value(indicator, figures: dsi.Indicators) -> bool | None:
    """One indicator of one person, or None when their age is not that of the figure
    it compares with (16-74 for the DSI, 15 and over for INSEE; no age given: None)."""
    measure = figures.headline if indicator.count == "headline" else figures.strict
    if indicator.measure == "at_least_basic":
        return measure.at_least_basic if figures.dsi_age_scope == "in" else None
    if figures.insee_age_scope != "in":
        return None
    return getattr(measure, indicator.measure)
