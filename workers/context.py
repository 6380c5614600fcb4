"""Per-process wiring for workers and the scheduler: built once, on first use."""
from __future__ import annotations

import sys

from sms_service.config import ConfigError, load_config
from sms_service.bootstrap import Services

_services: Services | None = None
_sender = None


def get_services() -> Services:
    global _services
    if _services is None:
        try:
            _services = Services.from_config(load_config())
        except ConfigError as exc:
            print(str(exc), file=sys.stderr)
            sys.exit(2)
    return _services


def get_sender():
    """The gateway client, rate limiter and retry policy of this process."""
    global _sender
    if _sender is None:
        from sms_service.gateway import build_gateway
        from sms_service.outbound.ratelimit import RateLimiter
        from sms_service.outbound.sending import Sender

        services = get_services()
        _sender = Sender(services, build_gateway(services.config),
                         RateLimiter(services.redis, services.config.sms_rate_per_second))
    return _sender
