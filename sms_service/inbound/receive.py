"""Storing an incoming SMS in the webhook, before the provider gets its 200: one durable INSERT (a
replayed provider id stores nothing, and says what became of the first); a sender we cannot use
is stored refused, never answered. What waits to be handled is read here too."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..db import Database, insert_ignoring, utcnow
from ..gateway import IncomingSms
from ..jobs import HANDLE_INBOUND, nudge
from ..models import InboundMessage
from ..phones import PhoneError, mask_phone, normalise_phone

if TYPE_CHECKING:
    from ..resources import Services

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Receipt:
    inbound_id: int
    new: bool  # False: a replay of an `id` already stored
    refused: str | None = None  # why it will not be acted on


def receive_sms(db: Database, sms: IncomingSms, now: datetime | None = None) -> Receipt:
    """Store an incoming SMS (one durable INSERT)."""
    refused = None
    try:
        phone = normalise_phone(sms.sender)
    except PhoneError:
        phone, refused = sms.sender[:16], "unusable_number"
        log.warning("incoming SMS from an unusable number %s refused", mask_phone(sms.sender))
    now = now or utcnow()
    values = dict(
        provider_id=sms.provider_id,
        phone=phone,
        to=(sms.to or "")[:32] or None,
        text=sms.text[:2000],
        link_id=(sms.link_id or "")[:64] or None,
        network_code=(sms.network_code or "")[:8] or None,
        received_at=now,
        refused=refused,
        handled_at=now if refused else None,
        sent_at=sms.sent_at,
    )
    new_id = db.prepared_insert("inbound_messages", _store_statement, bounded=True)(values)
    if new_id is not None:
        return Receipt(new_id, True, refused)
    with db.engine.connect() as connection:  # a replay: what became of the first?
        stored = connection.execute(
            select(InboundMessage.id, InboundMessage.refused).where(InboundMessage.provider_id == sms.provider_id)
        ).one()
    return Receipt(stored.id, False, stored.refused)


def _store_statement(dialect_name: str):
    """INSERT … ON CONFLICT (provider_id) DO NOTHING RETURNING id: a replay inserts nothing."""
    return insert_ignoring(dialect_name, InboundMessage.__table__, STORED_COLUMNS, "provider_id")


STORED_COLUMNS = (
    "provider_id",
    "phone",
    "to",
    "text",
    "link_id",
    "network_code",
    "received_at",
    "refused",
    "handled_at",
    "sent_at",
)


def waiting(*columns):
    """SELECT `columns` of the stored SMS not yet handled (nor refused)."""
    return select(*columns).where(InboundMessage.handled_at.is_(None), InboundMessage.refused.is_(None))


def pending_inbound(session: Session, limit: int) -> list[int]:
    """What waits, in the order it was written (AT's own time: a retry can come hours late)."""
    return list(
        session.scalars(
            waiting(InboundMessage.id)
            .order_by(func.coalesce(InboundMessage.sent_at, InboundMessage.received_at), InboundMessage.id)
            .limit(limit)
        )
    )


STALE = timedelta(minutes=1)  # an incoming SMS not handled by then lost its job


def wake_lost(services: Services, now: datetime) -> int:
    """The scheduler's repair: SMS stored a while ago and not handled (their job lost with Redis
    or a killed worker) get a job again. How many wait."""
    with services.db.session() as session:
        waiting_ = session.scalar(waiting(func.count()).where(InboundMessage.received_at <= now - STALE))
    if waiting_:
        nudge(services, HANDLE_INBOUND, force=True)
    return waiting_ or 0
