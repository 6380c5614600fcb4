"""A page that cannot be shown says so in the reader's language, under the usual header, with a
way back; the API keeps its JSON and Africa's Talking's callbacks their bare answers."""

from __future__ import annotations

from flask import render_template, request
from werkzeug.exceptions import HTTPException

from ..languages import N_
from .labels import words

PAGES = {
    403: (N_("Not for this account"), N_("This page is not open to your account.")),
    404: (N_("Page not found"), N_("There is no such page here, or nothing with that number.")),
    405: (N_("Not possible here"), N_("That cannot be done on this page.")),
}


def init_app(app) -> None:
    from ..api.base import PREFIX, http_error

    def page(error: HTTPException):
        if request.path.startswith(PREFIX + "/"):
            return http_error(error)
        if request.blueprint not in (None, "web"):
            return error
        title, why = PAGES[error.code or 404]
        return render_template("error.html", title=words(title), why=words(why)), error.code

    for code in PAGES:
        app.register_error_handler(code, page)
