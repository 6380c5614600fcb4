"""RQ jobs: each takes ids or nothing, loads, calls the domain, returns. Each runs a job named in
`sms_service.jobs` (its queue and time limit there), which is how the web process enqueues it
without importing this."""

from __future__ import annotations

from sms_service.db import utcnow
from sms_service.jobs import APPLY_REPORTS, HANDLE_INBOUND, HEARTBEAT, SEND_MESSAGES, nudge, woken

from .context import get_sender, get_services

HEARTBEAT_KEY = "sms:worker:heartbeat"


@HEARTBEAT.runs
def heartbeat() -> str:
    """Proves a worker is taking jobs: records when it last ran one."""
    stamp = utcnow().isoformat()
    get_services().redis.set(HEARTBEAT_KEY, stamp)
    return stamp


@SEND_MESSAGES.runs
def send_messages(ids: list[int]) -> dict[str, int]:
    """Send these outbound messages (each at most once, re-checked at send time)."""
    return get_sender().send(ids)


@HANDLE_INBOUND.runs
def handle_pending_inbound() -> int:
    """Act on every incoming SMS stored and not yet handled (each once); send the replies."""
    from sms_service.inbound.route import handle_pending
    from sms_service.outbound.dispatch import dispatch_now

    services = get_services()
    woken(services, HANDLE_INBOUND)
    replies, more = handle_pending(services)
    dispatch_now(services, replies)
    if more:
        nudge(services, HANDLE_INBOUND, force=True)
    return len(replies)


@APPLY_REPORTS.runs
def apply_delivery_reports() -> int:
    """Apply stored delivery reports to their messages (those whose message is known)."""
    from sms_service.outbound.delivery import apply_stored_reports

    services = get_services()
    woken(services, APPLY_REPORTS)
    applied, more = apply_stored_reports(services)
    if more:
        nudge(services, APPLY_REPORTS, force=True)
    return applied
