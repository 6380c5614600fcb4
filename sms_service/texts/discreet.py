"""Discreet wording (SPEC non-negotiable 1): no text a client can see may reveal HIV care.

One table of forbidden terms, English and Kiswahili, each a pattern matched on a folded copy
of the text (lower case, accents removed, punctuation between letters tolerated). Used for
every template and for every broadcast a person types, so it names the offending word.
"""

from __future__ import annotations

import re
import unicodedata

# letters of an acronym may be split by dots, spaces or dashes: "H.I.V", "h i v", "C-D-4"
_GAP = r"[\s.\-_*'/]?"


def _acronym(letters: str) -> str:
    return _GAP.join(re.escape(c) for c in letters)


def _phrase(*words: str) -> str:
    return r"[\s\-_.]+".join(words)


# term shown to the user → pattern (on folded text; \b word boundaries around each)
FORBIDDEN: dict[str, str] = {
    "HIV": _acronym("hiv") + r"s?",
    "VVU": _acronym("vvu"),  # Virusi Vya Ukimwi
    "UKIMWI": r"ukimwi",
    "AIDS": _acronym("aids"),
    "ARV": _acronym("arv") + r"(?:'?s)?",
    "ART": r"art",  # as a word only: "start", "party", "smart" are fine
    "antiretroviral": r"anti[\s\-]?retro[\s\-]?virals?",
    "PMTCT": _acronym("pmtct"),
    "CCC": _acronym("ccc"),  # comprehensive care clinic
    "PrEP": r"prep",
    "PEP": r"pep",
    "viral load": _phrase("viral", "loads?"),
    "wingi wa virusi": _phrase("wingi", "wa", "virusi"),
    "virusi": r"virusi",
    "CD4": _acronym("cd4"),
    "results": r"results?",
    "matokeo": r"matokeo",
    "positive": r"positive",
    "chanya": r"chanya",
    "dawa za kupunguza makali": _phrase("dawa", "za", "kupunguza", "makali"),
    "kupunguza makali": _phrase("kupunguza", "makali"),
}

_COMPILED = [(term, re.compile(rf"\b(?:{pattern})\b")) for term, pattern in FORBIDDEN.items()]


def fold(text: str) -> str:
    """Lower case without accents, so "VÍH" and "vih" compare equal."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def forbidden_terms(text: str) -> list[str]:
    """The forbidden terms found in `text`, by name, in table order."""
    folded = fold(text)
    return [term for term, pattern in _COMPILED if pattern.search(folded)]


def is_discreet(text: str) -> bool:
    return not forbidden_terms(text)
