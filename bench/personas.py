"""Three residents walk the real kiosk: screens seen, minutes, and the result page's weight.

Used by bench/kiosk_flow.py. The residents are those the questionnaire must serve:

- a woman of 78 who has never used the internet;
- a man of 45 who uses a smartphone but needs help with online procedures;
- a woman of 25 at ease with digital tools.

Each answers by intent (an option id she would choose on a screen, or a rule for a rating
scale); a screen she has no rule for gets its first option, so a new questionnaire still
runs. The figures: the question screens she sees, the pages in all (welcome, notice,
questions, result), the minutes at SECONDS_PER_SCREEN a page, and the bytes of the result
page with the CSS and JS it references (fonts and pictograms aside).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from benchkit import CSRF, CSS_JS, FIRST_QUESTION, OPTION, Client, Failure, expect

SECONDS_PER_SCREEN = 12
RESULT_PAGE_TARGET_KB = 40
MAX_QUESTION_SCREENS = 20  # for a typical internet user


@dataclass
class Persona:
    name: str
    answers: dict           # screen id -> option id(s) she would choose
    scale: dict             # activity screen id prefix -> rating she would give
    scale_default: str      # rating on any other activity screen
    commune: str = "Moulins"
    typical_user: bool = False  # held to MAX_QUESTION_SCREENS
    seen: list = field(default_factory=list)


def personas() -> list[Persona]:
    return [
        Persona("78, never used the internet",
                {"last_use": "never", "devices": ["none"], "home_connection": "no",
                 "age_band": "75+", "situation": "retired", "reading": "some"},
                {}, "cannot", commune="Cérilly"),
        Persona("45, smartphone, help with procedures",
                {"last_use": "3m", "devices": ["smartphone"], "home_connection": "mobile",
                 "eadmin": "with_help", "health": "no", "age_band": "45-59",
                 "situation": "job_seeker",
                 "reading": "easy"},
                {"info_": "alone", "com_": "alone", "ps_": "with_help", "sw_": "cannot",
                 "sf_": "with_help"}, "with_help", commune="Montluçon", typical_user=True),
        Persona("25, at ease",
                {"last_use": "3m", "devices": ["smartphone", "computer"], "home_connection": "box",
                 "eadmin": "alone", "health": "alone", "age_band": "15-29",
                 "situation": "employed",
                 "reading": "easy"},
                {}, "alone", commune="Vichy", typical_user=True),
    ]


def _answer(persona: Persona, screen_id: str, page: str) -> dict:
    if 'name="query"' in page:  # the commune screen
        return {"query": persona.commune}
    values = [value for _, value in OPTION.findall(page)]
    if not values:
        raise Failure(f"GET /q/{screen_id}: no answer options in the page")
    wanted = persona.answers.get(screen_id)
    if wanted is None:
        rating = next((r for prefix, r in persona.scale.items() if screen_id.startswith(prefix)),
                      persona.scale_default)
        wanted = rating if rating in values else values[0]
    chosen = [w for w in (wanted if isinstance(wanted, list) else [wanted]) if w in values]
    return {"answer": chosen or values[0]}


def walk(port: int, persona: Persona) -> dict:
    """One persona from welcome to result: her figures."""
    client = Client(port)
    try:
        page = expect(client.request("GET", "/"), 200, "GET /").text()
        form = {"csrf_token": CSRF.search(page).group(1)}
        expect(client.request("POST", "/start", form), 303, "POST /start")
        match = FIRST_QUESTION.search(expect(client.request("GET", "/notice"), 200,
                                             "GET /notice").text())
        path = match.group(1) if match else "/q/last_use"
        while path.startswith("/q/"):
            screen_id = path.rsplit("/", 1)[-1]
            page = expect(client.request("GET", path), 200, f"GET {path}").text()
            persona.seen.append(screen_id)
            if len(persona.seen) > 100:
                raise Failure(f"{persona.name}: the questionnaire never ended")
            form = {"csrf_token": CSRF.search(page).group(1), **_answer(persona, screen_id, page)}
            path = expect(client.request("POST", path, form), 303, f"POST {path}").path
        if path != "/result":
            raise Failure(f"{persona.name}: the last answer led to {path!r}")
        result = expect(client.request("GET", "/result"), 200, "GET /result").body
        assets = 0
        for css, js in CSS_JS.findall(result.decode()):
            url = css or js
            assets += len(expect(client.request("GET", url), 200, f"GET {url}").body)
    finally:
        client.close()
    pages = len(persona.seen) + 3  # welcome, notice, result
    return {"name": persona.name, "questions": len(persona.seen), "pages": pages,
            "minutes": pages * SECONDS_PER_SCREEN / 60, "typical": persona.typical_user,
            "result_html": len(result), "result_assets": assets}


def walk_all(port: int) -> list[dict]:
    return [walk(port, persona) for persona in personas()]


def print_report(rows: list[dict]) -> None:
    print(f"\nPERSONAS (at {SECONDS_PER_SCREEN} s a page; welcome, notice and result included)")
    for row in rows:
        verdict = ""
        if row["typical"]:
            verdict = ("  (target <= %d question screens: %s)" % (
                MAX_QUESTION_SCREENS,
                "met" if row["questions"] <= MAX_QUESTION_SCREENS else "MISSED"))
        print(f"  {row['name']:<40} {row['questions']:>3} question screens, {row['pages']:>3} "
              f"pages, about {row['minutes']:.1f} min{verdict}")
    worst = max(rows, key=lambda r: r["result_html"] + r["result_assets"])
    total = (worst["result_html"] + worst["result_assets"]) / 1024
    print(f"result page (heaviest of the three): HTML {worst['result_html'] / 1024:.1f} KB + "
          f"CSS and JS {worst['result_assets'] / 1024:.1f} KB = {total:.1f} KB (target <= "
          f"{RESULT_PAGE_TARGET_KB} KB, fonts aside: "
          f"{'met' if total <= RESULT_PAGE_TARGET_KB else 'MISSED'})")
