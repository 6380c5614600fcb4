"""`sms-service check-templates`: every template, every language, before anything is sent."""

from __future__ import annotations

from dataclasses import dataclass

from .catalogue import CATALOGUE, SAMPLE_LONGEST, SAMPLE_LONGEST_SW, Template
from .discreet import forbidden_terms
from .gsm7 import non_gsm7_chars, sms_parts
from .render import placeholders

LANGUAGES = ("en", "sw")


@dataclass(frozen=True)
class Problem:
    key: str
    language: str
    message: str

    def __str__(self) -> str:
        return f"{self.key} [{self.language}]: {self.message}"


def longest_values(language: str) -> dict[str, str]:
    return {**SAMPLE_LONGEST, **(SAMPLE_LONGEST_SW if language == "sw" else {})}


def check_template(key: str, template: Template) -> list[Problem]:
    problems = []
    texts = {language: getattr(template, language, "") for language in LANGUAGES}
    fields = {language: placeholders(text) for language, text in texts.items() if text}
    everywhere = set().union(*fields.values()) if fields else set()
    for language, text in texts.items():
        if not text:
            problems.append(Problem(key, language, "no text in this language"))
            continue
        for name in sorted(everywhere - fields[language]):
            problems.append(Problem(key, language, f"placeholder {{{name}}} is missing here"))
        for name in sorted(fields[language] - SAMPLE_LONGEST.keys()):
            problems.append(Problem(key, language, f"placeholder {{{name}}} has no sample value"))
        for char in non_gsm7_chars(text):
            problems.append(
                Problem(
                    key, language, f"character {char!r} (U+{ord(char):04X}) at position {text.index(char)} is not GSM-7"
                )
            )
        for term in forbidden_terms(text):
            problems.append(Problem(key, language, f"reveals care: '{term}' may not appear"))
        try:
            rendered = text.format(**longest_values(language))
        except (KeyError, IndexError, ValueError) as exc:
            problems.append(Problem(key, language, f"cannot be rendered: {exc!r}"))
            continue
        parts = sms_parts(rendered)
        if parts > template.parts:
            problems.append(
                Problem(
                    key,
                    language,
                    f"{parts} SMS parts at the longest values ({len(rendered)} chars), budget {template.parts}",
                )
            )
    return problems


def check_templates(catalogue: dict[str, Template] = CATALOGUE) -> list[Problem]:
    return [problem for key, template in catalogue.items() for problem in check_template(key, template)]
