"""What goes to the provider and what comes from it, in our own words (see the package)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Protocol


class Malformed(ValueError):
    """A callback the provider would never send as it is: the field named is missing or wrong."""

    def __init__(self, field: str):
        super().__init__(field)
        self.field = field


@dataclass(frozen=True)
class IncomingSms:
    """An SMS a person sent us."""

    provider_id: str  # the provider's id: a replay has the same
    sender: str  # the number as given (the domain decides whether it can use it)
    text: str
    to: str | None = None  # our shortcode
    link_id: str | None = None
    network_code: str | None = None
    sent_at: datetime | None = None  # when she wrote it, by the provider's clock


@dataclass(frozen=True)
class UssdStep:
    """One step of a USSD session: who dials, and every choice typed so far."""

    session_id: str
    phone: str  # as given
    inputs: tuple[str, ...] = ()  # oldest first; empty on the session's first step
    service_code: str | None = None
    network_code: str | None = None


@dataclass(frozen=True)
class UssdSessionEnd:
    """The provider's notice that a USSD session ended, and how."""

    session_id: str
    phone: str | None
    status: str
    service_code: str | None = None
    network_code: str | None = None
    duration_ms: int | None = None
    hops: int | None = None
    error: str | None = None


@dataclass(frozen=True)
class OptOutNotice:
    """The provider's notice that a number opted out of a sender's bulk SMS."""

    phone: str  # as given
    sender_id: str | None = None


class Outcome(StrEnum):
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


@dataclass(frozen=True)
class DeliveryUpdate:
    """A provider's delivery report in our words."""

    provider_message_id: str
    status: str  # in_flight | delivered | failed
    reason: str | None  # ours, e.g. "opted_out", "absent_subscriber"
    phone: str | None
    provider_status: str  # the provider's word, kept for the record
