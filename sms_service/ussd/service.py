"""One USSD step: who is calling, what the menu shows, what the choice records.

Never raises: bad input, an unknown number or a failing database all get an `END` screen,
and a database that does not answer is given up on within a second (`Database.quick`).
Nothing on this path calls Redis or the SMS API.
"""
from __future__ import annotations

import logging
from datetime import datetime

from ..db import utcnow
from ..phones import PhoneError, normalise_phone
from .actions import record
from .menu import answer, fit
from .people import people_on
from .texts import SORRY

log = logging.getLogger(__name__)


def respond(services, form, now: datetime | None = None) -> str:
    now = now or utcnow()
    today = now.astimezone(services.config.tz).date()
    session_id, text = (form.get("sessionId") or "").strip(), form.get("text") or ""
    try:
        phone = normalise_phone(form.get("phoneNumber"))
    except PhoneError:
        return answer([], [], today).text  # not a number we could hold: the joining screen
    if not session_id:
        return fit("END", SORRY)
    inputs = text.split("*") if text else []
    try:
        reply = answer(inputs, people_on(services.db, phone, today, first_screen=not inputs), today)
        if reply.action is not None:  # a choice to record: the only write
            record(services.db, reply.action, phone, session_id[:60], now, today, services.config)
        return reply.text
    except Exception as error:  # the caller gets an apology, never a 5xx
        log.error("USSD step failed (%s)", type(error).__name__)
        return fit("END", SORRY)
