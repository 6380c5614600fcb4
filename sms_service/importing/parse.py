"""Reading one CSV row into typed values, with a precise reason when a value is wrong."""

from __future__ import annotations

import re
from datetime import date, datetime, time

from ..languages import N_, Said
from ..models import APPOINTMENT_KINDS, LANGUAGES, STAGES
from ..phones import PhoneError, normalise_facility_phone, normalise_phone


class RowInvalid(ValueError):
    """A row refused: `said` names the column and the reason (English as a string, the reader's
    words on the imports page)."""

    def __init__(self, column: str, reason: str):
        self.said = Said(N_("%(column)s: %(reason)s"), column=column, reason=reason)
        super().__init__(str(self.said))


def required(row: dict, column: str) -> str:
    value = row.get(column) or ""
    if not value:
        raise RowInvalid(column, Said(N_("required, but empty")))
    return value


def optional(row: dict, column: str) -> str | None:
    return row.get(column) or None


def a_date(row: dict, column: str, *, needed: bool = False) -> date | None:
    raw = required(row, column) if needed else optional(row, column)
    if raw is None:
        return None
    try:
        if len(raw) != 10:  # fromisoformat would also take 20260301
            raise ValueError(raw)
        return date.fromisoformat(raw)
    except ValueError:
        raise RowInvalid(column, Said(N_("'%(raw)s' is not a date as YYYY-MM-DD"), raw=raw)) from None


def a_time(row: dict, column: str) -> time | None:
    raw = optional(row, column)
    if raw is None:
        return None
    try:
        return datetime.strptime(raw, "%H:%M").time()
    except ValueError:
        raise RowInvalid(column, Said(N_("'%(raw)s' is not a time as HH:MM"), raw=raw)) from None


def choice(row: dict, column: str, allowed: tuple[str, ...], default: str) -> str:
    raw = (optional(row, column) or default).lower()
    if raw not in allowed:
        raise RowInvalid(column, Said(N_("'%(raw)s' is not one of %(allowed)s"), raw=raw, allowed=", ".join(allowed)))
    return raw


def mobile(row: dict, column: str) -> str:
    try:
        return normalise_phone(required(row, column))
    except PhoneError as exc:
        raise RowInvalid(column, exc.why) from None


def any_phone(row: dict, column: str) -> str | None:
    raw = optional(row, column)
    if raw is None:
        return None
    try:
        return normalise_facility_phone(raw)
    except PhoneError as exc:
        raise RowInvalid(column, exc.why) from None


# Each parser returns the row's values by model attribute; references stay as codes (`*_code`)
# until the loader resolves them.

FACILITY_CODE = re.compile(r"[A-Za-z0-9_-]{1,32}")


def facility_code(row: dict, column: str = "code") -> str:
    """A facility's code: letters, digits, '-' and '_' (it names files and rows of others' lists)."""
    code = required(row, column)
    if not FACILITY_CODE.fullmatch(code):
        raise RowInvalid(column, Said(N_("letters, digits, '-' and '_' only, at most 32")))
    return code


def words(row: dict, column: str, limit: int, *, needed: bool = False) -> str | None:
    """Free text that fits its column (a longer one would fail the whole batch on PostgreSQL)."""
    value = required(row, column) if needed else optional(row, column)
    if value is not None and len(value) > limit:
        raise RowInvalid(column, Said(N_("at most %(limit)s characters, not %(n)s"), limit=limit, n=len(value)))
    return value


def in_kiswahili(row: dict, column: str, english: str | None, limit: int) -> str | None:
    """A clinic's words for Kiswahili readers (`landmark_sw`, `hours_sw`): only beside the English
    ones, which English readers get (a Kiswahili reader gets the English, or structured hours in
    Kiswahili, when there are none)."""
    value = words(row, column, limit)
    if value is not None and english is None:
        raise RowInvalid(
            column, Said(N_("give %(english)s too: English readers need it"), english=column.removesuffix("_sw"))
        )
    return value


def facility(row: dict) -> dict:
    landmark, hours = words(row, "landmark", 120), words(row, "hours", 80)
    return {
        "code": facility_code(row),
        "name": words(row, "name", 120, needed=True),
        "county": words(row, "county", 80),
        "sub_county": words(row, "sub_county", 80),
        "landmark": landmark,
        "phone": any_phone(row, "phone"),
        "hours": hours,
        "landmark_sw": in_kiswahili(row, "landmark_sw", landmark, 120),
        "hours_sw": in_kiswahili(row, "hours_sw", hours, 80),
        "closed_on": a_date(row, "closed_on"),
    }


def mentor_mother(row: dict) -> dict:
    return {
        "code": required(row, "code"),
        "name": required(row, "name"),
        "phone": mobile(row, "phone"),
        "facility_code": required(row, "facility_code"),
        "language": choice(row, "language", LANGUAGES, "sw"),
    }


def client(row: dict) -> dict:
    return {
        "external_id": required(row, "client_id"),
        "first_name": required(row, "first_name"),
        "phone": mobile(row, "phone"),
        "facility_code": required(row, "facility_code"),
        "language": choice(row, "language", LANGUAGES, "sw"),
        "mentor_mother_code": optional(row, "mentor_mother_code"),
        "stage": choice(row, "stage", STAGES, "other"),
        "edd": a_date(row, "edd"),
        "infant_dob": a_date(row, "infant_dob"),
    }


def appointment(row: dict) -> dict:
    return {
        "client_code": required(row, "client_id"),
        "date": a_date(row, "date", needed=True),
        "time": a_time(row, "time"),
        "kind": choice(row, "kind", APPOINTMENT_KINDS, "other"),
        "facility_code": optional(row, "facility_code"),
    }


def transfer(row: dict) -> dict:
    return {
        "client_code": required(row, "client_id"),
        "to_facility_code": required(row, "to_facility_code"),
        "effective_date": a_date(row, "effective_date", needed=True),
        "reason": optional(row, "reason"),
    }
