"""From the record to the queues: what is due goes to RQ, and the sweeper repairs what Redis
or a dead worker lost. Safe with two schedulers: every move is conditional on the stored status.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import select, update

from ..config import Config
from ..db import claim, few, utcnow
from ..jobs import APPLY_REPORTS, SEND_MESSAGES, nudge
from ..models import OutboundMessage
from ..models.statuses import MessageStatus
from .delivery import count_waiting_reports, match_unknown_by_number
from .messages import PURPOSES, record_history, transition

if TYPE_CHECKING:
    from ..resources import Services

log = logging.getLogger(__name__)
JOB_BATCH = 500  # message ids per send job
DUE_BATCH = 10_000  # moved to queued per transaction; a tick repeats until nothing is due
STALE_QUEUED = timedelta(minutes=5)  # queued this long: its job was probably lost with Redis
LOST_SENDING = timedelta(minutes=5)  # sending this long: the worker died around the API call
UNKNOWN_WAIT = timedelta(
    minutes=Config.sms_unknown_resend_minutes
)  # the default: then a must-arrive message goes once more
STALE_REPORTS = timedelta(minutes=1)  # a delivery report not applied by then lost its job


def enqueue(services: Services, ids_by_queue: dict[str, list[int]]) -> None:
    for queue_name, ids in ids_by_queue.items():
        for start in range(0, len(ids), JOB_BATCH):
            SEND_MESSAGES.enqueue(services, ids[start : start + JOB_BATCH], queue=queue_name)


def dispatch_now(services: Services, ids: list[int], now: datetime | None = None) -> None:
    """Send these (just created) messages as soon as a worker is free: replies, USSD actions."""
    with services.db.session() as session:
        moved = transition(session, ids, "queued", "dispatched", only_from=("scheduled",), now=now)
        queues = _queues_of(session, moved)
    enqueue(services, queues)


def enqueue_due(services: Services, now: datetime | None = None) -> int:
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
    due = (
        select(table.c.id)
        .where(table.c.status == MessageStatus.SCHEDULED, table.c.not_before <= now)
        .order_by(table.c.not_before)
        .limit(limit)
    )
    # (by id alone on PostgreSQL: with the status tested outside the lock too, stale statistics
    # after a burst of new messages once made the planner loop over every scheduled row for
    # each claimed one: 22 s for 10,000)
    claimed = [
        tuple(row)
        for row in claim(
            session,
            table,
            due,
            {"status": MessageStatus.QUEUED, "updated_at": now},
            (table.c.id, table.c.queue),
            condition=table.c.status == MessageStatus.SCHEDULED,
        )
    ]
    record_history(session, [message_id for message_id, _ in claimed], "queued", "due", now)
    return claimed


def sweep(services: Services, now: datetime | None = None) -> dict[str, int]:
    """The outbound side of the scheduler's periodic repair and hand-over (`workers.scheduler.sweep`
    adds the inbound side); each step is idempotent."""
    now = now or utcnow()
    done: dict[str, int] = {}
    with services.db.session() as session:
        expired = session.scalars(
            select(OutboundMessage.id).where(
                OutboundMessage.status.in_(("scheduled", "queued")), few(session, OutboundMessage.expires_at <= now)
            )
        ).all()
        done["expired"] = len(transition(session, list(expired), "expired", "expired before sending", now=now))

        lost = session.scalars(
            select(OutboundMessage.id).where(
                few(session, OutboundMessage.status == "sending"), OutboundMessage.updated_at <= now - LOST_SENDING
            )
        ).all()
        done["unknown"] = len(transition(session, list(lost), "unknown", "worker_lost", now=now))

        done["matched"] = match_unknown_by_number(session, now)
        must_arrive = [p for p, spec in PURPOSES.items() if spec.must_arrive]
        wait = timedelta(minutes=services.config.sms_unknown_resend_minutes)
        resend = session.scalars(
            select(OutboundMessage.id).where(
                few(session, OutboundMessage.status == "unknown"),
                OutboundMessage.updated_at <= now - wait,
                OutboundMessage.resend_count == 0,
                OutboundMessage.purpose.in_(must_arrive),
                OutboundMessage.expires_at > now,
            )
        ).all()
        done["resent"] = len(
            transition(
                session, list(resend), "scheduled", "resend once after unknown", now=now, resend_count=1, not_before=now
            )
        )

        stale = session.scalars(
            select(OutboundMessage.id).where(
                few(session, OutboundMessage.status == "queued"), OutboundMessage.updated_at <= now - STALE_QUEUED
            )
        ).all()
        if stale:
            session.execute(
                update(OutboundMessage)
                .where(OutboundMessage.id.in_(stale), OutboundMessage.status == "queued")
                .values(updated_at=now)
            )
        requeue = _queues_of(session, list(stale))
        reports = session.scalar(count_waiting_reports(now - STALE_REPORTS))
    enqueue(services, requeue)  # a duplicate job is harmless: the claim is conditional
    if reports:  # stored, but their job was lost (Redis wiped, worker killed)
        nudge(services, APPLY_REPORTS, force=True)
    done["requeued"] = len(stale)
    done["reports"] = reports
    done["due"] = enqueue_due(services, now)
    return done


def _queues_of(session, ids: list[int]) -> dict[str, list[int]]:
    grouped: dict[str, list[int]] = defaultdict(list)
    if ids:
        for message_id, queue in session.execute(
            select(OutboundMessage.id, OutboundMessage.queue)
            .where(OutboundMessage.id.in_(ids))
            .order_by(OutboundMessage.id)
        ):
            grouped[queue].append(message_id)
    return dict(grouped)
