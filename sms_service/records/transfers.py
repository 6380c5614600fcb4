"""Transfers as people see them: a page of them by closing site, receiving clinic and status,
and one with its events; narrowed to the caller (a supervisor: her facility closing or receiving)."""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, aliased, contains_eager, selectinload

from ..access import Caller, coming_to, narrowed
from ..models import Client, Facility, Transfer, TransferEvent
from . import PAGE, Page, page_of


def scope(query, caller: Caller):
    """A supervisor sees the transfers from her facility, and those to it while they stand."""
    if caller.role == "supervisor":
        return query.where(or_(Transfer.from_facility_id == caller.facility_id, coming_to(caller.facility_id)))
    return narrowed(query, caller, Transfer.from_facility_id, Transfer.to_facility_id)


def listing(
    session: Session,
    caller: Caller,
    *,
    site: str | None = None,
    clinic: str | None = None,
    status: str | None = None,
    after_id: int | None = None,
    limit: int = PAGE,
) -> Page:
    source, target = aliased(Facility), aliased(Facility)
    query = (
        select(Transfer)
        .join(Client, Client.id == Transfer.client_id)
        .join(source, source.id == Transfer.from_facility_id)
        .join(target, target.id == Transfer.to_facility_id)
        .options(
            contains_eager(Transfer.client), selectinload(Transfer.from_facility), selectinload(Transfer.to_facility)
        )
    )
    for value, column in ((site, source.code), (clinic, target.code), (status, Transfer.status)):
        if value:
            query = query.where(column == value)
    return page_of(session, scope(query, caller), Transfer.id, after_id=after_id, limit=limit)


def visible(session: Session, caller: Caller, transfer_id: int) -> Transfer | None:
    return session.scalar(
        scope(select(Transfer).join(Client, Client.id == Transfer.client_id).where(Transfer.id == transfer_id), caller)
    )


def events(session: Session, transfer: Transfer) -> list[TransferEvent]:
    return list(
        session.scalars(
            select(TransferEvent).where(TransferEvent.transfer_id == transfer.id).order_by(TransferEvent.id)
        )
    )
