"""What a visit reminder says, in the client's language (templates `reminder.*`)."""

from __future__ import annotations

from datetime import date, time

from ..models.care import INFANT_SCHEDULES
from ..texts.render import format_date, format_time, render

INFANT_KINDS = INFANT_SCHEDULES  # visits about an infant


def template_for(kind: str, has_infant: bool, purpose: str) -> str:
    if purpose == "missed_visit":
        return "reminder.missed_visit"
    return "reminder.infant_visit" if has_infant and kind in INFANT_KINDS else "reminder.visit"


def text(
    template: str,
    language: str,
    *,
    first_name: str,
    day: date,
    at: time | None,
    clinic: str,
    call: str | None,
    infant_name: str | None,
) -> str:
    """`call`: the number to ring to change the date (her Mentor Mother's, else the clinic's)."""
    return render(
        template,
        language,
        first_name=first_name,
        date=format_date(day, language),
        time=format_time(at, language),
        facility_name=clinic,
        mm_phone=call or "-",
        infant_name=infant_name or "Baby",
    )
