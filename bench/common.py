"""What the benchmarks share: a database to measure on (made and dropped by the script),
invented clients to fill it, gunicorn to serve, and a load generator on loopback."""

from __future__ import annotations

import asyncio
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

from sqlalchemy import insert

from sms_service.db import Database, utcnow
from sms_service.local import embedded_redis
from sms_service.models import Client, Facility, MentorMother, OutboundMessage

ROOT = Path(__file__).resolve().parents[1]
CLIENTS, SENT = 130_000, 20_000


def each_database(names: str, folder: Path):
    """For each of `names` ("sqlite,postgresql"): (name, URL, Redis URL) on a fresh migrated
    database and a private Redis, emptied after each; both thrown away at the end."""
    from redis import Redis

    from sms_service.migrate import upgrade

    redis = embedded_redis.start()
    try:
        for name in names.split(","):
            url, cleanup = database(name, folder)
            try:
                upgrade(url)
                yield name, url, redis.url
                Redis.from_url(redis.url).flushall()  # our own server
            finally:
                cleanup()
    finally:
        redis.stop()


def gateway_env(url: str, redis_url: str, **extra: str) -> dict:
    """The environment of the service's processes for a benchmark that sends: this database and
    Redis, the Africa's Talking adapter (pointed at the fake by the scenario)."""
    import os

    return {
        **os.environ,
        "DATABASE_URL": url,
        "REDIS_URL": redis_url,
        "SMS_GATEWAY": "africastalking",
        "AT_USERNAME": "sandbox",
        "AT_API_KEY": "bench-key",
        "WEBHOOK_TOKEN": "bench",
        "SECRET_KEY": "bench-" + "k" * 32,
        **extra,
    }


def database(name: str, folder: Path):
    """(URL, cleanup) for `sqlite` (a file in `folder`) or `postgresql` (a private database)."""
    if name == "sqlite":
        return f"sqlite:///{folder / 'bench.db'}", lambda: None
    from tests.support import databases

    url = databases.create_database()
    return url, lambda: databases.drop_database(url)


def phone(i: int) -> str:
    return f"+2547{i:08d}"  # invented numbers, generated here, never stored in the repository


def analyse(url: str) -> None:
    """Statistics, as a live database has them (a fresh bulk load has none), and on PostgreSQL
    the vacuum autovacuum would otherwise start in the middle of the measurement."""
    db = Database(url)
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        if db.dialect == "postgresql":
            connection.exec_driver_sql("VACUUM ANALYZE")
            connection.exec_driver_sql("CHECKPOINT")  # the load's dirty pages written now, not while measured
        else:
            connection.exec_driver_sql("ANALYZE")
    db.dispose()


def fill(url: str) -> None:
    now = utcnow()
    db = Database(url)
    with db.session() as s:
        s.execute(
            insert(Facility.__table__),
            [{"code": f"F{i}", "name": f"Clinic {i}", "created_at": now, "updated_at": now} for i in range(40)],
        )
        s.execute(
            insert(MentorMother.__table__),
            [
                {
                    "code": f"MM{i}",
                    "name": f"Mentor {i}",
                    "phone": phone(900_000 + i),
                    "facility_id": 1 + i % 40,
                    "language": "sw",
                    "active": True,
                    "created_at": now,
                    "updated_at": now,
                }
                for i in range(200)
            ],
        )
        for start in range(0, CLIENTS, 10_000):
            s.execute(
                insert(Client.__table__),
                [
                    {
                        "external_id": f"C{i}",
                        "first_name": "Amina",
                        "phone": phone(i),
                        "facility_id": 1 + i % 40,
                        "mentor_mother_id": 1 + i % 200,
                        "language": "sw",
                        "stage": "other",
                        "status": "active",
                        "created_at": now,
                        "updated_at": now,
                    }
                    for i in range(start, min(CLIENTS, start + 10_000))
                ],
            )
        s.execute(
            insert(OutboundMessage.__table__),
            [
                {
                    "idempotency_key": f"bench|{i}",
                    "client_id": i + 1,
                    "phone": phone(i),
                    "purpose": "reminder",
                    "subject": f"appointment:{i}",
                    "version": 1,
                    "language": "sw",
                    "body": "(reminder)",
                    "parts": 1,
                    "queue": "bulk",
                    "status": "sent",
                    "not_before": now,
                    "expires_at": now + timedelta(days=1),
                    "attempts": 1,
                    "resend_count": 0,
                    "provider_message_id": f"ATXid_bench_{i}",
                    "sent_at": now,
                    "created_at": now,
                    "updated_at": now,
                }
                for i in range(SENT)
            ],
        )
    db.dispose()


GUNICORN = ["--workers", "3"]  # as the Procfile's web line


class Server:
    def __init__(self, app: str, env: dict):
        self.port = embedded_redis.free_port()
        self.process = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "gunicorn"),
                "--bind",
                f"127.0.0.1:{self.port}",
                *GUNICORN,
                "--pythonpath",
                str(ROOT / "bench"),
                app,
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
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
    writer.write(
        f"{method} {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/x-www-form-urlencoded\r\n"
        f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode()
        + body
    )
    await writer.drain()
    answer = await reader.read()
    writer.close()
    return int(answer.split(b" ", 2)[1])


async def _load(port: int, path: str, bodies, seconds: float, concurrency: int) -> tuple[list[float], int, float]:
    """(latencies, non-200 answers, elapsed seconds) of `concurrency` callers posting for `seconds`."""
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
    return latencies, failures, time.perf_counter() - began


def summary(latencies: list[float], failures: int, elapsed: float) -> dict:
    latencies = sorted(latencies)
    return {
        "requests": len(latencies),
        "per_second": round(len(latencies) / elapsed, 1),
        "p50_ms": round(latencies[len(latencies) // 2] * 1000, 2),
        "p99_ms": round(latencies[int(len(latencies) * 0.99)] * 1000, 2),
        "non_200": failures,
    }


ROUNDS = 5


def beside_bare(url: str, env: dict, plan, seconds: float, concurrency: int, database_name: str) -> list[dict]:
    """Serve every (tag, app, path, bodies) of `plan` under gunicorn at once, the bare endpoint
    first, and load them in turn, `ROUNDS` slices each, interleaved: on a host whose speed
    drifts, each endpoint meets the same conditions. Each result with its ratio to the bare
    endpoint's throughput."""
    import json

    analyse(url)  # a quiet database: statistics, no maintenance left from the load
    servers = [Server(app, env) for _, app, _, _ in plan]
    totals = {tag: ([], 0, 0.0) for tag, _, _, _ in plan}
    try:
        for server, (_tag, _, path, bodies) in zip(servers, plan, strict=True):  # warm up: connections, statements
            asyncio.run(_load(server.port, path, bodies, 2.0, concurrency))
        for _ in range(ROUNDS):
            for server, (tag, _, path, bodies) in zip(servers, plan, strict=True):
                latencies, failures, elapsed = asyncio.run(
                    _load(server.port, path, bodies, seconds / ROUNDS, concurrency)
                )
                kept = totals[tag]
                totals[tag] = (kept[0] + latencies, kept[1] + failures, kept[2] + elapsed)
    finally:
        for server in servers:
            server.stop()
    results, bare = [], None
    for tag, _, _, _ in plan:
        result = summary(*totals[tag])
        bare = bare or result["per_second"]
        result.update(
            scenario=tag,
            database=database_name,
            concurrency=concurrency,
            ratio_to_bare=round(result["per_second"] / bare, 2),
        )
        print(json.dumps(result), flush=True)
        results.append(result)
    return results
