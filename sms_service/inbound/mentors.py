"""SMS from a registered Mentor Mother's phone: her commands, never a client's keywords.

- `BC <text>` prepares a broadcast to her own clients and answers with the count, the SMS
  parts and the code; `BC` alone gives her the help. The text goes in her language; her
  clients who read the other get it too (one text per broadcast by SMS). Curly quotes and
  dashes are made plain; a word we never send is refused without repeating it.
- `YES <code>` (NDIO …) within 30 minutes sends it, once; three wrong codes cancel it (she is
  told each time how many tries are left); a code already used says the broadcast went, with
  its count; anything else cancels it.
- `REPLY <her name or client number> <text>` (JIBU …) answers one of her clients
  (`mentor_answers`).
- HELP / MSAADA answers with her help; anything else with the same help, as "not understood".
"""

from __future__ import annotations

from ..access import Caller, person_of
from ..broadcasts import service
from ..texts.gsm7 import normalise_gsm7, sms_parts
from ..texts.render import format_date
from . import mentor_answers
from .conversation import Conversation
from .keywords import Reading

COMMAND = "BC"


def handle(talk: Conversation, mentor, reading: Reading) -> None:
    text = _without_prefix(talk.sms.text or "", talk.config.sms_keyword_prefix).strip()
    first = text.split(None, 1)[0] if text else ""
    if first.upper() == COMMAND:
        service.cancel_unconfirmed(talk.session, mentor, talk.now)  # a new one replaces what waited
        return prepare(talk, mentor, text[len(COMMAND) :].strip())
    if first.upper() in mentor_answers.COMMANDS:  # not about a broadcast waiting: it stays
        return mentor_answers.handle(talk, mentor, text[len(first) :])
    if reading.keyword == "yes" and len(reading.words) == 1 and reading.words[0].isdigit():
        return confirm(talk, mentor, reading.words[0])
    if service.cancel_unconfirmed(talk.session, mentor, talk.now) and reading.keyword != "help":
        talk.sms.intent = "bc:cancelled"
        return talk.reply("mm.broadcast_cancelled", mentor.language, mentor_mother_id=mentor.id)
    if reading.keyword == "help" and not reading.words:
        template, talk.sms.intent = "mm.help", "mm_help"
    else:
        template, talk.sms.intent = "mm.unknown_command", "mm_unknown"
    talk.reply(template, mentor.language, mentor_mother_id=mentor.id)


def _without_prefix(text: str, prefix: str | None) -> str:
    if prefix and text.strip().upper().startswith(prefix.upper() + " "):
        return text.strip()[len(prefix) :]
    return text


def prepare(talk: Conversation, mentor, text: str) -> None:
    talk.sms.intent = "bc"
    if not text:
        return talk.reply("mm.help", mentor.language, mentor_mother_id=mentor.id)
    who = Caller(
        f"mentor_mother:{mentor.code}",
        "mentor_mother",
        "sms",
        mentor.id,
        person=person_of(None, "mentor_mother", mentor.id),
    )
    own: dict[str, str | None] = {"en": None, "sw": None}
    own["en" if mentor.language == "en" else "sw"] = text
    try:
        broadcast, preview = service.create(
            talk.session,
            who,
            text_en=own["en"],
            text_sw=own["sw"],
            filters=None,
            send_at=None,
            now=talk.now,
            config=talk.config,
            normalise=True,
        )
    except service.BroadcastRefused as refused:
        talk.sms.intent = "bc:refused"
        if "revealing" in refused.reasons:
            return talk.reply("mm.broadcast_refused", mentor.language, mentor_mother_id=mentor.id)
        if "too_long" in refused.reasons:
            return talk.reply(
                "mm.broadcast_too_long",
                mentor.language,
                mentor_mother_id=mentor.id,
                parts=sms_parts(normalise_gsm7(text)),
            )
        if "nobody" in refused.reasons:
            return talk.reply("mm.broadcast_no_clients", mentor.language, mentor_mother_id=mentor.id)
        return talk.reply(
            "mm.unknown_command", mentor.language, mentor_mother_id=mentor.id
        )  # characters no phone shows
    parts = max(preview.parts.values())
    talk.reply(
        "mm.broadcast_preview",
        mentor.language,
        mentor_mother_id=mentor.id,
        count=preview.recipients,
        parts=parts,
        code=broadcast.confirmation_code,
        subject=f"sms:{talk.sms.id}",
    )


def confirm(talk: Conversation, mentor, code: str) -> None:
    outcome, broadcast = service.confirm(talk.session, mentor, code, talk.now, talk.config)
    talk.sms.intent = f"bc:{outcome}"[:24]
    language = mentor.language
    if broadcast is None:  # no such code: as an expired one
        talk.reply("mm.broadcast_expired", language, mentor_mother_id=mentor.id)
        return
    if outcome == "scheduled":
        first = service.first_send_time(broadcast.send_at, talk.now, talk.config).astimezone(talk.config.tz)
        talk.reply(
            "mm.broadcast_sent",
            language,
            mentor_mother_id=mentor.id,
            count=broadcast.recipient_count,
            time=f"{format_date(first.date(), language)} {first:%H:%M}",
        )
    elif outcome == "awaiting_approval":
        talk.reply("mm.broadcast_needs_approval", language, mentor_mother_id=mentor.id, count=broadcast.recipient_count)
    elif outcome == "wrong":
        talk.reply(
            "mm.broadcast_wrong_code",
            language,
            mentor_mother_id=mentor.id,
            left=service.WRONG_CODES - broadcast.wrong_codes,
        )
    elif outcome == "cancelled_wrong":
        talk.reply("mm.broadcast_wrong_codes_cancelled", language, mentor_mother_id=mentor.id)
    elif outcome == "already":  # never "send BC again": that would make it twice
        talk.reply("mm.broadcast_already_sent", language, mentor_mother_id=mentor.id, count=broadcast.recipient_count)
    elif outcome == "cancelled":
        talk.reply("mm.broadcast_cancelled", language, mentor_mother_id=mentor.id)
    else:  # expired, or no such code
        talk.reply("mm.broadcast_expired", language, mentor_mother_id=mentor.id)
