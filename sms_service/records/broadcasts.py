"""Broadcasts as people see them: the history (newest first) and one broadcast, narrowed to the
caller: a Mentor Mother her own, a supervisor her facility's and her Mentor Mothers', an admin all."""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from ..access import Caller
from ..models import Broadcast, MentorMother
from . import PAGE, Page, page_of


def scope(query, caller: Caller):
    """`query` (which selects from Broadcast) narrowed to the broadcasts `caller` may see."""
    if caller.role == "mentor_mother":
        return query.where(Broadcast.mentor_mother_id == caller.mentor_mother_id)
    if caller.role == "supervisor":
        theirs = select(MentorMother.id).where(MentorMother.facility_id == caller.facility_id)
        return query.where(or_(Broadcast.facility_id == caller.facility_id, Broadcast.mentor_mother_id.in_(theirs)))
    return query


def history(session: Session, caller: Caller, *, before_id: int | None = None, limit: int = PAGE) -> Page:
    return page_of(
        session, scope(select(Broadcast), caller), Broadcast.id, before_id=before_id, limit=limit, newest_first=True
    )


def visible(session: Session, caller: Caller, broadcast_id: int) -> Broadcast | None:
    return session.scalar(scope(select(Broadcast).where(Broadcast.id == broadcast_id), caller))
