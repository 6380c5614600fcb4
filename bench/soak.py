"""Soak: mixed traffic for `--minutes` (10) while a 130,000-recipient broadcast goes out (issue 10).

    .venv/bin/python bench/soak.py [--databases sqlite,postgresql] [--minutes 10]

The service runs as in production: gunicorn (the Procfile's 3 web workers), a realtime worker,
two bulk workers and the scheduler, on 130,000 invented clients, against a fake Africa's Talking
that takes `--at-delay` seconds a call (so the broadcast lasts the soak: 260 calls of 500).
Meanwhile two callers walk USSD sessions, one texter sends an incoming SMS every 0.2 s and one
posts delivery reports for sent messages every 0.05 s. Reported each minute: USSD p50/p99, every
non-200 answer, the broadcast's progress and every process's memory (RSS).
Targets: USSD p99 ≤ 50 ms in every minute, no error, memory flat (each process within 10 % of
its size after the first minute).
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import requests  # noqa: E402
from sqlalchemy import func, select  # noqa: E402

import bench.anytime  # noqa: E402,F401  (the broadcast may start at any hour)
from bench.common import CLIENTS, Server, analyse, each_database, fill, gateway_env, phone  # noqa: E402
from bench.outbound import Fake, rss_mb, run_workers, stop_workers  # noqa: E402
from sms_service.access import Caller  # noqa: E402
from sms_service.bootstrap import Services, services_for  # noqa: E402
from sms_service.broadcasts import service  # noqa: E402
from sms_service.config import load_config  # noqa: E402
from sms_service.db import utcnow  # noqa: E402
from sms_service.models import OutboundMessage  # noqa: E402

USSD_P99_MS, GROWTH = 50.0, 0.10


def children_of(pid: int) -> list[int]:
    found = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            if f"PPid:\t{pid}\n" in status.read_text():
                found.append(int(status.parent.name))
        except OSError:
            pass
    return found


def soak(services: Services, env: dict, url: str, minutes: float, at_delay: float) -> dict:
    fake = Fake(at_delay, Path(tempfile.mkdtemp()))
    env = {**env, "AT_API_URL": fake.url, "SMS_RATE_PER_SECOND": "20", "SCHEDULER_INTERVAL": "2"}
    anytime = [sys.executable, str(ROOT / "bench" / "anytime.py")]
    procs = {
        "realtime": run_workers(env, 1, [*anytime, "worker", "realtime"]),
        "bulk": run_workers(env, 2, [*anytime, "worker", "bulk", "default"]),
        "scheduler": run_workers(env, 1, [*anytime, "scheduler"]),
    }
    web = Server("sms_service:create_app()", env)
    base = f"http://127.0.0.1:{web.port}"
    with services.db.session() as s:
        broadcast, preview = service.create(
            s,
            Caller("admin:soak", "admin", "api"),
            text_en=None,
            text_sw="Kliniki imefungwa Ijumaa. Karibu Jumatatu.",
            filters=None,
            send_at=None,
            now=utcnow(),
            config=services.config,
        )
        broadcast_id = broadcast.id
    stop = threading.Event()
    lock = threading.Lock()
    minute = {"ussd": [], "errors": 0, "sms": 0, "reports": 0}

    def record(kind, latency=None, ok=True):
        with lock:
            if latency is not None:
                minute["ussd"].append(latency)
            if kind != "ussd":
                minute[kind] += 1
            minute["errors"] += not ok

    def caller(seed):
        http, rng = requests.Session(), random.Random(seed)
        for n in itertools.count():
            if stop.is_set():
                return
            number, session = phone(rng.randrange(CLIENTS)), f"soak-{seed}-{n}"
            for text in ("", "1", "1*0", "1*0*2"):
                began = time.perf_counter()
                answer = http.post(
                    f"{base}/webhooks/ussd?token=bench",
                    data={"sessionId": session, "phoneNumber": number, "serviceCode": "*384*123#", "text": text},
                )
                record(
                    "ussd",
                    time.perf_counter() - began,
                    answer.status_code == 200 and answer.text.startswith(("CON ", "END ")),
                )
                time.sleep(0.02)

    def texter():
        http, rng = requests.Session(), random.Random(3)
        for n in itertools.count():
            if stop.is_set():
                return
            answer = http.post(
                f"{base}/webhooks/sms?token=bench",
                data={
                    "id": f"ATXsoak_{n}",
                    "from": phone(rng.randrange(CLIENTS)),
                    "to": "12345",
                    "text": rng.choice(["TAREHE", "KLINIKI", "HELP", "asante sana"]),
                },
            )
            record("sms", ok=answer.status_code == 200)
            time.sleep(0.2)

    def reporter():
        http, ids = requests.Session(), []
        while not stop.is_set():
            if not ids:
                with services.db.session() as s:
                    ids = list(
                        s.execute(
                            select(OutboundMessage.provider_message_id, OutboundMessage.phone)
                            .where(OutboundMessage.status == "sent")
                            .order_by(func.random())
                            .limit(200)
                        )
                    )
                if not ids:
                    time.sleep(1)
                    continue
            message_id, number = ids.pop()
            answer = http.post(
                f"{base}/webhooks/sms/delivery?token=bench",
                data={"id": message_id, "status": "Success", "phoneNumber": number, "networkCode": "63902"},
            )
            record("reports", ok=answer.status_code == 200)
            time.sleep(0.05)

    threads = [threading.Thread(target=caller, args=(i,)) for i in range(2)]
    threads += [threading.Thread(target=texter), threading.Thread(target=reporter)]
    for t in threads:
        t.start()
    per_minute, sizes = [], []
    try:
        for m in range(int(minutes * 60) // 60 or 1):
            time.sleep(min(60, minutes * 60))
            with lock:
                taken = dict(minute)
                minute.update(ussd=[], errors=0, sms=0, reports=0)
            latencies = sorted(taken["ussd"])
            pids = {name: [p.pid for p in ps] for name, ps in procs.items()}
            pids["web"] = [web.process.pid, *children_of(web.process.pid)]
            rss = {name: round(sum(rss_mb(p) for p in ps), 1) for name, ps in pids.items()}
            with services.db.session() as s:
                sent = s.scalar(
                    select(func.count())
                    .select_from(OutboundMessage)
                    .where(
                        OutboundMessage.broadcast_id == broadcast_id, OutboundMessage.status.in_(("sent", "delivered"))
                    )
                )
            row = {
                "minute": m + 1,
                "ussd_steps": len(latencies),
                "ussd_p50_ms": round(latencies[len(latencies) // 2] * 1000, 1) if latencies else None,
                "ussd_p99_ms": round(latencies[int(len(latencies) * 0.99)] * 1000, 1) if latencies else None,
                "sms": taken["sms"],
                "reports": taken["reports"],
                "errors": taken["errors"],
                "broadcast_sent": sent,
                "rss_mb": rss,
            }
            print(json.dumps(row), flush=True)
            per_minute.append(row)
            sizes.append(rss)
    finally:
        stop.set()
        for t in threads:
            t.join(30)
        web.stop()
        for ps in procs.values():
            stop_workers(ps)
        fake.stop()
    first, last = sizes[0], sizes[-1]
    growth = {name: round(last[name] / first[name] - 1, 3) for name in first if first[name]}
    worst = max(r["ussd_p99_ms"] or 0 for r in per_minute)
    return {
        "minutes": len(per_minute),
        "recipients": preview.recipients,
        "broadcast_sent": per_minute[-1]["broadcast_sent"],
        "ussd_steps": sum(r["ussd_steps"] for r in per_minute),
        "worst_minute_ussd_p99_ms": worst,
        "ussd_p99_target_met": worst <= USSD_P99_MS,
        "errors": sum(r["errors"] for r in per_minute),
        "sms": sum(r["sms"] for r in per_minute),
        "reports": sum(r["reports"] for r in per_minute),
        "rss_growth_after_first_minute": growth,
        "memory_flat": all(g <= GROWTH for g in growth.values()),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--at-delay", type=float, default=4.0, help="seconds a send call takes at the fake AT")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        for name, url, redis_url in each_database(args.databases, Path(tmp)):
            env = {**gateway_env(url, redis_url), "WEBHOOK_TOKEN": "bench"}
            services = services_for(load_config(env))
            try:
                fill(url)
                analyse(url)
                result = soak(services, env, url, args.minutes, args.at_delay)
                print(json.dumps({"database": name, **result}), flush=True)
            finally:
                services.close()


if __name__ == "__main__":
    main()
