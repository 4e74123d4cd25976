"""Per-language figures: page weights, read-aloud clip sizes, and the cost of a language.

What it measures, in process (Flask's test client on a temporary database):

1. PAGE WEIGHT per language of the welcome screen, an activities screen with seven items
   (the question screen with the most players), and the result: HTML bytes, plus the CSS, JS and the fonts a browser
   downloads for that language (the Arabic faces only for Arabic-script text: fonts.css
   gives them a unicode-range). Clips are fetched only when "listen" is pressed, so they
   are reported apart.
2. CLIPS per language: count, total, median and largest size (target: each <= 30 KB).
3. RENDER TIME of a question screen in each language against French (the BASELINE, same
   run): median of N renders; ratio language/French. Then the first render just after
   switching language in a new app (catalogue loaded once) against the following ones.
4. FONTS: total size (target <= 250 KB).

    .venv/bin/python bench/languages.py [--renders 200]
"""
from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from kiosk.languages import audio  # noqa: E402
from kiosk import config, create_app, paths  # noqa: E402
from kiosk.storage.db import connect  # noqa: E402
from kiosk.storage.migrations import migrate  # noqa: E402

LANGS = config.languages(config.DEFAULTS)
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
ASSET = re.compile(r'(?:href|src)="(/static/(?:css|js)/[^"]+)"')
ARABIC = re.compile(r"[\u0600-\u06FF\u0750-\u077F\u08A0-\u08FF\uFB50-\uFDFF\uFE70-\uFEFF]")
QUESTION_SCREEN = "act_safety"  # seven items, each with its "listen" button
# The answers that lead to it: a recent internet user who did none of the activities of
# the screens before it.
TO_QUESTION = [("internet_ever", {"answer": "yes"}), ("last_use", {"answer": "3m"}),
               ("devices", {"answer": "smartphone"}), ("home_connection", {"answer": "box"}),
               ("act_information", {"answer": "_none"}),
               ("act_communication", {"answer": "_none"}), ("act_content", {"answer": "_none"})]


def make_app(folder: Path):
    db_path = folder / f"bench-{len(list(folder.glob('*.db')))}.db"
    db = connect(db_path)
    migrate(db)
    db.close()
    return create_app({"TESTING": True, "DATABASE": str(db_path), "SECRET_KEY": "bench",
                       "LANGUAGES": ",".join(LANGS), "SITE_COMMUNE": "03190"})


class Visitor:
    def __init__(self, app):
        self.client = app.test_client()
        self.page = ""

    def get(self, url: str) -> str:
        response = self.client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        self.page = response.get_data(as_text=True)
        return self.page

    def post(self, url: str, form: dict):
        form = {"csrf_token": CSRF.search(self.page).group(1), **form}
        response = self.client.post(url, data=form)
        assert response.status_code == 303, (url, response.status_code)
        return response.location

    def start(self, lang: str) -> None:
        self.get("/")
        self.post("/start", {"lang": lang})

    def to_question(self) -> None:
        """Answer the screens before QUESTION_SCREEN."""
        for screen, form in TO_QUESTION:
            self.get(f"/q/{screen}")
            self.post(f"/q/{screen}", form)

    def complete(self) -> None:
        location = "/q/internet_ever"
        while "/q/" in location:
            page = self.get(location)
            first = re.search(r'name="answer" value="([^"]+)"', page)
            form = {"answer": first.group(1)} if first else {"idk": "1"}
            if first and 'name="how-' in page:  # an activities screen: done alone
                form[f"how-{first.group(1)}"] = "alone"
            location = self.post(location, form)
        self.get("/result")


def static_size(path: str) -> int:
    return (paths.STATIC / path.removeprefix("/static/")).stat().st_size


def weight(page: str) -> dict:
    """HTML, its CSS and JS, and the font files this page's text makes a browser fetch."""
    assets = sum(static_size(p) for p in set(ASSET.findall(page)))
    fonts = sum(f.stat().st_size for f in (paths.STATIC / "fonts").glob("noto-sans-[47]*.woff2"))
    if ARABIC.search(page):
        fonts += sum(f.stat().st_size for f in (paths.STATIC / "fonts").glob("noto-sans-arabic-*"))
    html = len(page.encode("utf-8"))
    return {"html": html, "assets": assets, "fonts": fonts, "total": html + assets + fonts}


def kb(n: float) -> str:
    return f"{n / 1024:6.1f}"


def page_weights(app) -> None:
    print("\nPAGE WEIGHT (KB, uncompressed; fonts cached after the first page)")
    print(f"{'lang':7}{'screen':12}{'html':>8}{'css+js':>8}{'fonts':>8}{'total':>8}{'clips':>7}")
    for lang in LANGS:
        visitor = Visitor(app)
        visitor.start(lang)
        pages = {"welcome": visitor.get("/")}
        visitor.to_question()
        pages["question"] = visitor.get(f"/q/{QUESTION_SCREEN}")
        visitor.complete()
        pages["result"] = visitor.page
        for name, page in pages.items():
            w = weight(page)
            players = page.count('<audio class="listen"')
            print(f"{lang:7}{name:12}{kb(w['html']):>8}{kb(w['assets']):>8}{kb(w['fonts']):>8}"
                  f"{kb(w['total']):>8}{players:>7}")


def clip_sizes() -> None:
    print("\nREAD-ALOUD CLIPS (Ogg/Opus, 12 kbit/s mono; target: each <= 30 KB)")
    print(f"{'lang':7}{'clips':>6}{'total KB':>10}{'median KB':>11}{'max KB':>8}  target")
    for lang in LANGS:
        sizes = [p.stat().st_size for p in audio.clip_folder(paths.STATIC, lang).rglob("*.opus")]
        if not sizes:
            print(f"{lang:7}{0:>6}  (no clips: run `kiosk audio build`)")
            continue
        met = "met" if max(sizes) <= 30 * 1024 else "MISSED"
        print(f"{lang:7}{len(sizes):>6}{kb(sum(sizes)):>10}{kb(statistics.median(sizes)):>11}"
              f"{kb(max(sizes)):>8}  {met}")


def render_times(folder: Path, renders: int) -> None:
    print(f"\nRENDER TIME of /q/{QUESTION_SCREEN} (median of {renders}, ms; baseline: French)")
    app = make_app(folder)
    medians = {}
    for lang in LANGS:
        visitor = Visitor(app)
        visitor.start(lang)
        visitor.to_question()
        times = []
        for _ in range(renders):
            start = time.perf_counter()
            visitor.client.get(f"/q/{QUESTION_SCREEN}")
            times.append(time.perf_counter() - start)
        medians[lang] = statistics.median(times)
    for lang in LANGS:
        print(f"  {lang:7}{medians[lang] * 1000:7.2f} ms   ratio {medians[lang] / medians['fr']:.2f}x")

    print("\nSWITCHING LANGUAGE (a fresh app: first render in a language vs the next ones)")
    app = make_app(folder)
    visitor = Visitor(app)
    visitor.start("fr")
    visitor.get("/q/internet_ever")
    for lang in LANGS[1:]:
        visitor.post("/language", {"lang": lang, "next": "/q/internet_ever"})
        start = time.perf_counter()
        visitor.get("/q/internet_ever")
        first = time.perf_counter() - start
        times = []
        for _ in range(20):
            start = time.perf_counter()
            visitor.get("/q/internet_ever")
            times.append(time.perf_counter() - start)
        warm = statistics.median(times)
        print(f"  {lang:7}first {first * 1000:6.2f} ms, then {warm * 1000:5.2f} ms "
              f"(catalogue load {max(first - warm, 0) * 1000:5.2f} ms, once)")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--renders", type=int, default=200)
    parser.add_argument("--smoke", action="store_true", help="a quick run (20 renders)")
    args = parser.parse_args(argv)
    renders = 20 if args.smoke else args.renders
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        page_weights(make_app(folder))
        clip_sizes()
        render_times(folder, renders)
    fonts = sum(f.stat().st_size for f in (paths.STATIC / "fonts").glob("*.woff2"))
    print(f"\nFONTS: {kb(fonts).strip()} KB in all (target <= 250 KB: "
          f"{'met' if fonts <= 250 * 1024 else 'MISSED'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
