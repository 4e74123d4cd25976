"""The question types: one class each, owning all that differs from one type to another.

A type checks a screen's configuration in the questionnaire file (its problems are
reported with the file and line by kiosk.diagnostic.crosscheck), reads the answer from a
submitted form, names its template (templates/questions/) and says an answer in one
line. A new type is a class here, a template, and its name in the JSON Schema's enum.

Reading a form raises :class:`BadAnswer` when nothing can be stored: a ``status`` of 400
means the form was tampered with (an option that does not exist), 422 means the person
must fix something (nothing chosen).
"""
from __future__ import annotations

from typing import Callable

from flask_babel import lazy_gettext as _l

from .scoring import IDK, selected

MAX_QUERY = 80

# ``fail(path, message)``: report a problem at ``path`` below the screen being checked.
Fail = Callable[[list, str], None]


class BadAnswer(Exception):
    """An answer that cannot be stored; ``message`` is shown to the person."""

    def __init__(self, message, status=422, candidates=(), kept=None):
        super().__init__(str(message))
        self.message, self.status, self.candidates = message, status, candidates
        self.kept = kept  # what the screen shows again (what was ticked), None: the stored answer


CHOOSE_ONE = _l("Choisissez une réponse, ou appuyez sur « Je ne sais pas ».")
UNKNOWN = _l("Cette réponse n'existe pas.")
DONT_KNOW = _l("Je ne sais pas")
# Profile screens ask about the person, not what they know: they may decline, and are
# told so in those words (the answer stored is the same IDK, read as "not given").
DECLINE = _l("Je préfère ne pas répondre")
CHOOSE_ONE_OR_DECLINE = _l(
    "Choisissez une réponse, ou appuyez sur « Je préfère ne pas répondre ».")


def skip_label(screen):
    """The words of the button that skips ``screen`` without an answer."""
    return DECLINE if screen.section == "profile" else DONT_KNOW


def choose_one(screen):
    """The message for a single-choice screen submitted with nothing chosen."""
    return CHOOSE_ONE_OR_DECLINE if screen.section == "profile" else CHOOSE_ONE


class QuestionType:
    """What the types share. ``name`` is the ``type`` of a screen in the YAML."""

    name: str
    template = "questions/choice.html"
    input_type: str | None = "radio"
    counts_as_activity = False  # may belong to an area (an activity done or not)
    prompt = None  # a line spoken under the question, the same for every screen
    css_class = ""  # extra class of the options' block
    skip_label = staticmethod(skip_label)  # the words of the "idk" button on a screen
    draws_illustration = False  # its template shows the screen's illustration itself

    def spoken_texts(self) -> tuple:
        """The texts of its own (lazy gettext) that its screens say, beside the
        questionnaire's: they need a clip, and a spoken form where required."""
        return (self.prompt,) if self.prompt is not None else ()

    def options(self, doc: dict, fail: Fail) -> list[dict]:
        """The screen's options from its YAML ``doc`` (reporting a screen without any)."""
        if not doc.get("options"):
            fail([], f"a {self.name} screen needs options")
            return []
        return doc["options"]

    def check(self, doc: dict, options: list[dict], fail: Fail) -> None:
        """Checks of the screen's configuration that only this type needs."""

    def parse(self, screen, form, communes):
        """The answer value from a submitted form (raises BadAnswer)."""
        raise NotImplementedError

    def prefill(self, value, communes) -> str:
        """The text its field shows when the screen is seen again (text fields only)."""
        return ""

    def summary(self, screen, value, communes, translate=str) -> str:
        """The answer in one line, in the person's words (``translate``: the text's
        translation); empty when not answered."""
        if value is None:
            return ""
        if value == IDK:
            return translate(skip_label(screen))
        labels = [screen.option(o).label for o in selected(value) if screen.option(o)]
        return " ".join(translate(label) for label in labels)  # each label is a sentence


class SingleChoice(QuestionType):
    """single screens: exactly one option."""

    name = "single"

    def parse(self, screen, form, communes):
        values = form.getlist("answer")
        if not values:
            raise BadAnswer(choose_one(screen))
        if len(values) > 1 or screen.option(values[0]) is None:
            raise BadAnswer(UNKNOWN, status=400)
        return values[0]


class Task(SingleChoice):
    """task screens: a practical task, one option being the right answer."""

    name = "task"
    css_class = "task-options"
    # A task with an illustration draws it itself: its answers are the buttons drawn.
    template = "questions/task.html"
    draws_illustration = True

    def check(self, doc, options, fail):
        if sum(bool(o.get("correct")) for o in options) != 1:
            fail(["options"], "a task needs exactly one correct option")


class MultipleChoice(QuestionType):
    """multiple screens: one or more options; an exclusive option ("none") stands alone."""

    name = "multiple"
    input_type = "checkbox"

    def parse(self, screen, form, communes):
        values = form.getlist("answer")
        if not values:
            raise BadAnswer(_l("Choisissez au moins une réponse, ou appuyez sur « Je ne sais pas »."))
        options = [screen.option(v) for v in values]
        if None in options or len(set(values)) != len(values):
            raise BadAnswer(UNKNOWN, status=400)
        if len(options) > 1 and any(o.exclusive for o in options):
            raise BadAnswer(_l("« Aucun » ne va pas avec une autre réponse. Choisissez l'un ou l'autre."))
        # Keep the questionnaire's order, whatever the browser sent.
        return [o.id for o in screen.options if o.id in values]


# What an item of an activities screen may be answered: how it was done, when ticked.
HOW = {"alone": _l("Seul ou seule"), "helped": _l("Avec l'aide de quelqu'un"),
       "done_for_me": _l("Quelqu'un l'a fait pour moi")}
NOT_DONE = "not_done"
NONE_OF_THESE = "_none"  # the screen's own last box, "Rien de tout cela"


class Activities(QuestionType):
    """activities screens: things a person may have done over a period (the survey's
    frame, "Ces 3 derniers mois, avez-vous… ?"). They tick what they did, then say how
    for each (alone, with someone's help, or someone did it for them); an item not
    ticked was not done. "Rien de tout cela" must be ticked to say none: an empty form
    is refused (it is also what a stray second tap on "Suivant" sends).

    The answer is ``{item id: "alone" | "helped" | "done_for_me" | "not_done"}``, every
    item present; "Je ne sais pas" (the screen's IDK) makes every item "unknown".
    """

    name = "activities"
    template = "questions/activities.html"
    input_type = "checkbox"
    counts_as_activity = True
    prompt = _l("Cochez ce que vous avez fait, puis dites comment.")
    how = HOW
    none_label = _l("Rien de tout cela.")
    how_legend = _l("Comment l'avez-vous fait ?")

    def spoken_texts(self):
        return (self.prompt, self.how_legend, *self.how.values(), self.none_label)

    def check(self, doc, options, fail):
        for j, option in enumerate(options):
            extra = {"with_help", "correct", "exclusive"} & set(option)
            if extra:
                fail(["options", j], f"an item of an activities screen has no {sorted(extra)[0]}")
            if ("dsi_activity" in option) != ("period_months" in option):
                fail(["options", j], "dsi_activity and period_months go together")

    def parse(self, screen, form, communes):
        ticked = form.getlist("answer")
        if not ticked:
            raise BadAnswer(_l("Cochez ce que vous avez fait, ou « Rien de tout cela », "
                               "ou appuyez sur « Je ne sais pas »."))
        if len(set(ticked)) != len(ticked):
            raise BadAnswer(UNKNOWN, status=400)
        if NONE_OF_THESE in ticked:
            if len(ticked) > 1:
                raise BadAnswer(_l("« Rien de tout cela » ne va pas avec une autre réponse. "
                                   "Choisissez l'un ou l'autre."),
                                kept={i: form.get(f"how-{i}", "") for i in ticked})
            return {o.id: NOT_DONE for o in screen.options}
        if any(screen.option(i) is None for i in ticked):
            raise BadAnswer(UNKNOWN, status=400)
        given = {i: form.get(f"how-{i}", "") for i in ticked}
        if any(how and how not in HOW for how in given.values()):
            raise BadAnswer(UNKNOWN, status=400)
        if not all(given.values()):
            raise BadAnswer(_l("Pour chaque chose cochée, dites comment : seul ou seule, "
                               "avec l'aide de quelqu'un, ou quelqu'un l'a fait pour vous."),
                            kept=given)
        return {o.id: given.get(o.id, NOT_DONE) for o in screen.options}

    def summary(self, screen, value, communes, translate=str):
        if not isinstance(value, dict):
            return super().summary(screen, value, communes, translate)
        done = [f"{translate(o.label)} ({translate(HOW[value[o.id]])})"
                for o in screen.options if value.get(o.id) in HOW]
        return " ".join(done) or translate(self.none_label)


class CommuneChoice(QuestionType):
    """commune screens: a name or a postal code, then a choice when several match."""

    name = "commune"
    template = "questions/commune.html"
    input_type = None

    def options(self, doc, fail):
        if doc.get("options"):
            fail(["options"], "a commune screen has no options")
        return []

    def check(self, doc, options, fail):
        if doc.get("profile_field") != "commune":
            fail([], "a commune screen has profile_field: commune")

    def parse(self, screen, form, communes):
        chosen = form.get("commune")
        if chosen:
            if chosen not in communes:
                raise BadAnswer(UNKNOWN, status=400)
            return chosen
        query = (form.get("query") or "").strip()
        if len(query) > MAX_QUERY:
            raise BadAnswer(UNKNOWN, status=400)
        if not query:
            raise BadAnswer(_l("Écrivez le nom de votre commune ou son code postal."))
        found = communes.search(query)
        if len(found) == 1:
            return found[0].insee
        if not found:
            raise BadAnswer(_l("Nous ne trouvons pas cette commune dans l'Allier. "
                               "Vérifiez l'orthographe, ou essayez le code postal."))
        raise BadAnswer(_l("Plusieurs communes correspondent. Choisissez la vôtre."),
                        candidates=found)

    def prefill(self, value, communes):
        commune = communes.get(value) if value and value != IDK else None
        return commune.name if commune else ""

    def summary(self, screen, value, communes, translate=str):
        if value is None or value == IDK:
            return super().summary(screen, value, communes, translate)
        return self.prefill(value, communes) or value  # place names are not translated


TYPES: dict[str, QuestionType] = {t.name: t for t in (
    SingleChoice(), Task(), MultipleChoice(), Activities(), CommuneChoice())}


def read_answer(screen, form, communes):
    """The answer value for ``screen`` from a submitted ``form`` (IDK for "I don't know")."""
    if "idk" in form:
        return IDK
    return TYPES[screen.type].parse(screen, form, communes)


# --- a mediator's observations on a guided diagnostic ---------------------------------
# Beside the resident's own answer, a mediator may record on an activities screen how
# autonomous the person was with each item (La Coop's three levels), on a practical task
# what they saw, and a free-text note. The page shows these fields only on a guided
# visit with a mediator unlocked; kiosk.diagnostic.visit refuses them otherwise.

NOT_OBSERVED = "non_observe"
OBSERVED_ACTIVITY = {"entierement_accompagne": _l("Entièrement accompagné"),
                     "partiellement_autonome": _l("Partiellement autonome"),
                     "autonome": _l("Autonome"),
                     NOT_OBSERVED: _l("Non observé")}
# A task in the same three levels, said as what the mediator saw.
OBSERVED_TASK = {"autonome": _l("Réussi seul"),
                 "partiellement_autonome": _l("Réussi avec aide"),
                 "entierement_accompagne": _l("Pas réussi"),
                 NOT_OBSERVED: _l("Non observé")}
NOTE_FIELD = "note"
NOTE_MAX = 1000
NOTE_TOO_LONG = _l("La note du médiateur dépasse 1000 caractères. Raccourcissez-la : "
                   "rien n'a été enregistré.")


def observation_field(screen, item: str = "") -> str:
    """The form field of the observation of one item (a task: ``item`` "")."""
    return f"observed-{item}" if screen.type == "activities" else "observed"


def observed_items(screen) -> tuple[str, ...]:
    """What can be observed on a screen: each item of an activities screen, the task
    itself ("") on a task, nothing elsewhere."""
    if screen.type == "activities":
        return tuple(o.id for o in screen.options)
    return ("",) if screen.type == "task" else ()


def carries_guided_fields(form) -> bool:
    """Whether a form carries a mediator's fields (observations or a note)."""
    return any(name == NOTE_FIELD or name.startswith("observed") for name in form)


def read_observations(screen, form) -> dict[str, str]:
    """``{item: La Coop level}`` observed on this screen ("Non observé" left out);
    :class:`BadAnswer` (400) for a field or a value the page never offers."""
    items = observed_items(screen)
    fields = {observation_field(screen, item): item for item in items}
    if any(name.startswith("observed") and name not in fields for name in form):
        raise BadAnswer(UNKNOWN, status=400)
    seen = {}
    for name, item in fields.items():
        values = form.getlist(name)
        if len(values) > 1 or (values and values[0] not in OBSERVED_ACTIVITY):
            raise BadAnswer(UNKNOWN, status=400)
        if values and values[0] != NOT_OBSERVED:
            seen[item] = values[0]
    return seen


def read_note(form) -> str | None:
    """The mediator's note (None when empty); :class:`BadAnswer` (422) when too long,
    400 when sent twice."""
    values = form.getlist(NOTE_FIELD)
    if len(values) > 1:
        raise BadAnswer(UNKNOWN, status=400)
    # Browsers send a line break as CRLF but count it as one character (maxlength).
    text = (values[0] if values else "").replace("\r\n", "\n").strip()
    if len(text) > NOTE_MAX:
        raise BadAnswer(NOTE_TOO_LONG)
    return text or None
