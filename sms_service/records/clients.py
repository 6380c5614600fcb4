"""Clients as people see them: found by name, number or clinic id; one client's whole story
(messages both ways, visits, transfers, consent) as a timeline."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, selectinload

from ..access import Caller, clients_seen
from ..models import (
    Appointment,
    Client,
    ConsentEvent,
    FollowUpTask,
    InboundMessage,
    LifeEvent,
    OutboundMessage,
    Transfer,
    TransferEvent,
)
from ..phones import PhoneError, normalise_phone
from . import PAGE, Page, page_of

TIMELINE_EACH = 200  # of each kind, the newest


def search(
    session: Session,
    caller: Caller,
    text: str = "",
    *,
    facility_id: int | None = None,
    after_id: int | None = None,
    limit: int = PAGE,
) -> Page:
    """Clients whose first name starts with `text`, whose number is `text`, or whose clinic id it is."""
    query = clients_seen(select(Client).options(selectinload(Client.facility)), caller)
    text = text.strip()
    if text:
        try:  # a number: found through the phone index (and a clinic id that looks like one)
            query = query.where(or_(Client.phone == normalise_phone(text), Client.external_id == text))
        except PhoneError:
            query = query.where(
                or_(func.lower(Client.first_name).startswith(text.lower(), autoescape=True), Client.external_id == text)
            )
    if facility_id is not None:
        query = query.where(Client.facility_id == facility_id)
    return page_of(session, query, Client.id, after_id=after_id, limit=limit)


def visible(
    session: Session, caller: Caller, *, client_id: int | None = None, external_id: str | None = None
) -> Client | None:
    query = clients_seen(select(Client), caller)
    query = (
        query.where(Client.id == client_id) if client_id is not None else query.where(Client.external_id == external_id)
    )
    return session.scalar(query)


@dataclass(frozen=True)
class Event:
    at: datetime
    kind: str  # sms_out, sms_in, visit, transfer, consent, task
    title: str
    detail: str = ""
    status: str = ""
    row: Any = field(default=None, compare=False)  # what it was read from: a page says it in its reader's words


def timeline(session: Session, client: Client, tz, *, messages: bool = True) -> list[Event]:
    """Everything about her, newest first; without her messages both ways (`messages=False`)
    for a page that shows them as her conversation."""
    events: list[Event] = _messages(session, client) if messages else []
    for a in session.scalars(
        select(Appointment)
        .where(Appointment.client_id == client.id)
        .options(selectinload(Appointment.facility))
        .order_by(Appointment.date.desc())
        .limit(TIMELINE_EACH)
    ):
        at = datetime.combine(a.date, a.time or datetime.min.time(), tzinfo=tz)
        events.append(Event(at, "visit", a.kind.replace("_", " "), a.facility.name, a.status, a))
    transfer_ids = select(Transfer.id).where(Transfer.client_id == client.id)
    for e, t in session.execute(
        select(TransferEvent, Transfer)
        .join(Transfer, Transfer.id == TransferEvent.transfer_id)
        .where(TransferEvent.transfer_id.in_(transfer_ids))
        .options(selectinload(Transfer.to_facility))
        .order_by(TransferEvent.id.desc())
        .limit(TIMELINE_EACH)
    ):
        events.append(
            Event(
                e.at,
                "transfer",
                f"transfer to {t.to_facility.name}",
                f"{e.cause}{': ' + e.detail if e.detail else ''}",
                e.to_status,
                (e, t),
            )
        )
    for c in session.scalars(
        select(ConsentEvent)
        .where(or_(ConsentEvent.client_id == client.id, ConsentEvent.phone == client.phone))
        .order_by(ConsentEvent.id.desc())
        .limit(TIMELINE_EACH)
    ):
        events.append(Event(c.at, "consent", c.kind.replace("_", " "), c.source, row=c))
    for task in session.scalars(
        select(FollowUpTask)
        .where(FollowUpTask.client_id == client.id)
        .order_by(FollowUpTask.id.desc())
        .limit(TIMELINE_EACH)
    ):
        events.append(
            Event(
                task.created_at,
                "task",
                task.kind,
                task.note or "",
                task.status + (f": {task.outcome}" if task.outcome else ""),
                task,
            )
        )
    for life in session.scalars(
        select(LifeEvent).where(LifeEvent.client_id == client.id).order_by(LifeEvent.id.desc()).limit(TIMELINE_EACH)
    ):
        events.append(
            Event(
                life.recorded_at,
                "life_event",
                life.kind,
                f"{life.occurred_on.isoformat()}{': ' + life.note if life.note else ''}",
                "retracted" if life.retracted_at else "",
                life,
            )
        )
    return sorted(events, key=lambda e: e.at, reverse=True)


def _messages(session: Session, client: Client) -> list[Event]:
    events: list[Event] = []
    for m in session.scalars(
        select(OutboundMessage)
        .where(OutboundMessage.client_id == client.id)
        .order_by(OutboundMessage.id.desc())
        .limit(TIMELINE_EACH)
    ):
        reason = f" ({m.failure_reason})" if m.failure_reason else ""
        events.append(
            Event(m.sent_at or m.not_before, "sms_out", m.purpose.replace("_", " "), m.body, m.status + reason)
        )
    for sms in session.scalars(
        select(InboundMessage)
        .where(InboundMessage.client_id == client.id)
        .order_by(InboundMessage.id.desc())
        .limit(TIMELINE_EACH)
    ):
        events.append(Event(sms.received_at, "sms_in", (sms.intent or "sms").upper(), sms.text))
    return events
