"""Dates as people read them, from CLDR (Babel's English and Kiswahili locale data), one place
for SMS, USSD and pages:

- `long_date`: "Jumanne 1 Desemba 2026", "Tuesday 1 December 2026" (an SMS, a page);
- `short_date`: "Jumanne 1 Des 2026", "Tue 1 Dec 2026" (a USSD screen of 160 characters). CLDR's
  abbreviated Kiswahili weekday is the whole name: five weekdays begin "Jum", and cut to three
  letters they all read "Jum";
- `day_names`: the weekdays, Monday first (structured opening hours said in Kiswahili);
- `on_page`: a date or a moment in a page's short form ("1 Des 2026", "1 Des 2026 14:05").

Babel is imported on first use, not with the app: its import is a fifth of `create_app`'s time.
Each answer is kept: a USSD screen asks for a handful of dates, again and again."""

from __future__ import annotations

from datetime import date, datetime
from functools import cache

LOCALES = {"en": "en", "sw": "sw"}


def _locale(language: str | None) -> str:
    return LOCALES.get(language or "", "sw")  # SPEC: clients default to Kiswahili


@cache
def long_date(day: date, language: str | None) -> str:
    from babel.dates import format_date

    return format_date(day, "EEEE d MMMM y", locale=_locale(language))


@cache
def short_date(day: date, language: str | None) -> str:
    from babel.dates import format_date

    return format_date(day, "EEE d MMM y", locale=_locale(language))


@cache
def day_names(language: str | None) -> tuple[str, ...]:
    from babel.dates import get_day_names

    names = get_day_names("wide", locale=_locale(language))
    return tuple(names[i] for i in range(7))  # Babel's 0 is Monday


def on_page(moment: date | datetime, language: str | None, pattern: str | None = None) -> str:
    """A page's date ("d MMM y") or moment ("d MMM y HH:mm"), or `pattern` (CLDR's letters)."""
    from babel.dates import format_date, format_datetime

    if isinstance(moment, datetime):
        return format_datetime(moment, pattern or "d MMM y HH:mm", locale=_locale(language))
    return format_date(moment, pattern or "d MMM y", locale=_locale(language))
