"""A request carrying a NUL character in a parameter, a form field or a JSON string is refused
(400) before any view runs: PostgreSQL cannot store or even compare such text, and no person,
clinic system or Africa's Talking callback sends one. Africa's Talking's callbacks check their
token first (a stranger learns nothing); USSD steps answer `CON`/`END` whatever comes."""
from __future__ import annotations

from flask import Flask, abort, request


def refuse_nul() -> None:
    values = list(request.args.values())
    if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        values += list(request.form.values())
    if any("\x00" in v for v in values) or (request.is_json and b"\\u0000" in request.get_data()):
        abort(400, "text may not contain NUL characters")


def init_app(app: Flask) -> None:
    @app.before_request
    def everywhere_but_callbacks():
        if not request.path.startswith("/webhooks/"):
            refuse_nul()
