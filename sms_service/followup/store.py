"""Follow-up tasks for people, made in bulk and never twice for one key."""
from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ..db import among, bulk_insert
from ..models import Client, FollowUpTask


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


def follow_their_mentor_mothers(session: Session) -> int:
    """Open tasks about a client go to her Mentor Mother as she is now (a re-import, a transfer
    gave her another). Returns how many moved."""
    hers = select(Client.mentor_mother_id).where(Client.id == FollowUpTask.client_id).scalar_subquery()
    return session.execute(update(FollowUpTask).where(FollowUpTask.status == "open", FollowUpTask.client_id.is_not(None),
                                                      FollowUpTask.mentor_mother_id.is_distinct_from(hers))
                           .values(mentor_mother_id=hers).execution_options(synchronize_session=False)).rowcount


def close_tasks(session: Session, subjects: list[str], outcome: str, *, now: datetime,
                kinds: tuple[str, ...] | None = None) -> list[int]:
    """The open tasks about these subjects (of `kinds`, when given) are done, with `outcome`;
    returns their ids."""
    if not subjects:
        return []
    tasks = update(FollowUpTask).where(among(session, FollowUpTask.subject, subjects), FollowUpTask.status == "open")
    if kinds is not None:
        tasks = tasks.where(FollowUpTask.kind.in_(kinds))
    return list(session.scalars(tasks.values(status="done", outcome=outcome[:64], closed_at=now)
                                .returning(FollowUpTask.id).execution_options(synchronize_session=False)))


def close_client_tasks(session: Session, client_ids: list[int], outcome: str, *, now: datetime) -> list[int]:
    """Every open task about these clients is done, with `outcome`; returns their ids."""
    if not client_ids:
        return []
    return list(session.scalars(
        update(FollowUpTask).where(among(session, FollowUpTask.client_id, client_ids), FollowUpTask.status == "open")
        .values(status="done", outcome=outcome[:64], closed_at=now).returning(FollowUpTask.id)
        .execution_options(synchronize_session=False)))


def reopen(session: Session, ids: list[int], *, closed_at: datetime) -> list[int]:
    """Tasks closed at `closed_at` (by something now undone) are open again; returns their ids."""
    if not ids:
        return []
    return list(session.scalars(
        update(FollowUpTask).where(among(session, FollowUpTask.id, ids), FollowUpTask.status == "done",
                                   FollowUpTask.closed_at == closed_at)
        .values(status="open", outcome=None, closed_at=None).returning(FollowUpTask.id)
        .execution_options(synchronize_session=False)))


def with_open_tasks(session: Session, subjects: list[str]) -> set[str]:
    """Which of these subjects a person already has an open task about."""
    if not subjects:
        return set()
    return set(session.scalars(select(FollowUpTask.subject).where(
        among(session, FollowUpTask.subject, subjects), FollowUpTask.status == "open")))


# What a person records when a task is done; on a task about a transfer, a transfer outcome is
# recorded on the transfer too.
TASK_OUTCOMES = ("reached", "visited", "not_needed")


class TaskRefused(ValueError):
    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.status = status  # as the API answers it: 409 when the task is already done


def _seen_by(caller, status: str | None = None):
    """SELECT (task, client, the SMS it is about) of the tasks `caller` may see: a Mentor Mother
    her clients' (those she cares for now), a supervisor her facility's clients', an admin all."""
    from ..access import clients_seen
    from ..models import InboundMessage

    query = (select(FollowUpTask, Client, InboundMessage.text).outerjoin(Client, Client.id == FollowUpTask.client_id)
             .outerjoin(InboundMessage, InboundMessage.id == FollowUpTask.inbound_message_id))
    if caller.role == "mentor_mother":  # the clients she cares for now, whoever had them when it was made
        query = query.where(Client.mentor_mother_id == caller.mentor_mother_id)
    else:
        query = clients_seen(query, caller)
    return query.where(FollowUpTask.status == status) if status else query


def visible_tasks(session: Session, caller, *, status: str | None = "open", after_id: int | None = None,
                  limit: int = 100):
    """A page of the tasks `caller` may see, oldest first: (task, client, the SMS it is about)."""
    from ..records import page_of

    return page_of(session, _seen_by(caller, status), FollowUpTask.id, after_id=after_id, limit=limit)


def outcomes_for(task: FollowUpTask) -> tuple[str, ...]:
    from ..transfers.states import OUTCOMES, transfer_of

    if transfer_of(task.subject) is not None:
        return (*TASK_OUTCOMES, *(o for o in OUTCOMES if o not in ("cancelled", "lost_to_follow_up")))
    return TASK_OUTCOMES


def finish(session: Session, caller, task_id: int, outcome: str, *, note: str | None, now: datetime,
           config) -> FollowUpTask:
    """Close a task the caller may see, with its outcome (a transfer outcome moves the transfer)."""
    from .. import audit
    from ..models import Transfer
    from ..transfers.outcomes import OutcomeRefused, record
    from ..transfers.states import transfer_of

    found = session.scalar(_seen_by(caller).where(FollowUpTask.id == task_id))
    if found is None:
        raise LookupError(task_id)
    if found.status != "open":
        raise TaskRefused(f"the task is already {found.status}", status=409)
    if outcome not in outcomes_for(found):  # a known outcome that is not this task's: its state says no
        from ..transfers.states import OUTCOMES

        raise TaskRefused(f"outcome: one of {', '.join(outcomes_for(found))}",
                          status=409 if outcome in (*TASK_OUTCOMES, *OUTCOMES) else 400)
    if outcome not in TASK_OUTCOMES:
        transfer = session.get(Transfer, transfer_of(found.subject))
        try:
            record(session, transfer, outcome, by=replace(caller, channel="task"), now=now, config=config, note=note)
        except OutcomeRefused as exc:
            raise TaskRefused(str(exc)) from None
    found.status, found.outcome, found.closed_at = "done", outcome, now
    if note:
        found.note = f"{found.note or ''}\n{note[:500]}".strip()
    audit.record(session, caller.actor, "task.done", subject_type="task", subject_id=found.id,
                 origin=caller.channel, outcome=outcome)
    return found
