"""Drill 6: the clock across 19:00 and 07:00 (a controlled clock, five minutes a step, from 18:30
to 08:30 the next day) with reminders, transfer notices, a broadcast and replies due around the
evening; then a scheduler killed in the middle of a tick over a large due batch and started
again. Nothing scheduled goes out between 19:00 and 07:00 (broadcasts: 18:00 and 08:00), replies
go at once, nothing goes twice.

    python -m drills.clock [--databases sqlite,postgresql] [--size 2000]
"""

from __future__ import annotations

import signal
import time
from datetime import datetime, timedelta
from pathlib import Path

from drills.harness import WINDOWS, counts, programme, stage, sweep_later, windows
from drills.invariants import check
from tests.support.waiting import wait_for

PURPOSES = ("reminder", "transfer_notice", "broadcast", "reply")
BODY = "Habari Amina, ujumbe wa {} namba {}."


def drill(name: str, folder: Path, size: int) -> dict:
    from sqlalchemy import select

    from sms_service.gateway import build_gateway
    from sms_service.models import Client, OutboundMessage
    from sms_service.outbound.messages import create_messages
    from sms_service.outbound.ratelimit import RateLimiter
    from sms_service.outbound.sending import Sender
    from workers.scheduler import tick

    with stage(name, folder, SMS_RATE_PER_SECOND="1000") as st, windows(WINDOWS.get):
        tz = st.services.config.tz
        programme(st.services, size)
        today = datetime.now(tz).date()
        evening = datetime.combine(today, datetime.min.time(), tz) + timedelta(hours=18, minutes=30)
        clock = {"now": evening}
        st.gateway.clock = lambda: clock["now"].timestamp()
        with st.services.db.session() as s:
            people = s.execute(select(Client.id, Client.phone).order_by(Client.id)).all()
            specs = []
            for i, (cid, phone) in enumerate(people):
                purpose = PURPOSES[i % len(PURPOSES)]
                due = evening + timedelta(minutes=(i * 7) % 90)  # 18:30 to 20:00
                specs.append(
                    {
                        "client_id": cid,
                        "phone": phone,
                        "purpose": purpose,
                        "subject": f"drill:{cid}",
                        "body": BODY.format(purpose, cid),
                        "not_before": due,
                        "expires_at": due + timedelta(days=2),
                    }
                )
            create_messages(s, specs)
        sender = Sender(st.services, build_gateway(st.services.config), RateLimiter(st.services.redis, 1000))
        steps = 0
        while clock["now"] <= evening + timedelta(hours=14):
            now = clock["now"]
            tick(st.services, now)  # the scheduler's whole tick at this moment: what is due, queued
            with st.services.db.session() as s:
                ids = list(s.scalars(select(OutboundMessage.id).where(OutboundMessage.status == "queued")))
            if ids:
                sender.send(ids, at=now)  # a worker, at this moment
            clock["now"] = now + timedelta(minutes=5)
            steps += 1
        found = {"clock_steps": steps}
        found.update(check(st, windows=WINDOWS, bodies=(BODY.format("reminder", 1),), now=clock["now"]))
        by_purpose = {}
        for _phone, text, _, at in st.gateway.accepted:
            hour = datetime.fromtimestamp(at, tz).strftime("%H:%M")
            purpose = text.split()[4]
            by_purpose.setdefault(purpose, [hour, hour])
            by_purpose[purpose] = [min(by_purpose[purpose][0], hour), max(by_purpose[purpose][1], hour)]
        found["sent_between"] = by_purpose  # first and last local time each purpose went out
        found["statuses_after_night"] = counts(st.services)
    # a scheduler killed in the middle of a tick: on a stage of its own, with real processes
    found.update({f"restart_{k}": v for k, v in restart(name, folder / "restart", size).items()})
    return found


def restart(name: str, folder: Path, size: int) -> dict:
    from sms_service.db import utcnow
    from sms_service.outbound.messages import create_messages

    with stage(name, folder, SMS_RATE_PER_SECOND="1000", SCHEDULER_INTERVAL="0.2") as st:
        programme(st.services, size)
        now = utcnow()
        from sqlalchemy import select

        from sms_service.models import Client

        with st.services.db.session() as s:
            people = s.execute(select(Client.id, Client.phone).order_by(Client.id)).all()
            create_messages(
                s,
                [
                    {
                        "client_id": cid,
                        "phone": phone,
                        "purpose": "reply",
                        "subject": f"r:{cid}",
                        "body": BODY.format("reply", cid),
                        "not_before": now,
                        "expires_at": now + timedelta(hours=2),
                    }
                    for cid, phone in people
                ],
            )
        scheduler = st.start("scheduler")
        wait_for(lambda: counts(st.services).get("queued"), 30, "the first tick claiming", every=0.01)
        st.kill(scheduler, signal.SIGKILL)  # in the middle of its tick (claiming in batches)
        killed = counts(st.services)
        st.start("scheduler")
        st.start("worker", "realtime", "bulk", "default")
        # what the killed tick claimed but never handed to Redis is queued with no job: the
        # sweeper hands it over once it has waited 5 minutes (the drill runs that sweep now)
        wait_for(
            lambda: not any(counts(st.services).get(k) for k in ("scheduled", "queued", "sending")),
            120,
            "every reply out after the restart",
            every=0.5,
            between=lambda: sweep_later(st.services, "queued"),
        )
        time.sleep(0.5)
        found = check(st, bodies=(BODY.format("reply", 1),))
        found["when_killed"], found["statuses"] = killed, counts(st.services)
        return {
            k: v
            for k, v in found.items()
            if k in ("due_settled", "once_per_key", "logs", "when_killed", "sent", "statuses")
        }


if __name__ == "__main__":
    from drills.common import main

    main(drill, __doc__, 2_000)
