"""Benchmark: a broadcast to 130,000 clients, from approval to every message sent (issue 8).

    .venv/bin/python bench/broadcast.py [--databases sqlite,postgresql] [--workers 3] [--quick]

130,000 invented clients (half reading English); an admin's broadcast to everyone with one
text per language. The clock starts at the first scheduler tick and stops when every message
is `sent` with AT's messageId stored. The tick (fan-out in batches of 20,000, then due messages
to RQ) runs here in a loop as `workers/scheduler.py` would, back to back; workers (the
Procfile's, `--workers` of them) send to the fake Africa's Talking (1 ms) in its own process.
Send windows are held open (bench/anytime.py). Beside it, the pipeline's own figure for one
identical text to 130,000 (bench/outbound.py identical-130k) is the baseline.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, select, update  # noqa: E402

import bench.anytime  # noqa: E402,F401  (windows open in this process too)
from bench.common import CLIENTS, analyse, each_database, fill, gateway_env  # noqa: E402
from bench.outbound import Fake, rss_mb, run_workers, scenario, stop_workers  # noqa: E402
from sms_service.access import Caller  # noqa: E402
from sms_service.bootstrap import Services, services_for  # noqa: E402
from sms_service.broadcasts import service  # noqa: E402
from sms_service.broadcasts.fanout import fan_out  # noqa: E402
from sms_service.config import load_config  # noqa: E402
from sms_service.db import utcnow  # noqa: E402
from sms_service.models import Client, OutboundMessage  # noqa: E402
from sms_service.outbound.dispatch import enqueue_due  # noqa: E402


def sent(services: Services, broadcast_id: int) -> int:
    with services.db.session() as s:
        return s.scalar(
            select(func.count())
            .select_from(OutboundMessage)
            .where(OutboundMessage.broadcast_id == broadcast_id, OutboundMessage.status == "sent")
        )


def run(services: Services, env: dict, workers: int, folder: Path, limit: int) -> dict:
    with services.db.session() as s:
        s.execute(update(Client).where(Client.id % 2 == 0).values(language="en"))
        if limit < CLIENTS:
            s.execute(update(Client).where(Client.id > limit).values(status="inactive"))
        broadcast, preview = service.create(
            s,
            Caller("admin:bench", "admin", "api"),
            text_en="The clinic is closed on Friday. Come on Monday.",
            text_sw="Kliniki imefungwa Ijumaa. Karibu Jumatatu.",
            filters=None,
            send_at=None,
            now=utcnow(),
            config=services.config,
        )
        broadcast_id = broadcast.id
    fake = Fake(0.001, folder)
    env = {**env, "AT_API_URL": fake.url, "SMS_RATE_PER_SECOND": "1000000"}
    procs = run_workers(env, workers, [sys.executable, str(ROOT / "bench" / "anytime.py"), "worker"])
    time.sleep(2)
    started = time.perf_counter()
    ticks, fanned_at, done, peak = [], None, 0, 0.0
    deadline = time.monotonic() + 1200
    while done < preview.recipients and time.monotonic() < deadline:
        tick = time.perf_counter()
        with services.db.session() as s:
            made = fan_out(s, utcnow(), services.config)
        enqueue_due(services)
        ticks.append(time.perf_counter() - tick)
        if made == 0 and fanned_at is None:
            fanned_at = time.perf_counter() - started
        peak = max([peak] + [rss_mb(p.pid) for p in procs if p.poll() is None])
        done = sent(services, broadcast_id)
    elapsed = time.perf_counter() - started
    stop_workers(procs)
    calls = fake.stop()
    return {
        "scenario": "broadcast",
        "recipients": preview.recipients,
        "sent": done,
        "seconds": round(elapsed, 2),
        "per_second": round(done / elapsed, 1),
        "fanned_out_by_s": round(fanned_at or elapsed, 2),
        "slowest_tick_s": round(max(ticks), 2),
        "api_calls": len(calls),
        "peak_worker_rss_mb": round(peak, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="13,000 recipients, for a smoke run")
    args = parser.parse_args()
    limit = CLIENTS // 10 if args.quick else CLIENTS
    with tempfile.TemporaryDirectory() as tmp:
        for name, url, redis_url in each_database(args.databases, Path(tmp)):
            env = gateway_env(url, redis_url)
            services = services_for(load_config(env))
            try:
                fill(url)
                analyse(url)
                result = run(services, env, args.workers, Path(tmp), limit)
                baseline = scenario(services, env, "identical", limit, True, 0.001, Path(tmp), workers=args.workers)
                result.update(
                    database=name,
                    baseline_seconds=baseline["seconds"],
                    ratio_to_baseline=round(result["seconds"] / baseline["seconds"], 2),
                )
                print(json.dumps(result), flush=True)
            finally:
                services.close()


if __name__ == "__main__":
    main()
