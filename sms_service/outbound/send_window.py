"""Quiet hours as a pure function of (moment, window, time zone).

A window is (start, end) in local time; nothing scheduled goes out outside it. None means
"any time" (direct replies to a person's own SMS or USSD action).
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

Window = tuple[time, time] | None


def next_send_time(moment: datetime, window: Window, tz: ZoneInfo) -> datetime:
    """The earliest moment at or after `moment` inside `window` (UTC in, UTC out)."""
    if window is None:
        return moment
    start, end = window
    local = moment.astimezone(tz)
    if start <= local.time() < end:
        return moment
    day = local.date() if local.time() < start else local.date() + timedelta(days=1)
    return datetime.combine(day, start, tzinfo=tz).astimezone(UTC)


def is_open(moment: datetime, window: Window, tz: ZoneInfo) -> bool:
    return next_send_time(moment, window, tz) == moment
