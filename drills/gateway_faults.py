"""Drill 3: Africa's Talking misbehaving in the middle of a broadcast, one fault after another:
503 to every second call for a while; three calls taken and answered only after the adapter gave
up (a timeout after accepting); 401 (a bad key); 405 (insufficient balance) for every recipient;
then recovery. Retries wait their backoff (the drill lets it pass at once), the stop-the-line
answers pause sending (`SMS_PAUSE_MINUTES` short here) and raise an admin alert, and what timed
out after AT took it stays `unknown` (a broadcast is never sent blindly twice) until AT's
delivery reports arrive, matched by number.

    python -m drills.gateway_faults [--databases sqlite,postgresql] [--size 13000]
"""

from __future__ import annotations

import time
from pathlib import Path

from sqlalchemy import func, select, update

from drills.harness import TEXT, broadcast, counts, programme, stage
from drills.invariants import check
from tests.support.waiting import wait_for

PHASES = ("fail_half", "timeout", "unauthorised", "no_balance", "accept")


REMINDER = "Habari Amina, tunakukumbusha miadi yako ya kliniki kesho saa tatu. Namba {}."


def reminders(st, count: int, round_: int = 0) -> None:
    """Personal reminders (one call each) to the first `count` clients, due now; each round's
    texts differ (the drill tells a message sent twice by its recipient and text)."""
    from datetime import timedelta

    from sms_service.db import utcnow
    from sms_service.models import Client
    from sms_service.outbound.messages import create_messages

    now = utcnow()
    with st.services.db.session() as s:
        people = s.execute(select(Client.id, Client.phone).order_by(Client.id).limit(count)).all()
        create_messages(
            s,
            [
                {
                    "client_id": cid,
                    "phone": phone,
                    "purpose": "reminder",
                    "subject": f"drill:{round_}:{cid}",
                    "body": REMINDER.format(f"{cid}/{round_}"),
                    "not_before": now,
                    "expires_at": now + timedelta(days=2),
                }
                for cid, phone in people
            ],
        )


def let_backoff_pass(st) -> None:
    """The retries' backoff has passed: what waits for a retry is due now."""
    from sms_service.db import utcnow
    from sms_service.models import OutboundMessage

    with st.services.db.session() as s:
        s.execute(
            update(OutboundMessage)
            .where(OutboundMessage.status == "scheduled", OutboundMessage.attempts > 0)
            .values(not_before=utcnow())
        )


def drill(name: str, folder: Path, size: int) -> dict:
    from sms_service import create_app
    from sms_service.models import FollowUpTask
    from sms_service.outbound.sending import PAUSE_KEY

    with stage(name, folder, SMS_PAUSE_MINUTES="0.05", SMS_RATE_PER_SECOND="10") as st:
        st.gateway.delay = 0.02
        programme(st.services, size)
        broadcast(st.services)
        reminders(st, max(60, size // 10))
        st.start("scheduler")
        st.start("worker", "realtime", "bulk", "default")
        found, paused = {}, 0
        for round_, phase in enumerate(PHASES, start=1):
            st.gateway.mode, calls = phase, st.gateway.calls
            if phase == "accept":
                break
            reminders(st, 10, round_)  # the fault always meets work: earlier phases may have sent it all
            wait_for(
                lambda calls=calls: st.gateway.calls >= calls + 2,
                120,
                f"two calls in {phase}",
                between=lambda: let_backoff_pass(st),
                every=0.2,
            )
            if phase in ("unauthorised", "no_balance"):
                wait_for(lambda: st.services.redis.get(PAUSE_KEY), 120, f"sending paused on {phase}", every=0.2)
                paused += 1
            if phase == "timeout":
                time.sleep(13)  # the late answers arrive after the adapter's 10 s
        wait_for(
            lambda: not any(counts(st.services).get(s) for s in ("scheduled", "queued", "sending")),
            300,
            "the broadcast through after recovery",
            every=0.5,
            between=lambda: let_backoff_pass(st),
        )
        found["unknown_before_reports"] = counts(st.services).get("unknown", 0)
        client = create_app(st.env).test_client()  # AT's delivery reports, for every recipient it took
        for phone, _, message_id, _ in st.gateway.accepted:
            assert (
                client.post(
                    "/webhooks/sms/delivery?token=drill",
                    data={"id": message_id, "status": "Success", "phoneNumber": phone, "networkCode": "63902"},
                ).status_code
                == 200
            )
        from workers.scheduler import sweep

        wait_for(
            lambda: (sweep(st.services) or True) and not counts(st.services).get("unknown"),
            60,
            "the unknown ones matched by their delivery reports",
            every=1.0,
        )
        with st.services.db.session() as s:
            alerts = s.scalar(select(func.count()).select_from(FollowUpTask).where(FollowUpTask.kind == "alert"))
        found.update(check(st, bodies=(TEXT, REMINDER.format("1/0"))))
        found.update(pauses=paused, admin_alerts=alerts, calls=st.gateway.calls, statuses=counts(st.services))
        return found


if __name__ == "__main__":
    from drills.common import main

    main(drill, __doc__, 13_000)
