"""A worker's services and sender (`sms_service.bootstrap`), built once per process. A test runs
jobs on its own by setting `_services` and `_sender`."""

from __future__ import annotations

from sms_service.bootstrap import Services, for_this_process, sender_for
from sms_service.outbound.sending import Sender

_services: Services | None = None
_sender: Sender | None = None


def get_services() -> Services:
    return _services if _services is not None else for_this_process()


def get_sender() -> Sender:
    """The gateway client, rate limiter and retry policy of this process."""
    global _sender
    if _sender is None:
        _sender = sender_for(get_services())
    return _sender
