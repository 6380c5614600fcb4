"""`GET /healthz` (database and Redis reachable: ok or not) and `GET /metrics` (Prometheus
text; behind METRICS_TOKEN when it is set).

Metrics are read from the record at scrape time, so every web process reports the same
figures whatever process did the work.
"""

from __future__ import annotations

import hmac
import logging

from flask import Blueprint, Response, jsonify, request
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily
from sqlalchemy import func, select, text

from .bootstrap import Services, get_services
from .db import utcnow
from .inbound import receive as inbound
from .models import FollowUpTask, InboundMessage, OutboundMessage, UssdSession
from .outbound.delivery import count_waiting_reports
from .outbound.sending import PAUSE_KEY

log = logging.getLogger(__name__)
blueprint = Blueprint("health", __name__)


def check_database(services: Services) -> str:
    try:
        with services.db.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        return "ok"
    except Exception as exc:  # report, never raise: this is the health check
        log.warning("database unreachable: %s", type(exc).__name__)
        return "unreachable"


def check_redis(services: Services) -> str:
    if not services.config.redis_url:
        return "not configured"
    try:
        services.redis.ping()
        return "ok"
    except Exception as exc:
        log.warning("redis unreachable: %s", type(exc).__name__)
        return "unreachable"


@blueprint.get("/healthz")
def healthz():
    """Ok, or not, and nothing more: anyone may ask (a load balancer, an uptime monitor). Which
    part is down is in the logs and in /metrics (`sms_service_up`), which need their token."""
    services = get_services()
    healthy = check_database(services) == "ok" and check_redis(services) == "ok"
    return jsonify(status="ok" if healthy else "unavailable"), 200 if healthy else 503


class RecordCollector:
    """Gauges computed from the database and the queues at each scrape."""

    def __init__(self, services: Services):
        self.services = services

    def collect(self):
        up = GaugeMetricFamily("sms_service_up", "Dependency reachable (1) or not (0)", labels=["dependency"])
        up.add_metric(["database"], check_database(self.services) == "ok")
        up.add_metric(["redis"], check_redis(self.services) == "ok")
        yield up

        messages = GaugeMetricFamily("sms_outbound_messages", "Outbound messages by status", labels=["status"])
        try:
            with self.services.db.session() as session:
                rows = session.execute(select(OutboundMessage.status, func.count()).group_by(OutboundMessage.status))
                for status, count in rows:
                    messages.add_metric([status], count)
        except Exception as exc:
            log.warning("metrics: database query failed: %s", type(exc).__name__)
        yield messages

        yield from self._sending()
        yield from self._receiving()
        yield from self._urgent()
        yield from self._answers()

        depth = GaugeMetricFamily("sms_queue_depth", "Jobs waiting per queue", labels=["queue"])
        paused = GaugeMetricFamily("sms_sending_paused", "1 while sending is stopped (stop the line)")
        if check_redis(self.services) == "ok":
            for name, queue in self.services.queues.items():
                depth.add_metric([name], queue.count)
            paused.add_metric([], 1 if self.services.redis.exists(PAUSE_KEY) else 0)
        yield depth
        yield paused

    def _sending(self):
        failed = GaugeMetricFamily("sms_outbound_failed", "Failed messages by reason", labels=["reason"])
        age = GaugeMetricFamily("sms_queue_age_seconds", "Age of the oldest queued message", labels=["queue"])
        latency = GaugeMetricFamily(
            "sms_send_latency_seconds", "Due to accepted by the provider, last 1,000 sent", labels=["quantile"]
        )
        now = utcnow()
        try:
            with self.services.db.session() as session:
                for reason, count in session.execute(
                    select(OutboundMessage.failure_reason, func.count())
                    .where(OutboundMessage.status == "failed")
                    .group_by(OutboundMessage.failure_reason)
                ):
                    failed.add_metric([reason or "unknown"], count)
                for queue, oldest in session.execute(
                    select(OutboundMessage.queue, func.min(OutboundMessage.updated_at))
                    .where(OutboundMessage.status == "queued")
                    .group_by(OutboundMessage.queue)
                ):
                    age.add_metric([queue], (now - oldest).total_seconds())  # min keeps the UTC type
                recent = session.execute(
                    select(OutboundMessage.sent_at, OutboundMessage.not_before)
                    .where(OutboundMessage.sent_at.is_not(None))
                    .order_by(OutboundMessage.sent_at.desc())
                    .limit(1000)
                ).all()
                waits = sorted((sent - due).total_seconds() for sent, due in recent if sent is not None)
                for q in (0.5, 0.95):
                    if waits:
                        latency.add_metric([str(q)], waits[min(len(waits) - 1, int(q * len(waits)))])
        except Exception as exc:
            log.warning("metrics: database query failed: %s", type(exc).__name__)
        yield failed
        yield age
        yield latency

    def _urgent(self):
        """Open urgent tasks (a danger sign in a client's SMS) and the age of the oldest."""
        count = GaugeMetricFamily("sms_urgent_tasks_open", "Open urgent tasks (danger signs)")
        oldest = GaugeMetricFamily("sms_urgent_task_oldest_seconds", "Age of the oldest open urgent task")
        try:
            with self.services.db.session() as session:
                n, first = session.execute(
                    select(func.count(), func.min(FollowUpTask.created_at)).where(
                        FollowUpTask.status == "open", FollowUpTask.priority == "urgent"
                    )
                ).one()
                count.add_metric([], n)
                oldest.add_metric([], (utcnow() - first).total_seconds() if first else 0)
        except Exception as exc:
            log.warning("metrics: database query failed: %s", type(exc).__name__)
        yield count
        yield oldest

    def _answers(self):
        """Per Mentor Mother: time to the first answer (median, p90, last 30 days), and her
        clients' messages still unanswered after 24 and 72 hours."""
        from .inbox.times import per_mentor

        wait = GaugeMetricFamily(
            "sms_answer_seconds",
            "Time from a client's message to its first answer, last 30 days",
            labels=["mentor_mother", "quantile"],
        )
        late = GaugeMetricFamily(
            "sms_unanswered_messages", "Client messages not yet answered", labels=["mentor_mother", "older_than"]
        )
        try:
            with self.services.db.session() as session:
                for m in per_mentor(session, utcnow()):
                    for q, value in (("0.5", m.median), ("0.9", m.p90)):
                        if value is not None:
                            wait.add_metric([m.code, q], value)
                    late.add_metric([m.code, "24h"], m.over_24h)
                    late.add_metric([m.code, "72h"], m.over_72h)
        except Exception as exc:
            log.warning("metrics: database query failed: %s", type(exc).__name__)
        yield wait
        yield late

    def _receiving(self):
        waiting = GaugeMetricFamily("sms_inbound_waiting", "Stored and not yet handled, by kind", labels=["kind"])
        oldest = GaugeMetricFamily("sms_inbound_oldest_waiting_seconds", "Age of the oldest incoming SMS not handled")
        try:
            with self.services.db.session() as session:
                count, first = session.execute(
                    inbound.waiting(func.count(), func.min(InboundMessage.received_at))
                ).one()
                waiting.add_metric(["incoming_sms"], count)
                waiting.add_metric(["delivery_report"], session.scalar(count_waiting_reports()))
                oldest.add_metric([], (utcnow() - first).total_seconds() if first else 0)
        except Exception as exc:
            log.warning("metrics: database query failed: %s", type(exc).__name__)
        yield waiting
        yield oldest
        sessions = GaugeMetricFamily("sms_ussd_sessions", "USSD sessions ended, by AT's status", labels=["status"])
        try:
            with self.services.db.session() as session:
                for status, count in session.execute(
                    select(UssdSession.status, func.count()).group_by(UssdSession.status)
                ):
                    sessions.add_metric([status], count)
        except Exception as exc:
            log.warning("metrics: database query failed: %s", type(exc).__name__)
        yield sessions


@blueprint.get("/metrics")
def metrics():
    """Prometheus text; with METRICS_TOKEN set, only for `Authorization: Bearer <METRICS_TOKEN>`."""
    expected = get_services().config.metrics_token
    if expected is not None:
        scheme, _, given = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(), expected.encode()):
            return Response("", 401, {"WWW-Authenticate": "Bearer"})
    registry = CollectorRegistry()
    registry.register(RecordCollector(get_services()))
    return Response(generate_latest(registry), mimetype=CONTENT_TYPE_LATEST)
