"""`REPLY <her name or client number> <text>` (JIBU …) from a registered Mentor Mother's phone:
one answer to one of her own clients, checked and sent like one typed on her client's page.

- The client is named by her clinic's client number, or by her first name among the Mentor
  Mother's own clients; two of that name: the one whose message waits for an answer, else she
  is asked which (by client number). Nobody else's client is ever reached, or named.
- A refused answer is not sent, and she is told why without the word repeated (her phone may
  be seen); the same answer sent twice goes once.
- `REPLY` alone gives her the command's help."""

from __future__ import annotations

from sqlalchemy import func, select

from ..access import Caller, person_of
from ..inbox.answer import AnswerRefused, answer, waiting_task
from ..models import Client
from ..texts.gsm7 import normalise_gsm7, sms_parts
from .conversation import Conversation

COMMANDS = ("REPLY", "JIBU")


def handle(talk: Conversation, mentor, text: str) -> None:
    talk.sms.intent = "mm_answer"
    named, _, words = text.strip().partition(" ")
    words = words.strip()
    if not named or not words:
        example = talk.session.scalar(
            select(Client.first_name).where(Client.mentor_mother_id == mentor.id).order_by(Client.id).limit(1)
        )
        return _say(talk, mentor, "mm.answer_help", first_name=example or "Amina")
    found = _hers(talk, mentor, named)
    if not found:
        talk.sms.intent = "mm_answer:nobody"
        return _say(talk, mentor, "mm.answer_no_client", first_name=named[:20])
    if len(found) > 1:
        talk.sms.intent = "mm_answer:which"
        return _say(
            talk, mentor, "mm.answer_which", names=", ".join(f"{c.first_name} {c.external_id}" for c in found[:4])
        )
    client = found[0]
    who = Caller(
        f"mentor_mother:{mentor.code}",
        "mentor_mother",
        "sms",
        mentor.id,
        person=person_of(None, "mentor_mother", mentor.id),
    )
    try:
        done = answer(talk.session, client, words, by=who, now=talk.now)  # keyed to her latest SMS
    except AnswerRefused as refused:
        talk.sms.intent = "mm_answer:refused"
        if "unreachable" in refused.reasons:
            return _say(talk, mentor, "mm.answer_not_reachable", first_name=client.first_name)
        if "revealing" in refused.reasons:
            return _say(talk, mentor, "mm.broadcast_refused")
        if "too_long" in refused.reasons:
            return _say(talk, mentor, "mm.broadcast_too_long", parts=sms_parts(normalise_gsm7(words)))
        return _say(talk, mentor, "mm.unknown_command")  # characters no phone shows
    if not done.created:
        return _say(talk, mentor, "mm.answer_already", first_name=client.first_name)
    talk.replies.append(done.message_id)  # her answer goes out with the acknowledgement
    _say(talk, mentor, "mm.answer_sent", first_name=client.first_name, parts=done.parts)


def _say(talk: Conversation, mentor, template: str, **values) -> None:
    talk.reply(template, mentor.language, mentor_mother_id=mentor.id, **values)


def _hers(talk: Conversation, mentor, named: str) -> list[Client]:
    """Her own clients the word names: by client number first, else by first name (the one
    waiting for an answer, when several share it)."""
    mine = select(Client).where(Client.mentor_mother_id == mentor.id)
    by_number = talk.session.scalars(mine.where(func.lower(Client.external_id) == named.lower())).all()
    if by_number:
        return list(by_number)
    by_name = list(
        talk.session.scalars(mine.where(func.lower(Client.first_name) == named.lower()).order_by(Client.id).limit(10))
    )
    if len(by_name) > 1:
        waiting = [c for c in by_name if waiting_task(talk.session, c) is not None]
        if len(waiting) == 1:
            return waiting
    return by_name
