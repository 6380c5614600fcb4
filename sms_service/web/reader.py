"""The reader's language: the account's choice (or, before login, the visitor's), English by default."""

from __future__ import annotations

from flask import session


def language() -> str:
    chosen = session.get("lang")
    return chosen if chosen in ("en", "sw") else "en"
