"""Delivery reports: stored as they arrive, applied to their message now or when it appears.

Duplicates and reports out of order are harmless: a final status never moves, and a report
for a message id we have not stored yet waits until the sender stores it.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import exists, func, select, update
from sqlalchemy.orm import Session

from ..db import Database, among, few, insert_ignoring, utcnow
from ..gateway import DeliveryUpdate
from ..models import DeliveryReport, OutboundMessage
from . import consent
from .messages import follow_outcome, transition

if TYPE_CHECKING:
    from ..resources import Services

MATCH_BY_NUMBER_WITHIN = timedelta(minutes=30)


def store_delivery_report(db: Database, report: DeliveryUpdate, now: datetime | None = None) -> bool:
    """Keep the report as it came (one durable INSERT); False for a repeat of one already kept."""
    values = {
        "provider_message_id": report.provider_message_id,
        "provider_status": report.provider_status,
        "status": report.status,
        "failure_reason": report.reason,
        "phone": report.phone,
        "received_at": now or utcnow(),
        "fingerprint": f"{report.provider_message_id}|{report.provider_status}|{report.reason or ''}"[:200],
    }
    return db.prepared_insert("delivery_reports", _store_statement, bounded=True)(values) is not None


def _store_statement(dialect_name: str):
    columns = (
        "provider_message_id",
        "provider_status",
        "status",
        "failure_reason",
        "phone",
        "received_at",
        "fingerprint",
    )
    return insert_ignoring(dialect_name, DeliveryReport.__table__, columns, "fingerprint")


def waiting_reports(*columns):
    """SELECT `columns` of kept reports not applied yet whose message is known."""
    return (
        select(*columns)
        .select_from(DeliveryReport)
        .join(OutboundMessage, OutboundMessage.provider_message_id == DeliveryReport.provider_message_id)
        .where(DeliveryReport.applied_at.is_(None))
    )


def count_waiting_reports(received_before: datetime | None = None):
    """SELECT the number of kept reports not applied yet whose message is known: read from the
    reports' partial index outwards (a join lets SQLite start from the messages instead)."""
    known = exists().where(OutboundMessage.provider_message_id == DeliveryReport.provider_message_id)
    query = select(func.count()).select_from(DeliveryReport).where(DeliveryReport.applied_at.is_(None), known)
    return query if received_before is None else query.where(DeliveryReport.received_at <= received_before)


def apply_stored_reports(services: Services, limit: int = 1000, now: datetime | None = None) -> tuple[int, bool]:
    """Apply kept reports whose message is known, in the order they came: (applied, more wait)."""
    now = now or utcnow()
    with services.db.session() as session:
        pairs = session.execute(
            waiting_reports(DeliveryReport, OutboundMessage).order_by(DeliveryReport.id).limit(limit)
        ).all()
        for report, message in pairs:
            _apply(session, report, message, now)
            session.flush()  # the next report for the same message sees this one's status
    return len(pairs), len(pairs) == limit


def apply_waiting_reports(session: Session, provider_ids: list[str], now: datetime) -> None:
    """Reports that came before the sender stored these message ids."""
    pairs = session.execute(
        waiting_reports(DeliveryReport, OutboundMessage)
        .where(among(session, DeliveryReport.provider_message_id, provider_ids))
        .order_by(DeliveryReport.id)
    ).all()
    for report, message in pairs:
        _apply(session, report, message, now)


def match_unknown_by_number(session: Session, now: datetime) -> int:
    """An unknown send (timed out after AT took it) is resolved by an unclaimed report for the
    same number shortly after it: that report's message id becomes the message's."""
    matched = 0
    unknown = session.scalars(select(OutboundMessage).where(few(session, OutboundMessage.status == "unknown"))).all()
    for message in unknown:
        report = session.scalar(
            select(DeliveryReport)
            .where(
                DeliveryReport.applied_at.is_(None),
                DeliveryReport.phone == message.phone,
                DeliveryReport.received_at >= message.updated_at - timedelta(seconds=5),
                DeliveryReport.received_at <= message.updated_at + MATCH_BY_NUMBER_WITHIN,
                ~DeliveryReport.provider_message_id.in_(
                    select(OutboundMessage.provider_message_id).where(OutboundMessage.provider_message_id.is_not(None))
                ),
            )
            .order_by(DeliveryReport.id)
            .limit(1)
        )
        if report is None:
            continue
        session.execute(
            update(OutboundMessage)
            .where(OutboundMessage.id == message.id)
            .values(provider_message_id=report.provider_message_id)
        )
        transition(session, [message.id], "sent", "matched a delivery report by number", now=now)
        apply_waiting_reports(session, [report.provider_message_id], now)
        matched += 1
    return matched


def _apply(session: Session, report: DeliveryReport, message: OutboundMessage, now: datetime) -> None:
    report.message_id, report.applied_at = message.id, now
    if report.status == "delivered":
        transition(session, [message.id], "delivered", report.provider_status, now=now)
    elif report.status == "failed":
        transition(
            session, [message.id], "failed", report.failure_reason, now=now, failure_reason=report.failure_reason
        )
    elif message.status == "unknown":
        transition(session, [message.id], "sent", f"report: {report.provider_status}", now=now)
    elif report.failure_reason == "absent_subscriber":  # no new status, but her phone is off
        follow_outcome(session, [(message.id, message.purpose)], "absent", report.failure_reason, now)
    if report.failure_reason == "opted_out":
        consent.opt_out(session, message.phone, "delivery_report", "blocked the sender", now=now)
