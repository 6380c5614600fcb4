"""The SMS gateway port: send one text to some numbers, learn what became of each.

Adapters speak their provider's vocabulary inside; out of them come only `Outcome`s and our
own reason words (`invalid_phone_number`, `insufficient_balance`, …).
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Protocol


class Outcome(str, Enum):
    ACCEPTED = "accepted"  # the provider took it; a delivery report may follow
    RETRY = "retry"  # not sent; may be tried again later
    PERMANENT = "permanent"  # never going to work for this number
    OPTED_OUT = "opted_out"  # the person blocked us: an opt-out
    STOP_LINE = "stop_line"  # the account or configuration is broken: pause all sending
    UNKNOWN = "unknown"  # the provider may or may not have taken it


@dataclass(frozen=True)
class SendResult:
    phone: str
    outcome: Outcome
    reason: str | None = None  # our word for why, when not accepted
    provider_message_id: str | None = None
    cost: str | None = None


class Gateway(Protocol):
    name: str

    def send(self, text: str, phones: list[str]) -> list[SendResult]:
        """One request: every phone gets `text`. Never raises for provider trouble: returns
        one result per phone, in order."""


def build_gateway(config) -> Gateway:
    if config.sms_gateway == "africastalking":
        from .africastalking import AfricasTalkingGateway

        return AfricasTalkingGateway(
            username=config.at_username, api_key=config.at_api_key,
            api_url=config.at_api_url, sender_id=config.at_sender_id,
        )
    from .outbox import OutboxGateway

    return OutboxGateway()


@dataclass(frozen=True)
class DeliveryUpdate:
    """A provider's delivery report in our words."""
    provider_message_id: str
    status: str  # in_flight | delivered | failed
    reason: str | None  # ours, e.g. "opted_out", "absent_subscriber"
    phone: str | None
    provider_status: str  # the provider's word, kept for the record
