"""Broadcasts as people see them: the history (newest first) and one broadcast, narrowed to the
caller: a Mentor Mother her own, a supervisor her facility's and her Mentor Mothers', an admin all."""
from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from ..access import Caller
from ..broadcasts.service import may_see
from ..models import Broadcast, MentorMother
from . import PAGE, Page, page_of


def history(session: Session, caller: Caller, *, before_id: int | None = None, limit: int = PAGE) -> Page:
    query = select(Broadcast)
    if caller.role == "mentor_mother":
        query = query.where(Broadcast.mentor_mother_id == caller.mentor_mother_id)
    elif caller.role == "supervisor":
        theirs = select(MentorMother.id).where(MentorMother.facility_id == caller.facility_id)
        query = query.where(or_(Broadcast.facility_id == caller.facility_id, Broadcast.mentor_mother_id.in_(theirs)))
    return page_of(session, query, Broadcast.id, before_id=before_id, limit=limit, newest_first=True)


def visible(session: Session, caller: Caller, broadcast_id: int) -> Broadcast | None:
    broadcast = session.get(Broadcast, broadcast_id)
    if broadcast is None:
        return None
    mentor_facility = (session.scalar(select(MentorMother.facility_id).where(
        MentorMother.id == broadcast.mentor_mother_id)) if broadcast.mentor_mother_id else None)
    return broadcast if may_see(caller, broadcast, mentor_facility) else None
