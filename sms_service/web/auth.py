"""Logging in and out. Sessions are Flask's signed cookies (HttpOnly, SameSite=Lax, Secure in
production) holding the account id and its password version; a login starts a fresh session.
Failures are throttled per account (in the database) and per address (in Redis)."""

from __future__ import annotations

import hashlib
import logging
from functools import wraps
from urllib.parse import urlsplit

from flask import abort, flash, g, redirect, render_template, request, session, url_for
from flask_login import LoginManager, current_user, login_user, logout_user

from ..accounts import users
from ..bootstrap import get_services
from ..db import utcnow
from ..nul import refuse_nul
from .base import blueprint
from .labels import label

log = logging.getLogger(__name__)
manager = LoginManager()


def init_app(app) -> None:
    manager.init_app(app)
    manager.login_view = "web.login"
    manager.login_message = None
    manager.session_protection = "basic"


@manager.user_loader
def load_account(account_id: str):
    with get_services().db.session() as s:
        return users.load(s, account_id)


def needs(*roles: str):
    """The page needs a logged-in account (of one of `roles`, when given); `g.caller` is set."""

    def decorate(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            if not current_user.is_authenticated:
                return manager.unauthorized()
            if roles and current_user.role not in roles:
                abort(403)
            refuse_nul()  # after the login: a stranger's body is never parsed
            g.caller = current_user.caller
            return view(*args, **kwargs)

        return wrapper

    return decorate


def _failures(key: str):
    """Counts failed logins under `key` in a 15-minute window (Redis; if it is away, no count:
    the account's own bar, in the database, still holds)."""
    redis = get_services().redis

    def count(add: bool) -> int:
        try:
            if not add:
                return int(redis.get(key) or 0)
            pipe = redis.pipeline()
            pipe.incr(key)
            pipe.expire(key, int(users.ADDRESS_WINDOW.total_seconds()), nx=True)
            return int(pipe.execute()[0])
        except Exception as error:  # throttling must not stop people logging in
            log.warning("login throttle unavailable (%s)", type(error).__name__)
            return 0

    return count


def _safe_next(target: str | None) -> str:
    parts = urlsplit(target or "")
    if target and not parts.scheme and not parts.netloc and target.startswith("/") and not target.startswith("//"):
        return target
    return url_for("web.home")


@blueprint.route("/login", methods=["GET", "POST"])
def login():
    if request.method != "POST":  # GET, and HEAD (an uptime monitor): a page view is never a login tried
        if current_user.is_authenticated:
            return redirect(url_for("web.home"))
        return render_template("login.html")
    refuse_nul()
    address = request.remote_addr or "unknown"
    username = request.form.get("username", "")
    name_key = hashlib.sha256(username.strip().lower()[:64].encode()).hexdigest()[:24]  # no name in Redis
    with get_services().db.session() as s:
        result = users.log_in(
            s,
            username,
            request.form.get("password", ""),
            now=utcnow(),
            address=address,
            address_failures=_failures(f"login-failures:{address}"),
            pair_failures=lambda add, version: _failures(f"login-failures:{address}:{name_key}:{version}")(add),
        )
    if result.account is None:
        if result.refusal == "throttled":  # about the address, never about a name
            return render_template("login.html", error=label("login.throttled")), 429
        return render_template("login.html", error=label("login.wrong")), 401
    wanted = request.args.get("next")
    session.clear()  # a fresh session: nothing from before the login carries over
    login_user(result.account)
    session["lang"] = result.account.language
    return redirect(_safe_next(wanted))


@blueprint.post("/logout")
def logout():
    """Ends this login on the server too: its cookie, wherever it is presented, stops working."""
    if current_user.is_authenticated:
        with get_services().db.session() as s:
            users.log_out(s, current_user.get_id(), utcnow())
    logout_user()
    session.clear()
    return redirect(url_for("web.login"))


@blueprint.post("/language")
def language():
    """Switch the pages' language (remembered on the account)."""
    refuse_nul()
    chosen = request.form.get("language")
    if chosen in ("en", "sw"):
        session["lang"] = chosen
        if current_user.is_authenticated:
            from ..models import User

            with get_services().db.session() as s:
                s.get_one(User, current_user.id).language = chosen
    return redirect(_safe_next(request.form.get("next")))


@blueprint.get("/")
def home():
    if not current_user.is_authenticated:
        return redirect(url_for("web.login"))
    return redirect(url_for("web.tasks"))


def flash_done(key: str, **values) -> None:
    flash(label(key, **values), "done")


def flash_problem(text: str) -> None:
    flash(text, "problem")
