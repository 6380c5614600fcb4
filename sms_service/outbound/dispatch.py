"""From the record to the queues: what is due goes to RQ, and the sweeper repairs what Redis
or a dead worker lost. Safe with two schedulers: every move is conditional on the stored status.
"""
from __future__ import annotations

import logging
from collections import defaultdict
from datetime import datetime, timedelta

from sqlalchemy import func, select, update

from ..config import Config
from ..db import few, utcnow
from ..inbound import receive as inbound
from .delivery import count_waiting_reports, match_unknown_by_number
from .messages import PURPOSES, record_history, transition
from ..models import InboundMessage, OutboundMessage
from ..jobs import nudge

log = logging.getLogger(__name__)
JOB_BATCH = 500  # message ids per send job
DUE_BATCH = 10_000  # moved to queued per transaction; a tick repeats until nothing is due
STALE_QUEUED = timedelta(minutes=5)  # queued this long: its job was probably lost with Redis
LOST_SENDING = timedelta(minutes=5)  # sending this long: the worker died around the API call
UNKNOWN_WAIT = timedelta(minutes=Config.sms_unknown_resend_minutes)  # the default: then a must-arrive message goes once more
SEND_JOB = "workers.jobs.send_messages"
# jobs woken by the webhooks (sms_service/nudges.py), and the queue each runs on
HANDLE_JOB, HANDLE_QUEUE = "workers.jobs.handle_pending_inbound", "realtime"
APPLY_JOB, APPLY_QUEUE = "workers.jobs.apply_delivery_reports", "default"
STALE_INBOUND = timedelta(minutes=1)  # an incoming SMS not handled by then lost its job


def enqueue(services, ids_by_queue: dict[str, list[int]]) -> None:
    for queue_name, ids in ids_by_queue.items():
        queue = services.queues[queue_name]
        for start in range(0, len(ids), JOB_BATCH):
            queue.enqueue(SEND_JOB, ids[start:start + JOB_BATCH], job_timeout=600, result_ttl=0, failure_ttl=86400)


def dispatch_now(services, ids: list[int], now: datetime | None = None) -> None:
    """Send these (just created) messages as soon as a worker is free: replies, USSD actions."""
    with services.db.session() as session:
        moved = transition(session, ids, "queued", "dispatched", only_from=("scheduled",), now=now)
        queues = _queues_of(session, moved)
    enqueue(services, queues)


def enqueue_due(services, now: datetime | None = None) -> int:
    """Hand every due message to the queues, a batch at a time (workers start on the first
    batch while the next is prepared)."""
    now = now or utcnow()
    total = 0
    while True:
        with services.db.session() as session:
            claimed = claim_due(session, now, DUE_BATCH)
        queues: dict[str, list[int]] = defaultdict(list)
        for message_id, queue in sorted(claimed):
            queues[queue].append(message_id)
        enqueue(services, dict(queues))
        total += len(claimed)
        if len(claimed) < DUE_BATCH:
            return total


def claim_due(session, now: datetime, limit: int) -> list[tuple[int, str]]:
    """Move up to `limit` due messages to `queued` and return (id, queue) of each, in one
    statement that finds them through the (status, not_before) index, however many wait for
    later. Two schedulers never claim one message: on PostgreSQL the rows are locked and a
    second scheduler skips them; on SQLite the statement holds the database's write lock."""
    table = OutboundMessage.__table__
    due = (select(table.c.id).where(table.c.status == "scheduled", table.c.not_before <= now)
           .order_by(table.c.not_before).limit(limit))
    if session.get_bind().dialect.name == "postgresql":
        # the rows locked in a CTE (so never inlined; the lock re-checks their status), joined by
        # id alone: one primary-key lookup per row claimed, whatever the statistics say. (With
        # the status tested outside too, stale statistics after a burst of new messages once
        # made the planner loop over every scheduled row for each claimed one: 22 s for 10,000.)
        due = due.with_for_update(skip_locked=True).cte("due")
        claim = update(table).where(table.c.id == due.c.id)
    else:  # one statement under SQLite's write lock: nobody changes a row between the two
        claim = update(table).where(table.c.id.in_(due.scalar_subquery()), table.c.status == "scheduled")
    claimed = [tuple(row) for row in session.execute(
        claim.values(status="queued", updated_at=now).returning(table.c.id, table.c.queue))]
    record_history(session, [message_id for message_id, _ in claimed], "queued", "due", now)
    return claimed


def sweep(services, now: datetime | None = None) -> dict[str, int]:
    """The scheduler's periodic repair and hand-over; each step is idempotent."""
    now = now or utcnow()
    done: dict[str, int] = {}
    with services.db.session() as session:
        expired = session.scalars(select(OutboundMessage.id).where(
            OutboundMessage.status.in_(("scheduled", "queued")), few(session, OutboundMessage.expires_at <= now))).all()
        done["expired"] = len(transition(session, list(expired), "expired", "expired before sending", now=now))

        lost = session.scalars(select(OutboundMessage.id).where(
            few(session, OutboundMessage.status == "sending"), OutboundMessage.updated_at <= now - LOST_SENDING)).all()
        done["unknown"] = len(transition(session, list(lost), "unknown", "worker_lost", now=now))

        done["matched"] = match_unknown_by_number(session, now)
        must_arrive = [p for p, spec in PURPOSES.items() if spec.must_arrive]
        wait = timedelta(minutes=services.config.sms_unknown_resend_minutes)
        resend = session.scalars(select(OutboundMessage.id).where(
            few(session, OutboundMessage.status == "unknown"), OutboundMessage.updated_at <= now - wait,
            OutboundMessage.resend_count == 0, OutboundMessage.purpose.in_(must_arrive),
            OutboundMessage.expires_at > now)).all()
        done["resent"] = len(transition(session, list(resend), "scheduled", "resend once after unknown",
                                        now=now, resend_count=1, not_before=now))

        stale = session.scalars(select(OutboundMessage.id).where(
            few(session, OutboundMessage.status == "queued"), OutboundMessage.updated_at <= now - STALE_QUEUED)).all()
        if stale:
            session.execute(update(OutboundMessage).where(OutboundMessage.id.in_(stale),
                                                          OutboundMessage.status == "queued")
                            .values(updated_at=now))
        requeue = _queues_of(session, list(stale))
        waiting = session.scalar(inbound.waiting(func.count()).where(InboundMessage.received_at <= now - STALE_INBOUND))
        reports = session.scalar(count_waiting_reports(now - STALE_INBOUND))
    enqueue(services, requeue)  # a duplicate job is harmless: the claim is conditional
    if waiting:  # stored, but its job was lost (Redis wiped, worker killed)
        nudge(services, HANDLE_JOB, HANDLE_QUEUE, force=True)
    if reports:
        nudge(services, APPLY_JOB, APPLY_QUEUE, force=True)
    done["requeued"] = len(stale)
    done["inbound"] = waiting
    done["reports"] = reports
    done["due"] = enqueue_due(services, now)
    if any(done.values()):
        log.info("sweep: %s", done)
    return done


def _queues_of(session, ids: list[int]) -> dict[str, list[int]]:
    grouped: dict[str, list[int]] = defaultdict(list)
    if ids:
        for message_id, queue in session.execute(
                select(OutboundMessage.id, OutboundMessage.queue).where(OutboundMessage.id.in_(ids))
                .order_by(OutboundMessage.id)):
            grouped[queue].append(message_id)
    return dict(grouped)
