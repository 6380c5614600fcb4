"""The scheduler's part of a broadcast: its messages made in batches (the audience read again
as they are made: who stopped our messages since is left out), one per number, in the
broadcast window, the same text for everyone who reads that language (so the sender puts them
in multi-recipient requests); then, once every message is out, the broadcast is sent."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import exists, or_, select
from sqlalchemy.orm import Session

from ..db import claimed
from ..models import Broadcast, Client, OutboundMessage
from ..outbound.messages import create_messages
from .audience import clients_of
from .service import WAITING, first_send_time

if TYPE_CHECKING:
    from ..config import Config

BATCH = 20_000  # messages made per broadcast per tick: a tick stays short, workers start on the first
KEEPS = timedelta(days=2)  # a broadcast message not out two days on is not sent


def fan_out(session: Session, now: datetime, config: Config) -> int:
    """Messages for scheduled broadcasts whose time has come; returns how many were made."""
    query = (
        select(Broadcast)
        .where(Broadcast.status == "scheduled", or_(Broadcast.send_at.is_(None), Broadcast.send_at <= now))
        .order_by(Broadcast.id)
    )
    query = claimed(session, query)
    made = 0
    today = now.astimezone(config.tz).date()
    for broadcast in session.scalars(query).all():
        rows = session.execute(
            clients_of(broadcast, today).where(Client.id > broadcast.fanned_out_to).limit(BATCH)
        ).all()
        not_before = first_send_time(broadcast.send_at, now, config)
        texts = {"en": broadcast.text_en, "sw": broadcast.text_sw}
        created = create_messages(
            session,
            [
                {
                    "phone": phone,
                    "client_id": client_id,
                    "by_phone": True,
                    "purpose": "broadcast",
                    "subject": f"broadcast:{broadcast.id}",
                    "broadcast_id": broadcast.id,
                    "mentor_mother_id": broadcast.mentor_mother_id,
                    "language": "en" if language == "en" else "sw",
                    "body": texts["en" if language == "en" else "sw"],
                    "not_before": not_before,
                    "expires_at": not_before + KEEPS,
                }
                for client_id, phone, language in rows
            ],
        )
        made += sum(new for _, new in created)
        if rows:
            broadcast.fanned_out_to = rows[-1][0]
        if len(rows) < BATCH:
            broadcast.status = "sending"
        broadcast.updated_at = now
    return made


def finish(session: Session, now: datetime) -> int:
    """Broadcasts whose every message is out (or failed, or held back) are sent."""
    done = session.scalars(
        select(Broadcast).where(
            Broadcast.status == "sending",
            ~exists().where(OutboundMessage.broadcast_id == Broadcast.id, OutboundMessage.status.in_(WAITING[:3])),
        )
    ).all()
    for broadcast in done:
        broadcast.status, broadcast.updated_at = "sent", now
    return len(done)
