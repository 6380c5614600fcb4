"""Who is acting, and so what they may see and reach: an admin everything, a supervisor one
facility (its clients, and those coming to it), a Mentor Mother her own clients. One `Caller`
for every channel: an API token, a dashboard login, a Mentor Mother's SMS command."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import or_, select

from .models import Client, Transfer

ROLES = ("admin", "supervisor", "mentor_mother")


@dataclass(frozen=True)
class Caller:
    actor: str  # as in the audit log: "token:3", "user:7", "mentor_mother:MM01"
    role: str
    channel: str  # api, web, sms
    mentor_mother_id: int | None = None
    facility_id: int | None = None
    person: str | None = None  # who is behind the credential (`person_of`); None: the actor itself

    @property
    def who(self) -> str:
        """The person acting, whatever credential she used: a broadcast's approver is another."""
        return self.person or self.actor


def person_of(user_id: int | None, role: str, mentor_mother_id: int | None) -> str:
    """The person behind an account (or a token of it): a Mentor Mother is herself by whatever
    channel (her SMS, her login, her token); anyone else is her account."""
    if role == "mentor_mother" and mentor_mother_id is not None:
        return f"mentor_mother:{mentor_mother_id}"
    return f"user:{user_id}"


def narrowed(query, caller: Caller, *facility_columns):
    """`query` (which joins Client) narrowed to what `caller` may see: everything for an admin;
    for a supervisor, rows whose `facility_columns` name her facility; for a Mentor Mother,
    her own clients'."""
    if caller.role == "admin":
        return query
    if caller.role == "supervisor":
        return query.where(or_(*(column == caller.facility_id for column in facility_columns)))
    return query.where(Client.mentor_mother_id == caller.mentor_mother_id)


# a receiving clinic sees a client while her transfer to it stands: open, arrived, or lost to
# follow-up (she may still turn up there); not once it was cancelled or ended elsewhere
RECEIVING = (*Transfer.OPEN_STATES, "arrived", "lost_to_follow_up")


def coming_to(facility_id: int | None):
    """SQL: a transfer to this facility that still stands (`RECEIVING`)."""
    return (Transfer.to_facility_id == facility_id) & Transfer.status.in_(RECEIVING)


def clients_seen(query, caller: Caller):
    """`query` (which selects from Client) narrowed to the clients `caller` may see; a supervisor
    sees her facility's clients and those transferring to it (while that transfer stands)."""
    if caller.role == "supervisor":
        coming = select(Transfer.client_id).where(coming_to(caller.facility_id))
        return query.where(or_(Client.facility_id == caller.facility_id, Client.id.in_(coming)))
    return narrowed(query, caller)


class ScopeRefused(ValueError):
    pass


def scope_ids(session, role: str, facility_code: str | None, mentor_mother_code: str | None):
    """(facility id, Mentor Mother id) for a role: a supervisor names a known facility, a Mentor
    Mother a known Mentor Mother (scoped by her clients, wherever they are). Raises `ScopeRefused`."""
    from .models import Facility, MentorMother

    if role == "supervisor":
        facility_id = session.scalar(select(Facility.id).where(Facility.code == (facility_code or "")))
        if facility_id is None:
            raise ScopeRefused("a supervisor needs --facility CODE of a known facility")
        return facility_id, None
    if role == "mentor_mother":
        mentor_id = session.scalar(select(MentorMother.id).where(MentorMother.code == (mentor_mother_code or "")))
        if mentor_id is None:
            raise ScopeRefused("a mentor_mother needs --mentor-mother CODE of a known Mentor Mother")
        return None, mentor_id
    return None, None
