"""`python -m workers.scheduler`: a periodic tick that runs the registered periodic tasks.

Later capabilities register here (the sweeper that re-queues due messages, reminder scans).
Each task takes (services, now) and must be safe when two schedulers run at once.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
from collections.abc import Callable
from datetime import datetime

from sms_service.bootstrap import Services
from sms_service.db import utcnow
from sms_service.logs import configure

from .context import get_services

log = logging.getLogger(__name__)
LAST_TICK_KEY = "sms:scheduler:last_tick"


def sweep(services: Services, now: datetime | None = None) -> dict[str, int]:
    """The periodic repair and hand-over, each pipeline's own: outbound (expired, lost, resent,
    requeued, reports, due) and inbound (stored SMS whose job was lost)."""
    from sms_service.inbound.receive import wake_lost
    from sms_service.outbound import dispatch

    now = now or utcnow()
    done = dispatch.sweep(services, now)
    done["inbound"] = wake_lost(services, now)
    if any(done.values()):
        log.info("sweep: %s", done)
    return done


def _sweep(services: Services, now: datetime) -> None:
    sweep(services, now)


def _transfer_follow_up(services: Services, now: datetime) -> None:
    """The ladder's due steps, choices of clinic whose time is up, and the check-ins."""
    from sms_service.transfers.watch import watch

    with services.db.session() as session:
        done = watch(session, now, services.config)
    if any(done.values()):
        log.info("transfer follow-up: %s", done)


def _visits(services: Services, now: datetime) -> None:
    """Reminders for visits not planned yet; visits past their date moved on (missed…)."""
    from sms_service.reminders.planner import plan_pending
    from sms_service.reminders.visits import after_visits

    with services.db.session() as session:
        made = plan_pending(session, now, services.config)
        done = after_visits(session, now, services.config)
    if made or any(done.values()):
        log.info("visits: %s reminders planned, %s", made, done)


def _broadcasts(services: Services, now: datetime) -> None:
    """Messages for broadcasts whose time has come; broadcasts all out marked sent."""
    from sms_service.broadcasts.fanout import fan_out, finish

    with services.db.session() as session:
        made, done = fan_out(session, now, services.config), finish(session, now)
    if made or done:
        log.info("broadcasts: %s messages made, %s finished", made, done)


PERIODIC_TASKS: list[Callable[[Services, datetime], None]] = [_visits, _transfer_follow_up, _broadcasts, _sweep]


def tick(services: Services, now: datetime | None = None) -> datetime:
    """One pass: every periodic task, each isolated from the others' failures."""
    now = now or utcnow()
    for task in PERIODIC_TASKS:
        try:
            task(services, now)
        except Exception:
            log.exception("periodic task %s failed", task.__name__)
    services.redis.set(LAST_TICK_KEY, now.isoformat())
    return now


def main() -> None:
    configure()
    interval = float(os.environ.get("SCHEDULER_INTERVAL", "5"))
    services = get_services()
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    log.info("scheduler ticking every %.1f s", interval)
    while not stop.is_set():
        try:
            tick(services)
        except Exception:  # Redis briefly away: try again next tick
            log.exception("scheduler tick failed")
        stop.wait(interval)
    log.info("scheduler stopped")


if __name__ == "__main__":
    main()
