"""People's work and accountability: follow-up tasks, consent, and the audit log."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, Index, String, Text, event, text
from sqlalchemy.orm import Mapped, Session, mapped_column

from ..db import Base, UTCDateTime, utcnow


class FollowUpTask(Base):
    """Something a Mentor Mother (or an admin) must do about a client."""

    __tablename__ = "follow_up_tasks"
    __table_args__ = (
        Index("ix_follow_up_tasks_mm_status_due", "mentor_mother_id", "status", "due_on"),
        Index("ix_follow_up_tasks_client_kind", "client_id", "kind"),
        # urgent tasks (a danger sign) stand first on every list and are counted in /metrics
        Index(
            "ix_follow_up_tasks_open_urgent",
            "created_at",
            postgresql_where=text("status = 'open' AND priority = 'urgent'"),
            sqlite_where=text("status = 'open' AND priority = 'urgent'"),
        ),
        Index("ix_follow_up_tasks_subject_status", "subject", "status"),
        # the board's "needs following up": open tasks about transfers
        Index(
            "ix_follow_up_tasks_open_transfer",
            "transfer_id",
            postgresql_where=text("status = 'open' AND transfer_id IS NOT NULL"),
            sqlite_where=text("status = 'open' AND transfer_id IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    mentor_mother_id: Mapped[int | None] = mapped_column(ForeignKey("mentor_mothers.id"))
    client_id: Mapped[int | None] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"))
    # free_text, call_back, change_date, missed_visit, transfer_unconfirmed, tracing, alert…
    kind: Mapped[str] = mapped_column(String(32))
    subject: Mapped[str | None] = mapped_column(String(64))  # e.g. "transfer:7"
    # the transfer a task is about (its subject "transfer:7" as a key: the board joins on it)
    transfer_id: Mapped[int | None] = mapped_column(ForeignKey("transfers.id", ondelete="SET NULL"))
    inbound_message_id: Mapped[int | None] = mapped_column(ForeignKey("inbound_messages.id", ondelete="SET NULL"))
    # a task that must not be made twice (one call back a day, one per USSD session): its key
    dedupe_key: Mapped[str | None] = mapped_column(String(120), unique=True)
    note: Mapped[str | None] = mapped_column(Text)
    # the service's note as a message and its values (`followup.notes`), read in each reader's language
    note_args: Mapped[dict | None] = mapped_column(JSON(none_as_null=True))
    status: Mapped[str] = mapped_column(String(16), default="open")  # open, done, cancelled
    # urgent (a danger sign) or normal; a database default: the USSD path's prepared insert names no priority
    priority: Mapped[str] = mapped_column(String(8), server_default="normal")
    outcome: Mapped[str | None] = mapped_column(String(64))
    closed_by: Mapped[str | None] = mapped_column(String(64))  # who did it ("user:3", "mentor_mother:2")
    due_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ConsentEvent(Base):
    """Opt-out, opt-in and consent, per number (and client when known), never overwritten."""

    __tablename__ = "consent_events"
    __table_args__ = (Index("ix_consent_events_phone_at", "phone", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    phone: Mapped[str] = mapped_column(String(16))
    client_id: Mapped[int | None] = mapped_column(ForeignKey("clients.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(16))  # opt_out, opt_in, consent
    # sms_keyword, ussd, at_optout, delivery_report, staff, import
    source: Mapped[str] = mapped_column(String(24))
    detail: Mapped[str | None] = mapped_column(String(120))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class AuditEntry(Base):
    """Append-only: who did what, when, from where. Rows are never updated or deleted."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_subject", "subject_type", "subject_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(64))  # "cli", "user:3", "mentor_mother:MM01", "system"
    action: Mapped[str] = mapped_column(String(64))  # "import.clients", "transfer.create"…
    subject_type: Mapped[str | None] = mapped_column(String(32))
    subject_id: Mapped[str | None] = mapped_column(String(64))
    origin: Mapped[str | None] = mapped_column(String(64))  # channel or IP address
    detail: Mapped[dict] = mapped_column(JSON, default=dict)


class AuditLogIsAppendOnly(Exception):
    pass


@event.listens_for(Session, "before_flush")
def _refuse_audit_changes(session, _context, _instances):
    for obj in list(session.dirty) + list(session.deleted):
        if isinstance(obj, AuditEntry):
            raise AuditLogIsAppendOnly("audit log entries cannot be changed or deleted")


class UssdSession(Base):
    """AT's end-of-session notice, kept once per session: completion rates are reported from it."""

    __tablename__ = "ussd_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[str] = mapped_column(String(100), unique=True)
    phone: Mapped[str | None] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))  # Success, Incomplete, Failed
    service_code: Mapped[str | None] = mapped_column(String(32))
    network_code: Mapped[str | None] = mapped_column(String(8))
    duration_ms: Mapped[int | None] = mapped_column()
    hops: Mapped[int | None] = mapped_column()
    error: Mapped[str | None] = mapped_column(String(200))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ApiToken(Base):
    """A REST API credential: only its SHA-256 is stored; its role scopes every query. It belongs
    to an account (and ends with it), or is a service token an admin made by name."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(16))  # admin, supervisor (a facility), mentor_mother
    facility_id: Mapped[int | None] = mapped_column(ForeignKey("facilities.id"))
    mentor_mother_id: Mapped[int | None] = mapped_column(ForeignKey("mentor_mothers.id"))
    # the account it acts for (its role and scope, ending with it); None: a named service token
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # API_TOKEN_DAYS after it was made
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
