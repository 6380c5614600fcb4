"""Opt-out and opt-in (SPEC non-negotiable 6): per number, for every client on it, at once."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from .db import utcnow
from .models import Client, ConsentEvent, OutboundMessage


def opt_out(session: Session, phone: str, source: str, detail: str | None = None,
            now: datetime | None = None) -> None:
    """Stop every non-essential message to `phone`, including those already waiting."""
    from .messaging import PURPOSES, transition

    now = now or utcnow()
    session.execute(update(Client).where(Client.phone == phone, Client.opted_out_at.is_(None))
                    .values(opted_out_at=now, updated_at=now))
    session.add(ConsentEvent(phone=phone, kind="opt_out", source=source, detail=detail, at=now))
    waiting = session.scalars(select(OutboundMessage.id).where(
        OutboundMessage.phone == phone, OutboundMessage.status.in_(("scheduled", "queued")),
        OutboundMessage.purpose.in_([p for p, spec in PURPOSES.items() if not spec.essential]),
    )).all()
    transition(session, list(waiting), "suppressed", "opted_out", now=now)
