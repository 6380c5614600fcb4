"""The jobs the service hands to RQ, each named once with its queue and its time limit, and
coalesced wake-ups for the ones a webhook starts.

A job is enqueued by its RQ dotted name (`workers.jobs.…`), where its function is defined;
the name stays across deploys, as jobs waiting in Redis carry it. The function declares the
job it runs (`@HEARTBEAT.runs`), and a test holds every job here to its function.

Wake-ups: a thousand webhook calls a second, a handful of jobs.

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
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from redis import Redis
from redis.exceptions import RedisError

if TYPE_CHECKING:
    from rq import Queue

log = logging.getLogger(__name__)
FLAG_SECONDS = 30
FAILED_KEPT = 86400  # seconds a failed job stays in RQ's failed registry, to be looked at
F = TypeVar("F", bound=Callable[..., Any])


class Services(Protocol):
    """What jobs need of a process's resources (`resources.Services`, which builds the Nudger
    here: so this module names only the two it uses)."""

    @property
    def redis(self) -> Redis: ...

    @property
    def queues(self) -> dict[str, Queue]: ...


@dataclass(frozen=True)
class Job:
    name: str  # RQ's dotted name of the function that runs it
    queue: str | None  # None: the caller names it (a message's own queue)
    timeout: int  # seconds before RQ stops it

    def enqueue(self, services: Services, *args: Any, queue: str | None = None) -> None:
        """Hand the job to its queue (or `queue`); nothing of it kept once it has run."""
        where = queue or self.queue
        if where is None:
            raise ValueError(f"{self.name}: name the queue")
        services.queues[where].enqueue(
            self.name, *args, job_timeout=self.timeout, result_ttl=0, failure_ttl=FAILED_KEPT
        )

    def runs(self, function: F) -> F:
        """The function that runs this job: it must be the one RQ finds by the job's name."""
        if f"{function.__module__}.{function.__qualname__}" != self.name:
            raise RuntimeError(f"{function.__module__}.{function.__qualname__} does not run {self.name}")
        return function


SEND_MESSAGES = Job("workers.jobs.send_messages", queue=None, timeout=600)  # ids, on their queue
HANDLE_INBOUND = Job("workers.jobs.handle_pending_inbound", queue="realtime", timeout=180)
APPLY_REPORTS = Job("workers.jobs.apply_delivery_reports", queue="default", timeout=180)
HEARTBEAT = Job("workers.jobs.heartbeat", queue="default", timeout=60)
JOBS = {job.name: job for job in (SEND_MESSAGES, HANDLE_INBOUND, APPLY_REPORTS, HEARTBEAT)}


def _job(job: Job | str) -> Job:
    return job if isinstance(job, Job) else JOBS[job]


def _flag(job: Job) -> str:
    return f"sms:nudge:{job.name}"


def nudge(services: Services, job: Job | str, queue: str | None = None, force: bool = False) -> bool:
    """Make sure `job` (or the job of that name) will run soon; returns whether this call
    enqueued it."""
    job = _job(job)
    if services.redis.set(_flag(job), "1", nx=True, ex=FLAG_SECONDS) or force:
        job.enqueue(services, queue=queue)
        return True
    return False


def woken(services: Services, job: Job | str) -> None:
    """Called first thing by the job: later nudges enqueue it again."""
    services.redis.delete(_flag(_job(job)))


class Nudger:
    """Nudges made off the request path. A webhook says `soon(job)` and answers; a
    thread of this process makes the nudge at once, then at most one every `THROTTLE`
    seconds, so a burst of calls costs a Redis round trip per burst, not per call. Every
    row stored before `soon` is seen by a job that starts after the nudge (see above)."""

    THROTTLE = 0.02

    def __init__(self, services: Services):
        self.services = services
        self._wanted: dict[Job, str | None] = {}
        self._lock = threading.Lock()
        self._wake, self._idle = threading.Event(), threading.Event()
        self._idle.set()
        self._pid: int | None = None

    def soon(self, job: Job | str, queue: str | None = None) -> None:
        with self._lock:
            self._wanted[_job(job)] = queue
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
                    log.warning("could not wake %s: Redis unavailable", job.name)
            with self._lock:
                if not self._wanted:
                    self._idle.set()
            time.sleep(self.THROTTLE)
