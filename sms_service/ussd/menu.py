"""The USSD menu (SPEC "USSD menu") as data, and one pure function that answers a session.

`answer(inputs, people, today)` replays the session's inputs (the choices typed so far) from
the first screen: `0` goes back one screen, `00` home, `98` to the next page of a long screen,
anything a screen does not offer re-shows it under "Invalid choice". A choice that ends the
session returns its `Action` for the caller to record. No database, no clock, and no channel's
words: a `Reply` is a screen's text and whether the session goes on (the gateway writes it as
its provider wants: Africa's Talking's `CON `/`END `).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, time

from ..texts.dates import short_date
from ..texts.render import say_hours, with_landmark
from .texts import JOIN, TEXTS, WHICH

LIMIT = 160  # characters a screen shows in all (Safaricom), the channel's own 4-character prefix included
SCREEN = LIMIT - 4  # what a screen's text may hold


@dataclass(frozen=True)
class Place:
    name: str
    landmark: str | None = None
    hours: str | None = None
    phone: str | None = None
    landmark_sw: str | None = None  # for a Kiswahili reader, when the clinic has them
    hours_sw: str | None = None

    def said(self, language: str) -> dict[str, str]:
        """The clinic as the screens name it in `language` (each detail always has a value)."""
        sw = language != "en"
        return dict(
            clinic=self.name,
            landmark=(sw and self.landmark_sw) or self.landmark or self.name,
            hours=(sw and self.hours_sw) or self.hours or "-",
            phone=self.phone or "-",
        )


@dataclass(frozen=True)
class Visit:
    appointment_id: int
    day: date
    at: time | None
    clinic: str
    infant: str | None = None  # infant visits are named by the infant's first name


@dataclass(frozen=True)
class Move:
    transfer_id: int
    to: Place
    day: date
    # a choice of clinic still open: (her number for it, facility id, clinic); a clinic withdrawn
    # since (it closes in turn) is left out and the others keep the numbers she was told
    offer: tuple[tuple[int, int, Place], ...] = ()


@dataclass(frozen=True)
class Person:
    client_id: int
    first_name: str
    language: str
    clinic: Place
    opted_out: bool = False
    visits: tuple[Visit, ...] = ()
    move: Move | None = None
    network_blocked: bool = False  # opted out by her network: START cannot undo it


@dataclass(frozen=True)
class Action:
    kind: str  # knows_new_clinic, arrived, choose_clinic, change_date, call_back, language, opt_out, opt_in
    client_id: int
    detail: str | int | None = None


@dataclass(frozen=True)
class Reply:
    text: str  # at most SCREEN characters, ASCII
    action: Action | None = None
    ends: bool = False  # the last screen of the session


@dataclass
class Screen:
    """What a screen shows and where each choice leads: a key of SCREENS, or an ending."""

    body: str
    choices: dict[str, str | int | Ending] = field(default_factory=dict)  # input → screen name | client | Ending
    lines: list[str] = field(default_factory=list)  # option lines shown under the body
    top: bool = False  # a first screen: no "0. Back 00. Home" line
    # when body and options do not fit one page: the options come on the first page under
    # `lead`, and the body follows a "98" away (so what she can do is never hidden)
    lead: str | None = None


@dataclass(frozen=True)
class Ending:
    text: str
    action: Action | None = None


def ascii_only(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if ord(c) < 128)


def t(key: str, language: str, **values) -> str:
    lang = "en" if language == "en" else "sw"
    if isinstance(values.get("hours"), str):
        values["hours"] = say_hours(values["hours"], lang)
    text = TEXTS[key][lang] or TEXTS[key]["en"]
    return with_landmark(text, lang, values.get("landmark")).format(**values)


def say_date(day: date, language: str) -> str:
    """CLDR's short form, never ambiguous: "Jumamosi 5 Des 2026", "Sat 5 Dec 2026"."""
    return short_date(day, "en" if language == "en" else "sw")


def say_time(at: time | None, language: str) -> str:
    if at is None:
        return ""
    return (" at " if language == "en" else " saa ") + at.strftime("%H:%M")


# -- the screens ---------------------------------------------------------------------------------


def home(p: Person, today: date) -> Screen:
    lang = p.language
    keys = ["next_visit", "my_clinic", "change_date", "call_me", "language", "start" if p.opted_out else "stop"]
    return Screen(
        t("greeting", lang, name=p.first_name),
        {
            "1": "visit",
            "2": "clinic",
            "3": "pick_visit",
            "4": Ending(t("call_noted", lang), Action("call_back", p.client_id)),
            "5": "language",
            "6": "start" if p.opted_out else "stop",
        },
        [t(k, lang) for k in keys],
        top=True,
    )


def visit(p: Person, today: date) -> Screen:
    lang = p.language
    if not p.visits:
        return Screen(t("no_visit", lang))
    v = p.visits[0]
    values = dict(date=say_date(v.day, lang), time=say_time(v.at, lang), clinic=v.clinic)
    return Screen(t("infant_visit", lang, infant=v.infant, **values) if v.infant else t("visit", lang, **values))


def clinic(p: Person, today: date) -> Screen:
    lang = p.language
    if p.move is None:
        c = p.clinic
        return Screen(t("clinic", lang, **c.said(lang)))
    m, c = p.move, p.move.to
    if m.offer:  # she chooses among the clinics offered: choosing is confirming
        day = say_date(m.day, lang)
        return Screen(
            t("choose_clinic", lang, date=day),
            {
                str(n): Ending(
                    t("noted_choice", lang, date=day, clinic=place.name),
                    Action("choose_clinic", p.client_id, f"{m.transfer_id}:{facility_id}"),
                )
                for n, facility_id, place in m.offer
            },
            [f"{n}. {place.name}" for n, _, place in m.offer],
        )
    place = c.said(lang)
    screen = Screen(
        t("new_clinic", lang, date=say_date(m.day, lang), **place),
        {"1": Ending(t("noted_know", lang), Action("knows_new_clinic", p.client_id, m.transfer_id))},
        [t("i_know", lang)],
        lead=t("new_clinic_lead", lang, date=say_date(m.day, lang), clinic=c.name),
    )
    if today >= m.day:  # once the date has come she can say she is there
        screen.choices["2"] = Ending(
            t("noted_arrived", lang, clinic=c.name), Action("arrived", p.client_id, m.transfer_id)
        )
        screen.lines.append(t("arrived", lang))
    return screen


def pick_visit(p: Person, today: date) -> Screen:
    lang = p.language
    if not p.visits:
        return Screen(t("no_visit", lang))
    shown = p.visits[:3]
    return Screen(
        t("which_visit", lang),
        {str(i): f"why_change:{v.appointment_id}" for i, v in enumerate(shown, 1)},
        [f"{i}. {say_date(v.day, lang)}" + (f" {v.infant}" if v.infant else "") for i, v in enumerate(shown, 1)],
    )


def why_change(p: Person, today: date, appointment_id: int) -> Screen:
    lang = p.language
    reasons = ("travel", "work", "unwell", "other")
    return Screen(
        t("why_change", lang),
        {
            str(i): Ending(t("change_noted", lang), Action("change_date", p.client_id, f"{appointment_id}:{reason}"))
            for i, reason in enumerate(reasons, 1)
        },
    )


def language(p: Person, today: date) -> Screen:
    return Screen(
        t("choose_language", p.language),
        {
            "1": Ending(t("language_set", "en"), Action("language", p.client_id, "en")),
            "2": Ending(t("language_set", "sw"), Action("language", p.client_id, "sw")),
        },
    )


def stop(p: Person, today: date) -> Screen:
    reasons = ("not_needed", "moved", "too_many", "other")
    return Screen(
        t("why_stop", p.language),
        {
            str(i): Ending(t("stopped", p.language), Action("opt_out", p.client_id, reason))
            for i, reason in enumerate(reasons, 1)
        },
    )


def start(p: Person, today: date) -> Screen:
    if p.network_blocked:
        ending = Ending(t("blocked", p.language), Action("opt_in_blocked", p.client_id))
    else:
        ending = Ending(t("started", p.language), Action("opt_in", p.client_id))
    return Screen(t("start_confirm", p.language), {"1": ending})


SCREENS: dict[str, Callable[..., Screen]] = {
    "home": home,
    "visit": visit,
    "clinic": clinic,
    "pick_visit": pick_visit,
    "why_change": why_change,
    "language": language,
    "stop": stop,
    "start": start,
}


# -- the engine ----------------------------------------------------------------------------------


def build(name: str, person: Person, today: date) -> Screen:
    screen, _, argument = name.partition(":")
    if argument:
        return SCREENS[screen](person, today, int(argument))
    return SCREENS[screen](person, today)


def which(people: list[Person]) -> Screen:
    return Screen(
        WHICH,
        {str(i): i - 1 for i in range(1, len(people) + 1)},
        [f"{i}. {p.first_name}" for i, p in enumerate(people, 1)],
    )


def answer(inputs: list[str], people: list[Person], today: date) -> Reply:
    """The reply to a session whose inputs so far are `inputs` (empty on the first request)."""
    if not people:
        return last(JOIN)
    state = replay(inputs, people, today)
    if state.ending is not None:
        return last(state.ending.text, state.ending.action)
    assert state.screen is not None  # no ending: a screen to show
    shown = pages(state.screen, state.person, state.invalid)
    return Reply(shown[min(state.page, len(shown) - 1)])


@dataclass
class State:
    screen: Screen | None
    person: Person | None
    page: int = 0
    invalid: bool = False
    ending: Ending | None = None

    def choices(self) -> list[str]:
        """What may be typed next (for `sms-service ussd check`)."""
        if self.ending is not None or self.screen is None:
            return []
        more = ["98"] if self.page + 1 < len(pages(self.screen, self.person)) else []
        return list(self.screen.choices) + more + ["0", "00"]


def replay(inputs: list[str], people: list[Person], today: date) -> State:
    shared = len(people) > 1
    person = None if shared else people[0]
    stack: list[str] = [] if shared else ["home"]
    page, invalid = 0, False

    def current() -> Screen:
        return which(people) if person is None else build(stack[-1], person, today)

    for raw in inputs:
        choice, invalid, screen = raw.strip(), False, current()
        if choice == "00":
            stack, page = ["home"] if person is not None else [], 0
        elif choice == "0":
            if len(stack) > 1:
                stack.pop()
            elif shared and person is not None:  # back from her menu to the choice of client
                person, stack = None, []
            page = 0
        elif choice == "98" and page + 1 < len(pages(screen, person)):
            page += 1
        elif choice not in screen.choices:
            invalid = True
        else:
            target, page = screen.choices[choice], 0
            if isinstance(target, int):  # a client chosen on a shared phone
                person, stack = people[target], ["home"]
            elif isinstance(target, Ending):
                return State(None, person, ending=target)
            else:
                stack.append(target)
    return State(current(), person, page, invalid)


def pages(screen: Screen, person: Person | None, invalid: bool = False) -> list[str]:
    """The screen as one or more pages of at most SCREEN characters (`98` for the next); the
    options come on the last page (and on the first too, under its lead, where it has one)."""
    lang = person.language if person else "sw"
    head = (t("invalid", lang) + "\n") if invalid else ""
    nav = [] if screen.top or person is None else [t("back", lang) + " " + t("home", lang)]
    if screen.lead is not None:
        whole = pages(replace(screen, lead=None), person, invalid)
        first = ascii_only(head + screen.lead + "\n" + "\n".join([*screen.lines, t("more", lang), *nav]))
        if len(whole) == 1 or len(first) > SCREEN:
            return whole
        return [first, *whole]  # then the whole screen, its options again at its end
    body, tail = ascii_only(screen.body), ascii_only("\n".join(screen.lines + nav))
    ending = f"\n{tail}" if tail else ""
    more = "\n" + t("more", lang)
    words, out = body.split(" "), list[str]()
    while True:
        prefix = head if not out else ""
        rest = " ".join(words)
        if len(prefix + rest + ending) <= SCREEN:
            out.append(prefix + rest + ending)
            return out
        line = ""
        while words and len(prefix + (line + " " + words[0]).strip() + more) <= SCREEN:
            line = (line + " " + words.pop(0)).strip()
        if not line and words:  # one word longer than a page
            room = SCREEN - len(prefix) - len(more)
            line, words[0] = words[0][:room], words[0][room:]
        out.append(prefix + line + more)


def last(text: str, action: Action | None = None) -> Reply:
    """The session's last screen: the text, cut at a word to SCREEN characters if it must be."""
    whole = ascii_only(text)
    if len(whole) > SCREEN:
        whole = whole[:SCREEN].rsplit(" ", 1)[0]
    return Reply(whole, action, ends=True)
