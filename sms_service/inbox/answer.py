"""A person answers a client: one SMS (purpose `reply`), checked like a broadcast (discreet
wording refused and named, curly quotes offered plain, at most three parts), keyed to what it
answers (the task named, else her latest SMS: what stays the same when it is sent again, even
after the first closed her task) and to its text, so a double click or a retried request
sends once. An opted-out client is reached only if she wrote within the last 7 days (she
asked). Answering closes the task it answers and every message of hers still waiting for an
answer (`free_text`), recording who answered and when; a danger sign or a change of date asked
for stays open until it is itself answered or done.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from .. import audit
from ..access import Caller
from ..broadcasts.content import Content, check
from ..models import Client, FollowUpTask, InboundMessage
from ..outbound.messages import create_message
from ..texts.gsm7 import sms_parts

SHE_ASKED = timedelta(days=7)  # an opted-out client who wrote within this is answered
KEEPS = timedelta(hours=6)  # an answer not out by then is stale


class AnswerRefused(Exception):
    def __init__(self, status: int, problems: list[str], offered: str | None = None, reasons: frozenset = frozenset()):
        self.status, self.problems, self.offered = status, problems, offered
        self.reasons = reasons  # the content check's: revealing, not_gsm7, too_long, empty; unreachable
        super().__init__("; ".join(problems))


def reachable(client: Client, asked_at: datetime | None, now: datetime) -> bool:
    """May a person's answer reach her? Yes, unless she stopped our messages and has not asked
    anything (written, or asked on the USSD) in the last 7 days."""
    return client.opted_out_at is None or (asked_at is not None and now - asked_at <= SHE_ASKED)


@dataclass(frozen=True)
class Answered:
    message_id: int
    created: bool  # False: the same answer was already made (sent once)
    parts: int
    closed_tasks: int


WAITING = ("danger_sign", "free_text")  # her messages that wait for an answer, the most pressing first


def her_task(session: Session, client: Client, task_id: int | None) -> FollowUpTask | None:
    """The task `task_id` if it is about her (what an answer may name), else None."""
    task = session.get(FollowUpTask, task_id) if task_id is not None else None
    return task if task is not None and task.client_id == client.id else None


def waiting_task(session: Session, client: Client) -> FollowUpTask | None:
    """What an answer to her answers: her open danger sign, else her newest message waiting."""
    tasks = session.scalars(
        select(FollowUpTask)
        .where(FollowUpTask.client_id == client.id, FollowUpTask.status == "open", FollowUpTask.kind.in_(WAITING))
        .order_by(FollowUpTask.id.desc())
    ).all()
    return min(tasks, key=lambda t: WAITING.index(t.kind), default=None)


def checked(text: str) -> Content:
    """What an answer would be (its plain text and SMS parts), or why it may not go."""
    return check(text, None)


def answer(
    session: Session, client: Client, text: str, *, by: Caller, now: datetime, task: FollowUpTask | None = None
) -> Answered:
    content = checked(text)
    if not content.ok:
        raise AnswerRefused(400, content.problems, content.normalised.get("en"), frozenset(content.reasons))
    body = content.texts["en"]
    latest = session.execute(
        select(InboundMessage.id, InboundMessage.received_at)
        .where(InboundMessage.client_id == client.id)
        .order_by(InboundMessage.id.desc())
        .limit(1)
    ).first()
    if not reachable(client, latest[1] if latest else None, now):
        raise AnswerRefused(
            409,
            ["she has stopped our messages and has not written in the last 7 days"],
            reasons=frozenset({"unreachable"}),
        )
    about = f"task:{task.id}" if task is not None else f"sms:{latest[0]}" if latest else "none"
    digest = hashlib.sha256(body.encode()).hexdigest()[:12]
    message, created = create_message(
        session,
        phone=client.phone,
        purpose="reply",
        body=body,
        expires_at=now + KEEPS,
        client_id=client.id,
        subject=f"answer:{about}:{digest}",
        not_before=now,
        language=client.language,
        template=None,  # typed by a person: no catalogue template
    )
    closed: list[int] = []
    if created:
        answered = FollowUpTask.kind == "free_text"
        if task is not None:
            answered = or_(answered, FollowUpTask.id == task.id)
        closed = list(
            session.scalars(
                update(FollowUpTask)
                .where(FollowUpTask.client_id == client.id, FollowUpTask.status == "open", answered)
                .values(status="done", outcome="answered", closed_at=now, closed_by=by.who[:64])
                .returning(FollowUpTask.id)
                .execution_options(synchronize_session=False)
            )
        )
        if task is not None:
            session.refresh(task)
        audit.record(
            session,
            by.actor,
            "client.answer",
            subject_type="client",
            subject_id=client.external_id,
            origin=by.channel,
            message=message.id,
            person=by.who,
            parts=sms_parts(body),
            tasks=len(closed),
        )
    return Answered(message.id, created, sms_parts(body), len(closed))
