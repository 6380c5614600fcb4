"""SMS from a registered Mentor Mother's phone: her commands, never a client's keywords.

Here: HELP / MSAADA answers with her help; anything else with the same help, as "not
understood". The broadcast commands (`BC <text>`, `YES <code>`) join this table with the
broadcasts.
"""
from __future__ import annotations

from .inbound import Conversation
from .keywords import Reading


def handle(talk: Conversation, mentor, reading: Reading) -> None:
    if reading.keyword == "help" and not reading.words:
        template, talk.sms.intent = "mm.help", "mm_help"
    else:
        template, talk.sms.intent = "mm.unknown_command", "mm_unknown"
    talk.reply(template, mentor.language, mentor_mother_id=mentor.id)
