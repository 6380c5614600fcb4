"""The gateway port: what goes to the provider and what comes from it, in our own words.

Out: send one text to some numbers, learn what became of each (`Gateway.send`, `SendResult`).
In: what the provider's callbacks carry, read into small records by its adapter
(`IncomingSms`, `UssdStep`, `UssdSessionEnd`, `OptOutNotice`, `DeliveryUpdate`), so that the
domain never sees a provider's form. Adapters speak their provider's vocabulary inside; out of
them come only these records, `Outcome`s and our reason words (`invalid_phone_number`, …).
"""
from __future__ import annotations

from .records import (
    DeliveryUpdate, Gateway, IncomingSms, Malformed, OptOutNotice, Outcome, SendResult, UssdSessionEnd, UssdStep,
)

__all__ = ["DeliveryUpdate", "Gateway", "IncomingSms", "Malformed", "OptOutNotice", "Outcome", "SendResult",
           "UssdSessionEnd", "UssdStep", "build_gateway"]


def build_gateway(config) -> Gateway:
    if config.sms_gateway == "africastalking":
        from .africastalking import AfricasTalkingGateway

        return AfricasTalkingGateway(
            username=config.at_username, api_key=config.at_api_key,
            api_url=config.at_api_url, sender_id=config.at_sender_id,
        )
    from .outbox import OutboxGateway

    return OutboxGateway()
