"""AT's end-of-session notices, kept once per session (it may repeat them)."""
from __future__ import annotations

from sqlalchemy import bindparam
from sqlalchemy.dialects import postgresql, sqlite

from ..db import Database, utcnow
from ..models import UssdSession
from ..phones import PhoneError, normalise_phone

COLUMNS = ("session_id", "phone", "status", "service_code", "network_code", "duration_ms", "hops", "error",
           "received_at")


def store_session_end(db: Database, form) -> bool:
    """True when this session's notice is new."""
    try:
        phone = normalise_phone(form.get("phoneNumber"))
    except PhoneError:
        phone = None
    values = {
        "session_id": form["sessionId"].strip()[:100], "phone": phone,
        "status": (form.get("status") or "unknown").strip()[:16], "service_code": (form.get("serviceCode") or "")[:32] or None,
        "network_code": (form.get("networkCode") or "")[:8] or None, "duration_ms": _int(form.get("durationInMillis")),
        "hops": _int(form.get("hopsCount")), "error": (form.get("errorMessage") or "")[:200] or None,
        "received_at": utcnow(),
    }
    return db.prepared_insert("ussd_sessions", _statement, bounded=True)(values) is not None


def _statement(dialect_name: str):
    dialect = postgresql if dialect_name == "postgresql" else sqlite
    table = UssdSession.__table__
    return (dialect.insert(table).values({c: bindparam(c) for c in COLUMNS})
            .on_conflict_do_nothing(index_elements=["session_id"]).returning(table.c.id))


def _int(raw) -> int | None:
    """A count AT sent, or None when it is not one a column can hold (junk, NaN, huge)."""
    try:
        value = int(float(raw))
    except (TypeError, ValueError, OverflowError):
        return None
    return value if -2**31 <= value < 2**31 else None
