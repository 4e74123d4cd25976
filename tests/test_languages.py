"""Seven languages: complete catalogues, read-aloud clips, fonts, direction, display tools.

The shipped catalogues, clips and fonts are the committed files themselves: a new French
string without its translations, its clips or its glyphs fails here, before a kiosk
ever shows a blank, a silent button or a row of boxes.
"""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import write_po

from kiosk.languages import audio, catalogues, fonts, locales as languages
from kiosk import config, paths
from kiosk.languages.cli import language_texts, shown_characters, template_path
from tests.conftest import Resident

SHIPPED = config.languages(config.DEFAULTS)
TRANSLATED = [lang for lang in SHIPPED if lang != "fr"]
MAX_CLIP_BYTES = 30 * 1024
MAX_FONT_BYTES = 250 * 1024


def test_the_seven_languages_are_shipped():
    assert SHIPPED == ["fr", "en", "ar", "pt_PT", "tr", "uk", "fa_AF"]


def test_the_template_is_current(tmp_path):
    """translations/messages.pot holds exactly what the sources hold (`kiosk i18n extract`)."""
    fresh = tmp_path / "fresh.pot"
    subprocess.run([str(Path(sys.executable).with_name("pybabel")), "-q", "extract", "-F",
                    "babel.cfg", "-k", "_l", "-o", str(fresh), "."], cwd=paths.ROOT, check=True)
    current = {m.id for m in catalogues.read_catalog(template_path()) if m.id}
    extracted = {m.id for m in catalogues.read_catalog(fresh) if m.id}
    assert extracted == current, "run `kiosk i18n extract` then `kiosk i18n update`"


@pytest.mark.parametrize("lang", TRANSLATED)
def test_every_catalogue_is_complete_safe_and_marked_as_a_draft(lang):
    report = catalogues.completeness(template_path(), paths.TRANSLATIONS, lang)
    assert report.missing == [], f"{lang}: {len(report.missing)} untranslated"
    assert report.placeholder_errors == []
    assert report.percent == 100.0
    assert report.marked_draft, f"{lang}: the header must say it is a draft for review"


def _catalogue(tmp_path, lang, entries, flags=()):
    template = Catalog(project="t")
    for msgid in entries:
        template.add(msgid)
    (tmp_path / "t.pot").parent.mkdir(parents=True, exist_ok=True)
    with (tmp_path / "t.pot").open("wb") as f:
        write_po(f, template)
    catalog = Catalog(locale=lang, header_comment="# Draft translation")
    for msgid, msgstr in entries.items():
        catalog.add(msgid, msgstr, flags=flags if msgid == "France Services" else ())
    po = catalogues.po_path(tmp_path, lang)
    po.parent.mkdir(parents=True)
    with po.open("wb") as f:
        write_po(f, catalog)
    return tmp_path / "t.pot"


def test_a_copy_of_the_french_is_untranslated_unless_flagged_a_proper_name(tmp_path):
    entries = {"Suivant": "Suivant", "France Services": "France Services",
               "À %(km)s km": "%(kms)s km away", "Retour": "Back", "Oups": ""}
    pot = _catalogue(tmp_path, "en", entries, flags=("proper-name",))
    report = catalogues.completeness(pot, tmp_path, "en")
    assert report.missing == ["Suivant", "Oups"]
    assert report.placeholder_errors == ["À %(km)s km"]
    assert report.translated == 3 and not report.complete


def test_a_plural_with_a_form_left_empty_is_untranslated(tmp_path):
    """Ukrainian has three plural forms: with one empty, "5 comptes rendus" showed in
    French while the catalogue counted as complete."""
    plural = ("%(num)s compte rendu", "%(num)s comptes rendus")
    template = Catalog(project="t")
    template.add(plural)
    template.add(("%(num)s fiche", "%(num)s fiches"))
    with (tmp_path / "t.pot").open("wb") as f:
        write_po(f, template)
    catalog = Catalog(locale="uk", header_comment="# Draft translation")
    catalog.add(plural, ("%(num)s звіт", "%(num)s звіти", ""))
    catalog.add(("%(num)s fiche", "%(num)s fiches"),
                ("%(num)s картка", "%(num)s картки", "%(num)s карток"))
    po = catalogues.po_path(tmp_path, "uk")
    po.parent.mkdir(parents=True)
    with po.open("wb") as f:
        write_po(f, catalog)
    report = catalogues.completeness(tmp_path / "t.pot", tmp_path, "uk")
    assert report.missing == ["%(num)s compte rendu"] and report.translated == 1


def test_kiosk_check_reports_each_language_and_lists_the_missing(make_app, tmp_path):
    pot = _catalogue(tmp_path, "uk", {"Suivant": "Далі", "Retour": ""})
    pot.rename(tmp_path / "messages.pot")
    app = make_app(LANGUAGES="fr,uk", BABEL_TRANSLATION_DIRECTORIES=str(tmp_path))
    result = app.test_cli_runner().invoke(args=["check"])
    assert result.exit_code == 1
    assert "uk: 50.0 % translated (1/2)" in result.output
    assert "uk: untranslated: 'Retour'" in result.output


def test_the_shipped_catalogues_pass_kiosk_check(make_app):
    app = make_app(LANGUAGES=",".join(SHIPPED))
    result = app.test_cli_runner().invoke(args=["check"])
    assert result.exit_code == 0, result.output
    for lang in TRANSLATED:
        assert f"{lang}: 100.0 %" in result.output


# --- Read-aloud -------------------------------------------------------------------------

@pytest.mark.parametrize("lang", SHIPPED)
def test_every_shipped_text_has_its_clip_and_no_clip_is_stale(lang):
    texts = language_texts(lang)
    assert len(texts) > 150
    clips = audio.Clips.scan(paths.STATIC, lang)
    missing = sorted(text for text in texts if clips.for_text(text) is None)
    assert missing == [], f"{lang}: run `kiosk audio build` ({len(missing)} missing)"
    wanted = {audio.clip_key(text) for text in texts}
    folder = audio.clip_folder(paths.STATIC, lang)
    stale = [p.name for p in folder.glob("*.opus") if p.stem not in wanted]
    assert stale == []
    too_big = [(p.name, p.stat().st_size) for p in folder.rglob("*.opus")
               if p.stat().st_size > MAX_CLIP_BYTES]
    assert too_big == []


def test_placeholders_are_never_spoken():
    assert not audio.spoken("Question %(number)s sur %(total)s")
    assert audio.spoken("Retour")


@pytest.fixture
def speech_tools():
    missing = audio.tools_missing()
    assert not missing, f"install {missing} (make test installs espeak-ng and opus-tools)"


def test_audio_build_is_deterministic_keeps_recordings_and_drops_stale_clips(tmp_path,
                                                                           speech_tools):
    texts = ["Bonjour.", "Suivant"]
    first = audio.build(tmp_path, "fr", texts)
    assert len(first.made) == 2
    folder = audio.clip_folder(tmp_path, "fr")
    made = {p.name: p.read_bytes() for p in folder.glob("*.opus")}
    assert all(data.startswith(b"OggS") for data in made.values())
    for path in folder.glob("*.opus"):
        path.unlink()
    audio.build(tmp_path, "fr", texts)
    assert {p.name: p.read_bytes() for p in folder.glob("*.opus")} == made  # same bytes

    recorded = folder / audio.RECORDED / (audio.clip_key("Bonjour.") + ".opus")
    recorded.parent.mkdir()
    recorded.write_bytes(b"a human voice")
    report = audio.build(tmp_path, "fr", ["Bonjour.", "Retour"])  # "Suivant" was edited away
    assert report.recorded == 1 and len(report.made) == 1
    assert recorded.read_bytes() == b"a human voice"
    assert not (folder / (audio.clip_key("Suivant") + ".opus")).exists()
    clips = audio.Clips.scan(tmp_path, "fr")
    assert clips.for_text("Bonjour.") == f"audio/fr/recorded/{recorded.name}"


# --- Fonts ------------------------------------------------------------------------------

def test_the_bundled_fonts_draw_every_character_of_every_catalogue():
    latin, arabic = fonts.split(shown_characters())
    folder = paths.STATIC / "fonts"
    faces = {face.output: face for face in fonts.FACES}
    for name, face in faces.items():
        lacking = fonts.missing(folder / name, arabic if face.arabic else latin)
        assert lacking == set(), f"{name} lacks {sorted(lacking)}: run `kiosk fonts build`"


def test_the_fonts_are_small_and_licensed():
    folder = paths.STATIC / "fonts"
    assert sum(p.stat().st_size for p in folder.glob("*.woff2")) <= MAX_FONT_BYTES
    assert "SIL Open Font License" in (folder / "OFL.txt").read_text(encoding="utf-8")
    css = (paths.STATIC / "css" / "fonts.css").read_text(encoding="utf-8")
    assert "http" not in css  # served by the kiosk itself
    for face in fonts.FACES:
        assert face.output in css


# --- Pages ------------------------------------------------------------------------------

@pytest.fixture
def seven(make_app):
    return make_app(LANGUAGES=",".join(SHIPPED))


@pytest.mark.parametrize("lang,tag,direction", [
    ("fr", "fr", "ltr"), ("ar", "ar", "rtl"), ("fa_AF", "fa-AF", "rtl"), ("uk", "uk", "ltr"),
    ("pt_PT", "pt-PT", "ltr"),
])
def test_every_page_says_its_language_and_direction(seven, lang, tag, direction):
    resident = Resident(seven.test_client())
    resident.get("/")
    resident.post("/language", {"lang": lang, "next": "/"})
    resident.start()
    for url in ("/", "/notice", "/q/internet_ever", "/language?next=/q/internet_ever", "/nowhere"):
        page = resident.get(url).get_data(as_text=True)
        assert f'<html lang="{tag}" dir="{direction}"' in page, url


def test_welcome_offers_each_language_by_its_own_name(seven):
    page = Resident(seven.test_client()).get("/").get_data(as_text=True)
    for lang in SHIPPED:
        name = languages.own_name(lang)
        direction = "rtl" if languages.is_rtl(lang) else "ltr"
        assert re.search(rf'lang="{languages.tag(lang)}" dir="{direction}"[^>]*>{name}<', page)
    assert "Українська" in page and "دری" in page and "العربية" in page


def test_question_screens_have_a_player_for_each_text_with_a_real_clip(seven):
    resident = Resident(seven.test_client())
    resident.get("/")
    resident.post("/language", {"lang": "uk", "next": "/"})
    resident.start()
    page = resident.get("/q/internet_ever").get_data(as_text=True)
    sources = re.findall(r'<audio class="listen" controls preload="none" src="/static/([^"]+)"', page)
    assert len(sources) >= 4  # the question, its help and its two answers
    assert all((paths.STATIC / source).is_file() for source in sources)
    assert all(source.startswith("audio/uk/") for source in sources)


def test_larger_text_and_contrast_last_for_the_session_only(seven):
    resident = Resident(seven.test_client())
    resident.start()
    resident.answer("internet_ever", {"answer": "no"})
    response = resident.post("/display", {"text": "large", "next": "/q/devices"})
    assert response.location == "/q/devices"
    resident.post("/display", {"contrast": "high", "next": "/q/devices"})
    page = resident.get("/q/devices").get_data(as_text=True)
    assert 'class="text-large contrast-high"' in page
    assert 'aria-pressed="true"' in page
    resident.get("/q/internet_ever")
    assert 'value="no" checked' in resident.get("/q/internet_ever").get_data(as_text=True)
    resident.post("/display", {"text": "normal", "next": "/q/devices"})
    assert 'class="contrast-high"' in resident.get("/q/devices").get_data(as_text=True)
    resident.post("/finish", {})                      # the next person starts plain
    assert "contrast-high" not in resident.get("/").get_data(as_text=True)


@pytest.mark.parametrize("form", [{"text": "huge"}, {"contrast": "1"}, {}])
def test_a_bad_display_choice_is_refused(seven, form):
    resident = Resident(seven.test_client())
    resident.get("/")
    assert resident.post("/display", form).status_code == 400


def test_choices_made_on_the_welcome_screen_survive_the_start(seven):
    resident = Resident(seven.test_client())
    resident.get("/")
    resident.post("/display", {"text": "large", "next": "/"})
    resident.post("/language", {"lang": "tr", "next": "/"})
    resident.start()
    page = resident.get("/q/internet_ever").get_data(as_text=True)
    assert '<html lang="tr" dir="ltr" class="text-large"' in page


def test_i18n_update_adds_new_strings_and_new_languages_then_compile(make_app, tmp_path,
                                                                     monkeypatch):
    import shutil

    from babel.messages.pofile import read_po

    folder = tmp_path / "translations"
    shutil.copytree(paths.TRANSLATIONS, folder, ignore=shutil.ignore_patterns("*.mo"))
    template = catalogues.read_catalog(folder / "messages.pot")
    template.add("Une phrase toute neuve.")
    with (folder / "messages.pot").open("wb") as f:
        write_po(f, template)
    monkeypatch.setattr(paths, "TRANSLATIONS", folder)
    runner = make_app(LANGUAGES="fr,uk,ro").test_cli_runner()
    result = runner.invoke(args=["i18n", "update"])
    assert result.exit_code == 0, result.output
    uk = catalogues.read_catalog(catalogues.po_path(folder, "uk"), "uk")
    assert "Une phrase toute neuve." in uk and not uk["Une phrase toute neuve."].string
    assert uk["Suivant"].string  # existing translations kept
    with catalogues.po_path(folder, "ro").open("rb") as f:
        assert len(read_po(f)) == len(template)  # a new language starts from the template
    assert runner.invoke(args=["i18n", "compile"]).exit_code == 0
    assert (folder / "uk" / "LC_MESSAGES" / "messages.mo").is_file()
