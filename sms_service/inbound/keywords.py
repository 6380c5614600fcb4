"""Reading a person's SMS as a keyword (SPEC "SMS keywords"), the way real typing arrives.

Case, accents, surrounding spaces and punctuation, a shared shortcode's keyword prefix, polite
words around the keyword ("stop please", "ndio asante"), `0` typed for `o`, and common
misspellings where only one keyword is meant. Pure functions: no database, no I/O.

A message is a keyword when, politeness aside, it is the keyword alone, or the keyword and a
first name (a shared phone: "VISIT AMINA"). A few keywords also lead longer messages: STOP
and SITISHA always (an opt-out must never be missed), ACHA when the rest speaks of messages
("acha kunitumia ujumbe"; "acha nikuulize" is not an opt-out), YES/NDIO/1 with a comment
("ndio lakini nitachelewa": confirmed, and the comment goes to her Mentor Mother), and
LUGHA/LANGUAGE with the language. Anything else is free text.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# keyword → every spelling taken for it exactly (after normalising)
SPELLINGS: dict[str, frozenset[str]] = {
    "stop": frozenset({"stop", "acha", "sitisha", "stopp", "stoop", "sotp", "stpo", "stp", "sitsha", "unsubscribe"}),
    "start": frozenset({"start", "anza", "strat", "satrt", "statr", "anzaa", "anzia"}),
    "help": frozenset({"help", "msaada", "hlep", "halp", "helo", "msada", "msaaada", "usaidizi"}),
    "visit": frozenset({"visit", "tarehe", "vist", "visti", "viset", "tareh", "tarehi"}),
    "clinic": frozenset({"clinic", "kliniki", "clinik", "klinik", "cliniki", "kiliniki", "clinc"}),
    "yes": frozenset({"yes", "ndio", "ndiyo", "1", "yess", "yea", "yeah", "ndiio", "sawa", "ok", "okay"}),
    "language": frozenset({"lugha", "language"}),
    "sw": frozenset({"sw", "kiswahili", "swahili", "kisw"}),
    "en": frozenset({"en", "english", "kiingereza", "eng", "kingereza"}),
}
# Longer keywords also forgive one slip (a letter swapped, missing, doubled or, from six
# letters, mistyped) when no other keyword is as near.
FORGIVING = {
    "sitisha": "stop",
    "msaada": "help",
    "tarehe": "visit",
    "kliniki": "clinic",
    "clinic": "clinic",
    "visit": "visit",
    "start": "start",
    "english": "en",
    "kiswahili": "sw",
}
POLITE = frozenset(
    {"please", "pls", "plz", "tafadhali", "tafathali", "asante", "thanks", "thank", "you", "sana", "ok", "okay", "sawa"}
)
ALWAYS_LEADS = frozenset({"stop", "sitisha"})  # as the first word, whatever follows
ABOUT_MESSAGES = frozenset({"ujumbe", "jumbe", "sms", "meseji", "message", "messages", "texts", "msg"})
LANGUAGES = {"sw": "sw", "en": "en"}


@dataclass(frozen=True)
class Reading:
    keyword: str | None  # stop, start, help, visit, clinic, yes, language, sw, en; None: free text
    words: tuple[str, ...] = ()  # what followed the keyword, politeness removed
    language: str | None = None  # for `language`: sw | en | None (asked without one)

    @property
    def free_text(self) -> bool:
        return self.keyword is None


def normalise(text: str) -> list[str]:
    """Lower-case words without accents or punctuation; `0` inside a word is read as `o`."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()
    words = re.sub(r"[^\w]+|_", " ", plain).split()
    return [re.sub(r"0", "o", w) if re.search(r"[a-z]", w) else w for w in words]


def read(text: str, prefix: str | None = None) -> Reading:
    words = normalise(text)
    if prefix and words and words[0] == " ".join(normalise(prefix)):
        words = words[1:]
    while (
        len(words) > 1
        and words[0] in POLITE
        and keyword_of(words[0]) is None
        and any(w not in POLITE or keyword_of(w) for w in words[1:])
    ):
        words = words[1:]  # "tafadhali tarehe", "please stop": politeness before the keyword too
    if not words:
        return Reading(None)
    first, rest = keyword_of(words[0]), [w for w in words[1:] if w not in POLITE]
    if first is None and len(words) > 1 and all(w in POLITE for w in words[1:]):
        return Reading(None, tuple(words))
    if first in ("sw", "en") and not rest:
        return Reading("language", (), LANGUAGES[first])
    if first == "language":
        chosen = keyword_of(rest[0]) if rest else None
        if chosen in ("sw", "en") and len(rest) == 1:
            return Reading("language", (), LANGUAGES[chosen])
        return Reading("language") if not rest else Reading(None, tuple(words))
    if first is None:
        return Reading(None, tuple(words))
    if not rest or len(rest) == 1 and first in ("visit", "clinic", "help", "start", "stop"):
        return Reading(first, tuple(rest))  # alone, or with a first name on a shared phone
    if words[0] in ALWAYS_LEADS or first == "yes":
        return Reading(first, tuple(rest))
    if first == "stop" and ABOUT_MESSAGES & set(rest):  # "acha kunitumia ujumbe"
        return Reading(first, tuple(rest))
    return Reading(None, tuple(words))


def keyword_of(word: str) -> str | None:
    for keyword, spellings in SPELLINGS.items():
        if word in spellings:
            return keyword
    if len(word) < 5:
        return None
    near = {keyword for target, keyword in FORGIVING.items() if one_slip(word, target)}
    return near.pop() if len(near) == 1 else None


def one_slip(word: str, target: str) -> bool:
    """Damerau distance 1: one letter missing, extra, or two neighbours swapped; a different
    letter only for targets of six letters or more."""
    if word == target:
        return False
    if abs(len(word) - len(target)) > 1:
        return False
    if len(word) == len(target):
        diffs = [i for i, (a, b) in enumerate(zip(word, target, strict=True)) if a != b]
        if len(diffs) == 2 and diffs[1] == diffs[0] + 1:
            i = diffs[0]
            return word[i] == target[i + 1] and word[i + 1] == target[i]
        return len(diffs) == 1 and len(target) >= 6
    shorter, longer = (word, target) if len(word) < len(target) else (target, word)
    return any(longer[:i] + longer[i + 1 :] == shorter for i in range(len(longer)))
