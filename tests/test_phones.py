"""Kenyan numbers in every accepted spelling become E.164; anything else is refused with a reason."""

import logging

import pytest

from sms_service.logs import MaskPhones, mask_phones_in
from sms_service.phones import PhoneError, mask_phone, normalise_phone

ACCEPTED = [
    ("07 local", "0700000123", "+254700000123"),
    ("01 local", "0110000123", "+254110000123"),
    ("no leading zero", "700000123", "+254700000123"),
    ("01 without zero", "110000123", "+254110000123"),
    ("254 prefix", "254700000123", "+254700000123"),
    ("E.164", "+254700000123", "+254700000123"),
    ("spaces", "0700 000 123", "+254700000123"),
    ("dashes", "+254-700-000-123", "+254700000123"),
    ("surrounding blanks", "  0700000123 ", "+254700000123"),
    ("00 international", "00254700000123", "+254700000123"),
]

REFUSED = [
    ("empty", "", "empty"),
    ("letters", "07000ABC23", "characters other than digits"),
    ("landline", "0201234567", "not a mobile number"),
    ("foreign", "+255700000123", "not a Kenyan number"),
    ("too short", "070000012", "not a Kenyan mobile number"),
    ("too long", "+2547000001234", "wrong length"),
    ("254 too long", "2547000001234", "not a Kenyan mobile number"),
]


@pytest.mark.parametrize("label, raw, expected", ACCEPTED, ids=[c[0] for c in ACCEPTED])
def test_accepted_spellings(label, raw, expected):
    assert normalise_phone(raw) == expected


@pytest.mark.parametrize("label, raw, reason", REFUSED, ids=[c[0] for c in REFUSED])
def test_refused_with_a_reason(label, raw, reason):
    with pytest.raises(PhoneError, match=reason):
        normalise_phone(raw)


def test_mask_keeps_prefix_and_last_two():
    assert mask_phone("+254712345612") == "+2547******12"


def test_log_lines_never_carry_a_full_number():
    assert mask_phones_in("send to +254700000123 and 0700000456 failed") == (
        "send to +2547******23 and +2547******56 failed"
    )
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "to %s", ("254700000123",), None)
    MaskPhones().filter(record)
    assert record.getMessage() == "to +2547******23"


def test_web_process_logs_are_masked_too(tmp_path):
    """As under gunicorn: no logging set up before the app, a module logs a number."""
    import subprocess
    import sys

    code = (
        "import logging; from sms_service import create_app; "
        f"create_app({{'DATABASE_URL': 'sqlite:///{tmp_path}/x.db'}}); "
        "logging.getLogger('sms_service.webhooks').warning('refused 0700000123')"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert "refused +2547******23" in result.stderr and "0700000123" not in result.stderr
