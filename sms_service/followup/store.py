"""Follow-up tasks for people: the one place they are made (in bulk, never twice for one key; and
the prepared statement of USSD's hot path), closed, reopened and moved with their client."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from ..db import among, bulk_insert, changed_rows, insert_ignoring
from ..models import Client, FollowUpTask, Transfer


def open_tasks(session: Session, tasks: list[dict], *, now: datetime, today: date) -> int:
    """Tasks (client_id, kind, subject, note, and a dedupe_key when one must never be made
    twice, the inbound_message_id an SMS made it from) on each client's Mentor Mother's list, due
    today; a key already used makes none. Returns how many were made."""
    if not tasks:
        return 0
    mentors = dict(
        session.execute(
            select(Client.id, Client.mentor_mother_id).where(
                among(session, Client.id, list({t["client_id"] for t in tasks if t.get("client_id")}) or [0])
            )
        ).all()
    )
    rows = [
        {
            "mentor_mother_id": mentors.get(t["client_id"]) if t.get("client_id") else None,
            "client_id": t.get("client_id"),
            "kind": t["kind"],
            "subject": t.get("subject"),
            "transfer_id": Transfer.in_subject(t.get("subject")),
            "dedupe_key": t["dedupe_key"][:120] if t.get("dedupe_key") else None,
            "note": t.get("note"),
            "note_args": t.get("note_args"),
            "status": "open",
            "priority": t.get("priority", "normal"),
            "due_on": t.get("due_on", today),
            "created_at": now,
            "inbound_message_id": t.get("inbound_message_id"),
            "outcome": None,
            "closed_at": None,
        }
        for t in tasks
    ]
    return len(bulk_insert(session, FollowUpTask.__table__, rows, returning=("id",), conflict="dedupe_key"))


def open_alert(
    session: Session, subject: str, note: str, *, now: datetime, inbound_message_id: int | None = None
) -> None:
    """An admin's task (no client's): one open at a time for a subject (a stop-the-line reason, an
    SMS that could not be handled)."""
    if (
        session.scalar(
            select(FollowUpTask.id).where(
                FollowUpTask.kind == "alert", FollowUpTask.subject == subject, FollowUpTask.status == "open"
            )
        )
        is None
    ):
        open_tasks(
            session,
            [{"kind": "alert", "subject": subject, "note": note, "inbound_message_id": inbound_message_id}],
            now=now,
            today=now.date(),
        )


TASK_COLUMNS = ("client_id", "kind", "dedupe_key", "due_on", "subject", "note", "note_args", "status", "created_at")


def task_statement(dialect_name: str):
    """One task for a client, on her Mentor Mother's list, unless its key was used: the single
    prepared statement of a hot path (a USSD choice), with the parameters `TASK_COLUMNS`."""
    mentor = select(Client.mentor_mother_id).where(Client.id == bindparam("client_id")).scalar_subquery()
    return insert_ignoring(
        dialect_name, FollowUpTask.__table__, TASK_COLUMNS, "dedupe_key", {"mentor_mother_id": mentor}
    )


def follow_their_mentor_mothers(session: Session) -> int:
    """Open tasks about a client go to her Mentor Mother as she is now (a re-import, a transfer
    gave her another). Returns how many moved."""
    hers = select(Client.mentor_mother_id).where(Client.id == FollowUpTask.client_id).scalar_subquery()
    return changed_rows(
        session.execute(
            update(FollowUpTask)
            .where(
                FollowUpTask.status == "open",
                FollowUpTask.client_id.is_not(None),
                FollowUpTask.mentor_mother_id.is_distinct_from(hers),
            )
            .values(mentor_mother_id=hers)
            .execution_options(synchronize_session=False)
        )
    )


def close_tasks(
    session: Session, subjects: list[str], outcome: str, *, now: datetime, kinds: tuple[str, ...] | None = None
) -> list[int]:
    """The open tasks about these subjects (of `kinds`, when given) are done, with `outcome`;
    returns their ids."""
    if not subjects:
        return []
    tasks = update(FollowUpTask).where(among(session, FollowUpTask.subject, subjects), FollowUpTask.status == "open")
    if kinds is not None:
        tasks = tasks.where(FollowUpTask.kind.in_(kinds))
    return list(
        session.scalars(
            tasks.values(status="done", outcome=outcome[:64], closed_at=now)
            .returning(FollowUpTask.id)
            .execution_options(synchronize_session=False)
        )
    )


def close_client_tasks(session: Session, client_ids: list[int], outcome: str, *, now: datetime) -> list[int]:
    """Every open task about these clients is done, with `outcome`; returns their ids."""
    if not client_ids:
        return []
    return list(
        session.scalars(
            update(FollowUpTask)
            .where(among(session, FollowUpTask.client_id, client_ids), FollowUpTask.status == "open")
            .values(status="done", outcome=outcome[:64], closed_at=now)
            .returning(FollowUpTask.id)
            .execution_options(synchronize_session=False)
        )
    )


def reopen(session: Session, ids: list[int], *, closed_at: datetime) -> list[int]:
    """Tasks closed at `closed_at` (by something now undone) are open again; returns their ids."""
    if not ids:
        return []
    return list(
        session.scalars(
            update(FollowUpTask)
            .where(
                among(session, FollowUpTask.id, ids), FollowUpTask.status == "done", FollowUpTask.closed_at == closed_at
            )
            .values(status="open", outcome=None, closed_at=None)
            .returning(FollowUpTask.id)
            .execution_options(synchronize_session=False)
        )
    )


def with_open_tasks(session: Session, subjects: list[str]) -> set[str]:
    """Which of these subjects a person already has an open task about."""
    if not subjects:
        return set()
    return set(
        session.scalars(
            select(FollowUpTask.subject).where(
                among(session, FollowUpTask.subject, subjects), FollowUpTask.status == "open"
            )
        )
    )
