"""SMS and USSD service for Mentor Mother programmes."""

from __future__ import annotations

from collections.abc import Mapping

from flask import Flask

from .config import Config, ConfigError

__all__ = ["create_app", "Config", "ConfigError"]


def create_app(config: Config | Mapping[str, str] | None = None, **overrides) -> Flask:
    """The web application (`app.create_app`), its commands reachable as `flask --app sms_service …`."""
    from .app import create_app as build
    from .cli import register

    app = build(config, **overrides)
    register(app)
    return app
