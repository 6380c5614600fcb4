"""Drill 4: the database locked for 20 s (an exclusive lock on SQLite; ACCESS EXCLUSIVE on the
tables the callbacks write, on PostgreSQL) while USSD sessions and incoming SMS keep arriving at
the web process as production serves it (gunicorn, the Procfile's three sync workers).
USSD must answer within a second, `END` with an apology when it cannot read; every incoming SMS
must be stored, or refused with a status that makes AT post it again (anything but 200: AT
retries every minute); the drill plays AT and posts again what was refused, and every SMS is
then stored exactly once.

    python -m drills.database_stalled [--databases sqlite,postgresql] [--size 2000] [--lock 20]
"""

from __future__ import annotations

import itertools
import subprocess
import sys
import threading
import time
from pathlib import Path

import requests
from sqlalchemy import func, select

from drills.harness import ROOT, programme, quiet, stage
from drills.invariants import check
from tests.support.waiting import wait_for

LOCK_SECONDS = 20.0


def hold_lock(st, seconds: float, locked: threading.Event) -> None:
    if st.name == "sqlite":
        import sqlite3

        connection = sqlite3.connect(st.url.removeprefix("sqlite:///"), timeout=30, isolation_level=None)
        connection.execute("BEGIN EXCLUSIVE")
        locked.set()
        time.sleep(seconds)
        connection.execute("ROLLBACK")
        connection.close()
        return
    import psycopg

    with psycopg.connect(st.url.replace("postgresql+psycopg://", "postgresql://")) as connection:
        connection.execute(
            "LOCK TABLE inbound_messages, clients, ussd_sessions, follow_up_tasks, outbound_messages "
            "IN ACCESS EXCLUSIVE MODE"
        )
        locked.set()
        time.sleep(seconds)
        connection.rollback()


def drill(name: str, folder: Path, size: int, lock: float = LOCK_SECONDS) -> dict:
    from sms_service.local.embedded_redis import free_port
    from sms_service.models import InboundMessage

    with stage(name, folder) as st:
        programme(st.services, size)
        port = free_port()
        log = folder / "gunicorn.log"
        st.logs.append(log)
        with log.open("w") as out:
            web = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "gunicorn",
                    "--bind",
                    f"127.0.0.1:{port}",
                    "--workers",
                    "3",
                    "sms_service:create_app()",
                ],
                cwd=ROOT,
                env=st.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        st.children.append(web)
        base = f"http://127.0.0.1:{port}"
        wait_for(lambda: _up(base), 60, "gunicorn up", every=0.2)
        st.start("worker", "realtime", "bulk", "default")
        stop, locked = threading.Event(), threading.Event()
        ussd, sms, ids = [], [], itertools.count(1)

        def caller(i):
            http = requests.Session()
            for n in itertools.count():
                if stop.is_set():
                    return
                phone = f"+2547{(1 + (i * 7919 + n) % size):08d}"
                for step in ("", "1"):
                    began = time.monotonic()
                    answer = http.post(
                        f"{base}/webhooks/ussd?token=drill",
                        timeout=10,
                        data={"sessionId": f"S{i}-{n}", "phoneNumber": phone, "serviceCode": "*384*123#", "text": step},
                    )
                    ussd.append((locked.is_set(), time.monotonic() - began, answer.status_code, answer.text))

        def texter(i):
            http = requests.Session()
            while not stop.is_set():
                n = next(ids)
                form = {"id": f"ATXin_{n}", "from": f"+2547{(1 + n % size):08d}", "to": "12345", "text": "TAREHE"}
                began = time.monotonic()
                try:
                    status = http.post(f"{base}/webhooks/sms?token=drill", timeout=30, data=form).status_code
                except requests.RequestException:
                    status = 0  # AT's own timeout: it posts again
                sms.append((form, status, time.monotonic() - began))
                time.sleep(0.05)

        threads = [threading.Thread(target=caller, args=(i,)) for i in range(2)]
        threads += [threading.Thread(target=texter, args=(i,)) for i in range(2)]
        for t in threads:
            t.start()
        time.sleep(2)
        holder = threading.Thread(target=hold_lock, args=(st, lock, locked))
        holder.start()
        holder.join()
        time.sleep(2)
        stop.set()
        for t in threads:
            t.join(60)
        refused = [form for form, status, _ in sms if status != 200]
        http = requests.Session()
        for form in refused:  # AT, a minute later, posts the same callback again
            assert http.post(f"{base}/webhooks/sms?token=drill", timeout=30, data=form).status_code == 200
        wait_for(lambda: quiet(st.services), 60, "the replies sent", every=0.2)
        with st.services.db.session() as s:
            stored = s.scalar(select(func.count(func.distinct(InboundMessage.provider_id))))
            rows = s.scalar(select(func.count()).select_from(InboundMessage))
        during = [(latency, status, text) for was_locked, latency, status, text in ussd if was_locked]
        found = {
            "lock_seconds": lock,
            "ussd_steps": len(ussd),
            "ussd_during_lock": len(during),
            "ussd_max_ms_during_lock": round(max((d[0] for d in during), default=0) * 1000, 1),
            "ussd_apologies": sum(1 for d in during if d[2].startswith("END ")),
            "sms_posted": len(sms),
            "sms_refused_then_retried": len(refused),
            "sms_max_ms": round(max((x[2] for x in sms), default=0) * 1000, 1),
        }
        bad = [d for d in ussd if d[2] != 200 or not d[3].startswith(("CON ", "END ")) or d[1] >= 1.0]
        found["ussd_fast"] = (
            "ok"
            if not bad
            else f"{len(bad)} USSD answers late or malformed (max {max(d[1] for d in bad) * 1000:.0f} ms)"
        )
        found["sms_kept"] = "ok" if stored == rows == len(sms) else f"{len(sms)} posted, {rows} rows, {stored} ids"
        found.update(check(st))
        return found


def _up(base: str) -> bool:
    try:
        return requests.get(f"{base}/healthz", timeout=1).status_code == 200
    except requests.RequestException:
        return False


if __name__ == "__main__":
    from drills.common import main

    main(drill, __doc__, 2_000, lock=LOCK_SECONDS)
