"""Messages in and out, with the status history of every outbound one, and broadcasts."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db import Base, UTCDateTime, utcnow
from .statuses import MESSAGE_FINAL

FINAL_STATUSES = MESSAGE_FINAL


class Broadcast(Base):
    """A message to many clients: who may reach whom is its scope (a Mentor Mother's clients, a
    facility, everyone), narrowed by the audience's filters; sent once per client."""

    __tablename__ = "broadcasts"
    __table_args__ = (Index("ix_broadcasts_status_send_at", "status", "send_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    mentor_mother_id: Mapped[int | None] = mapped_column(ForeignKey("mentor_mothers.id"), index=True)  # her clients
    facility_id: Mapped[int | None] = mapped_column(ForeignKey("facilities.id"))  # a supervisor's facility
    created_by: Mapped[str] = mapped_column(String(64))  # actor, as in the audit log
    # the person behind that credential ("user:3", "mentor_mother:7", "token:2" for a service
    # token): whoever approves it must be another
    created_by_person: Mapped[str | None] = mapped_column(String(64))
    channel: Mapped[str] = mapped_column(String(16))  # sms, web, api
    audience: Mapped[dict] = mapped_column(JSON, default=dict)  # the filters, as given
    text_en: Mapped[str | None] = mapped_column(Text)
    text_sw: Mapped[str | None] = mapped_column(Text)
    # awaiting_confirmation, awaiting_approval, scheduled, sending, sent, cancelled
    status: Mapped[str] = mapped_column(String(24), default="scheduled")
    confirmation_code: Mapped[str | None] = mapped_column(String(8))
    code_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    wrong_codes: Mapped[int] = mapped_column(Integer, default=0, server_default="0")  # three cancel it
    recipient_count: Mapped[int] = mapped_column(Integer, default=0)  # at the preview; sending counts again
    sms_parts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")  # all recipients, at the preview
    send_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # None: as soon as the window opens
    approved_by: Mapped[str | None] = mapped_column(String(64))
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    fanned_out_to: Mapped[int] = mapped_column(Integer, default=0, server_default="0")  # last client id made
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class OutboundMessage(Base):
    """One SMS to one number: the source of truth for whether and when it was sent."""

    __tablename__ = "outbound_messages"
    __table_args__ = (
        # the scheduler's and sweeper's question: what is due now?
        Index("ix_outbound_messages_status_not_before", "status", "not_before"),
        Index("ix_outbound_messages_client_created", "client_id", "created_at"),
        Index("ix_outbound_messages_subject", "subject"),
        Index(
            "ix_outbound_messages_status_expires", "status", "expires_at"
        ),  # the sweep: what has expired  # what a transfer or a visit is waiting on
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # (client or number, purpose, subject, version): at most one message per purpose
    idempotency_key: Mapped[str] = mapped_column(String(200), unique=True)
    client_id: Mapped[int | None] = mapped_column(ForeignKey("clients.id", ondelete="SET NULL"))
    mentor_mother_id: Mapped[int | None] = mapped_column(ForeignKey("mentor_mothers.id"))
    broadcast_id: Mapped[int | None] = mapped_column(ForeignKey("broadcasts.id"), index=True)
    phone: Mapped[str] = mapped_column(String(16), index=True)
    purpose: Mapped[str] = mapped_column(String(32))  # reply, reminder, transfer_notice, broadcast…
    subject: Mapped[str | None] = mapped_column(String(64))  # e.g. "appointment:12"
    version: Mapped[int] = mapped_column(Integer, default=1)
    template: Mapped[str | None] = mapped_column(String(64))
    language: Mapped[str] = mapped_column(String(2), default="sw")
    body: Mapped[str] = mapped_column(Text)
    parts: Mapped[int] = mapped_column(Integer, default=1)
    queue: Mapped[str] = mapped_column(String(16), default="bulk")  # realtime | bulk
    facility_id: Mapped[int | None] = mapped_column(ForeignKey("facilities.id"))  # place it names
    # the visit it is about (reminders, the missed-visit message): whose care it concerns
    appointment_id: Mapped[int | None] = mapped_column(ForeignKey("appointments.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(16), default="scheduled")
    not_before: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    provider_message_id: Mapped[str | None] = mapped_column(String(64), index=True)
    failure_reason: Mapped[str | None] = mapped_column(String(64))
    cost: Mapped[str | None] = mapped_column(String(24))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    first_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # bounds retry time
    resend_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")  # after unknown

    history: Mapped[list[MessageStatusEvent]] = relationship(back_populates="message", order_by="MessageStatusEvent.id")


class MessageStatusEvent(Base):
    """Every change of an outbound message's status, with why."""

    __tablename__ = "message_status_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("outbound_messages.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str | None] = mapped_column(String(120))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    message: Mapped[OutboundMessage] = relationship(back_populates="history")


class DeliveryReport(Base):
    """A delivery report as it arrived; applied to its message when that message is known."""

    __tablename__ = "delivery_reports"
    __table_args__ = (
        Index("ix_delivery_reports_provider_message_id", "provider_message_id"),
        Index(
            "ix_delivery_reports_waiting",
            "id",
            postgresql_where=text("applied_at IS NULL"),
            sqlite_where=text("applied_at IS NULL"),
        ),  # reports not yet applied: few
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    provider_message_id: Mapped[str] = mapped_column(String(64))
    provider_status: Mapped[str] = mapped_column(String(32))  # as the provider sent it, for the record
    status: Mapped[str] = mapped_column(String(16))  # ours: in_flight, delivered, failed
    failure_reason: Mapped[str | None] = mapped_column(String(48))  # ours
    phone: Mapped[str | None] = mapped_column(String(16))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    message_id: Mapped[int | None] = mapped_column(ForeignKey("outbound_messages.id", ondelete="SET NULL"))
    applied_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # (id, status, reason): a repeat of the same report is not kept twice
    fingerprint: Mapped[str] = mapped_column(String(200), unique=True)


class InboundMessage(Base):
    """An SMS a person sent us, stored before we answer Africa's Talking."""

    __tablename__ = "inbound_messages"
    __table_args__ = (
        Index("ix_inbound_messages_phone_received", "phone", "received_at"),
        Index("ix_inbound_messages_client_id", "client_id", "id"),  # a client's conversation, the inbox
        # what waits to be handled: a small partial index (rows leave it once handled)
        Index(
            "ix_inbound_messages_waiting",
            "id",
            postgresql_where=text("handled_at IS NULL"),
            sqlite_where=text("handled_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    provider_id: Mapped[str] = mapped_column(String(64), unique=True)  # AT's `id`: replays dedupe
    phone: Mapped[str] = mapped_column(String(16))
    to: Mapped[str | None] = mapped_column(String(32))
    text: Mapped[str] = mapped_column(Text, default="")
    link_id: Mapped[str | None] = mapped_column(String(64))
    network_code: Mapped[str | None] = mapped_column(String(8))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)  # when AT's callback came
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # AT's `date`: when she wrote it
    client_id: Mapped[int | None] = mapped_column(ForeignKey("clients.id", ondelete="SET NULL"))
    mentor_mother_id: Mapped[int | None] = mapped_column(ForeignKey("mentor_mothers.id"))
    intent: Mapped[str | None] = mapped_column(String(24))  # the keyword it was read as
    handled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    refused: Mapped[str | None] = mapped_column(String(64))  # why it was not acted on (unusable number…)


class QuickReply(Base):
    """An answer a person may pick instead of typing it, kept by an admin in both languages and
    checked like a template (discreet wording, GSM-7, at most three SMS parts)."""

    __tablename__ = "quick_replies"

    id: Mapped[int] = mapped_column(primary_key=True)
    text_en: Mapped[str] = mapped_column(Text)
    text_sw: Mapped[str] = mapped_column(Text)
    position: Mapped[int] = mapped_column(Integer, default=0)  # the order they are offered in
    updated_by: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # kept: answers made from it stay explained
