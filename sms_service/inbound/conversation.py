"""What a handler of an incoming SMS works with: the message, the moment, the settings, and its
replies. A reply is an outbound message like any other (purpose `reply`, the realtime queue, sent
at once, whatever the hour); its subject names what it answers, so handling the same SMS twice
never answers twice, and a subject of the day (`auto_ack:2026-11-24`) allows one a day."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy.orm import Session

from ..config import Config
from ..models import InboundMessage
from ..outbound.messages import create_message
from ..texts.render import language_of, render

LIFETIME = {"reply": timedelta(hours=6), "opt_out_confirmation": timedelta(hours=24)}


def reply(
    session: Session,
    *,
    phone: str,
    template: str,
    language: str | None,
    subject: str,
    now: datetime,
    client_id: int | None = None,
    mentor_mother_id: int | None = None,
    purpose: str = "reply",
    **values,
) -> int | None:
    """The id of a new reply, or None when this subject was already answered."""
    language = language_of(language)
    message, created = create_message(
        session,
        phone=phone,
        purpose=purpose,
        body=render(template, language, **values),
        expires_at=now + LIFETIME[purpose],
        client_id=client_id,
        subject=subject,
        not_before=now,
        language=language,
        template=template,
        mentor_mother_id=mentor_mother_id,
    )
    return message.id if created else None


@dataclass
class Conversation:
    """What a handler needs: the message, the time, the settings, and where replies go."""

    session: Session
    sms: InboundMessage
    now: datetime
    today: date
    config: Config
    replies: list[int]

    @property
    def written_on(self) -> date:
        """The local day she wrote it (the provider's time; when it arrived, if it gave none):
        "once a day" counts by it, so a retry that comes the next morning is still yesterday's."""
        return (self.sms.sent_at or self.sms.received_at).astimezone(self.config.tz).date()

    def reply(self, template: str, language: str | None, *, subject: str | None = None, **kw) -> None:
        made = reply(
            self.session,
            phone=self.sms.phone,
            template=template,
            language=language,
            subject=subject or f"sms:{self.sms.id}",
            now=self.now,
            **kw,
        )
        if made is not None:
            self.replies.append(made)
