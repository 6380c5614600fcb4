"""The message log: outbound SMS to clients with their status and failure reason, newest first,
filtered, narrowed to the caller's clients. A Mentor Mother's log is read from her clients'
messages (through their index), never by walking the whole log backwards: a filter that
matches none of hers costs as little as one that matches many."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..access import Caller, clients_seen
from ..models import Client, OutboundMessage
from ..phones import PhoneError, normalise_phone
from . import PAGE, Page, page_of

FILTERS = ("status", "purpose", "phone", "client_id", "broadcast_id", "since")


def log(
    session: Session,
    caller: Caller,
    *,
    status: str | None = None,
    purpose: str | None = None,
    phone: str | None = None,
    client_id: int | None = None,
    broadcast_id: int | None = None,
    since: datetime | None = None,
    before_id: int | None = None,
    limit: int = PAGE,
) -> Page:
    query = select(OutboundMessage, Client.external_id, Client.first_name).outerjoin(
        Client, Client.id == OutboundMessage.client_id
    )
    if caller.role == "mentor_mother":
        query = query.where(
            OutboundMessage.client_id.in_(select(Client.id).where(Client.mentor_mother_id == caller.mentor_mother_id))
        )
    else:
        query = clients_seen(query, caller)
    if status:
        query = query.where(OutboundMessage.status == status)
    if purpose:
        query = query.where(OutboundMessage.purpose == purpose)
    if phone:
        try:
            query = query.where(OutboundMessage.phone == normalise_phone(phone))
        except PhoneError:
            return Page()
    if client_id is not None:
        query = query.where(OutboundMessage.client_id == client_id)
    if broadcast_id is not None:
        query = query.where(OutboundMessage.broadcast_id == broadcast_id)
    if since is not None:
        query = query.where(OutboundMessage.created_at >= since)
    return page_of(session, query, OutboundMessage.id, before_id=before_id, limit=limit, newest_first=True)
