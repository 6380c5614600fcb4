"""A worker's services (`sms_service.bootstrap.for_this_process`). A test runs jobs on its own
services by setting `_services` (and `_sender`, when it sends through another gateway)."""
from __future__ import annotations

from sms_service.bootstrap import Services, for_this_process

_services: Services | None = None
_sender = None


def get_services() -> Services:
    return _services if _services is not None else for_this_process()


def get_sender():
    """The gateway client, rate limiter and retry policy of this process."""
    return _sender if _sender is not None else get_services().sender
