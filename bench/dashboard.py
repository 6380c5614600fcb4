"""Benchmark: the dashboard's pages and the API's reads over a programme-sized record (issue 9).

    .venv/bin/python bench/dashboard.py [--databases sqlite,postgresql] [--clients 130000] [--messages 1000000]

Stores 10 clinics, 400 Mentor Mothers and `--clients` clients among them, `--messages` outbound
messages (one in fifty failed), 20,000 follow-up tasks and 13,000 transfers, then asks each
page (and the API's lists) 20 times as an admin, a supervisor and one Mentor Mother, in
process (Flask's test client: the server's time, no network), after a warm-up. Reports the
median and p95 milliseconds and the page's size.
Targets (chosen here, the issue names none): p95 ≤ 200 ms a page on the server, pages of at
most 60 KB for a cheap phone's browser; the ratio is p95 / 200 ms.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.common import analyse, each_database, phone  # noqa: E402
from sms_service import create_app  # noqa: E402
from sms_service.bootstrap import get_services  # noqa: E402
from sms_service.db import bulk_insert, utcnow  # noqa: E402
from sms_service.models import (  # noqa: E402
    Client,
    Facility,
    FollowUpTask,
    MentorMother,
    OutboundMessage,
    Transfer,
)
from tests.support.logins import log_in  # noqa: E402

MENTORS, FACILITIES, PASSWORD = 400, 10, "bench-password-long"
NAMES = ["Amina", "Zawadi", "Neema", "Imani", "Halima", "Rehema", "Asha", "Wanjiru", "Akinyi", "Nafula"]
TARGET_MS, TARGET_KB = 200, 60


def fill(services, clients: int, messages: int) -> dict:
    now, today = utcnow(), date.today()
    with services.db.session() as s:
        bulk_insert(
            s,
            Facility.__table__,
            [
                {"code": f"F{i}", "name": f"Clinic {i}", "landmark": "the market", "created_at": now, "updated_at": now}
                for i in range(1, FACILITIES + 1)
            ],
        )
        bulk_insert(
            s,
            MentorMother.__table__,
            [
                {
                    "code": f"MM{i}",
                    "name": f"Mentor {i}",
                    "phone": phone(90_000_000 + i),
                    "facility_id": 1 + i % FACILITIES,
                    "language": "sw",
                    "active": True,
                    "created_at": now,
                    "updated_at": now,
                }
                for i in range(MENTORS)
            ],
        )
        for start in range(0, clients, 50_000):
            bulk_insert(
                s,
                Client.__table__,
                [
                    {
                        "external_id": f"C{i}",
                        "first_name": NAMES[i % len(NAMES)],
                        "phone": phone(i),
                        "facility_id": 1 + (i % MENTORS) % FACILITIES,
                        "mentor_mother_id": 1 + i % MENTORS,
                        "language": "sw" if i % 3 else "en",
                        "stage": "pregnant" if i % 2 else "postnatal",
                        "status": "active",
                        "created_at": now,
                        "updated_at": now,
                    }
                    for i in range(start, min(clients, start + 50_000))
                ],
            )
        for start in range(0, messages, 50_000):
            bulk_insert(
                s,
                OutboundMessage.__table__,
                [
                    {
                        "idempotency_key": f"bench|{i}",
                        "client_id": 1 + i % clients,
                        "phone": phone(i % clients),
                        "purpose": "reminder",
                        "subject": f"appointment:{i}",
                        "version": 1,
                        "language": "sw",
                        "queue": "bulk",
                        "status": "failed" if i % 50 == 0 else "sent",
                        "failure_reason": "absent_subscriber" if i % 50 == 0 else None,
                        "body": "Habari, tunakukumbusha miadi yako ya kliniki kesho saa 9.",
                        "parts": 1,
                        "not_before": now - timedelta(minutes=messages - i),
                        "sent_at": now - timedelta(minutes=messages - i),
                        "expires_at": now + timedelta(days=1),
                        "attempts": 1,
                        "resend_count": 0,
                        "created_at": now,
                        "updated_at": now,
                    }
                    for i in range(start, min(messages, start + 50_000))
                ],
            )
        bulk_insert(
            s,
            Transfer.__table__,
            [
                {
                    "client_id": 1 + i * 10,
                    "from_facility_id": 1,
                    "to_facility_id": 2 + i % 3,
                    "effective_date": today + timedelta(days=14),
                    "status": ("notified", "acknowledged", "arrived")[i % 3],
                    "status_changed_at": now,
                    "source": "closure",
                    "ladder_step": 0,
                    "created_at": now,
                }
                for i in range(min(13_000, clients // 10))
            ],
        )
        bulk_insert(
            s,
            FollowUpTask.__table__,
            [
                {
                    "mentor_mother_id": 1 + (i * 7) % MENTORS,
                    "client_id": 1 + (i * 7) % clients,
                    "kind": "missed_visit",
                    "subject": f"bench:{i}",
                    "dedupe_key": f"bench:{i}",
                    "note": "Missed her visit.",
                    "status": "open",
                    "due_on": today,
                    "created_at": now,
                }
                for i in range(20_000)
            ],
        )
        from sms_service.accounts.users import add

        add(s, "admin", name="Admin", role="admin", password=PASSWORD)
        add(s, "supervisor", name="Supervisor", role="supervisor", facility="F1", password=PASSWORD)
        add(s, "mentor", name="Mentor 1", role="mentor_mother", mentor_mother="MM1", password=PASSWORD)
        from sms_service.api.auth import issue

        return {"admin": issue(s, "admin", "admin"), "mentor": issue(s, "mm", "mentor_mother", mentor_mother_id=2)}


PAGES = [
    "/tasks",
    "/clients",
    "/clients?q=Ami",
    "/clients?q=0700001234",
    "/clients/2",
    "/transfers",
    "/transfers/list?site=F1&clinic=F2",
    "/messages",
    "/messages?status=failed",
    "/broadcasts",
]
API = [
    "/api/v1/clients?q=Zaw",
    "/api/v1/messages",
    "/api/v1/messages?status=failed",
    "/api/v1/tasks",
    "/api/v1/transfers",
]


def timings(client, path: str, rounds: int, headers=None) -> dict:
    answer = client.get(path, headers=headers)
    assert answer.status_code == 200, (path, answer.status_code)
    took = []
    for _ in range(rounds):
        started = time.perf_counter()
        answer = client.get(path, headers=headers)
        took.append((time.perf_counter() - started) * 1000)
    took.sort()
    return {
        "median_ms": round(statistics.median(took), 1),
        "p95_ms": round(took[int(len(took) * 0.95) - 1], 1),
        "kb": round(len(answer.data) / 1024, 1),
    }


def measure(url: str, redis_url: str, name: str, args) -> dict:
    app = create_app({"DATABASE_URL": url, "REDIS_URL": redis_url, "SMS_GATEWAY": "outbox"})
    services = get_services(app)
    began = time.perf_counter()
    tokens = fill(services, args.clients, args.messages)
    load = time.perf_counter() - began
    analyse(url)
    pages = {}
    for who in ("admin", "supervisor", "mentor"):
        client = app.test_client()
        assert log_in(client, who, PASSWORD).status_code == 302
        for path in PAGES:
            if who != "admin" and path == "/clients/2":
                continue
            pages[f"{who} {path}"] = timings(client, path, args.rounds)
    for who, token in tokens.items():
        for path in API:
            pages[f"{who} API {path}"] = timings(
                app.test_client(), path, args.rounds, {"Authorization": f"Bearer {token}"}
            )
    services.close()
    worst = max(pages.values(), key=lambda p: p["p95_ms"])
    return {
        "database": name,
        "clients": args.clients,
        "messages": args.messages,
        "load_seconds": round(load, 1),
        "worst_p95_ms": worst["p95_ms"],
        "ratio_to_200ms": round(worst["p95_ms"] / TARGET_MS, 2),
        "largest_kb": max(p["kb"] for p in pages.values()),
        "pages": pages,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--clients", type=int, default=130_000)
    parser.add_argument("--messages", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        for name, url, redis_url in each_database(args.databases, Path(tmp)):
            print(json.dumps(measure(url, redis_url, name, args)), flush=True)


if __name__ == "__main__":
    main()
