"""Opt-out and opt-in (SPEC non-negotiable 6): per number, for every client on it, at once.

START (by SMS or USSD) undoes an opt-out made by keyword or USSD, never one made by the
network: an AT opt-out notice, a blacklist code or report (`NETWORK_BLOCKS`)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from ..db import utcnow
from ..models import Client, ConsentEvent, OutboundMessage

NETWORK_BLOCKS = frozenset({"at_optout", "provider", "delivery_report"})  # sources START cannot undo


def last_opt_out_source(phone=None):
    """The SELECT of where the number's latest opt-out came from (`phone` left as a parameter
    named `phone` when not given, for a prepared statement)."""
    return (
        select(ConsentEvent.source)
        .where(ConsentEvent.phone == (bindparam("phone") if phone is None else phone), ConsentEvent.kind == "opt_out")
        .order_by(ConsentEvent.id.desc())
        .limit(1)
    )


def last_opted_out(session: Session, phone: str) -> bool:
    """Whether the number's latest word on our messages was to stop them."""
    return (
        session.scalar(
            select(ConsentEvent.kind).where(ConsentEvent.phone == phone).order_by(ConsentEvent.id.desc()).limit(1)
        )
        == "opt_out"
    )


def blocked_by_network(session: Session, phone: str) -> bool:
    return session.scalar(last_opt_out_source(phone)) in NETWORK_BLOCKS


def opt_in(
    session: Session,
    phone: str,
    source: str,
    detail: str | None = None,
    client_id: int | None = None,
    now: datetime | None = None,
) -> list[int]:
    """Messages again for every client on `phone`; returns the ids of those who had stopped.
    (What was held back while they were out is for `renewal.opt_back_in` to make again.)"""
    now = now or utcnow()
    reopened = list(
        session.scalars(
            update(Client)
            .where(Client.phone == phone, Client.opted_out_at.is_not(None))
            .values(opted_out_at=None, updated_at=now)
            .returning(Client.id)
            .execution_options(synchronize_session=False)
        )
    )
    if reopened:
        session.add(ConsentEvent(phone=phone, client_id=client_id, kind="opt_in", source=source, detail=detail, at=now))
    return reopened


def opt_out(session: Session, phone: str, source: str, detail: str | None = None, now: datetime | None = None) -> None:
    """Stop every non-essential message to `phone`, including those already waiting."""
    from .messages import PURPOSES, transition

    now = now or utcnow()
    session.execute(
        update(Client)
        .where(Client.phone == phone, Client.opted_out_at.is_(None))
        .values(opted_out_at=now, updated_at=now)
    )
    latest = session.execute(
        select(ConsentEvent.kind, ConsentEvent.source)
        .where(ConsentEvent.phone == phone)
        .order_by(ConsentEvent.id.desc())
        .limit(1)
    ).first()
    if tuple(latest or ()) != ("opt_out", source):  # a repeated notice (AT retries, replays) is one opt-out
        session.add(ConsentEvent(phone=phone, kind="opt_out", source=source, detail=detail, at=now))
    waiting = session.scalars(
        select(OutboundMessage.id).where(
            OutboundMessage.phone == phone,
            OutboundMessage.status.in_(("scheduled", "queued")),
            OutboundMessage.purpose.in_([p for p, spec in PURPOSES.items() if not spec.essential]),
        )
    ).all()
    transition(session, list(waiting), "suppressed", "opted_out", now=now)
