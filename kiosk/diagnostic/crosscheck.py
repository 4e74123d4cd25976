"""Cross-checks of a questionnaire and its offers, beyond what their JSON Schema says.

Every ``show_if`` names an earlier question and real options; every scoring rule a real
area, task or option; every need has an offer; every offer's place filters use the
national standard's vocabulary; each question type checks its own screens (see
kiosk.diagnostic.questions). Problems are collected with their file and line.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

from .questionnaire import (Area, Indicator, Need, Offer, Option, Profile, Questionnaire,
                            Screen)
from . import indicators as dsi_indicators
from .questions import TYPES
from .yamlfile import Problem, line_of

# The types whose screens may count as an activity of an area, for the problem's message.
ACTIVITY_TYPES = " and ".join(t.name for t in TYPES.values() if t.counts_as_activity)
# What an activities screen's item may be answered (a condition's `in` names these).
ITEM_ANSWERS = dsi_indicators.ANSWERS
# The answers `internet_use.last` must offer: when the person last used the internet.
LAST_USE_OPTIONS = ("3m", "12m", "older")


def standard_vocabularies(schema_path: Path) -> dict[str, set[str]]:
    """Allowed values of `services` and `dispositif_programmes_nationaux` in the standard."""
    fields = {f["name"]: f for f in json.loads(schema_path.read_text("utf-8"))["fields"]}
    return {key: pattern_values(fields[name]["constraints"]["pattern"])
            for key, name in (("services", "services"),
                              ("programmes", "dispositif_programmes_nationaux"))}


def pattern_values(pattern: str) -> frozenset[str]:
    """The values a list field's pattern allows: ``(?:(?:^|\\|)(A|B|C))+$`` -> {A, B, C}."""
    alternatives = re.search(r"\)\((.*)\)\)\+\$$", pattern).group(1)
    return frozenset(re.sub(r"\\(.)", r"\1", v) for v in re.split(r"(?<!\\)\|", alternatives))


class CrossChecker:
    """Builds the dataclasses while collecting every cross-reference problem."""

    def __init__(self, qdoc, qpath, odoc, opath, static_dir, vocab, local=None, dsi=None):
        self.q, self.qpath, self.o, self.opath = qdoc, qpath, odoc, opath
        self.static_dir, self.vocab, self.local = Path(static_dir), vocab, local
        self.dsi = dsi  # the DSI 2.0 definition (kiosk.diagnostic.indicators)
        self.problems: list[Problem] = []

    def fail(self, doc_path, message, *, offers=False):
        doc, path = (self.o, self.opath) if offers else (self.q, self.qpath)
        self.problems.append(Problem(path, line_of(doc, doc_path), message))

    def unique(self, key):
        seen = set()
        for i, item in enumerate(self.q[key]):
            if item["id"] in seen:
                self.fail([key, i, "id"], f"duplicate {key} id {item['id']!r}")
            seen.add(item["id"])
        return seen

    def picture(self, where, name):
        if name and not (self.static_dir / "img" / name).is_file():
            self.fail(where, f"picture {name!r} not found in static/img/")

    def build(self) -> Questionnaire:
        q = self.q
        area_ids = self.area_ids = self.unique("areas")
        self.unique("indicators")
        self.unique("profiles")
        need_ids = self.unique("needs")
        areas = []
        for i, a in enumerate(q["areas"]):
            if a["above_basic"] <= a["basic"]:
                self.fail(["areas", i, "above_basic"], "above_basic must be greater than basic")
            self.picture(["areas", i, "pictogram"], a.get("pictogram"))
            areas.append(Area(a["id"], a["label"], a["basic"], a["above_basic"], a.get("pictogram")))
        screens = self.build_screens(area_ids)
        self.screens = {s.id: (i, s) for i, s in enumerate(screens)}
        for i, s in enumerate(q["screens"]):
            if "show_if" in s:
                self.condition(s["show_if"], ["screens", i, "show_if"], before=i, answers_only=True)
        for i, area in enumerate(areas):
            count = sum(len(s.options) for s in screens if s.area == area.id)
            if count < area.above_basic:
                self.fail(["areas", i], f"area {area.id!r} has {count} activities: above_basic "
                          f"({area.above_basic}) cannot be reached")
        self.dsi_mapping(areas, screens)
        self.internet_use(q["internet_use"])
        indicators = tuple(Indicator(ind["id"], ind["measure"], ind["count"])
                           for ind in q["indicators"])
        points = [p["min_points"] for p in q["profiles"]]
        if points != sorted(points) or points[0] != 0:
            self.fail(["profiles"], "profiles must go up by min_points, the first at 0")
        profiles = tuple(Profile(p["id"], p["min_points"], p["label"], p["text"],
                                 tuple(p.get("unless_needs", ()))) for p in q["profiles"])
        if profiles and profiles[0].unless_needs:
            self.fail(["profiles", 0, "unless_needs"], "the first profile is everyone's: "
                      "it has no unless_needs")
        for i, p in enumerate(q["profiles"]):
            for j, need in enumerate(p.get("unless_needs", ())):
                if need not in need_ids:
                    self.fail(["profiles", i, "unless_needs", j], f"unknown need {need!r}")
        needs = []
        for i, n in enumerate(q["needs"]):
            self.condition(n["when"], ["needs", i, "when"])
            needs.append(Need(n["id"], n["label"], n["when"]))
        offers = self.build_offers(need_ids)
        return Questionnaire(q["id"], q["version"], q["title"], tuple(areas), tuple(screens),
                             indicators, profiles, tuple(needs), offers, frame=q["frame"],
                             internet_use=dict(q["internet_use"]), dsi=self.dsi)

    def dsi_mapping(self, areas, screens):
        """The areas' thresholds are the DSI's, and every DSI activity is asked exactly
        once, on a screen of its own area, over its own reference period."""
        if self.dsi is None:
            return
        wanted = {a.id: a for a in self.dsi.areas}
        for i, area in enumerate(areas):
            ref = wanted.get(area.id)
            if ref is None:
                self.fail(["areas", i, "id"], f"{area.id!r} is not an area of the DSI 2.0 "
                          f"({', '.join(wanted)})")
            elif (area.basic, area.above_basic) != (ref.basic_min, ref.above_basic_min):
                self.fail(["areas", i], f"area {area.id!r}: basic {area.basic} and above_basic "
                          f"{area.above_basic} differ from the DSI's {ref.basic_min} and "
                          f"{ref.above_basic_min} ({dsi_indicators.AREAS_FILE})")
        for missing in set(wanted) - {a.id for a in areas}:
            self.fail(["areas"], f"the DSI 2.0 area {missing!r} is missing")
        activities = {a.id: a for a in self.dsi.activities}
        asked: dict[str, str] = {}
        for i, screen in enumerate(screens):
            for j, option in enumerate(screen.options):
                where = ["screens", i, "options", j]
                code = option.dsi_activity
                if code is None:
                    if screen.area:
                        self.fail(where, f"item {option.id!r} of an area's screen needs "
                                  "dsi_activity (the DSI 2.0 activity it asks)")
                    continue
                ref = activities.get(code)
                if ref is None:
                    self.fail(where + ["dsi_activity"], f"unknown DSI 2.0 activity {code!r} "
                              f"(see {dsi_indicators.ACTIVITIES_FILE})")
                    continue
                if code in asked:
                    self.fail(where + ["dsi_activity"], f"DSI activity {code!r} is already "
                              f"asked by {asked[code]!r}")
                asked[code] = f"{screen.id}/{option.id}"
                if screen.area != ref.area:
                    self.fail(where + ["dsi_activity"], f"DSI activity {code!r} belongs to area "
                              f"{ref.area!r}, not to the screen's area {screen.area!r}")
                if option.period_months != ref.period_months:
                    self.fail(where, f"DSI activity {code!r} is asked over "
                              f"{ref.period_months} months (period_months: "
                              f"{ref.period_months}), as in the survey")
        missing = [a for a in activities if a not in asked]
        if missing:
            self.fail(["screens"], f"{len(missing)} DSI 2.0 activities are not asked: "
                      f"{', '.join(missing)} (every one is needed for the thresholds "
                      "to mean what Eurostat's mean)")

    def internet_use(self, spec):
        """`internet_use` names a yes/no screen asked first and a "when" screen."""
        for key, needed in (("ever", ("yes",)), ("last", LAST_USE_OPTIONS)):
            found = self.screens.get(spec[key])
            if not found:
                self.fail(["internet_use", key], f"unknown question {spec[key]!r}")
                continue
            _i, screen = found
            lacking = [o for o in needed if screen.option(o) is None]
            if screen.type != "single" or lacking:
                self.fail(["internet_use", key], f"{screen.id!r} must be a single screen "
                          f"with the options {', '.join(needed)}")

    def build_screens(self, area_ids) -> list[Screen]:
        q, screens, seen = self.q, [], set()
        for i, s in enumerate(q["screens"]):
            where = ["screens", i]
            if s["id"] in seen:
                self.fail(where + ["id"], f"duplicate screen id {s['id']!r}")
            seen.add(s["id"])
            kind = TYPES[s["type"]]

            def fail(path, message, where=where):
                self.fail(where + path, message)

            options = kind.options(s, fail)
            ids = [o["id"] for o in options]
            for j, option_id in enumerate(ids):
                if option_id in ids[:j]:
                    self.fail(where + ["options", j], f"duplicate option id {option_id!r}")
            if s.get("area") is not None:
                if s["area"] not in area_ids:
                    self.fail(where + ["area"], f"unknown area {s['area']!r}")
                if not kind.counts_as_activity:
                    self.fail(where + ["type"], f"only {ACTIVITY_TYPES} screens can count as activities")
            kind.check(s, options, fail)
            self.picture(where + ["pictogram"], s.get("pictogram"))
            self.picture(where + ["illustration"], s.get("illustration"))
            if s.get("illustration") and not s.get("illustration_alt"):
                self.fail(where, "an illustration needs illustration_alt (for screen readers)")
            screens.append(Screen(
                id=s["id"], type=kind.name, text=s["text"], help=s.get("help"),
                section=s.get("section"), area=s.get("area"),
                options=tuple(Option(o["id"], o["label"], bool(o.get("with_help")),
                                     bool(o.get("correct")), bool(o.get("exclusive")),
                                     o.get("dsi_activity"), o.get("period_months"))
                              for o in options),
                show_if=s.get("show_if"), pictogram=s.get("pictogram"),
                illustration=s.get("illustration"),
                illustration_alt=s.get("illustration_alt"), profile_field=s.get("profile_field"),
                explanation=s.get("explanation")))
        fields = [s.profile_field for s in screens if s.profile_field]
        if len(fields) != len(set(fields)):
            self.fail(["screens"], "each profile_field is asked by one screen only")
        return screens

    def condition(self, cond, where, *, before=None, answers_only=False):
        """Check that a condition names real questions, options, areas and tasks."""
        for key in ("any", "all"):
            if key in cond:
                for j, sub in enumerate(cond[key]):
                    self.condition(sub, where + [key, j], before=before, answers_only=answers_only)
                return
        if answers_only and "question" not in cond:
            self.fail(where, "show_if may only test answers to earlier questions")
            return
        if "question" in cond:
            found = self.screens.get(cond["question"])
            if not found:
                self.fail(where + ["question"], f"unknown question {cond['question']!r}")
                return
            index, screen = found
            if before is not None and index >= before:
                self.fail(where + ["question"], f"show_if names {screen.id!r}, which is not asked before")
            if "item" in cond or screen.type == "activities":
                self.item_condition(cond, where, screen)
                return
            for key in ("in", "not_in"):
                for j, option in enumerate(cond.get(key, ())):
                    if screen.option(option) is None:
                        self.fail(where + [key, j], f"{screen.id!r} has no option {option!r}")
        elif "area" in cond and cond["area"] not in self.area_ids:
            self.fail(where + ["area"], f"unknown area {cond['area']!r}")
        elif "task" in cond:
            found = self.screens.get(cond["task"])
            if not found or found[1].type != "task":
                self.fail(where + ["task"], f"{cond['task']!r} is not a task screen")

    def item_condition(self, cond, where, screen):
        """``{question, item, in}``: one item of an activities screen, answered one of
        the activity answers."""
        if screen.type != "activities" or "item" not in cond:
            self.fail(where, f"`item` names an item of an activities screen: {screen.id!r} "
                      + ("is not one" if screen.type != "activities" else "needs `item`"))
            return
        if screen.option(cond["item"]) is None:
            self.fail(where + ["item"], f"{screen.id!r} has no item {cond['item']!r}")
        for key in ("in", "not_in"):
            for j, answer in enumerate(cond.get(key, ())):
                if answer not in ITEM_ANSWERS:
                    self.fail(where + [key, j], f"{answer!r} is not an answer of an item "
                              f"({', '.join(ITEM_ANSWERS)})")

    def build_offers(self, need_ids) -> tuple[Offer, ...]:
        offers, seen = [], set()
        for i, o in enumerate(self.o["offers"]):
            where = ["offers", i]
            if o["id"] in seen:
                self.fail(where + ["id"], f"duplicate offer id {o['id']!r}", offers=True)
            seen.add(o["id"])
            for j, need in enumerate(o.get("needs", ())):
                if need not in need_ids:
                    self.fail(where + ["needs", j], f"unknown need {need!r}", offers=True)
            places = o.get("places", {})
            for key in ("services", "programmes"):
                for j, value in enumerate(places.get(key, ())):
                    if self.vocab and value not in self.vocab[key]:
                        self.fail(where + ["places", key, j],
                                  f"{value!r} is not a {key} value of the national standard",
                                  offers=True)
            self.age_bands(o.get("ages", ()), where + ["ages"])
            offers.append(Offer(o["id"], o["title"], o["text"], tuple(o.get("needs", ())),
                                bool(o.get("fallback")), tuple(places.get("services", ())),
                                tuple(places.get("programmes", ())), tuple(o.get("ages", ())),
                                tuple(o.get("language_not_in", ())), o.get("phone"),
                                self.local_places(places.get("local", ()), where)))
        if sum(o.fallback for o in offers) < 2:
            self.fail(["offers"], "at least two offers need fallback: true "
                      "(every result proposes two next steps)", offers=True)
        for i, need in enumerate(self.q["needs"]):
            if not any(need["id"] in o.needs and not (o.ages or o.language_not_in)
                       for o in offers):
                self.fail(["needs", i], f"no offer answers need {need['id']!r} for everyone "
                          "(one without `ages` or `language_not_in`)")
        return tuple(offers)

    def age_bands(self, bands, where):
        """An offer's age rule names bands of the questionnaire's age question."""
        screen = next((s for _i, s in self.screens.values() if s.profile_field == "age_band"), None)
        known = [o.id for o in screen.options] if screen else []
        for j, band in enumerate(bands):
            if band not in known:
                self.fail(where + [j], f"unknown age band {band!r} (the age question's bands: "
                          f"{', '.join(known) or 'none'})", offers=True)

    def local_places(self, services, where) -> tuple[dict, ...]:
        """The places of the local list offering any of ``services``."""
        if services and self.local is None:
            self.fail(where + ["places", "local"], "local places need `local_places` "
                      "(the file of the local list) at the top of the offers file", offers=True)
            return ()
        for j, value in enumerate(services):
            if value not in self.local.services:
                self.fail(where + ["places", "local", j], f"{value!r} is not a services value "
                          "of the local list of places", offers=True)
        wanted = set(services)
        return tuple(p for p in self.local.places if wanted & set(p["services"])) if wanted else ()
