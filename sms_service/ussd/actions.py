"""What a USSD choice records. Each is safe to repeat: AT may resend a step, and a client
may choose the same thing in two sessions. The common ones (a task for her Mentor Mother,
the language) are one prepared statement each; the rare ones (the new clinic known, arrival,
stopping and starting messages) a short transaction."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import bindparam, select, update

from ..db import table_of
from ..followup.notes import note
from ..followup.store import task_statement
from ..life_events import renewal
from ..models import Client, Facility, Transfer
from ..outbound import consent
from ..transfers import choice
from ..transfers.states import move
from .menu import Action

if TYPE_CHECKING:
    from ..config import Config

TASKS = {"call_back", "change_date", "opt_in_blocked"}


def record(db, action: Action, phone: str, session_id: str, now: datetime, today: date, config: Config) -> None:
    """`action.client_id` came from the clients on `phone` (people_on): it is hers to act on."""
    if action.kind in TASKS:
        appointment, _, reason = str(action.detail or "").partition(":")
        key = {
            "call_back": f"call_back:{action.client_id}:{today.isoformat()}",  # one a day
            "change_date": f"change_date:{session_id}:{appointment}",
            "opt_in_blocked": f"opt_in_blocked:{session_id}",
        }[action.kind]
        db.prepared_insert("ussd.task", task_statement, quick=True)(
            {
                "client_id": action.client_id,
                "kind": action.kind,
                "dedupe_key": key[:120],
                "due_on": today,
                "subject": f"appointment:{appointment}" if action.kind == "change_date" else None,
                **(note("change_date_ussd", reason=reason) if reason else {"note": "USSD", "note_args": None}),
                "status": "open",
                "created_at": now,
            }
        )
    elif action.kind == "language":
        db.prepared_insert("ussd.language", _language, quick=True)(
            {"id": action.client_id, "language": action.detail, "updated_at": now}
        )
    else:
        with db.quick() as session:
            _rare(session, action, phone, session_id, now, config)


def _language(dialect_name: str):
    table = table_of(Client)
    return (
        update(table)
        .where(table.c.id == bindparam("id"))
        .values(language=bindparam("language"), updated_at=bindparam("updated_at"))
        .returning(table.c.id)
    )


def _rare(session, action: Action, phone: str, session_id: str, now: datetime, config: Config) -> None:
    client = session.get(Client, action.client_id)
    if action.kind in ("knows_new_clinic", "arrived"):
        transfer = session.get(Transfer, action.detail)
        if transfer is not None and transfer.client_id == client.id:  # hers, and still open: moved once
            move(
                session,
                transfer,
                "acknowledged" if action.kind == "knows_new_clinic" else "arrived",
                cause="ussd",
                actor=f"client:{client.id}",
                now=now,
                detail=f"USSD {session_id}"[:200],
            )
    elif action.kind == "choose_clinic":
        transfer_id, _, facility_id = str(action.detail).partition(":")
        transfer = session.get(Transfer, int(transfer_id))
        clinic = session.get(Facility, int(facility_id))
        if transfer is not None and clinic is not None and transfer.client_id == client.id:
            choice.choose(session, transfer, clinic, cause="ussd", actor=f"client:{client.id}", now=now, config=config)
    elif action.kind == "opt_out":
        if session.scalar(select(Client.id).where(Client.phone == phone, Client.opted_out_at.is_(None)).limit(1)):
            consent.opt_out(session, phone, "ussd", f"reason: {action.detail}", now=now)
    elif action.kind == "opt_in":
        renewal.opt_back_in(session, phone, "ussd", client_id=client.id, now=now, config=config)
