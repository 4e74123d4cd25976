"""Spoken forms: the text the voice reads instead of the displayed translation (Arabic
with its short vowels written, French names respelled), and how `kiosk check` keeps
them in step with the catalogues."""
from __future__ import annotations

import json

import pytest
from babel.messages.mofile import write_mo

from kiosk import paths
from kiosk.diagnostic.resources import load_questionnaire_files
from kiosk.languages import audio, catalogues
from kiosk.languages.cli import language_texts, said_on_screens

QUESTION = "Avez-vous internet à la maison ?"
SHOWN = "هل لديك إنترنت في البيت؟"
SAID = "هَلْ لَدَيْكْ إِنْتَرْنِتْ فِي الْبَيْت؟"


@pytest.fixture
def questionnaire():
    return load_questionnaire_files(paths.ROOT / "questionnaires" / "diagnostic.yaml",
                                    paths.ROOT / "questionnaires" / "offers.yaml")


# --- Synthesis ----------------------------------------------------------------------

@pytest.fixture
def voice(monkeypatch):
    """Stands in for espeak-ng: records what it is asked to say, writes a fake clip."""
    heard = []

    def synthesise(text, lang, target):
        heard.append(text)
        target.write_bytes(b"OggS " + text.encode())
    monkeypatch.setattr(audio, "synthesise", synthesise)
    return heard


def test_the_voice_reads_the_spoken_form_into_the_clip_of_the_shown_text(tmp_path, voice):
    audio.build(tmp_path, "ar", [SHOWN, "التالي"], spoken_forms={SHOWN: SAID})
    assert sorted(voice) == sorted([SAID, "التالي"])
    clips = audio.Clips.scan(tmp_path, "ar")
    path = tmp_path / clips.for_text(SHOWN)  # pages find it by what they show
    assert path.read_bytes() == b"OggS " + SAID.encode()


def test_a_changed_spoken_form_remakes_its_clip_under_the_same_name(tmp_path, voice):
    audio.build(tmp_path, "ar", [SHOWN], spoken_forms={SHOWN: SAID})
    name = audio.Clips.scan(tmp_path, "ar").for_text(SHOWN)
    report = audio.build(tmp_path, "ar", [SHOWN], spoken_forms={SHOWN: SAID})
    assert report.kept == 1 and voice == [SAID]  # unchanged: not remade

    better = "هَلْ لَدَيْكْ إِنْتَرْنِتْ فِي الْمَنْزِل؟"
    report = audio.build(tmp_path, "ar", [SHOWN], spoken_forms={SHOWN: better})
    assert report.made == [audio.clip_key(SHOWN)] and voice[-1] == better
    assert audio.Clips.scan(tmp_path, "ar").for_text(SHOWN) == name

    audio.build(tmp_path, "ar", [SHOWN])  # the spoken form was deleted
    assert voice[-1] == SHOWN
    assert not (audio.clip_folder(tmp_path, "ar") / audio.SAID).exists()


# --- kiosk check --------------------------------------------------------------------

TEMPLATE = f'''msgid ""
msgstr ""

msgid "{QUESTION}"
msgstr ""

msgid "Suivant"
msgstr ""
'''

CATALOGUE = f'''# Draft translation
msgid ""
msgstr ""
"Language: ar\\n"

msgid "{QUESTION}"
msgstr "{SHOWN}"

msgid "Suivant"
msgstr "التالي"
'''

# Written for an earlier translation of the question ("... في المنزل؟").
STALE = f'''# Draft spoken forms
msgid ""
msgstr ""
"Language: ar\\n"

msgctxt "هل لديك إنترنت في المنزل؟"
msgid "{QUESTION}"
msgstr "هَلْ لَدَيْكْ إِنْتَرْنِتْ فِي الْمَنْزِل؟"
'''


def _translations(tmp_path, spoken=None):
    (tmp_path / "messages.pot").write_text(TEMPLATE, encoding="utf-8")
    folder = tmp_path / "ar" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    (folder / "messages.po").write_text(CATALOGUE, encoding="utf-8")
    # compiled, as `kiosk i18n compile` leaves it: `kiosk check` requires the .mo too
    with (folder / "messages.mo").open("wb") as mo:
        write_mo(mo, catalogues.read_catalog(folder / "messages.po", "ar"))
    if spoken is not None:
        (folder / "spoken.po").write_text(spoken, encoding="utf-8")
    return tmp_path


def _check(make_app, translations):
    app = make_app(LANGUAGES="fr,ar", BABEL_TRANSLATION_DIRECTORIES=str(translations))
    return app.test_cli_runner().invoke(args=["check"])


def test_kiosk_check_lists_a_stale_spoken_form_at_its_line(make_app, tmp_path):
    translations = _translations(tmp_path, STALE)
    result = _check(make_app, translations)
    assert result.exit_code == 1
    spoken_po = translations / "ar" / "LC_MESSAGES" / "spoken.po"
    assert (f"{spoken_po}:7: ar: stale spoken form (written for another translation, "
            f"or its message is gone): {QUESTION!r}") in result.output
    # A stale form is not spoken: the clip reads the shown text until the form is updated.
    assert catalogues.spoken_forms(translations, "ar").current == {}


def test_kiosk_check_lists_a_missing_arabic_spoken_form_at_its_message(make_app, tmp_path):
    translations = _translations(tmp_path)
    result = _check(make_app, translations)
    assert result.exit_code == 1
    messages_po = translations / "ar" / "LC_MESSAGES" / "messages.po"
    assert (f"{messages_po}:6: ar: no spoken form in spoken.po for: {QUESTION!r}"
            in result.output)
    assert "'Suivant'" not in result.output  # a button, not a question: the form is optional


def test_a_current_spoken_form_passes_and_is_used(make_app, tmp_path):
    current = STALE.replace("هل لديك إنترنت في المنزل؟", SHOWN).replace(
        "هَلْ لَدَيْكْ إِنْتَرْنِتْ فِي الْمَنْزِل؟", SAID)
    translations = _translations(tmp_path, current)
    result = _check(make_app, translations)
    assert result.exit_code == 0, result.output
    assert "ar: 1 spoken forms in use" in result.output
    assert catalogues.spoken_forms(translations, "ar").current == {SHOWN: SAID}


def test_questions_answers_and_next_steps_need_a_spoken_form(questionnaire):
    needed = said_on_screens(questionnaire)
    assert {QUESTION,                                     # a question
            "Sur un téléphone, une tablette ou un ordinateur.",  # its help
            "Cochez ce que vous avez fait, puis dites comment.",  # the activities' prompt
            "Avec l'aide de quelqu'un",                   # how an activity was done
            "Rien de tout cela.",                         # the activities' last box
            "Non, jamais.",                               # an answer of a screen
            "Cherché un produit, un service ou un prix.",  # an activity
            # said after the scam task
            "L'arnaque était le message d'Ameli : son lien mène à « ameli-fr.info », pas à "
            "ameli.fr, le vrai site. Ce piège trompe beaucoup de monde.",
            "Être accompagné par un conseiller numérique.",  # a next step's title
            } <= needed
    assert "Suivant" not in needed and "Vous découvrez le numérique." not in needed


# --- What is shipped ------------------------------------------------------------------

def test_the_shipped_arabic_spoken_forms_are_complete_current_and_a_draft(questionnaire):
    forms = catalogues.spoken_forms(paths.TRANSLATIONS, "ar", said_on_screens(questionnaire))
    assert forms.stale == [] and forms.missing == []
    assert len(forms.current) >= 99  # (the situation screen dropped its "prefer not to say")
    spoken_po = catalogues.po_path(paths.TRANSLATIONS, "ar", catalogues.SPOKEN_DOMAIN)
    assert "DRAFT" in spoken_po.read_text(encoding="utf-8").split('msgid ""')[0]
    assert forms.current["الزر 1."] == "الزِّرُّ وَاحِد."
    assert "فْرَانْسْ سِيرْفِيسْ" in forms.current[
        "في France Services، يقوم موظف بمعاملاتك الإدارية معك. ويمكن أيضًا لمساعد معتمد "
        "(Aidants Connect) أن يقوم بها نيابةً عنك، بأمان تام."]


def test_the_shipped_arabic_clips_say_the_current_spoken_forms():
    forms = catalogues.spoken_forms(paths.TRANSLATIONS, "ar").current
    shown = language_texts("ar")
    folder = audio.clip_folder(paths.STATIC, "ar")
    said = json.loads((folder / audio.SAID).read_text(encoding="utf-8"))
    expected = {audio.clip_key(text): audio.clip_key(form)
                for text, form in forms.items() if text in shown}
    assert said == expected, "run `kiosk audio build --lang ar`"
    assert all((folder / f"{key}{audio.SUFFIX}").is_file() for key in said)

