"""RQ jobs: each takes ids or nothing, loads, calls the domain, returns. Enqueue by dotted
name (`queue.enqueue("workers.jobs.heartbeat")`) so the web process never imports this."""
from __future__ import annotations

from sms_service.db import utcnow

from .context import get_services

HEARTBEAT_KEY = "sms:worker:heartbeat"


def heartbeat() -> str:
    """Proves a worker is taking jobs: records when it last ran one."""
    stamp = utcnow().isoformat()
    get_services().redis.set(HEARTBEAT_KEY, stamp)
    return stamp
