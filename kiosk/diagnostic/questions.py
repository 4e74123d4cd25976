"""One small class per question type: how its answer is read from a submitted form.

Each type turns the form into an answer value or raises :class:`BadAnswer`: a
``status`` of 400 means the form was tampered with (an option that does not exist),
422 means the person must fix something (nothing chosen), both store nothing.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from .scoring import IDK

MAX_QUERY = 80


class BadAnswer(Exception):
    """An answer that cannot be stored; ``message`` is shown to the person."""

    def __init__(self, message, status=422, candidates=()):
        super().__init__(str(message))
        self.message, self.status, self.candidates = message, status, candidates


CHOOSE_ONE = _l("Choisissez une réponse, ou appuyez sur « Je ne sais pas ».")
UNKNOWN = _l("Cette réponse n'existe pas.")


class SingleChoice:
    """single, scale and task screens: exactly one option."""

    template = "questions/choice.html"
    input_type = "radio"

    def parse(self, screen, form, communes):
        values = form.getlist("answer")
        if not values:
            raise BadAnswer(CHOOSE_ONE)
        if len(values) > 1 or screen.option(values[0]) is None:
            raise BadAnswer(UNKNOWN, status=400)
        return values[0]


class MultipleChoice:
    """multiple screens: one or more options; an exclusive option ("none") stands alone."""

    template = "questions/choice.html"
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


class CommuneChoice:
    """commune screens: a name or a postal code, then a choice when several match."""

    template = "questions/commune.html"
    input_type = None

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


TYPES = {"single": SingleChoice(), "scale": SingleChoice(), "task": SingleChoice(),
         "multiple": MultipleChoice(), "commune": CommuneChoice()}


def read_answer(screen, form, communes):
    """The answer value for ``screen`` from a submitted ``form`` (IDK for "I don't know")."""
    if "idk" in form:
        return IDK
    return TYPES[screen.type].parse(screen, form, communes)
