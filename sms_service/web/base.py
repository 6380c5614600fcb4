"""The dashboard's blueprint, and what its views share."""

from __future__ import annotations

from flask import Blueprint

blueprint = Blueprint("web", __name__, template_folder="pages", static_folder="static", static_url_path="/static/web")


def id_arg(name: str) -> int | None:
    """A page's id parameter (where a list goes on from), or None when absent or not a number."""
    from flask import request

    raw = request.args.get(name, "")
    return int(raw) if raw.isdigit() else None
