"""The one place a process is wired: configuration, database, Redis, queues, the gateway, the
rate limit and the sender, and who reacts to what (`wire`).

Views and commands reach them with `get_services()`; workers and the scheduler with
`for_this_process()`. Nothing here connects at import time: each part is built on first use.
"""
from __future__ import annotations

import secrets
import sys
from dataclasses import dataclass, field
from datetime import timedelta
from functools import cached_property

from flask import Flask, current_app
from redis import Redis

from .config import Config, ConfigError, load_config
from .db import Database

QUEUE_NAMES = ("realtime", "bulk", "default")  # workers listen in this order


def wire() -> None:
    """Who reacts to what (`reactions`): the followers of each part's events, named once here.
    Every process wires itself when it builds its services; wiring again changes nothing."""
    from . import reactions
    from .life_events.service import death_from_a_transfer
    from .transfers.notices import after_outcome

    reactions.on("message_outcome:transfer_notice", after_outcome)
    reactions.on("transfer_outcome:died", death_from_a_transfer)


@dataclass
class Services:
    config: Config
    db: Database
    _redis: Redis | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        wire()

    @classmethod
    def from_config(cls, config: Config) -> "Services":
        return cls(config=config, db=Database(config.database_url))

    @property
    def redis(self) -> Redis:
        if self._redis is None:
            if not self.config.redis_url:
                raise RuntimeError("REDIS_URL is not set (sms-service run starts one for you)")
            self._redis = Redis.from_url(
                self.config.redis_url, socket_connect_timeout=2, socket_timeout=5
            )
        return self._redis

    @cached_property
    def queues(self) -> dict:
        from rq import Queue

        return {name: Queue(name, connection=self.redis) for name in QUEUE_NAMES}

    @cached_property
    def gateway(self):
        """The provider's client of this process (or the local outbox)."""
        from .gateway import build_gateway

        return build_gateway(self.config)

    @cached_property
    def limiter(self):
        """The one rate limit every sending process shares (in Redis)."""
        from .outbound.ratelimit import RateLimiter

        return RateLimiter(self.redis, self.config.sms_rate_per_second)

    @cached_property
    def sender(self):
        """What a send job needs: the gateway, the rate limit, the retry policy of the configuration."""
        from .outbound.sending import Sender

        return Sender(self, self.gateway, self.limiter)

    @cached_property
    def nudger(self):
        from .jobs import Nudger

        return Nudger(self)

    def close(self) -> None:
        if "nudger" in self.__dict__:
            self.nudger.flush()
        self.db.dispose()
        if self._redis is not None:
            self._redis.close()


def init_app(app: Flask, config: Config) -> None:
    # no key (a local run, a test): one for this process, so sessions end when it does
    app.config["SECRET_KEY"] = config.secret_key or secrets.token_hex(32)
    app.config.update(SESSION_COOKIE_SECURE=config.secure_cookies, SESSION_COOKIE_HTTPONLY=True,
                      SESSION_COOKIE_SAMESITE="Lax", PERMANENT_SESSION_LIFETIME=timedelta(hours=12))
    # each request's body is bounded by its route (sms_service.edge), before anything reads it
    app.config["TESTING"] = config.testing
    app.extensions["sms_service"] = Services.from_config(config)


def get_services(app: Flask | None = None) -> Services:
    return (app or current_app).extensions["sms_service"]


_process: Services | None = None


def for_this_process() -> Services:
    """A worker's or the scheduler's services, from the environment, built once per process. A
    configuration that is not valid ends the process (exit 2) naming every problem."""
    global _process
    if _process is None:
        try:
            _process = Services.from_config(load_config())
        except ConfigError as exc:
            print(str(exc), file=sys.stderr)
            sys.exit(2)
    return _process
