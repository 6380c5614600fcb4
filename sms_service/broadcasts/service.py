"""A broadcast's life: prepared (checked, counted, previewed), confirmed by code (SMS) or approved
by a supervisor (above `BROADCAST_APPROVAL_ABOVE` recipients), scheduled, sent, or cancelled
(what is not yet sent stays unsent). Every step is audited: who, what, to how many, when, from
which channel."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .. import audit
from ..access import Caller
from ..languages import N_, Said
from ..models import Broadcast, MentorMother, OutboundMessage
from ..models.statuses import MessageStatus
from ..outbound.messages import PURPOSES, transition
from ..outbound.send_window import is_open, next_send_time
from .audience import AudienceRefused, count_by_language, parse_filters
from .content import Content, check

if TYPE_CHECKING:
    from ..config import Config

CODE_LIFETIME = timedelta(minutes=30)
WAITING = (
    MessageStatus.SCHEDULED,
    MessageStatus.QUEUED,
    MessageStatus.SENDING,
    MessageStatus.UNKNOWN,
)  # a message not yet out (unknown: never resent)
FAILED = ("failed", "expired", "suppressed")


class BroadcastRefused(Exception):
    def __init__(
        self, problems: list[str], normalised: dict | None = None, status: int = 422, reasons: set[str] | None = None
    ):
        super().__init__("; ".join(problems))
        self.problems, self.normalised, self.status = problems, normalised or {}, status
        self.reasons = reasons or set()  # the content's reasons, "audience", "send_at" or "nobody"


@dataclass
class Preview:
    recipients: int
    per_language: dict
    parts: dict
    sms_parts: int
    cost: float
    needs_approval: bool
    first_send_at: datetime

    def as_dict(self) -> dict:
        return {
            "recipients": self.recipients,
            "per_language": self.per_language,
            "parts_per_sms": self.parts,
            "sms_parts": self.sms_parts,
            "estimated_cost": round(self.cost, 2),
            "needs_approval": self.needs_approval,
            "first_send_at": self.first_send_at.isoformat(),
        }


def needs_approval(who: Caller, recipients: int, config: Config) -> bool:
    """Above `BROADCAST_APPROVAL_ABOVE` recipients someone else approves, unless an admin wrote it."""
    return recipients > config.broadcast_approval_above and who.role != "admin"


def window():
    return PURPOSES["broadcast"].window


def first_send_time(send_at: datetime | None, now: datetime, config: Config) -> datetime:
    return next_send_time(max(send_at or now, now), window(), config.tz)


def prepare(
    session: Session,
    who: Caller,
    *,
    text_en: str | None,
    text_sw: str | None,
    filters: dict | None,
    send_at: datetime | None,
    now: datetime,
    config: Config,
    normalise: bool = False,
) -> tuple[Broadcast, Preview]:
    """The broadcast as it would be (not stored) and its preview; refused with every problem."""
    content: Content = check(text_en, text_sw, normalise=normalise)
    problems, reasons = list(content.problems), set(content.reasons)
    try:
        audience = parse_filters(filters)
    except AudienceRefused as exc:
        problems.append(str(exc))
        reasons.add("audience")
        audience = {}
    if send_at is not None and (send_at <= now or not is_open(send_at, window(), config.tz)):
        start, end = window()
        problems.append(
            Said(
                N_("send_at: a time to come, between %(start)s and %(end)s (%(zone)s)"),
                start=f"{start:%H:%M}",
                end=f"{end:%H:%M}",
                zone=config.timezone,
            )
        )
        reasons.add("send_at")
    if problems:
        raise BroadcastRefused(problems, content.normalised, reasons=reasons)
    draft = Broadcast(
        mentor_mother_id=who.mentor_mother_id if who.role == "mentor_mother" else None,
        facility_id=who.facility_id if who.role == "supervisor" else None,
        created_by=who.actor,
        created_by_person=who.who,
        channel=who.channel,
        audience=audience,
        text_en=content.texts["en"],
        text_sw=content.texts["sw"],
        send_at=send_at,
    )
    counts = count_by_language(session, draft, now.astimezone(config.tz).date())
    parts = sum(counts[lang] * content.parts[lang] for lang in counts)
    total = sum(counts.values())
    draft.recipient_count, draft.sms_parts = total, parts
    return draft, Preview(
        total,
        counts,
        dict(content.parts),
        parts,
        parts * config.sms_cost_per_part,
        needs_approval(who, total, config),
        first_send_time(send_at, now, config),
    )


def create(session: Session, who: Caller, *, now: datetime, config: Config, **given) -> tuple[Broadcast, Preview]:
    """Store it: by SMS it waits for her `YES <code>`; otherwise for approval, or it is scheduled."""
    broadcast, preview = prepare(session, who, now=now, config=config, **given)
    if preview.recipients == 0:
        raise BroadcastRefused(["nobody to send to: no client matches"], status=409, reasons={"nobody"})
    if who.channel == "sms":
        broadcast.status, broadcast.confirmation_code = "awaiting_confirmation", f"{secrets.randbelow(9000) + 1000}"
        broadcast.code_expires_at = now + CODE_LIFETIME
    else:
        broadcast.status = "awaiting_approval" if preview.needs_approval else "scheduled"
    broadcast.created_at = broadcast.updated_at = now
    session.add(broadcast)
    session.flush()
    audit.record(
        session,
        who.actor,
        "broadcast.create",
        subject_type="broadcast",
        subject_id=broadcast.id,
        origin=who.channel,
        recipients=preview.recipients,
        sms_parts=preview.sms_parts,
        status=broadcast.status,
        send_at=broadcast.send_at.isoformat() if broadcast.send_at else None,
    )
    return broadcast, preview


WRONG_CODES = 3  # wrong codes for a waiting broadcast that cancel it (a 4-digit code is guessable)


def confirm(
    session: Session, mentor: MentorMother, code: str, now: datetime, config: Config
) -> tuple[str, Broadcast | None]:
    """Her `YES <code>`: ("scheduled" | "awaiting_approval", the broadcast now on its way);
    ("wrong", the one waiting: a wrong code, fewer tries left); ("cancelled_wrong", it: the
    third wrong code cancelled it); ("already", the broadcast the code sent before); ("cancelled",
    the one that code was for, never sent); ("expired", it); ("unknown", None)."""
    broadcast = session.scalar(
        select(Broadcast)
        .where(Broadcast.mentor_mother_id == mentor.id, Broadcast.confirmation_code == code)
        .order_by(Broadcast.id.desc())
        .limit(1)
    )
    waiting = session.scalar(
        select(Broadcast)
        .where(Broadcast.mentor_mother_id == mentor.id, Broadcast.status == "awaiting_confirmation")
        .order_by(Broadcast.id.desc())
        .limit(1)
    )
    if waiting is not None and (broadcast is None or broadcast.id != waiting.id):
        return _wrong_code(session, mentor, waiting, now)
    if broadcast is None:
        return "unknown", None
    if broadcast.status != "awaiting_confirmation":
        if broadcast.status == "cancelled":
            return (
                "expired"
                if broadcast.code_expires_at
                and broadcast.cancelled_at
                and broadcast.code_expires_at <= broadcast.cancelled_at
                else "cancelled"
            ), broadcast
        return "already", broadcast
    if broadcast.code_expires_at is None or broadcast.code_expires_at <= now:  # a code always has its end
        _end(session, broadcast, "cancelled", now)
        audit.record(
            session,
            f"mentor_mother:{mentor.code}",
            "broadcast.expire",
            subject_type="broadcast",
            subject_id=broadcast.id,
            origin="sms",
        )
        return "expired", broadcast
    who = Caller(f"mentor_mother:{mentor.code}", "mentor_mother", "sms", mentor.id)
    waits = needs_approval(who, broadcast.recipient_count, config)
    broadcast.status, broadcast.updated_at = ("awaiting_approval" if waits else "scheduled"), now
    audit.record(
        session,
        who.actor,
        "broadcast.confirm",
        subject_type="broadcast",
        subject_id=broadcast.id,
        origin="sms",
        recipients=broadcast.recipient_count,
        status=broadcast.status,
    )
    return broadcast.status, broadcast


def _wrong_code(session: Session, mentor: MentorMother, waiting: Broadcast, now: datetime) -> tuple[str, Broadcast]:
    waiting.wrong_codes, waiting.updated_at = waiting.wrong_codes + 1, now
    audit.record(
        session,
        f"mentor_mother:{mentor.code}",
        "broadcast.wrong_code",
        subject_type="broadcast",
        subject_id=waiting.id,
        origin="sms",
        tries=waiting.wrong_codes,
    )
    if waiting.wrong_codes < WRONG_CODES:
        return "wrong", waiting
    _end(session, waiting, "cancelled", now)
    audit.record(
        session,
        f"mentor_mother:{mentor.code}",
        "broadcast.cancel",
        subject_type="broadcast",
        subject_id=waiting.id,
        origin="sms",
        why=f"{WRONG_CODES} wrong codes",
    )
    return "cancelled_wrong", waiting


def cancel_unconfirmed(session: Session, mentor: MentorMother, now: datetime) -> int:
    """Anything but `YES <code>` from her cancels what waits for her code."""
    waiting = session.scalars(
        select(Broadcast).where(Broadcast.mentor_mother_id == mentor.id, Broadcast.status == "awaiting_confirmation")
    ).all()
    for broadcast in waiting:
        _end(session, broadcast, "cancelled", now)
        audit.record(
            session,
            f"mentor_mother:{mentor.code}",
            "broadcast.cancel",
            subject_type="broadcast",
            subject_id=broadcast.id,
            origin="sms",
            why="not confirmed",
        )
    return len(waiting)


def approve(session: Session, broadcast: Broadcast, who: Caller, now: datetime) -> None:
    if who.role not in ("admin", "supervisor"):
        raise BroadcastRefused(["only a supervisor or an admin approves a broadcast"], status=403)
    if broadcast.status != "awaiting_approval":
        raise BroadcastRefused([f"the broadcast is {broadcast.status.replace('_', ' ')}"], status=409)
    if who.who == (broadcast.created_by_person or broadcast.created_by):  # the person, by whatever credential
        raise BroadcastRefused(["a broadcast is approved by someone other than its author"], status=409)
    broadcast.status, broadcast.approved_by, broadcast.approved_at, broadcast.updated_at = (
        "scheduled",
        who.actor,
        now,
        now,
    )
    audit.record(
        session,
        who.actor,
        "broadcast.approve",
        subject_type="broadcast",
        subject_id=broadcast.id,
        origin=who.channel,
        recipients=broadcast.recipient_count,
    )


def cancel(session: Session, broadcast: Broadcast, who: Caller, now: datetime) -> int:
    """Stop it, before or while it is sent: what is not out yet stays unsent. Returns how many
    messages were held back."""
    if broadcast.status in ("sent", "cancelled"):
        raise BroadcastRefused([f"the broadcast is {broadcast.status}"], status=409)
    held = _end(session, broadcast, "cancelled", now)
    audit.record(
        session,
        who.actor,
        "broadcast.cancel",
        subject_type="broadcast",
        subject_id=broadcast.id,
        origin=who.channel,
        held_back=held,
    )
    return held


def _end(session: Session, broadcast: Broadcast, status: str, now: datetime) -> int:
    broadcast.status, broadcast.updated_at = status, now
    if status == "cancelled":
        broadcast.cancelled_at = now
    waiting = session.scalars(
        select(OutboundMessage.id).where(
            OutboundMessage.broadcast_id == broadcast.id, OutboundMessage.status.in_(("scheduled", "queued"))
        )
    ).all()
    return len(transition(session, list(waiting), "cancelled", "broadcast cancelled", now=now))


def progress(session: Session, broadcast: Broadcast) -> dict[str, int]:
    """Messages made so far, by where they are: queued, sent, delivered, failed, cancelled."""
    counts = dict(
        session.execute(
            select(OutboundMessage.status, func.count())
            .where(OutboundMessage.broadcast_id == broadcast.id)
            .group_by(OutboundMessage.status)
        ).all()
    )
    return {
        "messages": sum(counts.values()),
        "queued": sum(counts.get(s, 0) for s in WAITING),
        "sent": counts.get("sent", 0),
        "delivered": counts.get("delivered", 0),
        "failed": sum(counts.get(s, 0) for s in FAILED),
        "cancelled": counts.get("cancelled", 0),
    }
