"""A page that cannot be shown says so in the reader's language, under the usual header, with a
way back; the API keeps its JSON and Africa's Talking's callbacks their bare answers."""

from __future__ import annotations

from flask import render_template, request
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import HTTPException

PAGES = {
    403: (_l("Not for this account"), _l("This page is not open to your account.")),
    404: (_l("Page not found"), _l("There is no such page here, or nothing with that number.")),
    405: (_l("Not possible here"), _l("That cannot be done on this page.")),
}


def init_app(app) -> None:
    from ..api.base import PREFIX, http_error

    def page(error: HTTPException):
        if request.path.startswith(PREFIX + "/"):
            return http_error(error)
        if request.blueprint not in (None, "web"):
            return error
        title, why = PAGES[error.code or 404]
        return render_template("error.html", title=title, why=why), error.code

    for code in PAGES:
        app.register_error_handler(code, page)
