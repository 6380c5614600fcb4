"""Coalesced wake-ups: a thousand webhook calls a second, a handful of jobs.

A webhook stores its row (the record), then nudges: the first nudge since the job last
started enqueues it; the rest cost one Redis SET. The job clears its flag before reading
the database, so a row stored after that read nudges a fresh job; a row stored before it
is read. The flag expires, and the sweeper re-nudges stale work, so a lost job or a wiped
Redis delays work by seconds and loses nothing.
"""
from __future__ import annotations

import logging
import os
import threading
import time

from redis.exceptions import RedisError

log = logging.getLogger(__name__)
FLAG_SECONDS = 30


def _flag(job: str) -> str:
    return f"sms:nudge:{job}"


def nudge(services, job: str, queue: str, force: bool = False) -> bool:
    """Make sure `job` will run soon; returns whether this call enqueued it."""
    if services.redis.set(_flag(job), "1", nx=True, ex=FLAG_SECONDS) or force:
        services.queues[queue].enqueue(job, result_ttl=0, failure_ttl=86400)
        return True
    return False


def woken(services, job: str) -> None:
    """Called first thing by the job: later nudges enqueue it again."""
    services.redis.delete(_flag(job))


class Nudger:
    """Nudges made off the request path. A webhook says `soon(job, queue)` and answers; a
    thread of this process makes the nudge at once, then at most one every `THROTTLE`
    seconds, so a burst of calls costs a Redis round trip per burst, not per call. Every
    row stored before `soon` is seen by a job that starts after the nudge (see above)."""

    THROTTLE = 0.02

    def __init__(self, services):
        self.services = services
        self._wanted: dict[str, str] = {}
        self._lock = threading.Lock()
        self._wake, self._idle = threading.Event(), threading.Event()
        self._idle.set()
        self._pid: int | None = None

    def soon(self, job: str, queue: str) -> None:
        with self._lock:
            self._wanted[job] = queue
            self._idle.clear()
            if self._pid != os.getpid():  # first use in this (possibly forked) process
                self._pid = os.getpid()
                threading.Thread(target=self._run, name="nudger", daemon=True).start()
        self._wake.set()

    def flush(self, timeout: float = 5.0) -> bool:
        """Wait until every nudge asked for has been made (tests, shutdown)."""
        return self._idle.wait(timeout)

    def _run(self) -> None:
        while True:
            self._wake.wait()
            self._wake.clear()
            with self._lock:
                wanted, self._wanted = self._wanted, {}
            for job, queue in wanted.items():
                try:
                    nudge(self.services, job, queue)
                except RedisError:  # the row is stored: the sweeper wakes the job later
                    log.warning("could not wake %s: Redis unavailable", job)
            with self._lock:
                if not self._wanted:
                    self._idle.set()
            time.sleep(self.THROTTLE)
