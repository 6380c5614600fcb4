"""Reading a client's SMS for danger signs (heavy bleeding, convulsions, a baby not feeding…), in
English and Kiswahili, the way real typing arrives. Pure functions: no database, no I/O.

The signs and their phrasings are data (`danger_signs.json`, extended by a programme's own file,
`DANGER_SIGNS_FILE`). A phrasing matches when its words come in order in the message, with at
most `GAP` other words between two of them ("bleeding so much" for "bleeding much"); a word of
five letters or more forgives one slip (a letter swapped, missing, doubled or, from six
letters, mistyped), as the keyword reader does; a word ending in `*` matches any word it starts.

A missed danger sign is worse than a false alarm: the reader errs towards urgent.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from .keywords import normalise, one_slip

GAP = 2  # other words allowed between two words of a phrasing
DEFAULT = Path(__file__).with_name("danger_signs.json")


@dataclass(frozen=True)
class Sign:
    name: str  # heavy_bleeding, convulsions…
    who: str  # mother, baby, mother_or_baby
    phrasings: tuple[tuple[str, ...], ...]


def load(*paths: Path | str | None) -> tuple[Sign, ...]:
    """The signs of the default file, with those of `paths` (a programme's own) added."""
    found: dict[str, tuple[str, list[tuple[str, ...]]]] = {}
    for path in (DEFAULT, *paths):
        if not path:
            continue
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        for name, sign in data["signs"].items():
            who, phrasings = found.setdefault(name, (sign.get("who", "mother_or_baby"), []))
            for language in ("en", "sw"):
                phrasings += [_words(p) for p in sign.get(language, [])]
    return tuple(Sign(name, who, tuple(dict.fromkeys(p))) for name, (who, p) in found.items())


def _words(phrasing: str) -> tuple[str, ...]:
    """A phrasing's words as `normalise` gives them, a trailing `*` kept."""
    out: list[str] = []
    for token in phrasing.split():
        parts = normalise(token.rstrip("*"))
        if parts and token.endswith("*"):
            parts[-1] += "*"
        out += parts
    return tuple(out)


@cache
def signs(extra: str | None = None) -> tuple[Sign, ...]:
    return load(extra)


def read(text: str, extra: str | None = None) -> list[str]:
    """The danger signs `text` speaks of (their names), in the list's order; [] when none."""
    words = normalise(text)
    if not words:
        return []
    return [s.name for s in signs(extra) if any(_says(words, p) for p in s.phrasings)]


def _says(words: list[str], phrasing: tuple[str, ...]) -> bool:
    """The phrasing's words in order in `words`, at most GAP others between two of them."""
    for start, word in enumerate(words):
        if not _same(word, phrasing[0]):
            continue
        at, ok = start, True
        for wanted in phrasing[1:]:
            nxt = next(
                (i for i in range(at + 1, min(len(words), at + 2 + GAP)) if _same(words[i], wanted)),
                None,
            )
            if nxt is None:
                ok = False
                break
            at = nxt
        if ok:
            return True
    return False


def _same(word: str, wanted: str) -> bool:
    if wanted.endswith("*"):
        return word.startswith(wanted[:-1])
    return word == wanted or (len(wanted) >= 5 and one_slip(word, wanted))
