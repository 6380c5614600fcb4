"""A broadcast's texts, checked before anything is sent: discreet wording (refused, with the
offending word named), GSM-7 (curly quotes and dashes offered in their plain form), at most
`MAX_PARTS` SMS parts. One text per language; a missing one falls back to the other."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..languages import N_, Said
from ..texts.discreet import forbidden_terms
from ..texts.gsm7 import is_gsm7, non_gsm7_chars, normalise_gsm7, sms_parts

LANGUAGE_NAMES = {"en": Said(N_("English")), "sw": Said(N_("Kiswahili"))}
MAX_PARTS = 3


@dataclass
class Content:
    texts: dict[str, str] = field(default_factory=dict)  # en and sw, after the fallback
    parts: dict[str, int] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)  # each a `Said`: English, and the page's words
    normalised: dict[str, str] = field(default_factory=dict)  # offered in place of what was typed
    reasons: set[str] = field(default_factory=set)  # revealing, not_gsm7, too_long, empty: for short answers

    @property
    def ok(self) -> bool:
        return not self.problems


def check(text_en: str | None, text_sw: str | None, *, normalise: bool = False) -> Content:
    """`normalise`: take the plain forms of look-alike characters instead of offering them."""
    given = {lang: " ".join((text or "").split()) or None for lang, text in (("en", text_en), ("sw", text_sw))}
    content = Content()
    if not any(given.values()):
        content.problems.append(Said(N_("a text in English or Kiswahili is needed")))
        content.reasons.add("empty")
        return content
    for lang, text in given.items():
        if text is None:
            continue
        name = LANGUAGE_NAMES[lang]
        for term in forbidden_terms(text):
            content.problems.append(
                Said(N_("%(name)s: the word '%(term)s' may not be sent (discreet wording)"), name=name, term=term)
            )
            content.reasons.add("revealing")
        if not is_gsm7(text):
            plain = normalise_gsm7(text)
            if not is_gsm7(plain):
                content.reasons.add("not_gsm7")
                content.problems.append(
                    Said(
                        N_("%(name)s: characters a basic phone cannot show: %(chars)s"),
                        name=name,
                        chars=" ".join(non_gsm7_chars(plain)),
                    )
                )
            elif normalise:
                text = plain
            else:
                content.reasons.add("not_gsm7")
                content.normalised[lang] = plain
                content.problems.append(
                    Said(N_("%(name)s: curly quotes, dashes or accents: send the plain text offered"), name=name)
                )
        given[lang] = text
    for lang, other in (("en", "sw"), ("sw", "en")):
        content.texts[lang] = given[lang] or given[other] or ""  # one of them is given (checked above)
        content.parts[lang] = sms_parts(content.texts[lang])
        if content.parts[lang] > MAX_PARTS and given[lang]:
            content.problems.append(
                Said(
                    N_("%(name)s: %(parts)s SMS parts; at most %(most)s"),
                    name=LANGUAGE_NAMES[lang],
                    parts=content.parts[lang],
                    most=MAX_PARTS,
                )
            )
            content.reasons.add("too_long")
    return content
