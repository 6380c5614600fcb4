"""Facilities (clinics) and the Mentor Mothers who work from them."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db import Base, UTCDateTime, utcnow


class Facility(Base):
    __tablename__ = "facilities"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    county: Mapped[str | None] = mapped_column(String(80))
    sub_county: Mapped[str | None] = mapped_column(String(80))
    landmark: Mapped[str | None] = mapped_column(String(120))
    phone: Mapped[str | None] = mapped_column(String(16))
    hours: Mapped[str | None] = mapped_column(String(80))
    # in Kiswahili, when the English would not do inside a Kiswahili SMS (structured hours need none)
    landmark_sw: Mapped[str | None] = mapped_column(String(120))
    hours_sw: Mapped[str | None] = mapped_column(String(80))
    closed_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    def is_open_on(self, day: date) -> bool:
        return self.closed_on is None or day < self.closed_on


class MentorMother(Base):
    __tablename__ = "mentor_mothers"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    phone: Mapped[str] = mapped_column(String(16), unique=True)
    facility_id: Mapped[int] = mapped_column(ForeignKey("facilities.id"), index=True)
    language: Mapped[str] = mapped_column(String(2), default="sw")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    facility: Mapped[Facility] = relationship(lazy="joined")
