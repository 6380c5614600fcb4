"""What is still to come, made again once what held it back is undone: she opted back in (START,
ANZA, the USSD Start), or a life event recorded by mistake is retracted.

- Her visits from today on take a new revision and are planned afresh: a reminder whose moment
  has passed is skipped, never sent late (the planner's rule).
- Other messages held back (a missed-visit message, a transfer's notice or follow-up, a
  broadcast, a new number's welcome) are made again under their key's next round
  (`outbound.messages.next_round`) if their moment has not passed: a transfer notice while its transfer
  still waits to be notified (it is what she needs to find her new clinic), any other while its
  time is still ahead.
- An open transfer that never had a notice (she had stopped our messages when it began) gets
  one now.

What went out is never made again: only a message that never left (suppressed, cancelled) is
renewed, and only the newest making of each."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..db import among, bulk_update
from ..models import Appointment, Client, MessageStatusEvent, OutboundMessage, Transfer
from ..models.statuses import MessageStatus
from ..outbound import consent, eligibility
from ..outbound.messages import PURPOSES, family, remake
from ..outbound.send_window import next_send_time
from ..reminders import visits
from ..transfers import notices

if TYPE_CHECKING:
    from ..config import Config

RENEWED = ("missed_visit", "transfer_notice", "transfer_follow_up", "broadcast", "number_changed")
HELD = (MessageStatus.SUPPRESSED, MessageStatus.CANCELLED)
GONE_OR_GOING = tuple(
    s for s in MessageStatus if s not in HELD and s not in (MessageStatus.FAILED, MessageStatus.EXPIRED)
)  # a making that stands


def opt_back_in(
    session: Session,
    phone: str,
    source: str,
    *,
    now: datetime,
    config: Config,
    detail: str | None = None,
    client_id: int | None = None,
) -> list[int]:
    """START for every client on `phone` (`consent.opt_in`), then what is still to come for those
    who had stopped: their reminders, and what was held back because they had stopped."""
    reopened = consent.opt_in(session, phone, source, detail, client_id=client_id, now=now)
    if reopened:  # her reminders by the scheduler's next tick: a START answers at once
        make_again(
            session, reopened, now=now, config=config, reason="opted in", held_because="opted_out", plan_now=False
        )
    return reopened


def make_again(
    session: Session,
    client_ids: list[int],
    *,
    now: datetime,
    config: Config,
    reason: str,
    held: list[int] | None = None,
    held_because: str | None = None,
    visits_too: bool = True,
    plan_now: bool = True,
) -> dict[str, int]:
    """Plan again what is still to come for these clients. `held`: the messages held back by
    what is undone; `held_because`: or those held back for this reason (their status history
    says so). `visits_too`: their coming visits planned afresh (False: the caller has done it
    for the visits concerned). Returns what was made."""
    client_ids = list(
        session.scalars(
            select(Client.id).where(among(session, Client.id, client_ids), eligibility.in_care_and_reachable())
        )
    )
    if not client_ids:  # nobody in care: nothing is to come (a client who died stays silent)
        return {"reminders": 0, "remade": 0, "notices": 0}
    today = config.today(now)
    coming = (
        list(
            session.scalars(
                select(Appointment.id).where(
                    among(session, Appointment.client_id, client_ids),
                    Appointment.status == "scheduled",
                    Appointment.date >= today,
                )
            )
        )
        if visits_too
        else []
    )
    done = {"reminders": visits.revise(session, coming, now, config, plan_now=plan_now)}
    done["remade"] = _remake_held(session, client_ids, held, held_because, now, config, reason)
    done["notices"] = _notices_never_made(session, client_ids, now, config)
    return done


def _remake_held(
    session: Session,
    client_ids: list[int],
    held: list[int] | None,
    held_because: str | None,
    now: datetime,
    config: Config,
    reason: str,
) -> int:
    query = select(OutboundMessage).where(
        among(session, OutboundMessage.client_id, client_ids),
        OutboundMessage.purpose.in_(RENEWED),
        OutboundMessage.status.in_(HELD),
        OutboundMessage.expires_at > now,
    )
    if held is not None:
        query = query.where(among(session, OutboundMessage.id, held or [0]))
    candidates = session.scalars(query.order_by(OutboundMessage.id)).all()
    if held_because is not None and candidates:
        because = set(
            session.scalars(
                select(MessageStatusEvent.message_id).where(
                    among(session, MessageStatusEvent.message_id, [m.id for m in candidates]),
                    MessageStatusEvent.status.in_(HELD),
                    MessageStatusEvent.reason == held_because,
                )
            )
        )
        candidates = [m for m in candidates if m.id in because]
    if not candidates:
        return 0
    families = {family(m.idempotency_key) for m in candidates}
    standing = {
        family(key)
        for key, status in session.execute(
            select(OutboundMessage.idempotency_key, OutboundMessage.status).where(
                among(session, OutboundMessage.client_id, client_ids), OutboundMessage.status.in_(GONE_OR_GOING)
            )
        )
        if family(key) in families
    }
    newest: dict[str, OutboundMessage] = {}
    for m in candidates:  # id order: the last of a family is its newest making
        newest[family(m.idempotency_key)] = m
    waiting_notice = _transfers_waiting_for(session, [m for m in newest.values() if m.purpose == "transfer_notice"])
    when: dict[int, datetime] = {}
    for key, m in newest.items():
        if key in standing:
            continue
        opens = next_send_time(max(m.not_before, now), PURPOSES[m.purpose].window, config.tz)
        if m.purpose == "transfer_notice" and m.id in waiting_notice and opens < m.expires_at:
            when[m.id] = opens
        elif m.purpose != "transfer_notice" and m.not_before > now:
            when[m.id] = m.not_before
    made = remake(session, list(when), now=now, reason=reason, not_before=when)
    if waiting_notice:
        bulk_update(
            session,
            Transfer.__table__,
            [
                {"id": waiting_notice[old], "notice_message_id": new}
                for old, new in made.items()
                if old in waiting_notice
            ],
        )
    return len(made)


def _transfers_waiting_for(session: Session, notice_messages: list) -> dict[int, int]:
    """Notice message id → its transfer, where the transfer still waits to be notified."""
    if not notice_messages:
        return {}
    return {
        message_id: transfer_id
        for transfer_id, message_id in session.execute(
            select(Transfer.id, Transfer.notice_message_id).where(
                among(session, Transfer.notice_message_id, [m.id for m in notice_messages]),
                Transfer.status == "planned",
            )
        )
        if message_id is not None
    }


def _notices_never_made(session: Session, client_ids: list[int], now: datetime, config: Config) -> int:
    ids = list(
        session.scalars(
            select(Transfer.id).where(
                among(session, Transfer.client_id, client_ids),
                Transfer.status == "planned",
                Transfer.notice_message_id.is_(None),
            )
        )
    )
    today = config.today(now)
    people = [p for p in notices.recipients(session, ids) if p.held("transfer_notice", today) is None]
    made = notices.create(session, "notice", people, now=now, config=config)
    if made:
        bulk_update(session, Transfer.__table__, [{"id": tid, "notice_message_id": mid} for tid, mid in made])
    return len(made)
