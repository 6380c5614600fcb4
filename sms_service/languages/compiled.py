"""The catalogues compiled to `.mo`, next to their `.po`, whenever a `.po` is newer (an install, a
translator's file taken in): every process (web, worker, command) calls `directory()` before it
reads one, and pays a few `stat` calls when nothing changed."""

from __future__ import annotations

import tempfile
from functools import cache
from pathlib import Path

CATALOGUES = Path(__file__).parent / "catalogues"
LANGUAGES = ("en", "sw")
DOMAINS = ("messages", "sms", "ussd")


def po_path(language: str, domain: str, root: Path | None = None) -> Path:
    return (root or CATALOGUES) / language / "LC_MESSAGES" / f"{domain}.po"


def _root() -> Path:
    return CATALOGUES  # read when called: a test points it at a copy


def _stale(po: Path, mo: Path) -> bool:
    try:
        return mo.stat().st_mtime < po.stat().st_mtime
    except FileNotFoundError:
        return True


def compile_one(po: Path, mo: Path) -> None:
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with po.open("rb") as f:
        catalog = read_po(f, abort_invalid=True)
    mo.parent.mkdir(parents=True, exist_ok=True)
    partial = mo.with_suffix(".mo.partial")
    with partial.open("wb") as f:
        write_mo(f, catalog, use_fuzzy=False)
    partial.replace(mo)  # a reader in another process never sees half a file


@cache
def directory() -> Path:
    """Where the compiled catalogues are: beside the `.po` files, or (an installed package one
    may not write to) a private copy in the temporary directory."""
    todo = [
        (po_path(lang, domain), po_path(lang, domain).with_suffix(".mo"))
        for lang in LANGUAGES
        for domain in DOMAINS
        if po_path(lang, domain).exists()
    ]
    try:
        for po, mo in todo:
            if _stale(po, mo):
                compile_one(po, mo)
        return _root()
    except OSError:
        elsewhere = Path(tempfile.mkdtemp(prefix="sms-service-catalogues-"))
        for po, _ in todo:
            compile_one(po, elsewhere / po.relative_to(_root()).with_suffix(".mo"))
        return elsewhere
