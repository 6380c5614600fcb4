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


def handle_pending_inbound() -> int:
    """Act on every incoming SMS stored and not yet handled (each once); send the replies."""
    from sms_service.outbound.dispatch import HANDLE_JOB, HANDLE_QUEUE, dispatch_now
    from sms_service.inbound.route import handle_pending
    from sms_service.jobs import nudge, woken

    services = get_services()
    woken(services, HANDLE_JOB)
    replies, more = handle_pending(services)
    dispatch_now(services, replies)
    if more:
        nudge(services, HANDLE_JOB, HANDLE_QUEUE, force=True)
    return len(replies)


def apply_delivery_reports() -> int:
    """Apply stored delivery reports to their messages (those whose message is known)."""
    from sms_service.outbound.delivery import apply_stored_reports
    from sms_service.outbound.dispatch import APPLY_JOB, APPLY_QUEUE
    from sms_service.jobs import nudge, woken

    services = get_services()
    woken(services, APPLY_JOB)
    applied, more = apply_stored_reports(services)
    if more:
        nudge(services, APPLY_JOB, APPLY_QUEUE, force=True)
    return applied
