"""The dashboard (server-rendered pages in English and Kiswahili) and the phone simulator.

People log in (`auth`); every page narrows what it reads to the account's role through the
same `access` rules and `records` functions as the API. Every form carries a CSRF token
(Flask-WTF); the API (bearer tokens) and Africa's Talking's callbacks (their own token) are
exempt, as no browser session stands behind them."""
from __future__ import annotations

from flask import Blueprint, Flask

blueprint = Blueprint("web", __name__, template_folder="pages", static_folder="static",
                      static_url_path="/static/web")


def id_arg(name: str) -> int | None:
    """A page's id parameter (where a list goes on from), or None when absent or not a number."""
    from flask import request

    raw = request.args.get(name, "")
    return int(raw) if raw.isdigit() else None


def init_app(app: Flask) -> None:
    from flask_wtf.csrf import CSRFProtect

    from .. import api, webhooks
    from . import i18n

    app.config.setdefault("WTF_CSRF_TIME_LIMIT", None)  # valid for the session's life
    csrf = CSRFProtect(app)
    csrf.exempt(api.blueprint)
    csrf.exempt(webhooks.blueprint)
    auth.init_app(app)
    i18n.init_app(app)
    app.register_blueprint(blueprint)


from . import (  # noqa: E402,F401  (the routes)
    auth, broadcasts, clients, imports, messages, simulator, tasks, transfers,
)
