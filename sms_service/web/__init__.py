"""The dashboard (server-rendered pages in English and Kiswahili) and the phone simulator.

People log in (`auth`); every page narrows what it reads to the account's role through the
same `access` rules and `records` functions as the API. Every form carries a CSRF token
(Flask-WTF); the API (bearer tokens) and Africa's Talking's callbacks (their own token) are
exempt, as no browser session stands behind them."""

from __future__ import annotations

from flask import Flask

from . import auth, broadcasts, clients, imports, inbox, messages, simulator, tasks, transfers  # noqa: F401  (the routes)
from .base import blueprint

__all__ = ["blueprint", "init_app"]


def init_app(app: Flask) -> None:
    from flask_wtf.csrf import CSRFProtect

    from .. import api, webhooks
    from . import errors, i18n

    app.config.setdefault("WTF_CSRF_TIME_LIMIT", None)  # valid for the session's life
    csrf = CSRFProtect(app)
    csrf.exempt(api.blueprint)
    csrf.exempt(webhooks.blueprint)
    auth.init_app(app)
    i18n.init_app(app)
    errors.init_app(app)
    app.register_blueprint(blueprint)
