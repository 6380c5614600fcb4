"""The JSON REST API under /api/v1/ (token authentication, see `auth`)."""

from __future__ import annotations

from . import appointments, broadcasts, directory, life_events, openapi, transfers, work  # noqa: F401  (the routes)
from .base import blueprint, init_app

__all__ = ["blueprint", "init_app"]
