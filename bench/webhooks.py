"""Benchmark: the incoming-SMS and delivery-report webhooks under gunicorn (issue 4).

    .venv/bin/python bench/webhooks.py [--databases sqlite,postgresql] [--seconds 10] [--concurrency 4]

For each database: 130,000 invented clients (and 20,000 sent messages for the delivery
reports to find), the service under gunicorn as the Procfile runs it (3 sync workers), and
beside it a bare Flask endpoint (`bench/bare_app.py`) under the same gunicorn configuration.
A load generator on loopback (asyncio, `--concurrency` requests in flight, a new connection
each as AT makes them) posts for `--seconds` to each in turn. Reported: requests/s, p50 and
p99 latency, non-200 answers, and the ratio to the bare endpoint. Target: ≥ 50% of the bare
endpoint's throughput and p99 ≤ 25 ms. Queue workers are not running: the webhooks' work is
to store and enqueue.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from redis import Redis  # noqa: E402
from sqlalchemy import insert  # noqa: E402

from bench.benchdb import database  # noqa: E402
from sms_service import embedded_redis  # noqa: E402
from sms_service.db import Database, utcnow  # noqa: E402
from sms_service.migrate import upgrade  # noqa: E402
from sms_service.models import Client, Facility, MentorMother, OutboundMessage  # noqa: E402

CLIENTS, SENT = 130_000, 20_000
TOKEN = "bench-token"
TEXTS = ["VISIT", "Tarehe", "NDIO", "Habari, nitakuja kesho", "kliniki", "Asante sana", "HELP", "sw"]


def phone(i: int) -> str:
    return f"+2547{i:08d}"  # invented numbers, generated here, never stored in the repository


def fill(url: str) -> None:
    now = utcnow()
    db = Database(url)
    with db.session() as s:
        s.execute(insert(Facility.__table__), [{"code": f"F{i}", "name": f"Clinic {i}", "created_at": now,
                                                "updated_at": now} for i in range(40)])
        s.execute(insert(MentorMother.__table__), [
            {"code": f"MM{i}", "name": f"Mentor {i}", "phone": phone(900_000 + i), "facility_id": 1 + i % 40,
             "language": "sw", "active": True, "created_at": now, "updated_at": now} for i in range(200)])
        for start in range(0, CLIENTS, 10_000):
            s.execute(insert(Client.__table__), [
                {"external_id": f"C{i}", "first_name": "Amina", "phone": phone(i), "facility_id": 1 + i % 40,
                 "mentor_mother_id": 1 + i % 200, "language": "sw", "stage": "other", "status": "active",
                 "created_at": now, "updated_at": now} for i in range(start, min(CLIENTS, start + 10_000))])
        s.execute(insert(OutboundMessage.__table__), [
            {"idempotency_key": f"bench|{i}", "client_id": i + 1, "phone": phone(i), "purpose": "reminder",
             "subject": f"appointment:{i}", "version": 1, "language": "sw", "body": "(reminder)", "parts": 1,
             "queue": "bulk", "status": "sent", "not_before": now, "expires_at": now + timedelta(days=1),
             "attempts": 1, "resend_count": 0, "provider_message_id": f"ATXid_bench_{i}", "sent_at": now,
             "created_at": now, "updated_at": now} for i in range(SENT)])
    db.dispose()


GUNICORN = ["--workers", "3"]  # as the Procfile's web line


class Server:
    def __init__(self, app: str, env: dict):
        self.port = embedded_redis.free_port()
        self.process = subprocess.Popen(
            [str(Path(sys.executable).parent / "gunicorn"), "--bind", f"127.0.0.1:{self.port}", *GUNICORN,
             "--pythonpath", str(ROOT / "bench"), app],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while True:
            try:
                asyncio.run(_request("127.0.0.1", self.port, "GET", "/healthz", b""))
                break
            except OSError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    raise RuntimeError(f"gunicorn for {app} did not start") from None
                time.sleep(0.2)

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=30)


async def _request(host: str, port: int, method: str, path: str, body: bytes) -> int:
    reader, writer = await asyncio.open_connection(host, port)
    writer.write(f"{method} {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                 f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode() + body)
    await writer.drain()
    answer = await reader.read()
    writer.close()
    return int(answer.split(b" ", 2)[1])


async def _load(port: int, path: str, bodies, seconds: float, concurrency: int) -> dict:
    latencies, failures = [], 0
    stop_at = time.perf_counter() + seconds

    async def user():
        nonlocal failures
        while time.perf_counter() < stop_at:
            body = next(bodies)
            started = time.perf_counter()
            status = await _request("127.0.0.1", port, "POST", path, body)
            latencies.append(time.perf_counter() - started)
            failures += status != 200

    began = time.perf_counter()
    await asyncio.gather(*(user() for _ in range(concurrency)))
    elapsed = time.perf_counter() - began
    latencies.sort()
    return {"requests": len(latencies), "per_second": round(len(latencies) / elapsed, 1),
            "p50_ms": round(latencies[len(latencies) // 2] * 1000, 2),
            "p99_ms": round(latencies[int(len(latencies) * 0.99)] * 1000, 2), "non_200": failures}


def incoming_bodies():
    rng, n = random.Random(4), 0
    while True:
        n += 1
        yield urlencode({"id": f"ATXbench_in_{n}", "from": phone(rng.randrange(CLIENTS)), "to": "12345",
                         "text": rng.choice(TEXTS), "date": "2026-11-24 09:00:00", "linkId": f"l{n}",
                         "networkCode": "63902"}).encode()


def report_bodies():
    rng = random.Random(5)
    while True:
        i = rng.randrange(SENT)
        yield urlencode({"id": f"ATXid_bench_{i}", "status": rng.choice(["Success", "Sent", "Buffered", "Failed"]),
                         "phoneNumber": phone(i), "networkCode": "63902", "retryCount": "0"}).encode()


def bare_bodies():
    yield from incoming_bodies()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--concurrency", type=int, default=4)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        redis = embedded_redis.start()
        try:
            for name in args.databases.split(","):
                url, cleanup = database(name, Path(tmp))
                try:
                    upgrade(url)
                    fill(url)
                    env = {**os.environ, "DATABASE_URL": url, "REDIS_URL": redis.url, "SMS_GATEWAY": "outbox",
                           "WEBHOOK_TOKEN": TOKEN}
                    plan = [("bare", "bare_app:create_app()", "/bare", bare_bodies()),
                            ("incoming-sms", "sms_service:create_app()", f"/webhooks/sms?token={TOKEN}",
                             incoming_bodies()),
                            ("delivery-report", "sms_service:create_app()", f"/webhooks/sms/delivery?token={TOKEN}",
                             report_bodies())]
                    bare = None
                    for tag, app, path, bodies in plan:
                        server = Server(app, env)
                        try:
                            asyncio.run(_load(server.port, path, bodies, 1.0, args.concurrency))  # warm up
                            result = asyncio.run(_load(server.port, path, bodies, args.seconds, args.concurrency))
                        finally:
                            server.stop()
                        bare = bare or result["per_second"]
                        result.update(scenario=tag, database=name, concurrency=args.concurrency,
                                      ratio_to_bare=round(result["per_second"] / bare, 2))
                        print(json.dumps(result), flush=True)
                    Redis.from_url(redis.url).flushall()  # our own server
                finally:
                    cleanup()
        finally:
            redis.stop()


if __name__ == "__main__":
    main()
