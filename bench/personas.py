"""Three residents walk the real kiosk: screens seen, minutes, and the result page's weight.

Used by bench/kiosk_flow.py. The residents are those the questionnaire must serve, and
answer as in tests/browser/test_personas.py (which pins what each is shown):

- a woman of 78 who has never used the internet;
- a man of 45, job seeker, with a smartphone: he looks things up and talks with others
  alone, but every procedure and problem-solving activity he did, he did with help;
- a woman of 25 at ease with digital tools, most activities done alone.

Each answers by intent: an option id (or several) she would choose on a screen, "idk"
for "Je ne sais pas", or on an activities screen the items she did and how (alone,
helped, done_for_me; none: "Rien de tout cela"). A screen she has no answer for gets
its first option (first item done alone), so a new questionnaire still runs. The figures:
the question screens she sees, the pages in all (welcome, notice, questions, result), the
minutes at SECONDS_PER_SCREEN a page, the profile she is shown, and the bytes of the
result page with the CSS and JS it references (fonts and pictograms aside).
"""
from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

from benchkit import (CSRF, CSS_JS, FIRST_QUESTION, HOW, OPTION, Client, Failure,
                      activities_form, expect)

SECONDS_PER_SCREEN = 12
RESULT_PAGE_TARGET_KB = 40
MAX_QUESTION_SCREENS = 20  # for a typical internet user
PROFILE = re.compile(r'<h2 id="profile-title">([^<]+)</h2>')
FIRST_STEP = re.compile(r'<li class="step">\s*<h3>([^<]+)</h3>')


@dataclass
class Persona:
    name: str
    answers: dict           # screen id -> option id(s), "idk", or {item: how}
    commune: str = "Moulins"
    typical_user: bool = False  # held to MAX_QUESTION_SCREENS
    seen: list = field(default_factory=list)


def alone(*items: str) -> dict:
    return dict.fromkeys(items, "alone")


def helped(*items: str) -> dict:
    return dict.fromkeys(items, "helped")


def personas() -> list[Persona]:
    return [
        Persona("78, never used the internet",
                {"internet_ever": "no", "devices": ["none"], "home_connection": "no",
                 "task_phishing": "idk", "task_back": "idk", "age_band": "75+",
                 "situation": "retired", "reading": "easy"},
                commune="Cérilly"),
        Persona("45, smartphone, help with procedures",
                {"internet_ever": "yes", "last_use": "3m", "devices": ["smartphone"],
                 "home_connection": "mobile",
                 "act_information": alone("info_goods", "info_health", "info_news"),
                 "act_communication": alone("com_calls", "com_messages", "com_social"),
                 "act_content": {}, "act_safety": alone("sf_location"),
                 "act_problem_solving": helped("ps_bank", "ps_job", "ps_buy"),
                 "procedures": helped("eadmin", "health"),
                 "task_phishing": "refund", "task_back": "1", "age_band": "45-59",
                 "situation": "job_seeker", "reading": "easy"},
                commune="Montluçon", typical_user=True),
        Persona("25, at ease",
                {"internet_ever": "yes", "last_use": "3m", "devices": ["smartphone", "computer"],
                 "home_connection": "box",
                 "act_information": alone("info_goods", "info_news", "info_check"),
                 "act_communication": alone("com_email", "com_messages", "com_social"),
                 "act_content": alone("cc_write", "cc_files", "cc_edit"),
                 "act_safety": alone("sf_location", "sf_profile", "sf_ads"),
                 "act_problem_solving": alone("ps_bank", "ps_install", "ps_learn", "ps_buy"),
                 "procedures": alone("eadmin", "health"),
                 "task_phishing": "refund", "task_back": "1", "age_band": "16-29",
                 "situation": "employed", "reading": "easy"},
                commune="Vichy", typical_user=True),
    ]


def _answer(persona: Persona, screen_id: str, page: str) -> dict:
    if 'name="query"' in page:  # the commune screen
        return {"query": persona.commune}
    values = [value for _, value in OPTION.findall(page)]
    if not values:
        raise Failure(f"GET /q/{screen_id}: no answer options in the page")
    wanted = persona.answers.get(screen_id)
    if wanted == "idk":
        return {"idk": "1"}
    if HOW.search(page):  # an activities screen
        done = wanted if isinstance(wanted, dict) else {values[0]: "alone"}
        return activities_form({item: how for item, how in done.items() if item in values})
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
        path = match.group(1) if match else "/q/internet_ever"
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
    text = result.decode()
    shown = [html.unescape(found.group(1).strip()) if found else "?"
             for found in (PROFILE.search(text), FIRST_STEP.search(text))]
    return {"name": persona.name, "questions": len(persona.seen), "pages": pages,
            "question_minutes": len(persona.seen) * SECONDS_PER_SCREEN / 60,
            "minutes": pages * SECONDS_PER_SCREEN / 60, "typical": persona.typical_user,
            "profile": shown[0], "first_step": shown[1],
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
        print(f"  {row['name']:<40} {row['questions']:>3} question screens (about "
              f"{row['question_minutes']:.1f} min), {row['pages']:>3} pages in all (about "
              f"{row['minutes']:.1f} min){verdict}")
        print(f"  {'':<40} shown: {row['profile']} First step: {row['first_step']}")
    worst = max(rows, key=lambda r: r["result_html"] + r["result_assets"])
    total = (worst["result_html"] + worst["result_assets"]) / 1024
    print(f"result page (heaviest of the three): HTML {worst['result_html'] / 1024:.1f} KB + "
          f"CSS and JS {worst['result_assets'] / 1024:.1f} KB = {total:.1f} KB, "
          f"{worst['result_html'] + worst['result_assets']} bytes (target <= "
          f"{RESULT_PAGE_TARGET_KB} KB, fonts aside: "
          f"{'met' if total <= RESULT_PAGE_TARGET_KB else 'MISSED'})")
