"""SMS parts as Africa's Talking bills them."""

import pytest

from sms_service.texts.gsm7 import is_gsm7, non_gsm7_chars, normalise_gsm7, sms_parts

PARTS = [
    ("empty", "", 1),
    ("one full GSM-7 SMS", "a" * 160, 1),
    ("one over", "a" * 161, 2),
    ("two full parts", "a" * 306, 2),
    ("one over two parts", "a" * 307, 3),
    ("extension chars count twice", "€" * 80, 1),
    ("extension chars over the edge", "€" * 80 + "a", 2),
    ("one full UCS-2 SMS", "\u2019" * 70, 1),
    ("UCS-2 one over", "\u2019" * 71, 2),
    ("UCS-2 two full parts", "\u2019" * 134, 2),
    ("UCS-2 over two parts", "\u2019" * 135, 3),
    ("one curly quote turns GSM-7 into UCS-2", "a" * 100 + "\u2019", 2),
]


@pytest.mark.parametrize("label, text, parts", PARTS, ids=[c[0] for c in PARTS])
def test_parts(label, text, parts):
    assert sms_parts(text) == parts


def test_kiswahili_and_accented_gsm_letters_fit():
    assert is_gsm7("Habari Amina, miadi yako ni Jumatano. é ü ñ")
    assert non_gsm7_chars("it\u2019s \u201cok\u201d \u2019") == ["\u2019", "\u201c", "\u201d"]


@pytest.mark.parametrize(
    "raw, clean",
    [
        ("it\u2019s", "it's"),
        ("\u201cok\u201d", '"ok"'),
        ("8\u20135", "8-5"),
        ("wait\u2026", "wait..."),
        ("caf\u00ea", "cafe"),
        ("a\u00a0b", "a b"),
        ("Zürich", "Zürich"),
    ],
)
def test_normalise_offers_a_gsm7_text(raw, clean):
    assert normalise_gsm7(raw) == clean and is_gsm7(clean)
