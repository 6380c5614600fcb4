"""A person answers a client: one SMS (purpose `reply`), checked like a broadcast (discreet
wording refused and named, curly quotes offered plain, at most three parts), keyed to what it
answers (her task, else her latest SMS) and to its text, so a double click or a retried request
sends once. An opted-out client is reached only if she wrote within the last 7 days (she
asked). Answering closes the task (or her SMS's tasks), recording who answered and when.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import audit
from ..broadcasts.content import check
from ..followup.store import close_tasks
from ..models import Client, FollowUpTask, InboundMessage
from ..outbound.messages import create_message
from ..texts.gsm7 import sms_parts

SHE_ASKED = timedelta(days=7)  # an opted-out client who wrote within this is answered
KEEPS = timedelta(hours=6)  # an answer not out by then is stale


class AnswerRefused(Exception):
    def __init__(self, status: int, problems: list[str], offered: str | None = None):
        self.status, self.problems, self.offered = status, problems, offered
        super().__init__("; ".join(problems))


@dataclass(frozen=True)
class Answered:
    message_id: int
    created: bool  # False: the same answer was already made (sent once)
    parts: int
    closed_tasks: int


def answer(
    session: Session,
    client: Client,
    text: str,
    *,
    actor: str,
    now: datetime,
    task: FollowUpTask | None = None,
    origin: str | None = None,
) -> Answered:
    content = check(text, None)
    if not content.ok:
        raise AnswerRefused(400, content.problems, content.normalised.get("en"))
    body = content.texts["en"]
    latest = session.execute(
        select(InboundMessage.id, InboundMessage.received_at)
        .where(InboundMessage.client_id == client.id)
        .order_by(InboundMessage.id.desc())
        .limit(1)
    ).first()
    if client.opted_out_at is not None and (latest is None or now - latest[1] > SHE_ASKED):
        raise AnswerRefused(409, ["she has stopped our messages and has not written in the last 7 days"])
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
        subjects = [task.subject] if task is not None and task.subject else []
        if latest is not None:
            subjects.append(f"sms:{latest[0]}")
        closed = close_tasks(session, subjects, f"answered by {actor}", now=now)
        if task is not None and task.status == "open" and task.id not in closed:
            task.status, task.outcome, task.closed_at = "done", f"answered by {actor}"[:64], now
            closed.append(task.id)
        audit.record(
            session,
            actor,
            "client.answer",
            subject_type="client",
            subject_id=client.external_id,
            origin=origin,
            parts=sms_parts(body),
            tasks=len(closed),
        )
    return Answered(message.id, created, sms_parts(body), len(closed))
