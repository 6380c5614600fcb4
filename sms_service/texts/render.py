"""Rendering templates in the client's language, with dates and times as people say them."""

from __future__ import annotations

import re
import string
from datetime import date, time

from .catalogue import CATALOGUE
from .dates import day_names, long_date


def language_of(language: str | None) -> str:
    """SPEC: clients default to Kiswahili."""
    return language if language in ("en", "sw") else "sw"


def format_date(day: date, language: str) -> str:
    """ "Jumanne 1 Desemba 2026" / "Tuesday 1 December 2026" (CLDR's names: `dates`)."""
    return long_date(day, language_of(language))


def format_time(moment: time | None, language: str = "en") -> str:
    """ "at 10:30" / "saa 10:30" (24-hour clock, as clinics write it), or "" when unknown."""
    if moment is None:
        return ""
    return ("saa " if language_of(language) == "sw" else "at ") + moment.strftime("%H:%M")


# A landmark that says its own preposition ("opposite the bus stage", "nyuma ya soko") is not put
# after ours: "near opposite the bus stage" is what a person would never write.
OWN_PREPOSITION = re.compile(
    r"(near|opposite|behind|beside|besides|next to|along|off|at|in|inside|across|facing|adjacent"
    r"|before|after|between|on|past|karibu|mkabala|nyuma|mbele|kando|jirani|ndani|pembeni|kati|ng'ambo)\b",
    re.IGNORECASE,
)
NEAR = {"en": "near {landmark}", "sw": "karibu na {landmark}"}


def with_landmark(text: str, language: str, landmark: object) -> str:
    """`text` with "near {landmark}" (or its Kiswahili) left as the landmark alone when the landmark
    starts with a preposition of its own."""
    if isinstance(landmark, str) and OWN_PREPOSITION.match(landmark.strip()):
        return text.replace(NEAR[language_of(language)], "{landmark}")
    return text


# Opening hours in the structured form the facilities CSV may give ("Mon-Sat 08:00-17:00", several
# joined by ", "), said in each language; any other text passes through as written.
DAY_CODES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_DAY = "|".join(DAY_CODES)
_SPAN = rf"({_DAY})(?:-({_DAY}))? ([01][0-9]|2[0-3]):([0-5][0-9])-([01][0-9]|2[0-3]):([0-5][0-9])"
HOURS = re.compile(rf"{_SPAN}(?:, {_SPAN})*")
SPAN = re.compile(_SPAN)


def say_hours(hours: str, language: str | None) -> str:
    """Structured hours in the client's language ("Mon-Sat 08:00-17:00" → "Jumatatu-Jumamosi
    08:00-17:00"); anything else unchanged."""
    if language_of(language) == "en" or not HOURS.fullmatch(hours.strip()):
        return hours

    def day(code: str) -> str:
        return day_names("sw")[DAY_CODES.index(code)]

    def span(m: re.Match) -> str:
        days = day(m[1]) + (f"-{day(m[2])}" if m[2] else "")
        return f"{days} {m[3]}:{m[4]}-{m[5]}:{m[6]}"

    return SPAN.sub(span, hours.strip())


def placeholders(text: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(text) if field}


def render(key: str, language: str | None, **values) -> str:
    template = CATALOGUE[key]
    text = with_landmark(template.text(language_of(language)), language_of(language), values.get("landmark"))
    missing = placeholders(text) - values.keys()
    if missing:
        raise KeyError(f"template {key}: no value for {', '.join(sorted(missing))}")
    if isinstance(values.get("hours"), str):
        values["hours"] = say_hours(values["hours"], language)
    return " ".join(text.format(**values).split())  # an empty {time} leaves no double space


def place_values(facility, language: str | None) -> dict[str, str]:
    """A clinic as the templates name it in the reader's language (a landmark, hours and phone
    always have a value): its Kiswahili landmark and hours for a Kiswahili reader when it has them."""
    sw = language_of(language) == "sw"
    return {
        "facility_name": facility.name,
        "landmark": (sw and facility.landmark_sw) or facility.landmark or facility.name,
        "hours": (sw and facility.hours_sw) or facility.hours or "-",
        "facility_phone": facility.phone or "-",
    }
