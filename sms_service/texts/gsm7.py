"""GSM 03.38: which texts fit the 7-bit alphabet, and how many SMS parts a text costs.

GSM-7: 160 characters in one SMS, 153 per part when split; the extension characters count
twice. One character outside the alphabet makes the whole text UCS-2: 70, then 67 per part.
"""

from __future__ import annotations

import math
import unicodedata

BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
EXTENSION = frozenset("^{}\\[~]|€\f")
ALPHABET = BASIC | EXTENSION

_REPLACEMENTS = {
    "\u2018": "'",
    "\u2019": "'",
    "\u201a": "'",
    "\u201b": "'",
    "\u2032": "'",
    "`": "'",
    "\u201c": '"',
    "\u201d": '"',
    "\u201e": '"',
    "\u2033": '"',
    "«": '"',
    "»": '"',
    "\u2010": "-",
    "\u2011": "-",
    "\u2012": "-",
    "\u2013": "-",
    "\u2014": "-",
    "\u2015": "-",
    "\u2212": "-",
    "\u2026": "...",
    "\u00a0": " ",
    "\u2007": " ",
    "\u202f": " ",
    "\t": " ",
    "\u2022": "-",
    "\u00b7": "-",
}


def non_gsm7_chars(text: str) -> list[str]:
    """The distinct characters of `text` outside GSM-7, in order of first appearance."""
    seen: dict[str, None] = {}
    for char in text:
        if char not in BASIC and char not in EXTENSION:
            seen.setdefault(char)
    return list(seen)


def is_gsm7(text: str) -> bool:
    return ALPHABET.issuperset(text)


def septets(text: str) -> int:
    return len(text) + sum(text.count(char) for char in EXTENSION.intersection(text))


def sms_parts(text: str) -> int:
    """How many SMS parts `text` is billed as."""
    if is_gsm7(text):
        length, single, multi = septets(text), 160, 153
    else:
        length, single, multi = len(text.encode("utf-16-le")) // 2, 70, 67
    if length <= single:
        return 1
    return math.ceil(length / multi)


def normalise_gsm7(text: str) -> str:
    """Replace look-alikes (curly quotes, dashes, accents) with their GSM-7 forms where possible."""
    out = []
    for char in text:
        char = _REPLACEMENTS.get(char, char)
        if len(char) == 1 and char not in BASIC and char not in EXTENSION:
            stripped = "".join(c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c))
            if stripped and all(c in BASIC for c in stripped):
                char = stripped
        out.append(char)
    return "".join(out)
