"""What a process holds: its configuration, the database, Redis and the queues, and the nudges
it makes. Built by `bootstrap` (which also wires who reacts to what and builds the sender);
passed to the domain as `services`. Nothing here connects until it is first used."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

from redis import Redis

from .config import Config
from .db import Database

if TYPE_CHECKING:
    from rq import Queue

    from .jobs import Nudger

QUEUE_NAMES = ("realtime", "bulk", "default")  # workers listen in this order


@dataclass
class Services:
    config: Config
    db: Database
    _redis: Redis | None = field(default=None, repr=False)

    @classmethod
    def from_config(cls, config: Config) -> Services:
        return cls(config=config, db=Database(config.database_url))

    @property
    def redis(self) -> Redis:
        if self._redis is None:
            if not self.config.redis_url:
                raise RuntimeError("REDIS_URL is not set (sms-service run starts one for you)")
            self._redis = Redis.from_url(self.config.redis_url, socket_connect_timeout=2, socket_timeout=5)
        return self._redis

    @cached_property
    def queues(self) -> dict[str, Queue]:
        from rq import Queue

        return {name: Queue(name, connection=self.redis) for name in QUEUE_NAMES}

    @cached_property
    def nudger(self) -> Nudger:
        from .jobs import Nudger

        return Nudger(self)

    def close(self) -> None:
        if "nudger" in self.__dict__:
            self.nudger.flush()
        self.db.dispose()
        if self._redis is not None:
            self._redis.close()
