"""`GET /healthz` (database and Redis reachable) and `GET /metrics` (Prometheus text).

Metrics are read from the record at scrape time, so every web process reports the same
figures whatever process did the work.
"""
from __future__ import annotations

import logging

from flask import Blueprint, Response, jsonify
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily
from sqlalchemy import func, select, text

from .models import OutboundMessage
from .services import Services, get_services

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
    services = get_services()
    checks = {"database": check_database(services), "redis": check_redis(services)}
    healthy = all(value == "ok" for value in checks.values())
    return jsonify(status="ok" if healthy else "unavailable", **checks), 200 if healthy else 503


class RecordCollector:
    """Gauges computed from the database and the queues at each scrape."""

    def __init__(self, services: Services):
        self.services = services

    def collect(self):
        up = GaugeMetricFamily("sms_service_up", "Dependency reachable (1) or not (0)", labels=["dependency"])
        up.add_metric(["database"], check_database(self.services) == "ok")
        up.add_metric(["redis"], check_redis(self.services) == "ok")
        yield up

        messages = GaugeMetricFamily(
            "sms_outbound_messages", "Outbound messages by status", labels=["status"]
        )
        try:
            with self.services.db.session() as session:
                rows = session.execute(
                    select(OutboundMessage.status, func.count()).group_by(OutboundMessage.status)
                )
                for status, count in rows:
                    messages.add_metric([status], count)
        except Exception as exc:
            log.warning("metrics: database query failed: %s", type(exc).__name__)
        yield messages

        depth = GaugeMetricFamily("sms_queue_depth", "Jobs waiting per queue", labels=["queue"])
        if check_redis(self.services) == "ok":
            for name, queue in self.services.queues.items():
                depth.add_metric([name], queue.count)
        yield depth


@blueprint.get("/metrics")
def metrics():
    registry = CollectorRegistry()
    registry.register(RecordCollector(get_services()))
    return Response(generate_latest(registry), mimetype=CONTENT_TYPE_LATEST)



