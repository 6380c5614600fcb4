"""RQ jobs: each takes ids or nothing, loads, calls the domain, returns. Enqueue by dotted name
(`queue.enqueue("workers.jobs.send_messages", ids)`) so the web process never imports this."""
from __future__ import annotations

from sms_service.db import utcnow

from .context import get_sender, get_services

HEARTBEAT_KEY = "sms:worker:heartbeat"


def heartbeat() -> str:
    """Proves a worker is taking jobs: records when it last ran one."""
    stamp = utcnow().isoformat()
    get_services().redis.set(HEARTBEAT_KEY, stamp)
    return stamp


def send_messages(ids: list[int]) -> dict[str, int]:
    """Send these outbound messages (each at most once, re-checked at send time)."""
    return get_sender().send(ids)


def handle_inbound_sms(inbound_id: int) -> list[int]:
    """Act on one incoming SMS (once) and send its replies on the realtime queue."""
    from sms_service.dispatch import dispatch_now
    from sms_service.inbound import handle_inbound_sms as handle

    services = get_services()
    replies = handle(services, inbound_id)
    dispatch_now(services, replies)
    return replies
