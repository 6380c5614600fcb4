"""Per-process wiring for workers and the scheduler: the services are built once, on first use."""
from __future__ import annotations

import sys

from sms_service.config import ConfigError, load_config
from sms_service.services import Services

_services: Services | None = None


def get_services() -> Services:
    global _services
    if _services is None:
        try:
            _services = Services.from_config(load_config())
        except ConfigError as exc:
            print(str(exc), file=sys.stderr)
            sys.exit(2)
    return _services
