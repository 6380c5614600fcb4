"""Kenyan mobile numbers: every accepted spelling becomes E.164, anything else a clear reason.

Accepted (SPEC, "Data loading"): 07…, 01…, 7…, 1…, 254…, +254…, with spaces or dashes.
Stored as +2547XXXXXXXX or +2541XXXXXXXX.
"""

from __future__ import annotations

import re

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberType

from .languages import N_, Said

_SEPARATORS = re.compile(r"[\s\-().]")
_MOBILE_TYPES = {PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE}


class PhoneError(ValueError):
    """The number cannot be used; the message (a `Said`, `why`) says why, without repeating the number."""

    @property
    def why(self) -> str:
        return self.args[0]


def normalise_phone(raw: str | None) -> str:
    """Return the E.164 form of a Kenyan mobile number, or raise `PhoneError`."""
    if raw is None or not str(raw).strip():
        raise PhoneError(Said(N_("phone number is empty")))
    digits = _SEPARATORS.sub("", str(raw).strip())
    if digits.startswith("00"):
        digits = "+" + digits[2:]
    if not re.fullmatch(r"\+?\d+", digits):
        raise PhoneError(Said(N_("phone number has characters other than digits, spaces, dashes and a leading +")))
    if digits.startswith("+"):
        if not digits.startswith("+254"):
            raise PhoneError(Said(N_("not a Kenyan number (+254)")))
    elif digits.startswith("254") and len(digits) == 12:
        digits = "+" + digits
    elif digits.startswith("0") and len(digits) == 10:
        digits = "+254" + digits[1:]
    elif digits[:1] in ("7", "1") and len(digits) == 9:
        digits = "+254" + digits
    else:
        raise PhoneError(
            Said(N_("not a Kenyan mobile number (expected 07…, 01…, 7…, 254… or +254… with 9 digits after the code)"))
        )
    if len(digits) != 13:
        raise PhoneError(Said(N_("wrong length for a Kenyan mobile number (9 digits after +254)")))
    if digits[4] not in "71":
        raise PhoneError(Said(N_("not a mobile number (Kenyan mobiles start 07 or 01)")))
    # The shape is known: ask the library only whether the range is an allocated mobile one
    # (number_type is UNKNOWN for an invalid number), without parsing the text again.
    number = phonenumbers.PhoneNumber(country_code=254, national_number=int(digits[4:]))
    if phonenumbers.number_type(number) not in _MOBILE_TYPES:
        raise PhoneError(Said(N_("not an allocated Kenyan mobile range")))
    return digits


def mask_phone(phone: str | None) -> str:
    """`+254712345612` → `+2547******12`: enough to tell numbers apart in logs, no more."""
    if not phone:
        return "-"
    if len(phone) <= 7:
        return "*" * len(phone)
    return phone[:5] + "*" * (len(phone) - 7) + phone[-2:]


def normalise_facility_phone(raw: str) -> str:
    """A clinic's number: any valid Kenyan number (landlines too), as E.164."""
    digits = _SEPARATORS.sub("", str(raw).strip())
    try:
        number = phonenumbers.parse(digits, "KE")
    except NumberParseException:
        raise PhoneError(Said(N_("cannot be read as a phone number"))) from None
    if number.country_code != 254 or not phonenumbers.is_valid_number(number):
        raise PhoneError(Said(N_("not a valid Kenyan phone number")))
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
