"""A controlled clock over the whole service: at each moment, what the scheduler does (visits
planned, missed, defaulted; generated visits; the transfer ladder; broadcasts fanned out) and
what the workers do (every due message sent through the real Africa's Talking adapter to the
fake AT), with the clock given, not the machine's."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from sms_service.broadcasts.fanout import fan_out, finish
from sms_service.gateway import build_gateway
from sms_service.models import OutboundMessage
from sms_service.outbound.dispatch import claim_due
from sms_service.outbound.sending import Sender
from sms_service.reminders.generate import generate_visits
from sms_service.reminders.planner import plan_pending
from sms_service.reminders.visits import after_visits
from sms_service.transfers.ladder import follow_up

NAIROBI = ZoneInfo("Africa/Nairobi")
DAILY = (time(7, 5), time(9, 5), time(10, 5), time(12, 0), time(16, 0))  # local: every send window's hours


def local(day: date, at: time) -> datetime:
    return datetime.combine(day, at, tzinfo=NAIROBI).astimezone(UTC)


class Clock:
    def __init__(self, services):
        self.services = services
        self.sender = Sender(services, build_gateway(services.config))

    def tick(self, now: datetime) -> dict[str, int]:
        """One moment: the scheduler's passes, then every due message sent."""
        config = self.services.config
        with self.services.db.session() as s:
            generate_visits(s, now.astimezone(NAIROBI).date(), now, config)
            plan_pending(s, now, config)
            after_visits(s, now, config)
            follow_up(s, now, config)
            fan_out(s, now, config)
            finish(s, now)
        return self.send_due(now)

    def send_due(self, now: datetime) -> dict[str, int]:
        with self.services.db.session() as s:
            claim_due(s, now, 100_000)
            queued = list(s.scalars(select(OutboundMessage.id).where(OutboundMessage.status == "queued")))
        return self.sender.send(queued, at=now) if queued else {}

    def days(self, first: date, count: int, times=DAILY) -> None:
        """`count` days from `first`, a tick at each of `times` (local)."""
        for n in range(count):
            for at in times:
                self.tick(local(first + timedelta(days=n), at))
