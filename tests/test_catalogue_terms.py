"""Wording a native-speaker review asked for, pinned so a later edit cannot undo it.

Each rule is one a reviewer found broken in the draft catalogues: a French word given two
translations, a label that is not a noun, a masculine imperative in Arabic, digits of two
systems in Dari. The catalogues are read as shipped (`translations/`), with Babel's reader.
"""
from __future__ import annotations

import re
import unicodedata

import pytest
from babel.messages.pofile import read_po
from flask_babel import force_locale

from kiosk import paths
from kiosk.languages.catalogues import po_path


def catalogue(lang: str) -> dict[str, str]:
    """msgid -> msgstr of a shipped catalogue."""
    with po_path(paths.TRANSLATIONS, lang).open("rb") as f:
        # A plural message counts by its singular msgid, with all its forms.
        return {m.id if isinstance(m.id, str) else m.id[0]:
                m.string if isinstance(m.string, str) else "\n".join(m.string)
                for m in read_po(f, locale=lang) if m.id}


# The result page's level of each area: nouns of one family, not adverbs or phrases.
LEVELS = {
    "en": ("Starting level", "Basic level", "Advanced level"),
    "ar": ("البداية", "المستوى الأساسي", "المستوى المتقدّم"),
    "pt_PT": ("Iniciação", "Nível básico", "Nível avançado"),
    "tr": ("Başlangıç düzeyi", "Temel düzey", "İleri düzey"),
    "uk": ("Початок", "Базовий рівень", "Упевнений рівень"),
    "fa_AF": ("آغاز", "سطح اساسی", "سطح پیشرفته"),
}


@pytest.mark.parametrize("lang", LEVELS)
def test_level_labels_are_the_nouns_asked(lang):
    messages = catalogue(lang)
    found = tuple(messages[level] for level in ("À découvrir", "Les bases", "À l'aise"))
    assert found == LEVELS[lang]


# One French word, one term: each msgstr for a msgid holding the word holds the term
# (or one of its inflected forms, listed).
TERMS = {
    "démarche": {"en": "paperwork", "ar": "الإدارية", "pt_PT": "assuntos administrativos",
                 "tr": "resmî işlem", "uk": "адміністративн", "fa_AF": "کارهای اداری"},
    "commune": {"en": ("town or village", "towns or villages"), "ar": "بلدي",
                "pt_PT": "localidade", "tr": "köy", "uk": "міст", "fa_AF": "شهر یا قریه"},
}


def without_placeholders(text: str) -> str:
    return re.sub(r"%\(\w+\)s", "", text)


@pytest.mark.parametrize("word", TERMS)
@pytest.mark.parametrize("lang", LEVELS)
def test_one_french_word_has_one_term_throughout(word, lang):
    wanted = TERMS[word][lang]
    wanted = (wanted,) if isinstance(wanted, str) else wanted
    messages = catalogue(lang)
    using = [msgid for msgid in messages if word in without_placeholders(msgid).lower()]
    assert len(using) >= 4
    lacking = [(msgid, messages[msgid]) for msgid in using
               if not any(term in messages[msgid].lower() for term in wanted)]
    assert lacking == []


@pytest.mark.parametrize("lang", LEVELS)
def test_a_button_named_in_a_sentence_has_the_buttons_own_words(lang):
    messages = catalogue(lang)
    assert messages["Terminer"] in messages[
        "À la fin, appuyez sur « Terminer » : tout s'efface de l'écran."]
    for sentence in ("Choisissez une réponse, ou appuyez sur « Je ne sais pas ».",
                     "Choisissez au moins une réponse, ou appuyez sur « Je ne sais pas ».",
                     "Vous pouvez toujours répondre « Je ne sais pas »."):
        assert messages["Je ne sais pas"] in messages[sentence]


@pytest.mark.parametrize("lang", LEVELS)
def test_an_answer_named_in_a_message_keeps_its_words(lang):
    """The activities' "Rien de tout cela." and "Je ne sais pas", quoted by the messages
    of a refused answer, are the words of the boxes and buttons themselves."""
    messages = catalogue(lang)
    none_of_these = messages["Rien de tout cela."].rstrip(".")
    for sentence in ("Cochez ce que vous avez fait, ou « Rien de tout cela », ou appuyez "
                     "sur « Je ne sais pas ».",
                     "« Rien de tout cela » ne va pas avec une autre réponse. "
                     "Choisissez l'un ou l'autre."):
        assert none_of_these in messages[sentence]
    assert messages["Je ne sais pas"] in messages[
        "Cochez ce que vous avez fait, ou « Rien de tout cela », ou appuyez sur "
        "« Je ne sais pas »."]


# --- Arabic ------------------------------------------------------------------------------

# Masculine forms the review found (imperatives and 2nd-person verbs) and the common
# interface imperatives: the catalogue says يُرجى + a verbal noun, or turns the sentence.
MASCULINE = {"أجب", "أدخل", "تثق", "تعرفه", "تقوم", "اختر", "اضغط", "اكتب", "انقر",
             "اقرأ", "جرب", "ارجع", "اطبع", "تحقق"}


def arabic_words(text: str) -> set[str]:
    bare = "".join(c for c in unicodedata.normalize("NFD", text) if unicodedata.category(c) != "Mn")
    return set(re.findall(r"[\u0621-\u064A]+", unicodedata.normalize("NFC", bare)))


def test_arabic_has_no_masculine_imperative_or_verb_for_the_reader():
    messages = catalogue("ar")
    found = {msgid: sorted(arabic_words(text) & MASCULINE) for msgid, text in messages.items()}
    assert {msgid: words for msgid, words in found.items() if words} == {}
    assert messages["Répondez à quelques questions simples."].startswith("يُرجى")


def test_arabic_corrections():
    messages = catalogue("ar")
    # The answers agree with قراءة (reading), which is feminine.
    assert [messages[a] for a in ("Facile.", "Un peu difficile.", "Difficile.")] == [
        "سهلة.", "صعبة قليلًا.", "صعبة."]
    assert "ألياف ضوئية" in messages["Oui, avec une box (fibre, ADSL ou satellite)."]
    assert "بشكل فردي" in messages[
        "Un conseiller numérique vous aide, seul à seul, sur ce que vous voulez apprendre."]


# --- Ukrainian ---------------------------------------------------------------------------

def test_ukrainian_corrections():
    messages = catalogue("uk")
    assert messages["Lire un texte en français, pour vous, c'est..."] == (
        "Наскільки вам легко читати французькою?")
    assert "з відео чи без" in messages[
        "Appelé quelqu'un par internet, avec ou sans la vidéo (par exemple avec WhatsApp)."]
    assert "департаменті Альє (Allier)" in messages[
        "Nous ne trouvons pas cette commune dans l'Allier. Vérifiez l'orthographe, "
        "ou essayez le code postal."]
    assert [text for text in messages.values() if re.search(r"\bтелефона\b", text)] == []
    assert "для вашого телефону" in messages["Votre première étape, pour votre téléphone."]


# --- Dari --------------------------------------------------------------------------------

NON_LATIN_DIGITS = re.compile(r"[\u0660-\u0669\u06F0-\u06F9]")


def test_dari_writes_numbers_as_the_app_renders_them(make_app):
    """Babel formats fa_AF numbers (progress, km, dates) in Latin digits: so do the texts."""
    app = make_app(LANGUAGES="fr,fa_AF")
    with app.test_request_context(), force_locale("fa_AF"):
        rendered = app.jinja_env.filters["number"](1234) + app.jinja_env.filters["km"](2.5)
    assert rendered == "1,2342.5"
    messages = catalogue("fa_AF")
    assert [text for text in messages.values() if NON_LATIN_DIGITS.search(text)] == []
    assert messages["De 30 à 44 ans."] == "از 30 تا 44 سال."


def test_dari_corrections():
    messages = catalogue("fa_AF")
    assert messages["Terminer"] == "پایان"
    assert [text for text in messages.values() if "ختم" in text] == []
    assert messages["Écouter"] == "بشنوید"
    assert "ولایت آلیه (Allier)" in messages[
        "Nous ne trouvons pas cette commune dans l'Allier. Vérifiez l'orthographe, "
        "ou essayez le code postal."]
    assert messages["Vérifié si une information est vraie, par exemple sur un autre site."
                    ].startswith("بررسی کردن")
    assert [text for text in messages.values() if "چک کردن" in text] == []


# --- Turkish and Portuguese --------------------------------------------------------------

def test_turkish_corrections():
    messages = catalogue("tr")
    assert messages["Êtes-vous toujours là ?"] == "Hâlâ burada mısınız?"


def test_portuguese_corrections():
    messages = catalogue("pt_PT")
    assert messages["Aller plus loin."] == "Aprender mais."
    assert [text for text in messages.values() if "desenrasc" in text.lower()] == []
