"""Recording who did what, when and from where (the append-only audit log)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from .models import AuditEntry


def record(
    session: Session,
    actor: str,
    action: str,
    *,
    subject_type: str | None = None,
    subject_id: object = None,
    origin: str | None = None,
    **detail,
) -> AuditEntry:
    entry = AuditEntry(
        actor=actor,
        action=action,
        subject_type=subject_type,
        subject_id=None if subject_id is None else str(subject_id),
        origin=origin,
        detail=detail,
    )
    session.add(entry)
    return entry
