"""SMS from a number we do not know: at most one reply a day saying how to join, and nothing
kept beyond what the audit needs (when, the number, what it was read as; never the text).

STOP is honoured all the same: the opt-out is recorded for the number, and confirmed once.
"""

from __future__ import annotations

from ..outbound import consent
from .conversation import Conversation
from .keywords import Reading


def handle(talk: Conversation, reading: Reading) -> None:
    talk.sms.text = ""  # not a client: her words are not ours to keep
    if reading.keyword == "stop":
        already = talk.session.scalar(consent.last_opt_out_source(talk.sms.phone))
        consent.opt_out(talk.session, talk.sms.phone, "sms_keyword", "STOP by SMS (not registered)", now=talk.now)
        talk.sms.intent = "stop"
        if already is None:
            talk.reply("reply.opted_out", "sw", purpose="opt_out_confirmation")
        return
    talk.sms.intent = "unregistered"
    talk.reply("reply.unregistered", "sw", subject=f"unregistered:{talk.written_on.isoformat()}")
