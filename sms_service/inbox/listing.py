"""The inbox: the clients the caller may see who have written, one row each with her latest
message; those with a danger sign waiting first, then those waiting for an answer (the longest
waiting first), then the rest, newest first."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from ..access import Caller, clients_seen
from ..models import Client, FollowUpTask, InboundMessage
from .conversation import said_as
from .times import KINDS

PAGE = 50


@dataclass(frozen=True)
class Row:
    client: Client
    text: str  # her latest SMS
    said: str  # it in plain words (a word key)
    at: datetime
    waiting: int  # her messages waiting for an answer
    since: datetime | None  # the oldest of them
    urgent: bool


def _hers(query, caller: Caller):
    if caller.role == "mentor_mother":
        return query.where(Client.mentor_mother_id == caller.mentor_mother_id)
    return clients_seen(query, caller)


def rows(session: Session, caller: Caller, *, page: int = 0) -> tuple[list[Row], bool]:
    """A page of the inbox, and whether more follow."""
    seen = _hers(select(Client.id), caller)
    last = (
        select(InboundMessage.client_id, func.max(InboundMessage.id).label("last_id"))
        .where(InboundMessage.client_id.in_(seen))
        .group_by(InboundMessage.client_id)
        .subquery()
    )
    waiting = (
        select(
            FollowUpTask.client_id,
            func.count().label("n"),
            func.max(case((FollowUpTask.priority == "urgent", 1), else_=0)).label("urgent"),
            func.min(FollowUpTask.created_at).label("since"),
        )
        .where(FollowUpTask.status == "open", FollowUpTask.kind.in_(KINDS), FollowUpTask.client_id.in_(seen))
        .group_by(FollowUpTask.client_id)
        .subquery()
    )
    urgent = func.coalesce(waiting.c.urgent, 0)
    query = (
        select(
            Client,
            InboundMessage.text,
            InboundMessage.intent,
            InboundMessage.received_at,
            waiting.c.n,
            waiting.c.since,
            urgent,
        )
        .join(last, last.c.client_id == Client.id)
        .join(InboundMessage, InboundMessage.id == last.c.last_id)
        .outerjoin(waiting, waiting.c.client_id == Client.id)
        .order_by(
            urgent.desc(),
            case((waiting.c.n.is_(None), 1), else_=0),
            waiting.c.since.asc(),  # (those waiting: none is empty)
            last.c.last_id.desc(),
        )
        .offset(page * PAGE)
        .limit(PAGE + 1)
    )
    found = [
        Row(client, text or "", said_as(intent), at, n or 0, since, bool(u))
        for client, text, intent, at, n, since, u in session.execute(query)
    ]
    return found[:PAGE], len(found) > PAGE
