"""Quick replies: answers a person may pick instead of typing, kept by an admin, each in English
and Kiswahili, and checked like a template before it is kept (discreet wording refused and
named, curly quotes offered plain, at most three SMS parts). A removed one is kept, unoffered."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .. import audit
from ..access import Caller
from ..broadcasts.content import LANGUAGE_NAMES, Content, check
from ..languages import N_, Said
from ..models import QuickReply

MOST = 20  # a short list: more is a template catalogue, not a quick reply


class QuickReplyRefused(ValueError):
    def __init__(self, problems: list[str], offered: dict[str, str] | None = None):
        super().__init__("; ".join(problems))
        self.problems, self.offered = problems, offered or {}


def offered(session: Session) -> list[QuickReply]:
    return list(
        session.scalars(
            select(QuickReply).where(QuickReply.removed_at.is_(None)).order_by(QuickReply.position, QuickReply.id)
        )
    )


def checked(text_en: str, text_sw: str) -> Content:
    content = check(text_en, text_sw)
    for lang, text in (("en", text_en), ("sw", text_sw)):
        if not " ".join((text or "").split()):
            content.problems.append(
                Said(
                    N_("%(name)s: the text is needed (a quick reply is kept in both languages)"),
                    name=LANGUAGE_NAMES[lang],
                )
            )
    return content


def add(session: Session, by: Caller, text_en: str, text_sw: str, *, now: datetime) -> QuickReply:
    content = checked(text_en, text_sw)
    if not content.ok:
        raise QuickReplyRefused(content.problems, content.normalised)
    if len(offered(session)) >= MOST:
        raise QuickReplyRefused([f"at most {MOST} quick replies: remove one first"])
    last = session.scalar(select(func.max(QuickReply.position))) or 0
    reply = QuickReply(
        text_en=content.texts["en"],
        text_sw=content.texts["sw"],
        position=last + 1,
        updated_by=by.who[:64],
        updated_at=now,
    )
    session.add(reply)
    session.flush()
    audit.record(
        session, by.actor, "quick_reply.add", subject_type="quick_reply", subject_id=reply.id, origin=by.channel
    )
    return reply


def remove(session: Session, by: Caller, reply_id: int, *, now: datetime) -> bool:
    reply = session.get(QuickReply, reply_id)
    if reply is None or reply.removed_at is not None:
        return False
    reply.removed_at, reply.updated_by = now, by.who[:64]
    audit.record(
        session, by.actor, "quick_reply.remove", subject_type="quick_reply", subject_id=reply.id, origin=by.channel
    )
    return True


def text_for(session: Session, reply_id: int | None, language: str) -> str | None:
    """A quick reply's words in her language, if it is still offered."""
    reply = session.get(QuickReply, reply_id) if reply_id else None
    if reply is None or reply.removed_at is not None:
        return None
    return reply.text_sw if language == "sw" else reply.text_en
