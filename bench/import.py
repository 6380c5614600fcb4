"""Benchmark: import 130,000 generated clients and their appointments (issue 2).

    .venv/bin/python bench/import.py [--clients 130000] [--databases sqlite,postgresql]

Generates invented data (names from a short list, numbers counted up from 0700000000), imports
facilities, mentor-mothers, clients, appointments into a fresh SQLite file
and a private PostgreSQL database (created and dropped here), then imports the clients again
(the idempotent re-run). Target from the issue: 130,000 clients well under 60 s.
"""

from __future__ import annotations

import argparse
import csv
import random
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sms_service.db import Database
from sms_service.importing import import_csv
from sms_service.migrate import upgrade

TARGET_SECONDS = 60.0
NAMES = ["Amina", "Zawadi", "Neema", "Imani", "Halima", "Rehema", "Asha", "Baraka", "Wanjiru", "Akinyi"]


def phone(i: int) -> str:
    """Invented numbers counted up from 0700000000 (never committed: generated in a temp dir)."""
    return f"0700{i:06d}"


def generate(folder: Path, clients: int) -> dict[str, Path]:
    rng = random.Random(7)
    files = {}

    def write(kind, header, rows):
        path = folder / f"{kind}.csv"
        with path.open("w", newline="", encoding="utf-8") as f:
            writer = csv.writer(f)
            writer.writerow(header)
            writer.writerows(rows)
        files[kind] = path

    write(
        "facilities",
        ["code", "name", "landmark", "hours"],
        [(f"F{i:03d}", f"Clinic {i}", "near the market", "Mon-Fri 8am-5pm") for i in range(40)],
    )
    write(
        "mentor-mothers",
        ["code", "name", "phone", "facility_code"],
        [(f"MM{i:03d}", f"Mentor {i}", phone(900000 + i), f"F{i % 40:03d}") for i in range(200)],
    )
    start = date(2027, 1, 1)
    write(
        "clients",
        [
            "client_id",
            "first_name",
            "phone",
            "facility_code",
            "language",
            "mentor_mother_code",
            "stage",
            "edd",
            "infant_dob",
        ],
        [
            (
                f"C{i:06d}",
                rng.choice(NAMES),
                phone(i),
                f"F{i % 40:03d}",
                rng.choice(["en", "sw"]),
                f"MM{i % 200:03d}",
                "pregnant" if i % 2 else "postnatal",
                (start + timedelta(days=i % 200)).isoformat() if i % 2 else "",
                "" if i % 2 else (date(2026, 6, 1) + timedelta(days=i % 150)).isoformat(),
            )
            for i in range(clients)
        ],
    )
    write(
        "appointments",
        ["client_id", "date", "time", "kind"],
        [
            (f"C{i:06d}", (start + timedelta(days=(i + k * 30) % 300)).isoformat(), "09:00", kind)
            for i in range(clients)
            for k, kind in enumerate(("anc", "refill"))
        ],
    )
    return files


def run(url: str, files: dict[str, Path]) -> list[tuple[str, int, float]]:
    upgrade(url)
    db = Database(url)
    results = []
    for kind in ("facilities", "mentor-mothers", "clients", "appointments", "clients"):
        started = time.perf_counter()
        with db.session() as session:
            report = import_csv(session, kind, files[kind])
        elapsed = time.perf_counter() - started
        assert not report.errors, report.errors[:3]
        label = kind if not results or kind != "clients" or report.created else "clients (again)"
        results.append((label, report.created + report.updated + report.unchanged, elapsed))
    db.dispose()
    return results


def postgres_url() -> tuple[str, callable]:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from tests.support import databases

    url = databases.create_database()
    return url, lambda: databases.drop_database(url)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=130_000)
    parser.add_argument("--databases", default="sqlite,postgresql")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        started = time.perf_counter()
        files = generate(folder, args.clients)
        print(f"generated {args.clients} clients in {time.perf_counter() - started:.1f} s")
        for name in args.databases.split(","):
            if name == "sqlite":
                url, cleanup = f"sqlite:///{folder / 'bench.db'}", lambda: None
            else:
                url, cleanup = postgres_url()
            try:
                for label, rows, seconds in run(url, files):
                    ratio = f"{seconds / TARGET_SECONDS:.2f}" if label.startswith("clients") else ""
                    print(f"{name:10} {label:16} {rows:8d} rows {seconds:7.2f} s {rows / seconds:9.0f} rows/s  {ratio}")
            finally:
                cleanup()


if __name__ == "__main__":
    main()
