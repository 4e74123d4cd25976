"""Scoring: answers -> area levels, indicators, profile and needs. Pure functions.

Nothing here imports Flask or touches the database: every rule comes from the
questionnaire file, so the figures can be checked by table-driven tests.

Answers are a mapping ``screen id -> value``: an option id (single, scale, task), a list
of option ids (multiple), an INSEE commune code (commune), or :data:`IDK` when the person
chose "I don't know". Unanswered and "I don't know" both count as *not done*.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

from .questionnaire import Questionnaire, Screen

IDK = "_idk"


@dataclass(frozen=True)
class Score:
    """Everything a diagnostic computes from its answers."""

    levels: dict[str, int]            # area id -> 0 (below basic), 1 (basic), 2 (above)
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
    if value is None or value == IDK:
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
        chosen = set(selected(answers.get(cond["question"])))
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


def level(done: int, basic: int, above_basic: int) -> int:
    """0 below ``basic`` activities done, 1 from ``basic``, 2 from ``above_basic``."""
    return 2 if done >= above_basic else 1 if done >= basic else 0


def score(questionnaire: Questionnaire, answers: Mapping, language: str = "fr", *,
          shown: list[Screen] | None = None) -> Score:
    """Score a (possibly partial) set of answers; ``shown``: their visible screens, when
    the caller has them already."""
    if shown is None:
        shown = visible_screens(questionnaire, answers)
    # Answers to screens hidden by a later change of an earlier answer do not count.
    answers = {s.id: answers[s.id] for s in shown if s.id in answers}
    done = {a.id: 0 for a in questionnaire.areas}
    alone = {a.id: 0 for a in questionnaire.areas}  # done without help
    with_help = False
    tasks: dict[str, bool | None] = {}
    for screen in shown:
        chosen = [screen.option(o) for o in selected(answers.get(screen.id))]
        chosen = [o for o in chosen if o is not None]
        if screen.area and any(o.done for o in chosen):
            done[screen.area] += 1
            alone[screen.area] += any(o.done and not o.with_help for o in chosen)
        with_help = with_help or any(o.with_help for o in chosen)
        if screen.type == "task":
            tasks[screen.id] = any(o.correct for o in chosen) if screen.id in answers else None
    levels = {a.id: level(done[a.id], a.basic, a.above_basic) for a in questionnaire.areas}
    shown_levels = {area: min(n, 1) if done[area] and not alone[area] else n
                    for area, n in levels.items()}
    indicators = {ind.id: _indicator(ind, answers, levels) for ind in questionnaire.indicators}
    points = sum(shown_levels.values()) + sum(1 for passed in tasks.values() if passed)
    profile = [p for p in questionnaire.profiles if points >= p.min_points][-1].id
    needs = tuple(n.id for n in questionnaire.needs
                  if evaluate(n.when, answers, levels=levels, tasks=tasks,
                              language=language, with_help=with_help))
    return Score(levels, shown_levels, done, tasks, indicators, points, profile, needs)


def _indicator(indicator, answers, levels) -> bool:
    no_use = evaluate(indicator.no_use_if, answers)
    lacking = sum(1 for a in indicator.areas if levels[a] == 0)
    if indicator.kind == "illectronism":
        return no_use or lacking >= indicator.min_areas_lacking
    return not no_use and lacking == 0  # at_least_basic
