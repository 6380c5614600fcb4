"""The provider's end-of-session notices, kept once per session (it may repeat them)."""

from __future__ import annotations

from ..db import Database, insert_ignoring, utcnow
from ..gateway import UssdSessionEnd
from ..models import UssdSession

COLUMNS = (
    "session_id",
    "phone",
    "status",
    "service_code",
    "network_code",
    "duration_ms",
    "hops",
    "error",
    "received_at",
)


def store_session_end(db: Database, end: UssdSessionEnd) -> bool:
    """True when this session's notice is new."""
    values = {
        "session_id": end.session_id[:100],
        "phone": end.phone,
        "status": end.status[:16],
        "service_code": (end.service_code or "")[:32] or None,
        "network_code": (end.network_code or "")[:8] or None,
        "duration_ms": end.duration_ms,
        "hops": end.hops,
        "error": (end.error or "")[:200] or None,
        "received_at": utcnow(),
    }
    return db.prepared_insert("ussd_sessions", _statement, bounded=True)(values) is not None


def _statement(dialect_name: str):
    return insert_ignoring(dialect_name, UssdSession.__table__, COLUMNS, "session_id")
