"""Local use: nothing leaves the machine. The outbound-message row is the outbox; the phone
simulator shows it. Every number is accepted at once."""

from __future__ import annotations

import uuid

from .records import Outcome, SendResult


class OutboxGateway:
    name = "outbox"

    def send(self, text: str, phones: list[str]) -> list[SendResult]:
        # ids unique across worker processes and restarts, like AT's
        return [
            SendResult(phone, Outcome.ACCEPTED, provider_message_id=f"outbox-{uuid.uuid4().hex}") for phone in phones
        ]
