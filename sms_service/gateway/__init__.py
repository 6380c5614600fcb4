"""The gateway port: what goes to the provider and what comes from it, in our own words.

Out: send one text to some numbers, learn what became of each (`Gateway.send`, `SendResult`).
In: what the provider's callbacks carry, read into small records by its adapter
(`IncomingSms`, `UssdStep`, `UssdSessionEnd`, `OptOutNotice`, `DeliveryUpdate`), so that the
domain never sees a provider's form. Adapters speak their provider's vocabulary inside; out of
them come only these records, `Outcome`s and our reason words (`invalid_phone_number`, …).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .records import (
    DeliveryUpdate,
    Gateway,
    IncomingSms,
    Malformed,
    OptOutNotice,
    Outcome,
    SendResult,
    UssdSessionEnd,
    UssdStep,
)

if TYPE_CHECKING:
    from ..config import Config

__all__ = [
    "DeliveryUpdate",
    "Gateway",
    "IncomingSms",
    "Malformed",
    "OptOutNotice",
    "Outcome",
    "SendResult",
    "UssdSessionEnd",
    "UssdStep",
    "build_gateway",
]


def build_gateway(config: Config) -> Gateway:
    if config.sms_gateway == "africastalking":
        from .africastalking import AfricasTalkingGateway

        if config.at_username is None or config.at_api_key is None:  # load_config refuses this
            raise ValueError("AT_USERNAME and AT_API_KEY are needed to send through Africa's Talking")
        return AfricasTalkingGateway(
            username=config.at_username,
            api_key=config.at_api_key,
            api_url=config.at_api_url,
            sender_id=config.at_sender_id,
        )
    from .outbox import OutboxGateway

    return OutboxGateway()
