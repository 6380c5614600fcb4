"""When a visit's reminders go out: pure, from the visit, the clock and the configuration.

Defaults (care.md): 3 and 1 days before at 09:00, and 7, 3 and 1 for a visit that needs
planning (at a clinic she has not been to, the 18-month infant test). A reminder goes out in
the reminders' send window; one whose moment has passed when it is planned is skipped, not
sent late; none goes out after the visit (`expires_at`: the visit's time, or the start of its
day when the clinic gave none).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING

from ..outbound.messages import PURPOSES
from ..outbound.send_window import next_send_time

if TYPE_CHECKING:
    from ..config import Config

PLANNING_AGE_MONTHS = 17  # an infant test at 17 months or more: the 18-month test


@dataclass(frozen=True)
class Reminder:
    occasion: str  # "T-3": part of the idempotency key
    send_at: datetime  # UTC, inside the send window
    expires_at: datetime  # UTC: the visit


def visit_moment(day: date, at: time | None, tz) -> datetime:
    return datetime.combine(day, at or time(0, 0), tzinfo=tz).astimezone(UTC)


def days_before(kind: str, needs_planning: bool, config: Config) -> tuple[int, ...]:
    if needs_planning:
        return config.reminder_planning_days
    return dict(config.reminder_days_by_kind).get(kind, config.reminder_days)


def reminders(
    day: date, at: time | None, kind: str, needs_planning: bool, now: datetime, config: Config
) -> list[Reminder]:
    tz, window = config.tz, PURPOSES["reminder"].window
    expires = visit_moment(day, at, tz)
    planned = []
    for n in days_before(kind, needs_planning, config):
        moment = datetime.combine(day - timedelta(days=n), config.reminder_time, tzinfo=tz).astimezone(UTC)
        send_at = next_send_time(moment, window, tz)
        if send_at <= now or send_at >= expires:
            continue  # its moment has passed (never sent late), or it would come after the visit
        planned.append(Reminder(f"T-{n}", send_at, expires))
    return planned


def missed_message(day: date, now: datetime, config: Config) -> tuple[datetime, datetime]:
    """(send at, expires at) of the missed-visit message: the day after the visit at 10:00 (or
    now, if that has passed), until the visit counts as defaulted."""
    tz = config.tz
    missed_after, defaulted_after, _ = config.visit_follow_up_days
    moment = datetime.combine(day + timedelta(days=missed_after), config.missed_visit_time, tzinfo=tz)
    send_at = next_send_time(max(moment.astimezone(UTC), now), PURPOSES["missed_visit"].window, tz)
    expires = datetime.combine(day + timedelta(days=defaulted_after), time(0, 0), tzinfo=tz).astimezone(UTC)
    return send_at, expires


def needs_planning(kind: str, at_clinic_id: int, her_clinic_id: int, infant_dob: date | None, day: date) -> bool:
    """A visit at a clinic she has not been to, or the 18-month infant test."""
    if at_clinic_id != her_clinic_id:
        return True
    if kind == "infant_test" and infant_dob is not None:
        months = (day.year - infant_dob.year) * 12 + day.month - infant_dob.month - (day.day < infant_dob.day)
        return months >= PLANNING_AGE_MONTHS
    return False
