"""Benchmark: `POST /webhooks/ussd` under gunicorn with realistic sessions (issue 5).

    .venv/bin/python bench/ussd.py [--databases sqlite,postgresql] [--seconds 10] [--concurrency 4]

For each database: 130,000 invented clients, each with an upcoming visit, one in ten with a
transfer pending; the service under gunicorn as the Procfile runs it, and beside it the bare
Flask endpoint (`bench/bare_app.py`) in the same configuration. A load generator on loopback
(five interleaved slices per endpoint, `--seconds` in all) plays multi-step sessions (each
step posts the whole history, as AT does): next visit and back, my clinic, the new clinic
confirmed, a visit date change with its reason, a call back, the language. Reported: requests/s,
p50 and p99, non-200 answers, ratio to the bare endpoint.
Target: ≥ 50% of the bare endpoint's throughput and p99 ≤ 25 ms.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import insert  # noqa: E402

from bench.common import CLIENTS, beside_bare, each_database, fill, phone  # noqa: E402
from sms_service.db import Database, utcnow  # noqa: E402
from sms_service.models import Appointment, Transfer  # noqa: E402

TOKEN = "bench-token"
SESSIONS = [  # what a caller types, step by step (each request carries the history so far)
    ["", "1", "1*0"],
    ["", "2"],
    ["", "2", "2*1"],
    ["", "3", "3*1", "3*1*2"],
    ["", "4"],
    ["", "1", "1*00", "1*00*5", "1*00*5*2"],
    ["", "9", "9*1"],
]


def fill_care(url: str) -> None:
    """An upcoming visit for every client; a transfer pending for one in ten."""
    now, today = utcnow(), date.today()
    db = Database(url)
    with db.session() as s:
        for start in range(0, CLIENTS, 10_000):
            ids = range(start + 1, min(CLIENTS, start + 10_000) + 1)
            s.execute(
                insert(Appointment.__table__),
                [
                    {
                        "client_id": i,
                        "facility_id": 1 + i % 40,
                        "date": today + timedelta(days=1 + i % 60),
                        "kind": "anc",
                        "status": "scheduled",
                        "source": "clinic",
                        "created_at": now,
                        "updated_at": now,
                    }
                    for i in ids
                ],
            )
            s.execute(
                insert(Transfer.__table__),
                [
                    {
                        "client_id": i,
                        "from_facility_id": 1 + i % 40,
                        "to_facility_id": 1 + (i + 1) % 40,
                        "effective_date": today + timedelta(days=14),
                        "status": "notified",
                        "status_changed_at": now,
                        "created_at": now,
                    }
                    for i in ids
                    if i % 10 == 0
                ],
            )
    db.dispose()


def session_bodies():
    rng, n = random.Random(6), 0
    while True:
        n += 1
        caller, plan = phone(rng.randrange(CLIENTS)), rng.choice(SESSIONS)
        for text in plan:
            yield urlencode(
                {
                    "sessionId": f"ATUid_bench_{n}",
                    "phoneNumber": caller,
                    "networkCode": "63902",
                    "serviceCode": "*384*123#",
                    "text": text,
                }
            ).encode()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--concurrency", type=int, default=4)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        for name, url, redis_url in each_database(args.databases, Path(tmp)):
            fill(url)
            fill_care(url)  # beside_bare analyses it
            env = {
                **os.environ,
                "DATABASE_URL": url,
                "REDIS_URL": redis_url,
                "SMS_GATEWAY": "outbox",
                "WEBHOOK_TOKEN": TOKEN,
            }
            plan = [
                ("bare", "bare_app:create_app()", "/bare", session_bodies()),
                ("ussd", "sms_service:create_app()", f"/webhooks/ussd?token={TOKEN}", session_bodies()),
            ]
            beside_bare(url, env, plan, args.seconds, args.concurrency, name)


if __name__ == "__main__":
    main()
