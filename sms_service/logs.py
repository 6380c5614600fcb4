"""Logging that keeps people's privacy: phone numbers masked in every line (SPEC 7).

Message bodies are never passed to a logger in the first place; this filter is the safety
net for numbers that slip into a log line through an exception or a URL.
"""

from __future__ import annotations

import logging
import re

from .phones import mask_phone

_PHONE = re.compile(r"(?<!\d)(?:\+?254|0)[17]\d{8}(?!\d)")


def mask_phones_in(text: str) -> str:
    return _PHONE.sub(lambda m: mask_phone("+254" + m.group(0)[-9:]), text)


class MaskPhones(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_phones_in(message)
        if masked != message:
            record.msg, record.args = masked, None
        return True


def configure(level: int = logging.INFO) -> None:
    """Process-wide logging for the CLI, workers and the web process."""
    root = logging.getLogger()
    if not any(isinstance(f, MaskPhones) for h in root.handlers for f in h.filters):
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        handler.addFilter(MaskPhones())
        root.addHandler(handler)
    root.setLevel(level)
    logging.getLogger("alembic").setLevel(logging.WARNING)


def init_app(app) -> None:
    """Under gunicorn nothing configures the root logger: do it, so no line escapes the mask."""
    if not logging.getLogger().handlers:
        configure()
    for handler in app.logger.handlers:
        handler.addFilter(MaskPhones())
