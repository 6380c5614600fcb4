"""`sms-service ussd check`: every reachable screen, both languages, the longest realistic
values; fails on a screen over 160 characters, non-ASCII, or wording that reveals care."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, time, timedelta

from ..gateway.africastalking import is_ussd_answer, render_ussd
from ..texts.catalogue import SAMPLE_LONGEST
from ..texts.discreet import forbidden_terms
from .menu import LIMIT, Move, Person, Place, Reply, Visit, answer, replay
from .texts import TEXTS

TODAY = date(2026, 9, 28)  # a Monday; the longest dates fall in the weeks after
LONG_PLACE = Place(
    SAMPLE_LONGEST["facility_name"],
    SAMPLE_LONGEST["landmark"],
    SAMPLE_LONGEST["hours"],
    SAMPLE_LONGEST["facility_phone"],
)
NAME = SAMPLE_LONGEST["first_name"]
INFANT = SAMPLE_LONGEST["infant_name"]
MAX_DEPTH = 6


@dataclass(frozen=True)
class Problem:
    case: str
    inputs: str
    message: str

    def __str__(self) -> str:
        return f"{self.case} [{self.inputs or 'first screen'}]: {self.message}"


def cases() -> dict[str, list[Person]]:
    visits = (
        Visit(1, TODAY + timedelta(days=2), time(10, 30), LONG_PLACE.name),
        Visit(2, TODAY + timedelta(days=9), None, LONG_PLACE.name, INFANT),
        Visit(3, TODAY + timedelta(days=30), time(8, 0), LONG_PLACE.name),
    )
    found = {}
    for lang in ("en", "sw"):

        def person(i, lang=lang, **kw):
            return Person(i, NAME, lang, LONG_PLACE, **kw)

        found[f"{lang}: visits, no transfer"] = [person(1, visits=visits)]
        found[f"{lang}: transfer pending"] = [person(1, move=Move(7, LONG_PLACE, TODAY + timedelta(days=2)))]
        found[f"{lang}: transfer date passed"] = [person(1, move=Move(7, LONG_PLACE, TODAY - timedelta(days=1)))]
        offer = tuple((n, i, LONG_PLACE) for n, i in enumerate((4, 5, 6), 1))
        found[f"{lang}: choice of three clinics"] = [
            person(1, move=Move(7, LONG_PLACE, TODAY + timedelta(days=2), offer))
        ]
        found[f"{lang}: opted out"] = [person(1, opted_out=True)]
        found[f"{lang}: blocked by the network"] = [person(1, opted_out=True, network_blocked=True)]
        found[f"{lang}: shared phone"] = [person(1, visits=visits), person(2), person(3, opted_out=True)]
    found["unregistered"] = []
    return found


def text_faults() -> list[Problem]:
    """Each text alone, in each language: there, plain ASCII (a basic handset shows nothing else,
    and the menu would drop the letter), and the English's {places}. Its screens, at the longest
    values and paged as the menu pages them, are walked by `check`."""
    from ..texts.render import placeholders

    problems = []
    for key, texts in TEXTS.items():
        for lang, text in texts.items():
            if not text:
                problems.append(Problem(lang, key, "no text in this language (ussd.po): the menu would show English"))
                continue
            if not text.isascii():
                problems.append(Problem(lang, key, "not ASCII"))
            if placeholders(text) != placeholders(texts["en"]):
                problems.append(Problem(lang, key, "its {places} must be those of the English"))
    return problems


def check() -> list[Problem]:
    problems = text_faults()
    for case, people in cases().items():
        seen: set[tuple[str, int]] = set()
        frontier: list[list[str]] = [[]]
        while frontier:
            inputs = frontier.pop()
            reply = answer(inputs, people, TODAY)
            key = "*".join(inputs)
            problems += [Problem(case, key, m) for m in _faults(render_ussd(reply))]
            if reply.ends or len(inputs) >= MAX_DEPTH or (reply.text, len(inputs)) in seen:
                continue
            seen.add((reply.text, len(inputs)))
            state = replay(inputs, people, TODAY)
            frontier += [inputs + [c] for c in state.choices() + ["x"] if not (c == "x" and inputs[-1:] == ["x"])]
    return problems


def rendered(inputs: list[str], people: list[Person], today) -> Reply:
    """The menu's answer as the phone shows it (through the Africa's Talking adapter: `CON …` or
    `END …`): what `check` measures against the screen's 160 characters."""
    reply = answer(inputs, people, today)
    return replace(reply, text=render_ussd(reply))


def _faults(text: str) -> list[str]:
    faults = []
    if len(text) > LIMIT:
        faults.append(f"{len(text)} characters (limit {LIMIT})")
    if not is_ussd_answer(text):
        faults.append("does not begin CON or END")
    if not text.isascii():
        faults.append("not ASCII")
    faults += [f"reveals care: '{term}'" for term in forbidden_terms(text)]
    return faults
