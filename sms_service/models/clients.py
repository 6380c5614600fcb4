"""Clients, their infants, their visits and their transfers between clinics."""

from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    Time,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db import Base, UTCDateTime, utcnow
from .directory import Facility, MentorMother
from .statuses import TRANSFER_OPEN, TransferStatus

LANGUAGES = ("en", "sw")
STAGES = ("pregnant", "postnatal", "other")
APPOINTMENT_KINDS = ("anc", "pnc", "immunisation", "infant_test", "refill", "other")


class Client(Base):
    __tablename__ = "clients"

    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str] = mapped_column(String(64), unique=True)  # the clinic's client_id
    first_name: Mapped[str] = mapped_column(String(80))
    phone: Mapped[str] = mapped_column(String(16), index=True)  # shared phones: not unique
    facility_id: Mapped[int] = mapped_column(ForeignKey("facilities.id"), index=True)
    mentor_mother_id: Mapped[int | None] = mapped_column(ForeignKey("mentor_mothers.id"), index=True)
    language: Mapped[str] = mapped_column(String(2), default="sw")
    stage: Mapped[str] = mapped_column(String(16), default="other")
    edd: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="active")  # active, inactive
    # why she is inactive when a life event made her so: died, moved_away (sms_service/life_events)
    inactive_reason: Mapped[str | None] = mapped_column(String(16))
    # a pregnancy lost on this day: antenatal care of a pregnancy that began before it is over
    pregnancy_lost_on: Mapped[date | None] = mapped_column(Date)
    opted_out_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    facility: Mapped[Facility] = relationship()
    mentor_mother: Mapped[MentorMother | None] = relationship()
    infants: Mapped[list[Infant]] = relationship(back_populates="client", order_by="Infant.dob")

    @property
    def opted_out(self) -> bool:
        return self.opted_out_at is not None


class LifeEvent(Base):
    """What has really happened to her (SPEC "Life events"): recorded once, by someone, through a
    channel; what it did at once is kept in `effects` so that a retraction can undo it."""

    __tablename__ = "life_events"
    __table_args__ = (
        # the same event twice is one event: one live (not retracted) event per identity
        Index(
            "uq_life_events_live",
            "client_id",
            "identity",
            unique=True,
            postgresql_where=text("retracted_at IS NULL"),
            sqlite_where=text("retracted_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(24))  # died, infant_died, pregnancy_loss, moved_away, number_changed
    occurred_on: Mapped[date] = mapped_column(Date)
    infant_id: Mapped[int | None] = mapped_column(ForeignKey("infants.id", ondelete="SET NULL"))
    new_phone: Mapped[str | None] = mapped_column(String(16))
    note: Mapped[str | None] = mapped_column(Text)
    identity: Mapped[str] = mapped_column(String(80))  # kind and what it is about: "infant_died:12"
    recorded_by: Mapped[str] = mapped_column(String(64))  # actor, as in the audit log
    channel: Mapped[str] = mapped_column(String(16))  # api, csv, web, task, transfer
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    retracted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    retracted_by: Mapped[str | None] = mapped_column(String(64))
    effects: Mapped[dict] = mapped_column(JSON, default=dict)

    @property
    def live(self) -> bool:
        return self.retracted_at is None


class Infant(Base):
    __tablename__ = "infants"
    __table_args__ = (UniqueConstraint("client_id", "dob"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"))
    first_name: Mapped[str | None] = mapped_column(String(80))
    dob: Mapped[date] = mapped_column(Date)
    died_on: Mapped[date | None] = mapped_column(Date)  # a life event: nothing names this infant again
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    client: Mapped[Client] = relationship(back_populates="infants")

    @property
    def alive(self) -> bool:
        return self.died_on is None


class Appointment(Base):
    """A clinic visit. The same (client, date, kind) is one visit: re-imports update it."""

    __tablename__ = "appointments"
    __table_args__ = (
        UniqueConstraint("client_id", "date", "kind"),
        Index("ix_appointments_date_status", "date", "status"),
        # after the visit: what is still scheduled and past (the scheduler's question each tick)
        Index("ix_appointments_status_date", "status", "date"),
        # visits whose reminders are not planned for their current revision: few, planned soon
        Index(
            "ix_appointments_unplanned", "id", postgresql_where=text("NOT planned"), sqlite_where=text("planned = 0")
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"))
    infant_id: Mapped[int | None] = mapped_column(ForeignKey("infants.id", ondelete="SET NULL"))
    facility_id: Mapped[int] = mapped_column(ForeignKey("facilities.id"), index=True)
    date: Mapped[date] = mapped_column(Date)
    time: Mapped[time | None] = mapped_column(Time)
    kind: Mapped[str] = mapped_column(String(16), default="other")
    # scheduled, attended, missed, defaulted, lost, cancelled; history: its date had passed when
    # the service learnt of it (no reminder, no missed-visit message, no follow-up ladder)
    status: Mapped[str] = mapped_column(String(16), default="scheduled")
    # why the service set its status, where a person did not: the life event that ended it
    status_reason: Mapped[str | None] = mapped_column(String(32))
    source: Mapped[str] = mapped_column(String(16), default="clinic")  # clinic | generated
    label: Mapped[str | None] = mapped_column(String(32))  # a generated visit's place in its schedule: "anc-3"
    # reminders are keyed by (appointment, offset, revision): a reschedule or a move is a new revision
    revision: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    planned: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())  # reminders made for it
    status_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # she answered YES to a reminder
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    client: Mapped[Client] = relationship()
    facility: Mapped[Facility] = relationship()


class Transfer(Base):
    """A client's move from one clinic to another, followed until she has arrived (or a person
    has recorded what became of her). Every change of status is a `TransferEvent`."""

    __tablename__ = "transfers"
    __table_args__ = (
        UniqueConstraint("client_id", "to_facility_id", "effective_date"),
        Index("ix_transfers_client_status", "client_id", "status"),
        Index("ix_transfers_status_effective", "status", "effective_date"),
        Index("ix_transfers_from_facility_id", "from_facility_id"),
        # the follow-up ladder's question, what is due today: only open transfers are in it
        Index(
            "ix_transfers_next_step_on",
            "next_step_on",
            postgresql_where=text("next_step_on IS NOT NULL"),
            sqlite_where=text("next_step_on IS NOT NULL"),
        ),
        Index(
            "ix_transfers_choose_by",
            "choose_by",
            postgresql_where=text("choose_by IS NOT NULL"),
            sqlite_where=text("choose_by IS NOT NULL"),
        ),
        Index(
            "ix_transfers_check_in_by",
            "check_in_by",
            postgresql_where=text("check_in_by IS NOT NULL"),
            sqlite_where=text("check_in_by IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"))
    from_facility_id: Mapped[int] = mapped_column(ForeignKey("facilities.id"))
    to_facility_id: Mapped[int] = mapped_column(ForeignKey("facilities.id"), index=True)
    effective_date: Mapped[date] = mapped_column(Date)
    reason: Mapped[str | None] = mapped_column(Text)
    # planned, notified, acknowledged, arrived, lost_to_follow_up, moved_elsewhere, declined,
    # died, cancelled (sms_service/transfers/states.py)
    status: Mapped[str] = mapped_column(String(24), default="planned")
    status_changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    source: Mapped[str | None] = mapped_column(String(16))  # csv, api, closure
    notice_message_id: Mapped[int | None] = mapped_column(
        ForeignKey("outbound_messages.id", ondelete="SET NULL"), index=True
    )
    notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # the notice reached the network
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    arrived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ladder_step: Mapped[int] = mapped_column(Integer, default=0, server_default="0")  # follow-up steps done
    next_step_on: Mapped[date | None] = mapped_column(Date)  # the next follow-up step's day; None when closed
    # a chained closure: the transfer this one corrects (its clinic closed before she arrived)
    replaces_id: Mapped[int | None] = mapped_column(ForeignKey("transfers.id", ondelete="SET NULL"))
    # a choice of clinic: the clinics offered (facility ids, in order, the first the default) and the
    # last day to choose; `choose_by` is None once she chose or the default stood
    offer: Mapped[str | None] = mapped_column(String(64))
    choose_by: Mapped[date | None] = mapped_column(Date)
    # the check-in two days after the effective date: asked, then arrived / help / no_answer /
    # unreached / skipped; `check_in_by` is when no answer becomes a task (None once settled)
    check_in: Mapped[str | None] = mapped_column(String(12))
    check_in_by: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    client: Mapped[Client] = relationship()
    from_facility: Mapped[Facility] = relationship(foreign_keys=[from_facility_id])
    to_facility: Mapped[Facility] = relationship(foreign_keys=[to_facility_id])

    @property
    def offered_ids(self) -> list[int | None]:
        """The clinics offered her (facility ids, the default first; None where one was withdrawn
        because it closes in turn, so the numbers she was told stay hers); [] without a choice."""
        return [int(i) if i else None for i in self.offer.split(",")] if self.offer else []

    OPEN_STATES = TRANSFER_OPEN
    # where she should now go is the new clinic: open, or lost to follow-up (she may still turn up)
    GUIDING_STATES = (*TRANSFER_OPEN, TransferStatus.LOST_TO_FOLLOW_UP)

    @staticmethod
    def in_subject(subject: str | None) -> int | None:
        """The transfer a message's or task's subject ("transfer:7") is about, or None."""
        kind, _, transfer_id = (subject or "").partition(":")
        return int(transfer_id) if kind == "transfer" and transfer_id.isdigit() else None


class TransferEvent(Base):
    """One change of a transfer's status: when, to what, caused by whom or what. Append-only."""

    __tablename__ = "transfer_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    transfer_id: Mapped[int] = mapped_column(ForeignKey("transfers.id", ondelete="CASCADE"), index=True)
    from_status: Mapped[str | None] = mapped_column(String(24))
    to_status: Mapped[str] = mapped_column(String(24))
    # client_sms, ussd, mentor_mother, clinic, follow_up, staff, gateway
    cause: Mapped[str] = mapped_column(String(24))
    actor: Mapped[str] = mapped_column(String(64))  # as in the audit log: "cli", "client:12", "token:3"
    detail: Mapped[str | None] = mapped_column(String(200))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
