"""Benchmark: recording life events over a programme-sized record (issue 16).

    .venv/bin/python bench/life_events.py [--databases sqlite,postgresql] [--clients 130000] [--messages 1000000]
                                          [--events 40] [--csv-rows 10000]

The record of bench/dashboard.py (`--clients` clients, `--messages` outbound messages, 13,000
transfers, 20,000 tasks). Then:
- through the API (Flask's test client, in process: the server's time), one event at a time
  for `--events` clients, each with 30 waiting messages (20 reminders of 10 coming visits, a
  transfer notice and follow-up of an open transfer, 8 broadcast messages), three open tasks and
  an infant: `died` (everything held back, the transfer ended), `number_changed` (all of it made
  again for the new number) and `infant_died`; median and p95 per kind. Target: p95 ≤ 50 ms.
- an events CSV of `--csv-rows` lines (every kind, each client with two waiting reminders and
  a visit) through `sms-service import events`'s loader, one transaction, commit included.
  Target: ≤ 30 s.
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

from sqlalchemy import select  # noqa: E402

from bench.common import analyse, each_database, phone  # noqa: E402
from bench.dashboard import fill  # noqa: E402
from sms_service import create_app  # noqa: E402
from sms_service.access import Caller  # noqa: E402
from sms_service.bootstrap import get_services  # noqa: E402
from sms_service.csvio import read_csv  # noqa: E402
from sms_service.db import bulk_insert, bulk_update, utcnow  # noqa: E402
from sms_service.life_events.csvfile import import_events  # noqa: E402
from sms_service.models import Appointment, Client, FollowUpTask, Infant, OutboundMessage, Transfer  # noqa: E402

TARGET_MS, TARGET_CSV_S = 50, 30
KINDS = ("died", "number_changed", "infant_died")


def give_them_a_life(
    services, first: int, count: int, visits: int, reminders_each: int, others: int, transfer: bool
) -> None:
    """Clients `first`…: an infant, `visits` coming visits with `reminders_each` waiting reminders
    each, `others` waiting broadcast messages, an open transfer with its notice, three tasks."""
    now, today = utcnow(), date.today()
    ids = range(first, first + count)
    with services.db.session() as s:
        bulk_insert(
            s,
            Infant.__table__,
            [{"client_id": c, "first_name": "Baby", "dob": today - timedelta(days=90), "created_at": now} for c in ids],
        )
        visit_rows = bulk_insert(
            s,
            Appointment.__table__,
            [
                {
                    "client_id": c,
                    "facility_id": 1 + ((c - 1) % 400) % 10,
                    "date": today + timedelta(days=3 + v),
                    "kind": "immunisation" if v % 2 else "refill",
                    "status": "scheduled",
                    "source": "clinic",
                    "revision": 1,
                    "planned": True,
                    "created_at": now,
                    "updated_at": now,
                }
                for c in ids
                for v in range(visits)
            ],
            returning=("id", "client_id", "date"),
        )
        infants = dict(
            s.execute(
                select(Infant.client_id, Infant.id).where(Infant.client_id.between(first, first + count - 1))
            ).all()
        )
        bulk_update(
            s,
            Appointment.__table__,
            [
                {"id": visit_id, "infant_id": infants[client_id]}
                for n, (visit_id, client_id, _) in enumerate(visit_rows)
                if n % 2
            ],
        )
        messages = []
        for visit_id, client_id, _day in visit_rows:
            for r in range(reminders_each):
                messages.append(
                    _message(client_id, "reminder", f"appointment:{visit_id}", f"T-{r}", now, appointment_id=visit_id)
                )
        for c in ids:
            messages += [_message(c, "broadcast", f"broadcast:{b}", "", now) for b in range(others)]
        if transfer:
            moved = bulk_insert(
                s,
                Transfer.__table__,
                [
                    {
                        "client_id": c,
                        "from_facility_id": 1,
                        "to_facility_id": 2,
                        "effective_date": today + timedelta(days=20),
                        "status": "planned",
                        "status_changed_at": now,
                        "source": "closure",
                        "ladder_step": 0,
                        "next_step_on": today + timedelta(days=3),
                        "created_at": now,
                    }
                    for c in ids
                ],
                returning=("id", "client_id"),
            )
            for transfer_id, client_id in moved:
                messages += [
                    _message(client_id, "transfer_notice", f"transfer:{transfer_id}", "", now),
                    _message(client_id, "transfer_follow_up", f"transfer:{transfer_id}", "", now),
                ]
        for start in range(0, len(messages), 20_000):
            bulk_insert(s, OutboundMessage.__table__, messages[start : start + 20_000])
        bulk_insert(
            s,
            FollowUpTask.__table__,
            [
                {
                    "mentor_mother_id": 1 + (c - 1) % 400,
                    "client_id": c,
                    "kind": "free_text",
                    "subject": f"sms:{c}-{t}",
                    "dedupe_key": f"life-bench:{c}:{t}",
                    "note": "She wrote.",
                    "status": "open",
                    "due_on": today,
                    "created_at": now,
                }
                for c in ids
                for t in range(3)
            ],
        )


def _message(client_id: int, purpose: str, subject: str, occasion: str, now, appointment_id=None) -> dict:
    return {
        "idempotency_key": f"life|{client_id}|{purpose}|{subject}|{occasion}",
        "client_id": client_id,
        "phone": phone(client_id - 1),
        "purpose": purpose,
        "subject": subject,
        "version": 1,
        "language": "sw",
        "body": "Habari, tunakukumbusha miadi yako ya kliniki.",
        "parts": 1,
        "queue": "bulk",
        "status": "scheduled",
        "not_before": now + timedelta(days=2),
        "expires_at": now + timedelta(days=9),
        "attempts": 0,
        "resend_count": 0,
        "created_at": now,
        "updated_at": now,
        "appointment_id": appointment_id,
        "mentor_mother_id": None,
        "broadcast_id": None,
        "template": None,
        "facility_id": None,
    }


def through_the_api(app, token: str, first: int, count: int) -> dict:
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    out, n = {}, first
    per_kind = count // len(KINDS)
    for kind in KINDS:
        took = []
        for _ in range(per_kind):
            body = {"kind": kind, "date": date.today().isoformat()}
            if kind == "number_changed":
                body["new_phone"] = phone(1_000_000 + n)
            started = time.perf_counter()
            answer = client.post(f"/api/v1/clients/C{n - 1}/events", json=body, headers=headers)
            took.append((time.perf_counter() - started) * 1000)
            assert answer.status_code == 201, (kind, answer.status_code, answer.get_json())
            n += 1
        took.sort()
        out[kind] = {
            "median_ms": round(statistics.median(took), 1),
            "p95_ms": round(took[max(0, int(len(took) * 0.95) - 1)], 1),
            "events": len(took),
        }
    return out


def csv_rows(first: int, count: int) -> str:
    kinds = ("died", "moved_away", "infant_died", "number_changed", "pregnancy_loss")
    lines = ["client_id,kind,date,infant_dob,new_phone,note"]
    today = date.today().isoformat()
    for i in range(count):
        c, kind = first + i, kinds[i % len(kinds)]
        lines.append(
            f"C{c - 1},{kind},{today},,{phone(2_000_000 + c) if kind == 'number_changed' else ''},from the bench"
        )
    return "\n".join(lines) + "\n"


def measure(url: str, redis_url: str, name: str, args, folder: Path) -> dict:
    app = create_app({"DATABASE_URL": url, "REDIS_URL": redis_url, "SMS_GATEWAY": "outbox"})
    services = get_services(app)
    began = time.perf_counter()
    tokens = fill(services, args.clients, args.messages)
    api_first, csv_first = 1001, 20_001  # clients of their own, away from the dashboard's transfers
    give_them_a_life(services, 900, 9, visits=10, reminders_each=2, others=8, transfer=True)  # the warm-up's
    give_them_a_life(services, api_first, args.events, visits=10, reminders_each=2, others=8, transfer=True)
    give_them_a_life(services, csv_first, args.csv_rows, visits=1, reminders_each=2, others=0, transfer=False)
    with services.db.session() as s:  # the pregnancy losses of the CSV need a pregnancy
        s.execute(
            Client.__table__.update()
            .where(Client.id.between(csv_first, csv_first + args.csv_rows))
            .values(stage="pregnant", edd=date.today() + timedelta(days=90))
        )
    load = time.perf_counter() - began
    analyse(url)
    through_the_api(app, tokens["admin"], 900, 9)  # warm-up: statements, pools
    api = through_the_api(app, tokens["admin"], api_first, args.events)
    path = folder / "events.csv"
    path.write_text(csv_rows(csv_first, args.csv_rows))
    started = time.perf_counter()
    with services.db.session() as s:
        report = import_events(
            s, read_csv(path), by=Caller("bench", "admin", "csv"), now=utcnow(), config=services.config
        )
    csv_seconds = time.perf_counter() - started
    assert report.recorded == args.csv_rows, report.errors[:3]
    services.close()
    worst = max(k["p95_ms"] for k in api.values())
    return {
        "database": name,
        "clients": args.clients,
        "messages": args.messages,
        "load_seconds": round(load, 1),
        "api": api,
        "worst_p95_ms": worst,
        "ratio_to_50ms": round(worst / TARGET_MS, 2),
        "csv_rows": args.csv_rows,
        "csv_seconds": round(csv_seconds, 1),
        "csv_ratio_to_30s": round(csv_seconds / TARGET_CSV_S, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--clients", type=int, default=130_000)
    parser.add_argument("--messages", type=int, default=1_000_000)
    parser.add_argument("--events", type=int, default=60)
    parser.add_argument("--csv-rows", type=int, default=10_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        for name, url, redis_url in each_database(args.databases, Path(tmp)):
            print(json.dumps(measure(url, redis_url, name, args, Path(tmp))), flush=True)


if __name__ == "__main__":
    main()
