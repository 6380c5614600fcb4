"""Benchmark: the scheduler's tick over a large store of future reminders (issue 7).

    .venv/bin/python bench/scheduler.py [--databases sqlite,postgresql] [--future 1000000] [--due 10000]

With `--future` reminders stored for the coming 30 days and `--due` more whose time has come,
a tick that finds and enqueues the due ones (`dispatch.enqueue_due`: claim them through the
(status, not_before) index, record their history, hand their ids to RQ) is timed, three times
over with fresh due messages; then ticks with nothing due, both the due-finding alone and the
scheduler's whole tick (visits to plan and to move on, the transfer ladder, the sweep), with
`--visits` appointments stored beside (three in four past and attended). Between rounds the
claimed messages are marked sent, as the workers would.
Targets: ≤ 1 s for the 10,000, ≤ 20 ms with nothing due, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, select  # noqa: E402

from bench.common import analyse, each_database  # noqa: E402
from sms_service.bootstrap import Services, services_for  # noqa: E402
from sms_service.config import load_config  # noqa: E402
from sms_service.db import bulk_insert, utcnow  # noqa: E402
from sms_service.models import OutboundMessage  # noqa: E402
from sms_service.outbound.dispatch import enqueue_due  # noqa: E402


def reminders(services: Services, count: int, tag: str, first, spread: timedelta) -> None:
    """`count` stored reminders, `not_before` spread evenly from `first` over `spread`."""
    now = utcnow()
    step = spread / max(count, 1)
    with services.db.session() as s:
        for start in range(0, count, 50_000):
            bulk_insert(
                s,
                OutboundMessage.__table__,
                [
                    {
                        "idempotency_key": f"bench|{tag}|{i}",
                        "phone": f"+2547{i % 100_000_000:08d}",
                        "purpose": "reminder",
                        "subject": f"appointment:{i}",
                        "version": 1,
                        "language": "sw",
                        "queue": "bulk",
                        "status": "scheduled",
                        "body": "Habari, tunakukumbusha miadi yako ya kliniki kesho saa 9.",
                        "parts": 1,
                        "not_before": first + step * i,
                        "expires_at": first + step * i + timedelta(days=3),
                        "attempts": 0,
                        "resend_count": 0,
                        "created_at": now,
                        "updated_at": now,
                    }
                    for i in range(start, min(count, start + 50_000))
                ],
            )


def timed(call) -> tuple[float, object]:
    started = time.perf_counter()
    result = call()
    return time.perf_counter() - started, result


def visits(services: Services, count: int) -> None:
    """A live programme's visits beside the messages: most past and attended, some ahead."""
    from sms_service.models import Appointment, Client, Facility

    now, today = utcnow(), utcnow().date()
    with services.db.session() as s:
        s.add(Facility(code="F1", name="Mwangaza"))
        s.flush()
        bulk_insert(
            s,
            Client.__table__,
            [
                {
                    "external_id": f"C{i}",
                    "first_name": "Amina",
                    "phone": f"+2547{i:08d}",
                    "facility_id": 1,
                    "language": "sw",
                    "stage": "other",
                    "status": "active",
                    "created_at": now,
                    "updated_at": now,
                }
                for i in range(count // 4)
            ],
        )
        clients = count // 4  # four visits each: three in the past (attended), one ahead
        for start in range(0, count, 50_000):
            bulk_insert(
                s,
                Appointment.__table__,
                [
                    {
                        "client_id": 1 + i % clients,
                        "facility_id": 1,
                        "date": today + timedelta(days=(i // clients) * 100 - 300 + i % 97),
                        "kind": "anc",
                        "status": "attended" if i // clients < 3 else "scheduled",
                        "source": "clinic",
                        "revision": 1,
                        "planned": True,
                        "created_at": now,
                        "updated_at": now,
                    }
                    for i in range(start, min(count, start + 50_000))
                ],
            )


def measure(services: Services, url: str, name: str, args) -> dict:
    from sqlalchemy import update

    from workers.scheduler import tick

    began = time.perf_counter()
    now = utcnow()
    reminders(services, args.future, "future", now + timedelta(hours=1), timedelta(days=30))
    visits(services, args.visits)
    load_seconds = time.perf_counter() - began
    due_ticks = []
    for round_ in range(args.rounds):
        reminders(services, args.due, f"due{round_}", now - timedelta(minutes=30), timedelta(minutes=29))
        analyse(url)  # statistics as a live database has them, no maintenance left to run
        seconds, enqueued = timed(lambda: enqueue_due(services, now))
        assert enqueued == args.due, enqueued
        due_ticks.append(seconds)
        with services.db.session() as s:  # what the workers would do with them
            s.execute(update(OutboundMessage).where(OutboundMessage.status == "queued").values(status="sent"))
    analyse(url)
    idle = [timed(lambda: enqueue_due(services, now))[0] for _ in range(50)]
    full = [timed(lambda: tick(services, now))[0] for _ in range(50)]
    with services.db.session() as s:
        stored = s.scalar(select(func.count()).select_from(OutboundMessage))
    return {
        "database": name,
        "stored_messages": stored,
        "visits": args.visits,
        "load_seconds": round(load_seconds, 1),
        "due": args.due,
        "due_tick_s": [round(t, 3) for t in due_ticks],
        "due_tick_median_s": round(statistics.median(due_ticks), 3),
        "idle_enqueue_due_ms_median": round(statistics.median(idle) * 1000, 2),
        "idle_enqueue_due_ms_p95": round(sorted(idle)[int(len(idle) * 0.95)] * 1000, 2),
        "idle_full_tick_ms_median": round(statistics.median(full) * 1000, 2),
        "idle_full_tick_ms_p95": round(sorted(full)[int(len(full) * 0.95)] * 1000, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--future", type=int, default=1_000_000)
    parser.add_argument("--due", type=int, default=10_000)
    parser.add_argument("--visits", type=int, default=400_000, help="appointments stored beside (most attended)")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        for name, url, redis_url in each_database(args.databases, Path(tmp)):
            services = services_for(load_config({"DATABASE_URL": url, "REDIS_URL": redis_url}))
            try:
                print(json.dumps(measure(services, url, name, args)), flush=True)
            finally:
                services.close()


if __name__ == "__main__":
    main()
