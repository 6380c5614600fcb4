"""Local use: nothing leaves the machine. The outbound-message row is the outbox; the phone
simulator shows it. Every number is accepted at once."""
from __future__ import annotations

import itertools

from . import Outcome, SendResult


class OutboxGateway:
    name = "outbox"

    def __init__(self):
        self._ids = itertools.count(1)

    def send(self, text: str, phones: list[str]) -> list[SendResult]:
        return [SendResult(phone, Outcome.ACCEPTED, provider_message_id=f"outbox-{next(self._ids)}")
                for phone in phones]
