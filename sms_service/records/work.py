"""A person's follow-up list, and closing a task with its outcome (a transfer outcome is recorded
on the transfer too), narrowed to what the caller may see."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import audit
from ..access import clients_seen
from ..models import Client, FollowUpTask, InboundMessage, Transfer
from ..transfers.outcomes import OutcomeRefused, record
from ..transfers.states import OUTCOMES, transfer_of
from . import page_of

if TYPE_CHECKING:
    from ..config import Config

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

    query = (
        select(FollowUpTask, Client, InboundMessage.text)
        .outerjoin(Client, Client.id == FollowUpTask.client_id)
        .outerjoin(InboundMessage, InboundMessage.id == FollowUpTask.inbound_message_id)
    )
    if caller.role == "mentor_mother":  # the clients she cares for now, whoever had them when it was made
        query = query.where(Client.mentor_mother_id == caller.mentor_mother_id)
    else:
        query = clients_seen(query, caller)
    return query.where(FollowUpTask.status == status) if status else query


def visible_tasks(
    session: Session, caller, *, status: str | None = "open", after_id: int | None = None, limit: int = 100
):
    """A page of the tasks `caller` may see, oldest first: (task, client, the SMS it is about).
    Of the open ones, the urgent (a danger sign) stand first: all of them, oldest first, at the
    head of the first page; the pages go on through the others."""
    query = _seen_by(caller, status)
    if status != "open":
        return page_of(session, query, FollowUpTask.id, after_id=after_id, limit=limit)
    page = page_of(
        session, query.where(FollowUpTask.priority != "urgent"), FollowUpTask.id, after_id=after_id, limit=limit
    )
    if after_id is None:
        urgent = session.execute(query.where(FollowUpTask.priority == "urgent").order_by(FollowUpTask.created_at)).all()
        page.items = [tuple(row) for row in urgent] + page.items
    return page


def seen_task(session: Session, caller, task_id: int) -> tuple[FollowUpTask, Client] | None:
    """A task the caller may see, with its client."""
    row = session.execute(_seen_by(caller).where(FollowUpTask.id == task_id)).first()
    return (row[0], row[1]) if row is not None and row[1] is not None else None


def outcomes_for(task: FollowUpTask) -> tuple[str, ...]:

    if transfer_of(task.subject) is not None:
        return (*TASK_OUTCOMES, *(o for o in OUTCOMES if o not in ("cancelled", "lost_to_follow_up")))
    return TASK_OUTCOMES


def finish(
    session: Session, caller, task_id: int, outcome: str, *, note: str | None, now: datetime, config: Config
) -> FollowUpTask:
    """Close a task the caller may see, with its outcome (a transfer outcome moves the transfer)."""

    found = session.scalar(_seen_by(caller).where(FollowUpTask.id == task_id))
    if found is None:
        raise LookupError(task_id)
    if found.status != "open":
        raise TaskRefused(f"the task is already {found.status}", status=409)
    if outcome not in outcomes_for(found):  # a known outcome that is not this task's: its state says no
        raise TaskRefused(
            f"outcome: one of {', '.join(outcomes_for(found))}",
            status=409 if outcome in (*TASK_OUTCOMES, *OUTCOMES) else 400,
        )
    if outcome not in TASK_OUTCOMES:
        transfer = session.get_one(Transfer, transfer_of(found.subject))
        try:
            record(session, transfer, outcome, by=replace(caller, channel="task"), now=now, config=config, note=note)
        except OutcomeRefused as exc:
            raise TaskRefused(str(exc)) from None
    found.status, found.outcome, found.closed_at, found.closed_by = "done", outcome, now, caller.who[:64]
    if note:
        found.note = f"{found.note or ''}\n{note[:500]}".strip()
        if found.note_args:  # the service's note read in each language, then hers as written
            found.note_args = {**found.note_args, "added": note[:500]}
    audit.record(
        session,
        caller.actor,
        "task.done",
        subject_type="task",
        subject_id=found.id,
        origin=caller.channel,
        outcome=outcome,
    )
    return found
