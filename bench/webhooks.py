"""Benchmark: the incoming-SMS and delivery-report webhooks under gunicorn (issue 4).

    .venv/bin/python bench/webhooks.py [--databases sqlite,postgresql] [--seconds 10] [--concurrency 4]

For each database: 130,000 invented clients (and 20,000 sent messages for the delivery
reports to find), the service under gunicorn as the Procfile runs it (3 sync workers), and
beside it a bare Flask endpoint (`bench/bare_app.py`) under the same gunicorn configuration.
A load generator on loopback (asyncio, `--concurrency` requests in flight, a new connection
each as AT makes them) posts to each for `--seconds` in all, in five interleaved slices so
that every endpoint meets the same host conditions. Reported: requests/s, p50 and
p99 latency, non-200 answers, and the ratio to the bare endpoint. Target: ≥ 50% of the bare
endpoint's throughput and p99 ≤ 25 ms. Queue workers are not running: the webhooks' work is
to store and enqueue.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


from bench.common import CLIENTS, SENT, beside_bare, each_database, fill, phone  # noqa: E402

TOKEN = "bench-token"
TEXTS = ["VISIT", "Tarehe", "NDIO", "Habari, nitakuja kesho", "kliniki", "Asante sana", "HELP", "sw"]


def incoming_bodies():
    rng, n = random.Random(4), 0
    while True:
        n += 1
        yield urlencode(
            {
                "id": f"ATXbench_in_{n}",
                "from": phone(rng.randrange(CLIENTS)),
                "to": "12345",
                "text": rng.choice(TEXTS),
                "date": "2026-11-24 09:00:00",
                "linkId": f"l{n}",
                "networkCode": "63902",
            }
        ).encode()


def report_bodies():
    rng = random.Random(5)
    while True:
        i = rng.randrange(SENT)
        yield urlencode(
            {
                "id": f"ATXid_bench_{i}",
                "status": rng.choice(["Success", "Sent", "Buffered", "Failed"]),
                "phoneNumber": phone(i),
                "networkCode": "63902",
                "retryCount": "0",
            }
        ).encode()


def bare_bodies():
    yield from incoming_bodies()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--concurrency", type=int, default=4)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        for name, url, redis_url in each_database(args.databases, Path(tmp)):
            fill(url)  # beside_bare analyses it
            env = {
                **os.environ,
                "DATABASE_URL": url,
                "REDIS_URL": redis_url,
                "SMS_GATEWAY": "outbox",
                "WEBHOOK_TOKEN": TOKEN,
            }
            plan = [
                ("bare", "bare_app:create_app()", "/bare", bare_bodies()),
                ("incoming-sms", "sms_service:create_app()", f"/webhooks/sms?token={TOKEN}", incoming_bodies()),
                (
                    "delivery-report",
                    "sms_service:create_app()",
                    f"/webhooks/sms/delivery?token={TOKEN}",
                    report_bodies(),
                ),
            ]
            beside_bare(url, env, plan, args.seconds, args.concurrency, name)


if __name__ == "__main__":
    main()
