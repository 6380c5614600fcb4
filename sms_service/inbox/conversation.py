"""One client's conversation, as a person reads it: her SMS, her USSD choices and every SMS we
sent her (automatic replies, reminders, notices, answers typed by a person) in time order, each
said in plain words (a word key of the dashboard, never an internal code such as `free_text` or
`yes:transfer:6`); what is still to go stands apart, as coming.

A reply to a number (the help, STOP's confirmation) names no client when the phone is shared:
it is hers too, when it went to her number and to nobody else."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from ..models import (
    AuditEntry,
    Client,
    ConsentEvent,
    FollowUpTask,
    InboundMessage,
    OutboundMessage,
    Transfer,
    TransferEvent,
)
from ..models.statuses import MESSAGE_WAITING
from . import who

EACH = 200  # of each kind, the newest
USSD_TASKS = {"call_back": "ussd.call_back", "change_date": "ussd.change_date", "opt_in_blocked": "ussd.start"}
USSD_TRANSFER = {"acknowledged": "ussd.knows_clinic", "arrived": "ussd.arrived"}


@dataclass(frozen=True)
class Line:
    at: datetime
    way: str  # in (her SMS), ussd (her choice on the USSD menu), out (an SMS to her)
    said: str  # what it was, as a word key ("said.free_text", "sent.reminder", "ussd.call_back")
    text: str = ""  # the words of an SMS
    status: str = ""  # of an SMS to her: a word key ("msg.delivered")
    by: str = ""  # an answer: who typed it
    urgent: bool = False  # her SMS spoke of danger


@dataclass
class Talk:
    lines: list[Line] = field(default_factory=list)  # oldest first
    coming: list[Line] = field(default_factory=list)  # SMS still to go, soonest first


def of(session: Session, client: Client) -> Talk:
    """Her conversation. An SMS not out yet is coming (a reminder waits for its day and hour);
    a reply is in the conversation at once (it goes now, whatever the hour)."""
    talk = Talk()
    hers = or_(  # hers, or to her number for nobody in particular since she is on it (not to a Mentor Mother)
        OutboundMessage.client_id == client.id,
        and_(
            OutboundMessage.client_id.is_(None),
            OutboundMessage.mentor_mother_id.is_(None),
            OutboundMessage.phone == client.phone,
            OutboundMessage.created_at >= client.created_at,
        ),
    )
    sent = session.scalars(select(OutboundMessage).where(hers).order_by(OutboundMessage.id.desc()).limit(EACH)).all()
    typed_by = _typists(session, client)
    for m in sent:
        line = Line(
            m.sent_at or m.not_before,
            "out",
            _sent_as(m),
            m.body,
            f"msg.{m.status}",
            by=typed_by.get(m.id, "") if m.purpose == "reply" and m.template is None else "",
        )
        (talk.coming if m.status in MESSAGE_WAITING and m.purpose != "reply" else talk.lines).append(line)
    written = or_(
        InboundMessage.client_id == client.id,
        and_(
            InboundMessage.client_id.is_(None),
            InboundMessage.mentor_mother_id.is_(None),
            InboundMessage.phone == client.phone,
            InboundMessage.received_at >= client.created_at,
        ),
    )
    for sms in session.scalars(select(InboundMessage).where(written).order_by(InboundMessage.id.desc()).limit(EACH)):
        at = sms.sent_at or sms.received_at
        talk.lines.append(Line(at, "in", said_as(sms.intent), sms.text, urgent=sms.intent == "danger"))
    talk.lines.extend(_ussd(session, client))
    talk.lines.sort(key=lambda line: line.at)
    talk.coming.sort(key=lambda line: line.at)
    return talk


def said_as(intent: str | None) -> str:
    """Her SMS in plain words: what the service read it as."""
    if not intent:
        return "said.sms"
    head, _, rest = intent.partition(":")
    if head == "yes":
        kind = rest.partition(":")[0]
        return {"transfer": "said.yes_transfer", "appointment": "said.yes_visit"}.get(kind, "said.yes")
    if head == "choice":
        return "said.choice_again" if rest == "again" else "said.choice"
    if head == "check_in":
        return "said.check_in_help" if rest == "help" else "said.check_in_arrived"
    if rest == "which":
        return "said.which"
    if head == "start" and rest == "blocked":
        return "said.start"
    known = {
        "free_text",
        "change_date",
        "danger",
        "stop",
        "start",
        "help",
        "visit",
        "clinic",
        "language",
        "empty",
        "unregistered",
    }
    return f"said.{head}" if head in known else "said.sms"


def _sent_as(m: OutboundMessage) -> str:
    if m.purpose == "reply":
        return "sent.answer" if m.template is None else "sent.reply"
    return f"sent.{m.purpose}"


def _typists(session: Session, client: Client) -> dict[int, str]:
    """The answers typed by a person: message id → who (from the audit log)."""
    rows = session.execute(
        select(AuditEntry.actor, AuditEntry.detail).where(
            AuditEntry.subject_type == "client",
            AuditEntry.subject_id == client.external_id,
            AuditEntry.action == "client.answer",
        )
    ).all()
    names = who.names(session, {actor for actor, _ in rows})
    return {int(d["message"]): names[a] for a, d in rows if isinstance(d, dict) and d.get("message")}


def _ussd(session: Session, client: Client) -> list[Line]:
    """Her choices on the USSD menu, from what each one recorded."""
    lines = [
        Line(t.created_at, "ussd", USSD_TASKS[t.kind])
        for t in session.scalars(
            select(FollowUpTask)
            .where(
                FollowUpTask.client_id == client.id, FollowUpTask.kind.in_(USSD_TASKS), FollowUpTask.note.like("USSD%")
            )
            .order_by(FollowUpTask.id.desc())
            .limit(EACH)
        )
    ]
    for e in session.scalars(
        select(TransferEvent)
        .join(Transfer, Transfer.id == TransferEvent.transfer_id)
        .where(Transfer.client_id == client.id, TransferEvent.cause == "ussd")
        .order_by(TransferEvent.id.desc())
        .limit(EACH)
    ):
        chose = (e.detail or "").startswith("chose ")
        lines.append(
            Line(e.at, "ussd", "ussd.chose_clinic" if chose else USSD_TRANSFER.get(e.to_status, "ussd.clinic"))
        )
    for c in session.scalars(
        select(ConsentEvent)
        .where(
            or_(ConsentEvent.client_id == client.id, ConsentEvent.phone == client.phone), ConsentEvent.source == "ussd"
        )
        .order_by(ConsentEvent.id.desc())
        .limit(EACH)
    ):
        lines.append(Line(c.at, "ussd", "ussd.stop" if c.kind == "opt_out" else "ussd.start"))
    return lines
