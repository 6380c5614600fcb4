"""The one place a process is wired: its services (`resources.Services`: configuration,
database, Redis, queues), the gateway, the rate limit and the sender, and who reacts to what
(`wire`).

The web app gets its services in `init_app` (views reach them with `get_services()`), a worker
or the scheduler with `for_this_process()`, a command or a script with `services_for(config)`.
Nothing here connects at import time."""

from __future__ import annotations

import secrets
import sys
from datetime import timedelta
from typing import TYPE_CHECKING

from flask import Flask, current_app

from .config import Config, ConfigError, load_config
from .resources import QUEUE_NAMES, Services

if TYPE_CHECKING:
    from .outbound.sending import Sender

__all__ = [
    "QUEUE_NAMES",
    "Services",
    "for_this_process",
    "get_services",
    "init_app",
    "sender_for",
    "services_for",
    "wire",
]


def wire() -> None:
    """Who reacts to what (`reactions`): the followers of each part's events, named once here.
    Every process wires itself when it builds its services; wiring again changes nothing."""
    from . import reactions
    from .life_events.service import death_from_a_transfer
    from .transfers.notices import after_outcome

    reactions.on("message_outcome:transfer_notice", after_outcome)
    reactions.on("transfer_outcome:died", death_from_a_transfer)


def services_for(config: Config) -> Services:
    """A process's services for `config`, the process wired."""
    wire()
    return Services.from_config(config)


def sender_for(services: Services) -> Sender:
    """What a send job needs: the provider's client (or the local outbox), the one rate limit
    every sending process shares (in Redis), the retry policy of the configuration."""
    from .gateway import build_gateway
    from .outbound.ratelimit import RateLimiter
    from .outbound.sending import Sender

    return Sender(
        services, build_gateway(services.config), RateLimiter(services.redis, services.config.sms_rate_per_second)
    )


def init_app(app: Flask, config: Config) -> None:
    # no key (a local run, a test): one for this process, so sessions end when it does
    app.config["SECRET_KEY"] = config.secret_key or secrets.token_hex(32)
    app.config.update(
        SESSION_COOKIE_SECURE=config.secure_cookies,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        PERMANENT_SESSION_LIFETIME=timedelta(hours=12),
    )
    # each request's body is bounded by its route (sms_service.edge), before anything reads it
    app.config["TESTING"] = config.testing
    app.extensions["sms_service"] = services_for(config)


def get_services(app: Flask | None = None) -> Services:
    return (app or current_app).extensions["sms_service"]


_process: Services | None = None


def from_the_environment() -> Services:
    """Services for the configuration in the environment; one that is not valid ends the process
    (exit 2) naming every problem."""
    try:
        return services_for(load_config())
    except ConfigError as exc:
        print(str(exc), file=sys.stderr)
        sys.exit(2)


def for_this_process() -> Services:
    """A worker's or the scheduler's services, from the environment, built once per process."""
    global _process
    if _process is None:
        _process = from_the_environment()
    return _process
