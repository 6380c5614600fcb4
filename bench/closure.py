"""Benchmark: a site closure of 13,000 clients, from the command to every notice sent (issue 6).

    .venv/bin/python bench/closure.py [--databases sqlite,postgresql] [--workers 3] [--quick]

On a database of 130,000 clients (40 clinics, 200 Mentor Mothers, 20,000 messages already
sent), one clinic holds 13,000 active clients, each with a visit after the closure date. The
clock starts when `sms-service close-site F0 --to F1 --effective <in a week> --yes` starts
and stops when every notice is `sent` with AT's messageId stored. Workers (the Procfile's,
`--workers` of them) send to the fake Africa's Talking in its own process, answering in
1 ms. Send windows are held open (bench/anytime.py) so that a run at night measures the work.

Then the ladder on day 3 (no one has answered): a reminder each, made by scheduler ticks of
1,000 transfers, and the cost of a tick with nothing due.

Beside it, as the baseline: the same workers sending 13,000 personalised messages already
queued (bench/outbound.py's personal-1ms): the closure's cost beyond sending is the ratio.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import String, cast, func, insert, literal, select, update  # noqa: E402

from bench.common import analyse, each_database, fill, gateway_env  # noqa: E402
from bench.outbound import Fake, rss_mb, run_workers, scenario, stop_workers  # noqa: E402
from sms_service.bootstrap import Services, services_for  # noqa: E402
from sms_service.config import load_config  # noqa: E402
from sms_service.db import utcnow  # noqa: E402
from sms_service.models import Appointment, Client, Facility, OutboundMessage, Transfer  # noqa: E402

CLOSING = 13_000


def prepare(services: Services, closing: int, effective) -> None:
    """The first `closing` clients at clinic F0, each with a visit after the closure."""
    now = utcnow()
    with services.db.session() as s:
        s.execute(update(Facility).values(landmark="the market", hours="Mon-Fri 8-5", phone="+254700000800"))
        s.execute(update(Client).where(Client.facility_id == 1).values(facility_id=3))
        s.execute(
            update(Client)
            .where(Client.id <= closing)  # each notice its own text, as in life
            .values(facility_id=1, first_name=literal("Amina") + cast(Client.id, String))
        )
        s.execute(
            insert(Appointment.__table__),
            [
                {
                    "client_id": i,
                    "facility_id": 1,
                    "date": effective + timedelta(days=7 + i % 20),
                    "kind": "anc",
                    "status": "scheduled",
                    "source": "clinic",
                    "created_at": now,
                    "updated_at": now,
                }
                for i in range(1, closing + 1)
            ],
        )


def notices_sent(services: Services) -> int:
    with services.db.session() as s:
        return s.scalar(
            select(func.count())
            .select_from(OutboundMessage)
            .where(
                OutboundMessage.purpose == "transfer_notice",
                OutboundMessage.status == "sent",
                OutboundMessage.provider_message_id.is_not(None),
            )
        )


def closure(services: Services, env: dict, closing: int, effective, workers: int, folder: Path) -> dict:
    fake = Fake(0.001, folder)
    env = {**env, "AT_API_URL": fake.url, "SMS_RATE_PER_SECOND": "1000000"}
    procs = run_workers(env, workers, [sys.executable, str(ROOT / "bench" / "anytime.py"), "worker"])
    time.sleep(2)  # workers started and imported: not part of the measurement
    started = time.perf_counter()
    command = subprocess.run(
        [
            sys.executable,
            str(ROOT / "bench" / "anytime.py"),
            "sms-service",
            "close-site",
            "F0",
            "--to",
            "F1",
            "--effective",
            effective.isoformat(),
            "--yes",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    command_seconds = time.perf_counter() - started
    if command.returncode != 0:
        raise RuntimeError(command.stderr)
    peak_rss, sent = 0.0, 0
    deadline = time.monotonic() + 900
    while sent < closing and time.monotonic() < deadline:
        peak_rss = max([peak_rss] + [rss_mb(p.pid) for p in procs if p.poll() is None])
        sent = notices_sent(services)
        time.sleep(0.2)
    elapsed = time.perf_counter() - started
    stop_workers(procs)
    calls = fake.stop()
    with services.db.session() as s:
        transfers = s.scalar(select(func.count()).select_from(Transfer))
        moved = s.scalar(select(func.count()).select_from(Appointment).where(Appointment.facility_id == 2))
    return {
        "scenario": "closure-13k",
        "clients": closing,
        "transfers": transfers,
        "notices_sent": sent,
        "visits_moved": moved,
        "command_seconds": round(command_seconds, 2),
        "seconds": round(elapsed, 2),
        "notices_per_second": round(sent / elapsed, 1),
        "api_calls": len(calls),
        "peak_worker_rss_mb": round(peak_rss, 1),
    }


def ladder(services: Services, closing: int) -> dict:
    """Day 3 after the closure: every transfer's reminder made, a tick (batch) at a time."""
    from sms_service.transfers.ladder import follow_up

    day3 = utcnow() + timedelta(days=3, hours=1)
    started, ticks, reminders = time.perf_counter(), [], 0
    while True:
        tick = time.perf_counter()
        with services.db.session() as s:
            done = follow_up(s, day3, services.config)
        ticks.append(time.perf_counter() - tick)
        reminders += done["reminders"]
        if not any(done.values()):
            break
    return {
        "day3_reminders": reminders,
        "day3_seconds": round(time.perf_counter() - started, 2),
        "day3_slowest_tick_s": round(max(ticks), 2),
        "idle_tick_ms": round(ticks[-1] * 1000, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="a tenth of the closure, for a smoke run")
    args = parser.parse_args()
    closing = CLOSING // (10 if args.quick else 1)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for name, url, redis_url in each_database(args.databases, folder):
            env = gateway_env(url, redis_url, USSD_CODE="*384*123#")
            services = services_for(load_config(env))
            try:
                fill(url)
                effective = utcnow().astimezone(services.config.tz).date() + timedelta(days=7)
                prepare(services, closing, effective)
                analyse(url)
                result = closure(services, env, closing, effective, args.workers, folder)
                result.update(ladder(services, closing))
                baseline = scenario(services, env, "personal-1ms", closing, False, 0.001, folder, workers=args.workers)
                result.update(
                    database=name,
                    baseline_seconds=baseline["seconds"],
                    ratio_to_sending_alone=round(result["seconds"] / baseline["seconds"], 2),
                )
                print(json.dumps(result), flush=True)
            finally:
                services.close()


if __name__ == "__main__":
    main()
