"""Sending: claim queued messages, re-check each at send time, call the gateway, record.

Identical texts go in multi-recipient requests; personalised ones are sent with bounded
concurrency, so the provider's latency does not set the pace. Nothing is sent that is expired,
outside its window, or that `eligibility` holds back (she died, moved away or stopped our
messages; the baby it names has died; the place it names has closed). A message is claimed
(queued → sending) before the call, so a job run twice sends once.
"""

from __future__ import annotations

import logging
import random
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..config import Config
from ..db import among, bulk_update, utcnow
from ..followup.store import open_alert
from ..gateway import Gateway, Outcome, SendResult
from ..models import Appointment, Client, Facility, Infant, OutboundMessage
from ..models.statuses import MessageStatus
from . import consent, eligibility
from .messages import PURPOSES, follow_outcome, record_history, transition
from .ratelimit import RateLimiter
from .send_window import next_send_time

if TYPE_CHECKING:
    from ..resources import Services

log = logging.getLogger(__name__)
BATCH_RECIPIENTS = 500  # numbers per multi-recipient request (AT: keep to a few hundred)
PAUSE_KEY = "sms:sending:paused_until"
_JITTER = random.Random()  # the retry jitter's source; a test passes its own


@dataclass(frozen=True)
class RetryPolicy:
    """Bounded exponential backoff with full jitter; some reasons get fewer attempts."""

    max_attempts: int = Config.sms_retry_max_attempts
    max_total: timedelta = timedelta(hours=Config.sms_retry_max_hours)
    base_seconds: float = 30.0
    cap_seconds: float = 1800.0
    few_attempts: int = 3
    few: frozenset = frozenset({"could_not_route", "rejected_by_gateway", "no_recipients", "unknown_status"})
    pause: timedelta = timedelta(minutes=Config.sms_pause_minutes)  # stop-the-line cooldown

    @classmethod
    def from_config(cls, config: Config) -> RetryPolicy:
        return cls(
            max_attempts=config.sms_retry_max_attempts,
            max_total=timedelta(hours=config.sms_retry_max_hours),
            pause=timedelta(minutes=config.sms_pause_minutes),
        )

    def next_try(
        self,
        attempts: int,
        reason: str | None,
        first_attempt_at: datetime,
        now: datetime,
        rng: random.Random = _JITTER,
    ) -> datetime | None:
        limit = self.few_attempts if reason in self.few else self.max_attempts
        if attempts >= limit:
            return None
        delay = rng.uniform(0, min(self.cap_seconds, self.base_seconds * 2 ** (attempts - 1)))
        moment = now + timedelta(seconds=max(1.0, delay))
        return None if moment - first_attempt_at > self.max_total else moment


@dataclass
class Sender:
    """What a send job needs; built once per worker process."""

    services: Services
    gateway: Gateway
    limiter: RateLimiter | None = None
    policy: RetryPolicy | None = None  # None: from the configuration
    concurrency: int = 48  # requests in flight per worker process
    retry: RetryPolicy = field(init=False)  # the policy in force

    def __post_init__(self) -> None:
        self.retry = self.policy or RetryPolicy.from_config(self.services.config)

    def paused_until(self, now: datetime) -> datetime | None:
        raw = self.services.redis.get(PAUSE_KEY)
        if raw is None:
            return None
        until = datetime.fromisoformat(raw.decode() if isinstance(raw, bytes) else raw)
        return until if until > now else None

    def pause(self, reason: str, now: datetime) -> datetime:
        until = now + self.retry.pause
        self.services.redis.set(PAUSE_KEY, until.isoformat(), ex=int(self.retry.pause.total_seconds()) + 60)
        log.error("sending paused until %s: %s", until.isoformat(), reason)
        return until

    def send(self, ids: list[int], at: datetime | None = None) -> dict[str, int]:
        """Send these messages; `at` fixes the clock (tests), else each step reads it afresh."""
        now = at or utcnow()
        db = self.services.db
        with db.session() as session:
            claimed = transition(
                session,
                ids,
                "sending",
                "claimed",
                only_from=("queued",),
                now=now,
                attempts=OutboundMessage.attempts + 1,
                first_attempt_at=func.coalesce(OutboundMessage.first_attempt_at, now),
            )
        if not claimed:
            return {}
        with db.session() as session:
            sendable = self._recheck(session, claimed, now)
        results = self._call_gateway(sendable)
        with db.session() as session:  # the gateway may have taken seconds: sent_at is when it answered
            return self._record(session, sendable, results, at or utcnow())

    # -- at send time ------------------------------------------------------------------------

    def _recheck(self, session: Session, ids: list[int], now: datetime) -> list:
        tz = self.services.config.tz
        today = now.astimezone(tz).date()
        rows = session.execute(
            select(
                OutboundMessage.id,
                OutboundMessage.phone,
                OutboundMessage.body,
                OutboundMessage.purpose,
                OutboundMessage.queue,
                OutboundMessage.expires_at,
                OutboundMessage.attempts,
                OutboundMessage.first_attempt_at,
                *eligibility.her_columns(),
                Facility.closed_on,
                Appointment.kind,
                Infant.died_on,
            )
            .outerjoin(Client, Client.id == OutboundMessage.client_id)
            .outerjoin(Facility, Facility.id == OutboundMessage.facility_id)
            .outerjoin(Appointment, Appointment.id == OutboundMessage.appointment_id)
            .outerjoin(Infant, Infant.id == Appointment.infant_id)
            .where(among(session, OutboundMessage.id, ids))
        ).all()
        paused = self.paused_until(now)
        moves: dict[tuple, list[int]] = defaultdict(list)
        sendable = []
        for row in rows:
            purpose = PURPOSES[row.purpose]
            opens = next_send_time(now, purpose.window, tz)
            her = eligibility.her_of(*row[8:13])
            held = eligibility.refusal(
                her, eligibility.About(row.purpose, purpose.essential, row.kind, row.died_on, row.closed_on), today
            )
            if now >= row.expires_at:
                moves[("expired", "expired before sending", None)].append(row.id)
            elif held is not None:
                moves[("suppressed", held, None)].append(row.id)
            elif opens != now:
                if opens >= row.expires_at:
                    moves[("suppressed", "quiet hours until expiry", None)].append(row.id)
                else:
                    moves[("scheduled", "quiet hours", opens)].append(row.id)
            elif paused is not None:
                moves[("scheduled", "sending paused", paused)].append(row.id)
            else:
                sendable.append(row)
        for (status, reason, when), moved in moves.items():
            extra = {"not_before": when, "attempts": OutboundMessage.attempts - 1} if status == "scheduled" else {}
            transition(session, moved, status, reason, now=now, **extra)
        return sendable

    # -- the calls ---------------------------------------------------------------------------

    def _call_gateway(self, rows: list) -> dict[int, SendResult]:
        by_text: dict[str, list] = defaultdict(list)
        for row in rows:
            by_text[row.body].append(row)
        requests = [
            (text, group[i : i + BATCH_RECIPIENTS], group[0].queue)
            for text, group in by_text.items()
            for i in range(0, len(group), BATCH_RECIPIENTS)
        ]

        def call(request):
            text, group, lane = request
            if self.limiter is not None:
                self.limiter.acquire(lane)
            results = self.gateway.send(text, [row.phone for row in group])
            return [(row.id, result) for row, result in zip(group, results, strict=True)]

        outcome: dict[int, SendResult] = {}
        if not requests:
            return outcome
        if len(requests) == 1:
            outcome.update(call(requests[0]))
            return outcome
        with ThreadPoolExecutor(max_workers=min(self.concurrency, len(requests))) as pool:
            for pairs in pool.map(call, requests):
                outcome.update(pairs)
        return outcome

    # -- what came back ----------------------------------------------------------------------

    def _record(self, session: Session, rows: list, results: dict[int, SendResult], now: datetime) -> dict[str, int]:
        counts: dict[str, int] = defaultdict(int)
        accepted: list[dict] = []
        moves: dict[tuple[str, str | None, datetime | None], list[int]] = defaultdict(list)
        for row in rows:
            result = results[row.id]
            counts[result.outcome.value] += 1
            if result.outcome is Outcome.ACCEPTED:
                accepted.append({"mid": row.id, "pid": result.provider_message_id, "cost": result.cost})
            elif result.outcome is Outcome.RETRY:
                when = self.retry.next_try(row.attempts, result.reason, row.first_attempt_at or now, now)
                if when is None:
                    moves[("failed", result.reason, None)].append(row.id)
                else:
                    moves[("scheduled", f"retry: {result.reason}", when)].append(row.id)
            elif result.outcome is Outcome.PERMANENT:
                moves[("failed", result.reason, None)].append(row.id)
            elif result.outcome is Outcome.OPTED_OUT:
                moves[("suppressed", "opted_out", None)].append(row.id)
                consent.opt_out(session, row.phone, "provider", result.reason, now=now)
            elif result.outcome is Outcome.UNKNOWN:
                moves[("unknown", result.reason, None)].append(row.id)
            else:  # STOP_LINE: not this message's fault; it waits for the line to reopen
                stop = result.reason or Outcome.STOP_LINE.value
                until = self.paused_until(now) or self.pause(stop, now)
                moves[("scheduled", f"paused: {result.reason}", until)].append(row.id)
                self._alert(session, stop, now)
        self._mark_sent(session, accepted, now)
        follow_outcome(
            session,
            [(row.id, row.purpose) for row in rows if results[row.id].outcome is Outcome.ACCEPTED],
            "sent",
            "accepted",
            now,
        )
        for (status, reason, when), ids in moves.items():
            extra: dict[str, Any] = {}
            if status == "scheduled":
                extra["not_before"] = when
                if reason and reason.startswith("paused"):
                    extra["attempts"] = OutboundMessage.attempts - 1
            elif status == "failed":
                extra["failure_reason"] = reason
            transition(session, ids, status, reason, only_from=("sending",), now=now, **extra)
        if moves:
            log.info("send results: %s", dict(counts))
        return dict(counts)

    def _mark_sent(self, session: Session, accepted: list[dict], now: datetime) -> None:
        if not accepted:
            return
        bulk_update(
            session,
            OutboundMessage.__table__,
            [{"id": a["mid"], "provider_message_id": a["pid"], "cost": a["cost"]} for a in accepted],
            same={"status": MessageStatus.SENT, "sent_at": now, "updated_at": now},
            only_where={"status": MessageStatus.SENDING},
        )
        record_history(session, [a["mid"] for a in accepted], "sent", "accepted", now)
        from .delivery import apply_waiting_reports

        apply_waiting_reports(session, [a["pid"] for a in accepted], now)

    def _alert(self, session: Session, reason: str, now: datetime) -> None:
        """One open admin task per stop-the-line reason (also logged and in /metrics)."""
        open_alert(
            session,
            f"sending:{reason}",
            f"SMS sending paused: {reason}. It resumes by itself after the "
            f"cooldown, or with `sms-service sending resume`.",
            now=now,
        )


def resume_sending(services: Services) -> bool:
    """End a stop-the-line pause now; returns whether there was one."""
    resumed = bool(services.redis.delete(PAUSE_KEY))
    if resumed:
        log.warning("sending resumed by command")
    return resumed
