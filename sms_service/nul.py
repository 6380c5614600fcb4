"""A request carrying a NUL character in a parameter, a form field or a JSON string is refused
(400) before its view acts: PostgreSQL cannot store or even compare such text, and no person,
clinic system or Africa's Talking callback sends one. The check parses the request's body, so it
runs only once the caller is known (a callback's token, an API token, a login: `refuse_nul` is
called there), and the body's size was bounded before (`sms_service.limits`): a stranger's body
is never parsed. USSD steps answer `CON`/`END` whatever comes."""

from __future__ import annotations

from flask import abort, request


def refuse_nul() -> None:
    values = list(request.args.values())
    if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        values += list(request.form.values())
    if any("\x00" in v for v in values) or (request.is_json and b"\\u0000" in request.get_data()):
        abort(400, "text may not contain NUL characters")
