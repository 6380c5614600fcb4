"""The Kiswahili of the SMS and USSD texts, read from their compiled catalogues (`sms.mo`,
`ussd.mo`) with the standard library: the hot paths import it, and pay no Babel import."""

from __future__ import annotations

import gettext
from collections.abc import Callable, Mapping

from . import compiled


class _Missing(gettext.NullTranslations):
    def pgettext(self, context, message):
        return ""


def translator(domain: str, language: str = "sw") -> Callable[[str, str], str]:
    """(key, English) → the text in `language`, "" when the catalogue has none for that English
    (a changed English text wants its translation reviewed: `check-templates` and `ussd check`
    say so)."""
    mo = compiled.directory() / language / "LC_MESSAGES" / f"{domain}.mo"
    if not mo.exists():
        return lambda key, english: ""
    with mo.open("rb") as f:
        found = gettext.GNUTranslations(f)
    found.add_fallback(_Missing())
    return found.pgettext


def kiswahili(domain: str, english: Mapping[str, str]) -> dict[str, str]:
    """Key → its Kiswahili in the `domain` catalogue ("" where it has none for that English)."""
    found = translator(domain)
    return {key: found(key, text) for key, text in english.items()}
