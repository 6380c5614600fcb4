"""Delivery reports: stored as they arrive, applied to their message now or when it appears.

Duplicates and reports out of order are harmless: a final status never moves, and a report
for a message id we have not stored yet waits until the sender stores it.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from . import consent
from .db import among, utcnow
from .gateway import DeliveryUpdate
from .messaging import transition
from .models import DeliveryReport, OutboundMessage

MATCH_BY_NUMBER_WITHIN = timedelta(minutes=30)


def record_delivery_report(session: Session, report: DeliveryUpdate, now: datetime | None = None) -> DeliveryReport:
    now = now or utcnow()
    stored = session.scalar(select(DeliveryReport).where(
        DeliveryReport.provider_message_id == report.provider_message_id,
        DeliveryReport.provider_status == report.provider_status,
        DeliveryReport.failure_reason.is_(None) if report.reason is None
        else DeliveryReport.failure_reason == report.reason,
    ))
    if stored is not None:
        return stored  # a repeat: already recorded (and applied, if its message was known)
    stored = DeliveryReport(provider_message_id=report.provider_message_id, provider_status=report.provider_status,
                            status=report.status, failure_reason=report.reason, phone=report.phone, received_at=now)
    session.add(stored)
    session.flush()
    message = session.scalar(select(OutboundMessage).where(
        OutboundMessage.provider_message_id == report.provider_message_id))
    if message is not None:
        _apply(session, stored, message, now)
    return stored


def apply_waiting_reports(session: Session, provider_ids: list[str], now: datetime) -> None:
    """Reports that came before the sender stored these message ids."""
    waiting = session.scalars(select(DeliveryReport).where(
        among(session, DeliveryReport.provider_message_id, provider_ids), DeliveryReport.applied_at.is_(None))
        .order_by(DeliveryReport.id)).all()
    if not waiting:
        return
    messages = {m.provider_message_id: m for m in session.scalars(
        select(OutboundMessage).where(OutboundMessage.provider_message_id.in_({r.provider_message_id for r in waiting})))}
    for report in waiting:
        _apply(session, report, messages[report.provider_message_id], now)


def match_unknown_by_number(session: Session, now: datetime) -> int:
    """An unknown send (timed out after AT took it) is resolved by an unclaimed report for the
    same number shortly after it: that report's message id becomes the message's."""
    matched = 0
    unknown = session.scalars(select(OutboundMessage).where(OutboundMessage.status == "unknown")).all()
    for message in unknown:
        report = session.scalar(select(DeliveryReport).where(
            DeliveryReport.applied_at.is_(None), DeliveryReport.phone == message.phone,
            DeliveryReport.received_at >= message.updated_at - timedelta(seconds=5),
            DeliveryReport.received_at <= message.updated_at + MATCH_BY_NUMBER_WITHIN,
            ~DeliveryReport.provider_message_id.in_(select(OutboundMessage.provider_message_id).where(
                OutboundMessage.provider_message_id.is_not(None))),
        ).order_by(DeliveryReport.id).limit(1))
        if report is None:
            continue
        session.execute(update(OutboundMessage).where(OutboundMessage.id == message.id)
                        .values(provider_message_id=report.provider_message_id))
        transition(session, [message.id], "sent", "matched a delivery report by number", now=now)
        apply_waiting_reports(session, [report.provider_message_id], now)
        matched += 1
    return matched


def _apply(session: Session, report: DeliveryReport, message: OutboundMessage, now: datetime) -> None:
    report.message_id, report.applied_at = message.id, now
    if report.status == "delivered":
        transition(session, [message.id], "delivered", report.provider_status, now=now)
    elif report.status == "failed":
        transition(session, [message.id], "failed", report.failure_reason, now=now,
                   failure_reason=report.failure_reason)
    elif message.status == "unknown":
        transition(session, [message.id], "sent", f"report: {report.provider_status}", now=now)
    if report.failure_reason == "opted_out":
        consent.opt_out(session, message.phone, "delivery_report", "blocked the sender", now=now)
