"""Follow-up tasks for people, made in bulk and never twice for one key."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from .db import among, bulk_insert
from .models import Client, FollowUpTask


def open_tasks(session: Session, tasks: list[dict], *, now: datetime, today: date) -> int:
    """Tasks (client_id, kind, subject, dedupe_key, note) on each client's Mentor Mother's list,
    due today; a key already used makes none. Returns how many were made."""
    if not tasks:
        return 0
    mentors = dict(session.execute(select(Client.id, Client.mentor_mother_id).where(
        among(session, Client.id, list({t["client_id"] for t in tasks})))).all())
    rows = [{"mentor_mother_id": mentors.get(t["client_id"]), "client_id": t["client_id"], "kind": t["kind"],
             "subject": t.get("subject"), "dedupe_key": t["dedupe_key"][:120], "note": t.get("note"),
             "status": "open", "due_on": t.get("due_on", today), "created_at": now, "inbound_message_id": None,
             "outcome": None, "closed_at": None} for t in tasks]
    return len(bulk_insert(session, FollowUpTask.__table__, rows, returning=("id",), conflict="dedupe_key"))


def close_tasks(session: Session, subjects: list[str], outcome: str, *, now: datetime,
                kinds: tuple[str, ...] | None = None) -> None:
    """The open tasks about these subjects (of `kinds`, when given) are done, with `outcome`."""
    if not subjects:
        return
    tasks = update(FollowUpTask).where(among(session, FollowUpTask.subject, subjects), FollowUpTask.status == "open")
    if kinds is not None:
        tasks = tasks.where(FollowUpTask.kind.in_(kinds))
    session.execute(tasks.values(status="done", outcome=outcome[:64], closed_at=now)
                    .execution_options(synchronize_session=False))


def with_open_tasks(session: Session, subjects: list[str]) -> set[str]:
    """Which of these subjects a person already has an open task about."""
    if not subjects:
        return set()
    return set(session.scalars(select(FollowUpTask.subject).where(
        among(session, FollowUpTask.subject, subjects), FollowUpTask.status == "open")))
