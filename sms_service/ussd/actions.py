"""What a USSD choice records. Each is safe to repeat: AT may resend a step, and a client
may choose the same thing in two sessions."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from .. import consent
from ..models import Client, ConsentEvent, FollowUpTask, Transfer
from .menu import Action


def record(session: Session, action: Action, phone: str, session_id: str, now: datetime, today) -> None:
    client = session.get(Client, action.client_id)
    if client is None or client.phone != phone:
        return  # never act on a client the number does not hold
    if action.kind == "knows_new_clinic":
        _move(session, action.detail, client, ("planned", "notified"), "acknowledged", now)
    elif action.kind == "arrived":
        if _move(session, action.detail, client, Transfer.OPEN_STATES, "arrived", now):
            transfer = session.get(Transfer, action.detail)
            client.facility_id, client.updated_at = transfer.to_facility_id, now
    elif action.kind == "change_date":
        appointment_id, _, reason = str(action.detail).partition(":")
        _task(session, client, "change_date", f"appointment:{appointment_id}", f"USSD: {reason}", session_id, now, today)
    elif action.kind == "call_back":
        _task(session, client, "call_back", None, "USSD", session_id, now, today, once_a_day=True)
    elif action.kind == "opt_in_blocked":
        _task(session, client, "opt_in_blocked", None, "USSD: asked to start; the network blocks us", session_id,
              now, today)
    elif action.kind == "language":
        client.language, client.updated_at = action.detail, now
    elif action.kind == "opt_out":
        if session.scalar(select(Client.id).where(Client.phone == phone, Client.opted_out_at.is_(None)).limit(1)):
            consent.opt_out(session, phone, "ussd", f"reason: {action.detail}", now=now)
    elif action.kind == "opt_in":
        session.execute(update(Client).where(Client.phone == phone, Client.opted_out_at.is_not(None))
                        .values(opted_out_at=None, updated_at=now))
        session.add(ConsentEvent(phone=phone, client_id=client.id, kind="opt_in", source="ussd", at=now))


def _move(session, transfer_id, client, sources, to: str, now) -> bool:
    return bool(session.execute(update(Transfer).where(
        Transfer.id == transfer_id, Transfer.client_id == client.id, Transfer.status.in_(sources))
        .values(status=to, status_changed_at=now)).rowcount)


def _task(session, client, kind, subject, note, session_id, now, today, once_a_day=False) -> None:
    """One task per USSD session (AT may resend the step); a call back at most once a day."""
    same = select(FollowUpTask.id).where(FollowUpTask.client_id == client.id, FollowUpTask.kind == kind)
    if session.scalar(same.where(FollowUpTask.note.like(f"%[{session_id}]")).limit(1)):
        return
    if once_a_day and session.scalar(same.where(FollowUpTask.status == "open", FollowUpTask.due_on == today).limit(1)):
        return
    session.add(FollowUpTask(mentor_mother_id=client.mentor_mother_id, client_id=client.id, kind=kind,
                             subject=subject, note=f"{note} [{session_id}]", due_on=today, created_at=now))
