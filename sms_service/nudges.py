"""Coalesced wake-ups: a thousand webhook calls a second, a handful of jobs.

A webhook stores its row (the record), then nudges: the first nudge since the job last
started enqueues it; the rest cost one Redis SET. The job clears its flag before reading
the database, so a row stored after that read nudges a fresh job; a row stored before it
is read. The flag expires, and the sweeper re-nudges stale work, so a lost job or a wiped
Redis delays work by seconds and loses nothing.
"""
from __future__ import annotations

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
