"""A mediator's whole day at a kiosk, then everything that can leave it, read whole: no
mediator's name, no note, no unlock code and no follow-up code is in any outbox record,
USB file, CSV export, hub table or open-data file (issue 10, "Done when").

The day: a guided diagnostic with observations and notes, its activity record with
private notes, a quick help at the counter, a counter screening, and a person coming back
with their follow-up code. The records then travel by USB key to a hub, which imports
them and writes its open data."""
from __future__ import annotations

import json
import re
from datetime import datetime, timezone

from kiosk.mediation.codes import hash_code
from kiosk.storage import store
from kiosk.storage.db import connect
from tests.conftest import Resident
from tests.followupkit import finish_visit, shown_code
from tests.hubkit import make_hub, make_kiosk, new_device
from tests.test_guided_observations import run_guided

NAME, STRUCTURE, UNLOCK = "Émilie Martinez", "Médiathèque de Souvigny", "90817263"
NOTE = "Mme Duponteil a du mal avec sa banque"
RECORD_NOTE = "Revoir Mme Duponteil mardi, son fils Kevin aide"


def secrets_of_the_day(code: str) -> list[str]:
    """What must never leave: the name (and each part), the notes, the codes."""
    digits = code.replace(" ", "")
    return ["Émilie", "Martinez", "Duponteil", "Kevin", "banque", UNLOCK, code, digits,
            STRUCTURE]


def a_mediators_day(kiosk) -> str:
    """Everything a mediator and a returning person do at ``kiosk``; the follow-up code
    of the guided diagnostic."""
    client = kiosk.test_client()
    mediator = Resident(client)
    mediator.get("/mediateur")
    assert mediator.post("/mediateur", {"name": NAME, "code": UNLOCK}).status_code == 303
    mediator.get("/mediateur/accueil")
    assert mediator.post("/mediateur/guide", {"lang": "fr"}).status_code == 303
    run_guided(client, {"act_information": {"note": NOTE, "observed-info_news": "autonome"},
                        "task_phishing": {"note": NOTE, "observed": "autonome"}})
    code = shown_code(mediator.get("/result").get_data(as_text=True))
    record_page = mediator.post("/finish").location
    page = mediator.get(record_page).get_data(as_text=True)
    form = prefilled_form(page)
    form["notes"] = RECORD_NOTE
    assert mediator.post(record_page, form).status_code == 303
    mediator.get("/mediateur/compte-rendu/guichet")
    assert mediator.post("/mediateur/compte-rendu/guichet", {
        "date": form["date"], "duree": "15", "type_lieu": "lieu_activite",
        "thematiques": ["email"], "autonomie": "autonome", "notes": RECORD_NOTE,
    }).status_code == 303
    mediator.get("/mediateur/reperage")
    assert mediator.post("/mediateur/reperage", {
        "internet": "helped", "procedure": "yes", "help": "yes"}).status_code == 303
    assert mediator.post("/mediateur/terminer").status_code == 303
    person = Resident(kiosk.test_client())
    person.get("/suivi")
    assert person.post("/suivi", {"code": code}).status_code == 303
    person.get("/suivi/aide")
    person.post("/suivi/aide", {})
    finish_visit(person)
    return code


def prefilled_form(page: str) -> dict:
    """The activity record's form as the page fills it (checked boxes, chosen radios,
    typed values)."""
    form: dict = {}
    for tag in re.findall(r"<input [^>]*>", page):
        name = re.search(r'name="([^"]+)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        if not name or name.group(1) == "csrf_token":
            continue
        kind = re.search(r'type="([^"]+)"', tag)
        if kind and kind.group(1) in ("checkbox", "radio") and " checked" not in tag:
            continue
        form.setdefault(name.group(1), []).append(value.group(1) if value else "")
    return {key: values if len(values) > 1 else values[0] for key, values in form.items()}


def every_cell(database: str) -> list[str]:
    db = connect(database)
    try:
        tables = [row[0] for row in db.execute(
            "select name from sqlite_master where type = 'table'")]
        return [str(value) for table in tables
                for row in db.execute(f'select * from "{table}"') for value in row]
    finally:
        db.close()


def test_nothing_personal_leaves_the_kiosk(tmp_path):
    hub = make_hub(tmp_path / "hub", EXPORT_DIR=str(tmp_path / "open-data"))
    _, token = new_device(hub.config["DATABASE"], commune="03275", epci="200071140")
    kiosk = make_kiosk(tmp_path / "kiosk", HUB_TOKEN=token, SITE_COMMUNE="03275",
                       LANGUAGES="fr")
    db = connect(kiosk.config["DATABASE"])
    store.add_local_mediator(db, NAME, STRUCTURE, hash_code(UNLOCK), datetime.now(timezone.utc))
    db.close()
    code = a_mediators_day(kiosk)

    # The kiosk keeps them, for the mediator (else this test could not fail).
    kept = "\n".join(every_cell(kiosk.config["DATABASE"]))
    assert NOTE in kept and RECORD_NOTE in kept and NAME in kept
    assert code.replace(" ", "") in kept

    # What leaves: every outbox record, the USB file, the CSV exports.
    db = connect(kiosk.config["DATABASE"])
    payloads = [row["payload"] for row in db["outbox"].rows]
    db.close()
    kinds = sorted(json.loads(p).get("kind") for p in payloads)
    assert kinds == ["activity", "activity", "diagnostic", "diagnostic", "followup",
                     "screening"]
    usb = tmp_path / "usb"
    usb.mkdir()
    runner = kiosk.test_cli_runner()
    assert runner.invoke(args=["sync", "--to-file", str(usb)]).exit_code == 0
    assert runner.invoke(args=["export", "--output", str(tmp_path / "results.csv")]
                         ).exit_code == 0
    assert runner.invoke(args=["mediator", "export", "--out", str(tmp_path / "coop.csv")]
                         ).exit_code == 0
    [usb_file] = usb.glob("*.records.json")
    files = [usb_file, tmp_path / "results.csv", tmp_path / "coop.csv"]

    # The hub takes the USB file in, and writes its open data.
    hub_runner = hub.test_cli_runner()
    imported = hub_runner.invoke(args=["hub", "import", str(usb_file)])
    assert imported.exit_code == 0 and "6 stored" in imported.output, imported.output
    exported = hub_runner.invoke(args=["hub", "export", "--output", str(tmp_path / "open-data")])
    assert exported.exit_code == 0, exported.output
    files += sorted((tmp_path / "open-data").iterdir())
    assert len(files) > 4

    texts = payloads + [path.read_text(encoding="utf-8") for path in files] \
        + every_cell(hub.config["DATABASE"])
    everything = "\n".join(texts)
    assert "mediation_numerique" in everything or "email" in everything  # allowed things arrive
    for secret in secrets_of_the_day(code):
        assert secret not in everything, secret
