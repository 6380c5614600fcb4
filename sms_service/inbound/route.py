"""Handling stored SMS in a realtime job: each claimed once, read as a keyword, and handed to the
client's, the Mentor Mother's or a stranger's handling; the replies to send come back."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import select, update

from ..db import changed_rows, utcnow
from ..followup.store import open_alert
from ..models import Client, InboundMessage, MentorMother
from . import clients, keywords, mentors, strangers
from .conversation import Conversation
from .receive import pending_inbound

if TYPE_CHECKING:
    from ..resources import Services

log = logging.getLogger(__name__)


def handle_pending(services: Services, limit: int = 200) -> tuple[list[int], bool]:
    """Handle stored SMS not handled yet, in the order written: (replies to send, whether more wait)."""
    with services.db.session() as session:
        ids = pending_inbound(session, limit)
    replies = []
    for inbound_id in ids:
        try:
            replies += handle_inbound_sms(services, inbound_id)
        except Exception as error:  # one bad message must not hold up the rest, nor loop forever
            log.error("incoming SMS %s could not be handled (%s); set aside", inbound_id, type(error).__name__)
            set_aside(services, inbound_id)
    return replies, len(ids) == limit


def set_aside(services: Services, inbound_id: int) -> None:
    """Mark a message whose handling failed, for a person to look at (an admin task)."""
    now = utcnow()
    with services.db.session() as session:
        session.execute(
            update(InboundMessage)
            .where(InboundMessage.id == inbound_id)
            .values(refused="handling_failed", handled_at=now)
        )
        open_alert(
            session,
            f"sms:{inbound_id}",
            "An incoming SMS could not be handled; see the logs.",
            now=now,
            inbound_message_id=inbound_id,
        )


def handle_inbound_sms(services: Services, inbound_id: int, now: datetime | None = None) -> list[int]:
    """Act on one stored SMS, once; returns the ids of the replies to send now."""
    now = now or utcnow()
    config = services.config
    with services.db.session() as session:
        claimed = changed_rows(
            session.execute(
                update(InboundMessage)
                .where(
                    InboundMessage.id == inbound_id,
                    InboundMessage.handled_at.is_(None),
                    InboundMessage.refused.is_(None),
                )
                .values(handled_at=now)
            )
        )
        if not claimed:
            return []  # handled before (a job run twice, or the sweeper's copy), or refused
        sms = session.get_one(InboundMessage, inbound_id)
        talk = Conversation(session, sms, now, now.astimezone(config.tz).date(), config, [])
        reading = keywords.read(sms.text, config.sms_keyword_prefix)
        theirs = session.scalars(
            select(Client).where(Client.phone == sms.phone, Client.status != "inactive").order_by(Client.id)
        ).all()
        mentor = session.scalar(
            select(MentorMother).where(MentorMother.phone == sms.phone, MentorMother.active.is_(True))
        )
        if mentor is not None and not (theirs and reading.keyword in clients.HER_OWN):
            sms.mentor_mother_id = mentor.id
            mentors.handle(talk, mentor, reading)
        elif theirs:
            clients.handle(talk, list(theirs), reading)
        else:
            strangers.handle(talk, reading)
        sms.intent = sms.intent or (reading.keyword or "free_text")
        return talk.replies
