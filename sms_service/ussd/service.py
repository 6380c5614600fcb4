"""One USSD step: who is calling, what the menu shows, what the choice records.

Never raises: bad input, an unknown number or a failing database all get a last screen,
and a database that does not answer is given up on within a second (`Database.quick`).
Nothing on this path calls Redis or the SMS API.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import TYPE_CHECKING

from ..db import utcnow
from ..gateway import UssdStep
from ..phones import PhoneError, normalise_phone
from .actions import record
from .menu import Reply, answer, last
from .people import people_on
from .texts import SORRY

if TYPE_CHECKING:
    from ..resources import Services

log = logging.getLogger(__name__)


def respond(services: Services, step: UssdStep, now: datetime | None = None) -> Reply:
    now = now or utcnow()
    today = now.astimezone(services.config.tz).date()
    try:
        phone = normalise_phone(step.phone)
    except PhoneError:
        return answer([], [], today)  # not a number we could hold: the joining screen
    if not step.session_id:
        return last(SORRY)
    inputs = list(step.inputs)
    try:
        reply = answer(inputs, people_on(services.db, phone, today, first_screen=not inputs), today)
        if reply.action is not None:  # a choice to record: the only write
            record(services.db, reply.action, phone, step.session_id[:60], now, today, services.config)
        return reply
    except Exception as error:  # the caller gets an apology, never a 5xx
        log.error("USSD step failed (%s)", type(error).__name__)
        return last(SORRY)
