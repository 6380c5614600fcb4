"""Benchmark: outbound SMS from `queued` to `sent` with the messageId stored (issue 3).

The clock starts when the queued messages' jobs are enqueued and stops when every message is
`sent` with AT's messageId stored in the database.

    .venv/bin/python bench/outbound.py [--databases sqlite,postgresql] [--workers 3] [--quick] [--only rate-50]

Against the fake Africa's Talking (tests/support/fake_at.py) in its own process on loopback,
with the rate limit off unless a scenario sets it. Scenarios: 13,000 personalised messages with
the fake answering in 1 ms and in 100 ms; 130,000 recipients of one text; the rate limit at
50/s; the naive baseline (one RQ job per message, RQ's forking worker, one SDK call each) on a
sample. Worker resident memory is sampled throughout.
"""

from __future__ import annotations

import argparse
import json
import signal
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from rq import Queue  # noqa: E402
from sqlalchemy import func, insert, select  # noqa: E402

from bench.common import each_database, gateway_env  # noqa: E402
from sms_service.bootstrap import Services, services_for  # noqa: E402
from sms_service.config import load_config  # noqa: E402
from sms_service.db import utcnow  # noqa: E402
from sms_service.local import embedded_redis  # noqa: E402
from sms_service.models import OutboundMessage  # noqa: E402
from sms_service.outbound.dispatch import enqueue  # noqa: E402


class Fake:
    def __init__(self, delay: float, folder: Path):
        self.port = embedded_redis.free_port()
        self.record = folder / f"fake-{self.port}.json"
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tests.support.fake_at",
                "--port",
                str(self.port),
                "--delay",
                str(delay),
                "--record",
                str(self.record),
            ],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout.readline().strip() == "ready"
        self.url = f"http://127.0.0.1:{self.port}"

    def stop(self) -> list:
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=30)
        return json.loads(self.record.read_text())


def insert_messages(services: Services, count: int, identical: bool, tag: str) -> None:
    now = utcnow()
    rows = [
        {
            "idempotency_key": f"bench|{tag}|{i}",
            "phone": f"+2547{i:08d}",
            "purpose": "reply",
            "subject": tag,
            "version": 1,
            "language": "sw",
            "queue": "bulk",
            "status": "queued",
            "body": "Kliniki imefungwa Ijumaa. Asante." if identical else f"Habari {i}, miadi yako ni kesho saa 9.",
            "parts": 1,
            "not_before": now,
            "expires_at": now + timedelta(hours=6),
            "attempts": 0,
            "resend_count": 0,
            "created_at": now,
            "updated_at": now,
        }
        for i in range(count)
    ]
    with services.db.session() as session:
        for start in range(0, count, 5000):
            session.execute(insert(OutboundMessage.__table__), rows[start : start + 5000])


def count_sent(services: Services, tag: str) -> int:
    with services.db.session() as session:
        return session.scalar(
            select(func.count())
            .select_from(OutboundMessage)
            .where(
                OutboundMessage.subject == tag,
                OutboundMessage.status == "sent",
                OutboundMessage.provider_message_id.is_not(None),
            )
        )


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def run_workers(env: dict, n: int, command: list[str] | None = None) -> list[subprocess.Popen]:
    command = command or [sys.executable, "-m", "workers.worker"]
    return [
        subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(n)
    ]


def stop_workers(workers: list[subprocess.Popen]) -> None:
    for w in workers:
        w.send_signal(signal.SIGTERM)
    for w in workers:
        try:
            w.wait(timeout=30)
        except subprocess.TimeoutExpired:
            w.kill()


def scenario(services, env, tag, count, identical, delay, folder, workers=2, rate=None, baseline=False):
    fake = Fake(delay, folder)
    env = {**env, "AT_API_URL": fake.url, "SMS_RATE_PER_SECOND": str(rate or 1_000_000)}
    insert_messages(services, count, identical, tag)
    if baseline:
        procs = run_workers(
            {**env, "PYTHONPATH": str(ROOT / "bench")},
            workers,
            [sys.executable, str(ROOT / "bench" / "baseline_worker.py")],
        )
    else:
        procs = run_workers(env, workers)
    time.sleep(2)  # let workers start and import (not part of the measurement)
    started = time.perf_counter()
    if baseline:
        with services.db.session() as session:
            ids = session.scalars(select(OutboundMessage.id).where(OutboundMessage.subject == tag)).all()
        queue = Queue("baseline", connection=services.redis)
        for message_id in ids:
            queue.enqueue("baseline_jobs.send_one", message_id)
    else:
        with services.db.session() as session:
            ids = session.scalars(
                select(OutboundMessage.id).where(OutboundMessage.subject == tag).order_by(OutboundMessage.id)
            ).all()
        enqueue(services, {"bulk": list(ids)})
    peak_rss, last = 0.0, 0
    deadline = time.monotonic() + 900
    while True:
        peak_rss = max([peak_rss] + [rss_mb(p.pid) for p in procs if p.poll() is None])
        last = count_sent(services, tag)
        if last >= count or time.monotonic() > deadline:
            break
        time.sleep(0.2)  # the count itself loads the database: not too often
    elapsed = time.perf_counter() - started
    stop_workers(procs)
    calls = fake.stop()
    return {
        "scenario": tag,
        "messages": count,
        "sent": last,
        "seconds": round(elapsed, 2),
        "per_second": round(last / elapsed, 1),
        "api_calls": len(calls),
        "peak_worker_rss_mb": round(peak_rss, 1),
        "max_calls_in_any_second": max_in_any_second([at for at, _ in calls]),
    }


def max_in_any_second(stamps):
    stamps, best, start = sorted(stamps), 0, 0
    for end, moment in enumerate(stamps):
        while moment - stamps[start] >= 1.0:
            start += 1
        best = max(best, end - start + 1)
    return best


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="a tenth of the sizes, for a smoke run")
    parser.add_argument("--only", default="", help="comma-separated scenario names (default: all)")
    args = parser.parse_args()
    scale = 10 if args.quick else 1
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for name, url, redis_url in each_database(args.databases, folder):
            env = gateway_env(url, redis_url)
            services = services_for(load_config(env))
            plan = [
                ("personal-1ms", 13_000 // scale, False, 0.001, {}),
                ("personal-100ms", 13_000 // scale, False, 0.1, {}),
                ("identical-130k", 130_000 // scale, True, 0.001, {}),
                ("rate-50", 1_500 // scale, False, 0.001, {"rate": 50}),
                ("baseline-1ms", 1_000 // scale, False, 0.001, {"baseline": True}),
                ("baseline-100ms", 300 // scale, False, 0.1, {"baseline": True}),
            ]
            chosen = set(filter(None, args.only.split(",")))
            try:
                for tag, count, identical, delay, extra in plan:
                    if chosen and tag not in chosen:
                        continue
                    result = scenario(
                        services, env, tag, count, identical, delay, folder, workers=args.workers, **extra
                    )
                    result["database"] = name
                    print(json.dumps(result), flush=True)
            finally:
                services.close()


if __name__ == "__main__":
    main()
