"""The one place where the app's resources are wired: configuration, database, Redis, queues.

Views and commands reach them with `get_services()`; workers build their own with
`Services.from_config`. Nothing here connects at import time.
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import timedelta
from functools import cached_property

from flask import Flask, current_app
from redis import Redis

from .config import Config
from .db import Database

QUEUE_NAMES = ("realtime", "bulk", "default")  # workers listen in this order


@dataclass
class Services:
    config: Config
    db: Database
    _redis: Redis | None = field(default=None, repr=False)

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
