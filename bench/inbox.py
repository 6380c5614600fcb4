"""Benchmark: the Mentor Mother's inbox (issue 20).

    .venv/bin/python bench/inbox.py [--databases sqlite,postgresql] [--rounds 50]

Stores one Mentor Mother with 500 clients and 20,000 messages between them (10,000 SMS from
her clients, 10,000 to them: reminders, automatic replies, answers), 2,000 of their messages
still waiting on her list (50 of them danger signs), and around her a programme of 20 other
Mentor Mothers with 500 clients and 2,500 messages each. Then asks, as her, in process (Flask's
test client: the server's time, no network) after a warm-up: the inbox's first and second
pages, one client's conversation, her follow-up list; and the inbox as her facility's
supervisor. Reports the median and p95 milliseconds and each page's size.
Target (issue 20): the inbox page p95 ≤ 200 ms; the ratio is p95 / 200 ms.
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
from sms_service.models import Client, Facility, FollowUpTask, InboundMessage, MentorMother, OutboundMessage  # noqa: E402
from tests.support.logins import log_in  # noqa: E402

PASSWORD, TARGET_MS = "bench-password-long", 200
HER_CLIENTS, HER_MESSAGES, WAITING, URGENT = 500, 20_000, 2_000, 50
OTHERS, OTHER_MESSAGES = 20, 2_500
NAMES = ["Amina", "Zawadi", "Neema", "Imani", "Halima", "Rehema", "Asha", "Wanjiru", "Akinyi", "Nafula"]
SAID = ["Habari, nimepoteza kitabu changu", "Can I come on Friday instead?", "Asante sana", "Nitachelewa kidogo"]


def fill(services) -> None:
    now, today = utcnow(), date.today()
    mentors = 1 + OTHERS
    clients = HER_CLIENTS * mentors
    with services.db.session() as s:
        bulk_insert(
            s,
            Facility.__table__,
            [{"code": "F1", "name": "Mwangaza", "landmark": "the market", "created_at": now, "updated_at": now}],
        )
        bulk_insert(
            s,
            MentorMother.__table__,
            [
                {
                    "code": f"MM{i}",
                    "name": f"Mentor {i}",
                    "phone": phone(90_000_000 + i),
                    "facility_id": 1,
                    "language": "sw",
                    "active": True,
                    "created_at": now,
                    "updated_at": now,
                }
                for i in range(1, mentors + 1)
            ],
        )
        bulk_insert(
            s,
            Client.__table__,
            [
                {
                    "external_id": f"C{i}",
                    "first_name": NAMES[i % len(NAMES)],
                    "phone": phone(i),
                    "facility_id": 1,
                    "mentor_mother_id": 1 + (i - 1) // HER_CLIENTS,
                    "language": "sw",
                    "stage": "pregnant",
                    "status": "active",
                    "created_at": now,
                    "updated_at": now,
                }
                for i in range(1, clients + 1)
            ],
        )

        def conversation(first_client: int, n: int, tag: str):
            inbound, outbound = [], []
            for i in range(n):
                client = first_client + i % HER_CLIENTS
                at = now - timedelta(minutes=(n - i) * 3)
                if i % 2:
                    outbound.append(
                        {
                            "idempotency_key": f"bench|{tag}|{i}",
                            "client_id": client,
                            "phone": phone(client),
                            "purpose": ("reminder", "reply")[i % 4 // 2],
                            "template": "reminder.visit" if i % 4 < 2 else None,
                            "subject": f"bench:{tag}:{i}",
                            "version": 1,
                            "language": "sw",
                            "queue": "bulk",
                            "status": "delivered",
                            "body": "Habari, tunakukumbusha miadi yako ya kliniki kesho.",
                            "parts": 1,
                            "not_before": at,
                            "sent_at": at,
                            "expires_at": at + timedelta(days=1),
                            "attempts": 1,
                            "resend_count": 0,
                            "created_at": at,
                            "updated_at": at,
                        }
                    )
                else:
                    inbound.append(
                        {
                            "provider_id": f"ATX{tag}-{i}",
                            "phone": phone(client),
                            "to": "12345",
                            "text": SAID[i % 4],
                            "client_id": client,
                            "intent": "free_text",
                            "received_at": at,
                            "handled_at": at,
                        }
                    )
            for start in range(0, len(inbound), 20_000):
                bulk_insert(s, InboundMessage.__table__, inbound[start : start + 20_000])
            for start in range(0, len(outbound), 20_000):
                bulk_insert(s, OutboundMessage.__table__, outbound[start : start + 20_000])

        conversation(1, HER_MESSAGES, "her")
        for m in range(2, mentors + 1):
            conversation(1 + (m - 1) * HER_CLIENTS, OTHER_MESSAGES, f"mm{m}")
        bulk_insert(
            s,
            FollowUpTask.__table__,
            [
                {
                    "mentor_mother_id": 1,
                    "client_id": 1 + i % HER_CLIENTS,
                    "kind": "danger_sign" if i < URGENT else "free_text",
                    "priority": "urgent" if i < URGENT else "normal",
                    "subject": f"sms:bench{i}",
                    "dedupe_key": f"bench:{i}",
                    "status": "open",
                    "due_on": today,
                    "created_at": now - timedelta(hours=i % 100),
                }
                for i in range(WAITING)
            ],
        )
        from sms_service.accounts.users import add

        add(s, "mentor", name="Mentor 1", role="mentor_mother", mentor_mother="MM1", password=PASSWORD)
        add(s, "supervisor", name="Supervisor", role="supervisor", facility="F1", password=PASSWORD)


PAGES = {
    "mentor": ["/inbox", "/inbox?page=1", "/clients/2", "/tasks"],
    "supervisor": ["/inbox"],
}


def timings(client, path: str, rounds: int) -> dict:
    answer = client.get(path)
    assert answer.status_code == 200, (path, answer.status_code)
    took = []
    for _ in range(rounds):
        started = time.perf_counter()
        answer = client.get(path)
        took.append((time.perf_counter() - started) * 1000)
    took.sort()
    return {
        "median_ms": round(statistics.median(took), 1),
        "p95_ms": round(took[max(0, int(len(took) * 0.95) - 1)], 1),
        "kb": round(len(answer.data) / 1024, 1),
    }


def measure(url: str, redis_url: str, name: str, rounds: int) -> dict:
    app = create_app({"DATABASE_URL": url, "REDIS_URL": redis_url, "SMS_GATEWAY": "outbox"})
    services = get_services(app)
    began = time.perf_counter()
    fill(services)
    load = time.perf_counter() - began
    analyse(url)
    pages = {}
    for who, paths in PAGES.items():
        client = app.test_client()
        assert log_in(client, who, PASSWORD).status_code == 302
        for path in paths:
            pages[f"{who} {path}"] = timings(client, path, rounds)
    services.close()
    inbox = pages["mentor /inbox"]
    return {
        "database": name,
        "clients": HER_CLIENTS,
        "messages": HER_MESSAGES,
        "load_seconds": round(load, 1),
        "inbox_p95_ms": inbox["p95_ms"],
        "ratio_to_200ms": round(inbox["p95_ms"] / TARGET_MS, 2),
        "worst_p95_ms": max(p["p95_ms"] for p in pages.values()),
        "pages": pages,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--rounds", type=int, default=50)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        for name, url, redis_url in each_database(args.databases, Path(tmp)):
            print(json.dumps(measure(url, redis_url, name, args.rounds)), flush=True)


if __name__ == "__main__":
    main()
