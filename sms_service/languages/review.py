"""The translator's round trip: `export` writes every client-visible and dashboard text as
Kiswahili `.po` files (SMS, USSD, dashboard); `take_in` checks a reviewed file as the catalogues
are checked every day (placeholders, GSM-7, SMS parts at the longest values, discreet words, USSD's
160 ASCII characters) and writes it into the catalogues only when nothing is wrong."""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from . import compiled, dashboard

FILES = {"sms.po": "sms", "ussd.po": "ussd", "messages.po": "messages"}
FORMAT = re.compile(r"%\((\w+)\)s|%%")


@dataclass(frozen=True)
class Problem:
    file: str
    key: str
    message: str

    def __str__(self) -> str:
        return f"{self.file} {self.key}: {self.message}"


def export(directory: Path, language: str = "sw") -> list[Path]:
    """The catalogues as they stand (the dashboard's brought up to the code first) in `directory`."""
    dashboard.update()
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, domain in FILES.items():
        source = compiled.po_path(language, domain)
        shutil.copyfile(source, directory / name)
        written.append(directory / name)
    return written


def take_in(path: Path, language: str = "sw", write: bool = True) -> tuple[list[Problem], int]:
    """Check a reviewed file (named sms.po, ussd.po or messages.po); when it passes, it becomes the
    catalogue. Returns the problems and how many texts changed."""
    domain = FILES.get(path.name)
    if domain is None:
        return [Problem(path.name, "-", f"the file must be named one of {', '.join(FILES)}")], 0
    try:
        reviewed = dashboard.read(path)
    except Exception as exc:  # Babel's parse errors name the line
        return [Problem(path.name, "-", f"not a .po file Babel can read: {exc}")], 0
    current = dashboard.read(compiled.po_path(language, domain))
    known = {(m.context, m.id): m for m in current if m.id}
    texts: dict[tuple, str] = {}
    problems = []
    for m in reviewed:
        if not m.id:
            continue
        where = m.context or m.id[:40]
        if (m.context, m.id) not in known:
            problems.append(Problem(path.name, where, "no such English text now (an older export?): export again"))
        elif m.fuzzy:
            problems.append(Problem(path.name, where, "marked fuzzy: review it and clear the mark"))
        else:
            texts[(m.context, m.id)] = m.string or ""
    checks = {"sms": _sms, "ussd": _ussd, "messages": _dashboard}[domain]
    problems += checks(path.name, {**{k: m.string or "" for k, m in known.items()}, **texts})
    if problems:
        return problems, 0
    changed = 0
    for key, text in texts.items():
        if known[key].string != text:
            known[key].string = text
            changed += 1
    if write and changed:
        dashboard.write(current, compiled.po_path(language, domain))
        compiled.directory.cache_clear()
        compiled.directory()
    return [], changed


def _sms(name: str, texts: dict[tuple, str]) -> list[Problem]:
    from ..texts.catalogue import ENGLISH, with_kiswahili
    from ..texts.check import check_templates

    candidate = with_kiswahili(ENGLISH, {key: text for (key, _), text in texts.items()})
    return [Problem(name, p.key, p.message) for p in check_templates(candidate) if p.language == "sw"]


def _ussd(name: str, texts: dict[tuple, str]) -> list[Problem]:
    from ..ussd import check
    from ..ussd import texts as ussd_texts

    with ussd_texts.trying(ussd_texts.with_kiswahili({key: text for (key, _), text in texts.items()})):
        found = check.check()
    return [Problem(name, p.inputs, f"{p.case}: {p.message}") for p in found if not p.case.startswith("en")]


def check_dashboard(language: str = "sw") -> list[Problem]:
    """The dashboard's catalogue as it stands (`check-templates`)."""
    catalog = dashboard.read(compiled.po_path(language, "messages"))
    return _dashboard("messages.po", {(m.context, m.id): "" if m.fuzzy else m.string or "" for m in catalog if m.id})


def _dashboard(name: str, texts: dict[tuple, str]) -> list[Problem]:
    from ..texts.discreet import forbidden_terms

    problems = []
    for (_, english), text in texts.items():
        where = english[:40]
        if not text:
            problems.append(Problem(name, where, "no translation"))
            continue
        if sorted(FORMAT.findall(english)) != sorted(FORMAT.findall(text)):
            problems.append(Problem(name, where, "its %(name)s places (and %%) must be those of the English"))
        for term in forbidden_terms(text):
            problems.append(Problem(name, where, f"reveals care: '{term}' may not appear"))
    return problems
