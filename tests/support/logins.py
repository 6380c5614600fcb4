"""Logging a Flask test client in as a dashboard account, CSRF token and all."""

from __future__ import annotations

import re

from tests.support.people import PASSWORD

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(client, path: str = "/login") -> str:
    return CSRF.search(client.get(path).get_data(as_text=True)).group(1)


def log_in(client, username: str, password: str = PASSWORD):
    """Log in as `username` (logging out whoever was in first)."""
    if client.get("/login").status_code == 302:
        client.post("/logout", data={"csrf_token": csrf_of(client, "/tasks")})
    return client.post("/login", data={"username": username, "password": password, "csrf_token": csrf_of(client)})


def form_post(client, path: str, data: dict, page: str = "/tasks", **kw):
    """POST a form as the page would, with the session's CSRF token."""
    return client.post(path, data={**data, "csrf_token": csrf_of(client, page)}, **kw)
