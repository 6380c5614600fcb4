"""Rendering templates in the client's language, with dates and times as people say them."""

from __future__ import annotations

import string
from datetime import date, time

from .catalogue import CATALOGUE

DAYS = {
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
    "sw": ("Jumatatu", "Jumanne", "Jumatano", "Alhamisi", "Ijumaa", "Jumamosi", "Jumapili"),
}
MONTHS = {
    "en": (
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ),
    "sw": (
        "Januari",
        "Februari",
        "Machi",
        "Aprili",
        "Mei",
        "Juni",
        "Julai",
        "Agosti",
        "Septemba",
        "Oktoba",
        "Novemba",
        "Desemba",
    ),
}


def language_of(language: str | None) -> str:
    """SPEC: clients default to Kiswahili."""
    return language if language in ("en", "sw") else "sw"


def format_date(day: date, language: str) -> str:
    language = language_of(language)
    return f"{DAYS[language][day.weekday()]} {day.day} {MONTHS[language][day.month - 1]} {day.year}"


def format_time(moment: time | None, language: str = "en") -> str:
    """ "at 10:30" / "saa 10:30" (24-hour clock, as clinics write it), or "" when unknown."""
    if moment is None:
        return ""
    return ("saa " if language_of(language) == "sw" else "at ") + moment.strftime("%H:%M")


def placeholders(text: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(text) if field}


def render(key: str, language: str | None, **values) -> str:
    template = CATALOGUE[key]
    text = template.text(language_of(language))
    missing = placeholders(text) - values.keys()
    if missing:
        raise KeyError(f"template {key}: no value for {', '.join(sorted(missing))}")
    return " ".join(text.format(**values).split())  # an empty {time} leaves no double space


def place_values(facility) -> dict[str, str]:
    """A clinic as the templates name it (a landmark, hours and phone always have a value)."""
    return {
        "facility_name": facility.name,
        "landmark": facility.landmark or facility.name,
        "hours": facility.hours or "-",
        "facility_phone": facility.phone or "-",
    }
