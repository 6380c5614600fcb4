"""Incoming SMS: stored before Africa's Talking gets its 200, then read and answered once.

`receive_sms` runs in the webhook: it parses AT's form, stores the row (a replayed AT `id`
is recognised, never stored twice) and says whether a handler must run. `handle_inbound_sms`
runs in a realtime job: it claims the row, reads the keyword and routes it to the client's,
the Mentor Mother's or a stranger's handling, and returns the replies to send.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from . import keywords
from ..db import Database, utcnow
from ..gateway.africastalking import parse_sms_date
from ..models import Client, FollowUpTask, InboundMessage, MentorMother
from ..phones import PhoneError, mask_phone, normalise_phone
from .replies import reply

log = logging.getLogger(__name__)
REQUIRED = ("id", "text")  # `text` may be empty, but AT always sends it; a missing `from` is a refused sender


class Malformed(ValueError):
    def __init__(self, field: str):
        super().__init__(field)
        self.field = field


@dataclass(frozen=True)
class Receipt:
    inbound_id: int
    new: bool  # False: a replay of an `id` already stored
    refused: str | None = None  # why it will not be acted on


def receive_sms(db: Database, form, now: datetime | None = None) -> Receipt:
    """Store AT's incoming-SMS callback (one durable INSERT). Raises `Malformed` naming a
    missing field."""
    for name in REQUIRED:
        if form.get(name) is None or (name != "text" and not form.get(name).strip()):
            raise Malformed(name)
    provider_id, raw_phone = form["id"].strip(), (form.get("from") or "").strip()
    if len(provider_id) > 64:
        raise Malformed("id")
    refused = None
    try:
        phone = normalise_phone(raw_phone)
    except PhoneError:
        phone, refused = raw_phone[:16], "unusable_number"
        log.warning("incoming SMS from an unusable number %s refused", mask_phone(raw_phone))
    now = now or utcnow()
    values = dict(provider_id=provider_id, phone=phone, to=(form.get("to") or "")[:32] or None,
                  text=form["text"][:2000], link_id=(form.get("linkId") or "")[:64] or None,
                  network_code=(form.get("networkCode") or "")[:8] or None, received_at=now,
                  refused=refused, handled_at=now if refused else None, sent_at=parse_sms_date(form.get("date")))
    new_id = db.prepared_insert("inbound_messages", _store_statement, bounded=True)(values)
    if new_id is not None:
        return Receipt(new_id, True, refused)
    with db.engine.connect() as connection:  # a replay: what became of the first?
        stored = connection.execute(select(InboundMessage.id, InboundMessage.refused)
                                    .where(InboundMessage.provider_id == provider_id)).one()
    return Receipt(stored.id, False, stored.refused)


def _store_statement(dialect_name: str):
    """INSERT … ON CONFLICT (provider_id) DO NOTHING RETURNING id: a replay inserts nothing."""
    dialect = postgresql if dialect_name == "postgresql" else sqlite
    table = InboundMessage.__table__
    return (dialect.insert(table).values({c: bindparam(c) for c in STORED_COLUMNS})
            .on_conflict_do_nothing(index_elements=["provider_id"]).returning(table.c.id))


STORED_COLUMNS = ("provider_id", "phone", "to", "text", "link_id", "network_code", "received_at", "refused",
                  "handled_at", "sent_at")


def waiting(*columns):
    """SELECT `columns` of the stored SMS not yet handled (nor refused)."""
    return select(*columns).where(InboundMessage.handled_at.is_(None), InboundMessage.refused.is_(None))


def pending_inbound(session: Session, limit: int) -> list[int]:
    """What waits, in the order it was written (AT's own time: a retry can come hours late)."""
    return list(session.scalars(waiting(InboundMessage.id).order_by(
        func.coalesce(InboundMessage.sent_at, InboundMessage.received_at), InboundMessage.id).limit(limit)))


def handle_pending(services, limit: int = 200) -> tuple[list[int], bool]:
    """Handle stored SMS not handled yet, oldest first: (replies to send, whether more wait)."""
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


def set_aside(services, inbound_id: int) -> None:
    """Mark a message whose handling failed, for a person to look at (an admin task)."""
    now = utcnow()
    with services.db.session() as session:
        session.execute(update(InboundMessage).where(InboundMessage.id == inbound_id)
                        .values(refused="handling_failed", handled_at=now))
        session.add(FollowUpTask(kind="alert", subject=f"sms:{inbound_id}", inbound_message_id=inbound_id,
                                 created_at=now, note="An incoming SMS could not be handled; see the logs."))


@dataclass
class Conversation:
    """What a handler needs: the message, the time, the settings, and where replies go."""
    session: Session
    sms: InboundMessage
    now: datetime
    today: date
    config: object
    replies: list[int]

    @property
    def written_on(self) -> date:
        """The local day she wrote it (AT's `date`; when it arrived, if AT gave none): "once a day"
        counts by it, so a retry that comes the next morning is still yesterday's."""
        return (self.sms.sent_at or self.sms.received_at).astimezone(self.config.tz).date()

    def reply(self, template: str, language: str | None, *, subject: str | None = None, **kw) -> None:
        made = reply(self.session, phone=self.sms.phone, template=template, language=language,
                     subject=subject or f"sms:{self.sms.id}", now=self.now, **kw)
        if made is not None:
            self.replies.append(made)


def handle_inbound_sms(services, inbound_id: int, now: datetime | None = None) -> list[int]:
    """Act on one stored SMS, once; returns the ids of the replies to send now."""
    from . import clients as client_keywords, mentors as mentor_commands, strangers

    now = now or utcnow()
    config = services.config
    with services.db.session() as session:
        claimed = session.execute(update(InboundMessage).where(
            InboundMessage.id == inbound_id, InboundMessage.handled_at.is_(None), InboundMessage.refused.is_(None),
        ).values(handled_at=now)).rowcount
        if not claimed:
            return []  # handled before (a job run twice, or the sweeper's copy), or refused
        sms = session.get(InboundMessage, inbound_id)
        talk = Conversation(session, sms, now, now.astimezone(config.tz).date(), config, [])
        reading = keywords.read(sms.text, config.sms_keyword_prefix)
        clients = session.scalars(select(Client).where(Client.phone == sms.phone, Client.status != "inactive")
                                  .order_by(Client.id)).all()
        mentor = session.scalar(select(MentorMother).where(MentorMother.phone == sms.phone,
                                                           MentorMother.active.is_(True)))
        if mentor is not None and not (clients and reading.keyword in client_keywords.HER_OWN):
            sms.mentor_mother_id = mentor.id
            mentor_commands.handle(talk, mentor, reading)
        elif clients:
            client_keywords.handle(talk, list(clients), reading)
        else:
            strangers.handle(talk, reading)
        sms.intent = sms.intent or (reading.keyword or "free_text")
        return talk.replies
