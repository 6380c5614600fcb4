"""Answers to a person's own SMS: rendered in her language, made once per message answered.

A reply is an outbound message like any other (purpose `reply`, the realtime queue, sent at
once, whatever the hour); its subject names what it answers, so handling the same SMS twice
never answers twice, and a subject of the day (`auto_ack:2026-11-24`) allows one a day.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from ..outbound.messages import create_message
from ..texts.render import language_of, render

LIFETIME = {"reply": timedelta(hours=6), "opt_out_confirmation": timedelta(hours=24)}


def reply(session: Session, *, phone: str, template: str, language: str | None, subject: str, now: datetime,
          client_id: int | None = None, mentor_mother_id: int | None = None, purpose: str = "reply",
          **values) -> int | None:
    """The id of a new reply, or None when this subject was already answered."""
    language = language_of(language)
    message, created = create_message(
        session, phone=phone, purpose=purpose, body=render(template, language, **values),
        expires_at=now + LIFETIME[purpose], client_id=client_id, subject=subject, not_before=now,
        language=language, template=template, mentor_mother_id=mentor_mother_id,
    )
    return message.id if created else None
