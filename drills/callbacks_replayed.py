"""Drill 5: every kind of Africa's Talking callback duplicated and out of order. Delivery reports
for each sent message arrive three times each, shuffled with later and earlier statuses (and
some before the message's id is known); every incoming SMS is posted three times, interleaved;
opt-outs twice; USSD steps replayed within a session; end-of-session notices twice. Each thing
happens once: one reply per SMS, one opt-out, one call-back task per session, a final status
never downgraded.

    python -m drills.callbacks_replayed [--databases sqlite,postgresql] [--size 2000]
"""

from __future__ import annotations

import contextlib
import random
from pathlib import Path

from sqlalchemy import func, select

from drills.harness import counts, programme, quiet, stage
from drills.invariants import check
from tests.support.waiting import wait_for

REMINDER = "Habari Amina, tunakukumbusha miadi yako kesho. Namba {}."
FINAL_WORDS = {"Success": "delivered", "Failed": "failed", "Rejected": "failed"}
ORDERS = [["Sent", "Buffered", "Success"], ["Success", "Sent", "Failed"], ["Buffered", "Success", "Rejected"]]


def drill(name: str, folder: Path, size: int) -> dict:
    from datetime import timedelta

    from sms_service import create_app
    from sms_service.db import utcnow
    from sms_service.models import (
        Client,
        ConsentEvent,
        FollowUpTask,
        InboundMessage,
        OutboundMessage,
        UssdSession,
    )
    from sms_service.outbound.messages import create_messages

    rng = random.Random(7)
    with stage(name, folder, SMS_RATE_PER_SECOND="50") as st:
        programme(st.services, size)
        texting = max(20, size // 20)  # clients who text, dial, or stop
        now = utcnow()
        with st.services.db.session() as s:
            people = s.execute(
                select(Client.id, Client.phone)
                .where(Client.opted_out_at.is_(None))
                .order_by(Client.id)
                .limit(texting * 3)
            ).all()
            create_messages(
                s,
                [
                    {
                        "client_id": c,
                        "phone": p,
                        "purpose": "reminder",
                        "subject": f"drill:{c}",
                        "body": REMINDER.format(c),
                        "not_before": now,
                        "expires_at": now + timedelta(days=2),
                    }
                    for c, p in people[:texting]
                ],
            )
        st.start("scheduler")
        st.start("worker", "realtime", "bulk", "default")
        wait_for(lambda: counts(st.services).get("sent", 0) >= texting, 120, "the reminders sent", every=0.2)
        app = create_app(st.env)
        client = app.test_client()

        def post(path, form):
            answer = client.post(f"{path}?token=drill", data=form)
            assert answer.status_code < 500, (path, answer.status_code)
            return answer

        calls = []
        for phone, _, message_id, _ in st.gateway.accepted:
            order = rng.choice(ORDERS)
            calls += [
                (
                    "/webhooks/sms/delivery",
                    {
                        "id": message_id,
                        "status": status,
                        "phoneNumber": phone,
                        "failureReason": "DeliveryFailure"
                        if status != "Success" and status not in ("Sent", "Buffered")
                        else "",
                    },
                )
                for status in order
                for _ in range(3)
            ]
        for i, (_, phone) in enumerate(people[texting : texting * 2]):
            calls += [
                (
                    "/webhooks/sms",
                    {"id": f"ATXin_{i}", "from": phone, "to": "12345", "text": "TAREHE", "date": "2026-11-30 09:00:00"},
                )
            ] * 3
        stopping = people[texting * 2 :]
        for phone in [p for _, p in stopping]:
            calls += [("/webhooks/sms/optout", {"senderId": "MENTOR", "phoneNumber": phone})] * 2
        sessions = people[texting : texting * 2]
        for i, (_, phone) in enumerate(sessions):
            step = {"sessionId": f"ATUid_{i}", "phoneNumber": phone, "serviceCode": "*384*123#", "networkCode": "63902"}
            calls += [
                ("/webhooks/ussd", {**step, "text": ""}),
                ("/webhooks/ussd", {**step, "text": "4"}),
                ("/webhooks/ussd", {**step, "text": "4"}),
            ]
            calls += [
                (
                    "/webhooks/ussd/events",
                    {
                        "sessionId": f"ATUid_{i}",
                        "phoneNumber": phone,
                        "status": "Success",
                        "durationInMillis": "4000",
                        "hopsCount": "2",
                    },
                )
            ] * 2
        rng.shuffle(calls)
        first_final = {}  # a message's status is the first final word AT said, whatever came after
        for path, form in calls:
            post(path, form)
            if path == "/webhooks/sms/delivery" and form["status"] in FINAL_WORDS:
                first_final.setdefault(form["id"], FINAL_WORDS[form["status"]])
        wait_for(lambda: quiet(st.services), 120, "replies sent", every=0.2)

        def changed() -> dict:
            with st.services.db.session() as s:
                now_status = dict(
                    s.execute(
                        select(OutboundMessage.provider_message_id, OutboundMessage.status).where(
                            OutboundMessage.purpose == "reminder"
                        )
                    ).all()
                )
            return {i: (now_status.get(i), want) for i, want in first_final.items() if now_status.get(i) != want}

        # reports are applied by a job: wait for them, then any difference is a real one
        with contextlib.suppress(AssertionError):
            wait_for(lambda: not changed(), 60, "every delivery report applied", every=0.2)
        with st.services.db.session() as s:
            replies = s.scalar(
                select(func.count()).select_from(OutboundMessage).where(OutboundMessage.purpose == "reply")
            )
            inbound = s.scalar(select(func.count()).select_from(InboundMessage))
            tasks = s.scalar(select(func.count()).select_from(FollowUpTask).where(FollowUpTask.kind == "call_back"))
            stops = s.scalar(select(func.count()).select_from(ConsentEvent).where(ConsentEvent.kind == "opt_out"))
            ends = s.scalar(select(func.count()).select_from(UssdSession))
        found = {"callbacks": len(calls)}
        expect = {
            "sms_stored_once": (inbound, texting),
            "replied_once": (replies, texting),
            "call_back_once": (tasks, texting),
            "opt_out_once": (stops, len(stopping)),
            "session_end_once": (ends, texting),
        }
        found["each_once"] = "ok" if all(a == b for a, b in expect.values()) else {k: v for k, v in expect.items()}
        downgraded = changed()
        found["final_kept"] = "ok" if not downgraded else f"{len(downgraded)} changed after their final status"
        found.update(check(st, bodies=(REMINDER.format(1),)))
        found["statuses"] = counts(st.services)
        return found


if __name__ == "__main__":
    from drills.common import main

    main(drill, __doc__, 2_000)
