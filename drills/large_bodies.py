"""Drill 7: four clients keep posting 30 MB bodies to other paths (the login page, the API, an SMS
callback without its token, a page that does not exist) while USSD sessions arrive, at the web
process as production serves it (gunicorn, the Procfile's three sync workers). Every big body
must be refused unread (413), and USSD must keep answering in milliseconds: p99 ≤ 50 ms.

Before issue 17 every request's form was parsed before any authentication, bounded only by 32 MB:
one 31 MB `a=&a=&…` POST took 8.5 s of a worker, and with two of them running a USSD step took 8 s.

    python -m drills.large_bodies [--databases sqlite,postgresql] [--size 2000] [--seconds 20]
"""

from __future__ import annotations

import itertools
import subprocess
import sys
import threading
import time
from pathlib import Path

import requests

from drills.harness import ROOT, programme, stage
from drills.invariants import check
from tests.support.waiting import wait_for

BODY = b"a=&" * (30 * 1024 * 1024 // 3)  # 30 MB of empty form fields: the costliest form to parse
TARGETS = ("/login", "/api/v1/transfers", "/webhooks/sms?token=wrong", "/nowhere")
USSD_P99_MS = 50.0


def drill(name: str, folder: Path, size: int, seconds: float = 20.0) -> dict:
    from sms_service.local.embedded_redis import free_port

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
        stop = threading.Event()
        ussd, bodies = [], []

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
                    ussd.append((time.monotonic() - began, answer.status_code, answer.text))

        def poster(path):
            while not stop.is_set():
                began = time.monotonic()
                try:
                    status = requests.post(
                        f"{base}{path}",
                        data=BODY,
                        timeout=30,
                        headers={"Content-Type": "application/x-www-form-urlencoded"},
                    ).status_code
                except requests.ConnectionError:
                    status = "closed"  # answered before the upload was through: the server hung up
                bodies.append((path, status, time.monotonic() - began))

        threads = [threading.Thread(target=caller, args=(i,)) for i in range(2)]
        threads += [threading.Thread(target=poster, args=(path,)) for path in TARGETS]
        for t in threads:
            t.start()
        time.sleep(seconds)
        stop.set()
        for t in threads:
            t.join(60)
        latencies = sorted(latency for latency, _, _ in ussd)
        p99 = latencies[int(len(latencies) * 0.99)] * 1000 if latencies else float("inf")
        malformed = [u for u in ussd if u[1] != 200 or not u[2].startswith(("CON ", "END "))]
        read = [b for b in bodies if b[1] not in (413, "closed")]
        found = {
            "seconds": seconds,
            "ussd_steps": len(ussd),
            "ussd_p50_ms": round(latencies[len(latencies) // 2] * 1000, 1) if latencies else None,
            "ussd_p99_ms": round(p99, 1),
            "ussd_max_ms": round(latencies[-1] * 1000, 1) if latencies else None,
            "big_bodies": len(bodies),
            "big_body_answers": sorted({str(status) for _, status, _ in bodies}),
            "big_body_max_s": round(max((b[2] for b in bodies), default=0), 2),
        }
        found["ussd_fast"] = (
            "ok"
            if p99 <= USSD_P99_MS and not malformed and len(ussd) > 100
            else f"USSD p99 {p99:.1f} ms over {len(ussd)} steps, {len(malformed)} malformed"
        )
        found["big_bodies_refused_unread"] = (
            "ok"
            if bodies and not read
            else f"{len(read)} of {len(bodies)} big bodies answered otherwise: {sorted({str(b[1]) for b in read})}"
        )
        found.update(check(st))
        return found


def _up(base: str) -> bool:
    try:
        return requests.get(f"{base}/healthz", timeout=1).status_code == 200
    except requests.RequestException:
        return False


if __name__ == "__main__":
    from drills.common import main

    main(drill, __doc__, 2_000, seconds=20.0)
