"""End to end: due messages → RQ → a worker process → the SDK adapter → the fake Africa's Talking."""

import os
import signal
import subprocess
import sys
from datetime import timedelta

from sqlalchemy import select

from sms_service.db import utcnow
from sms_service.models import OutboundMessage
from sms_service.outbound.dispatch import enqueue_due
from sms_service.outbound.messages import create_message
from tests.support.waiting import wait_for


def test_worker_sends_through_the_sdk_to_the_fake_at(services, fake_at, database_url, redis_url):
    fake_at.accept_all()
    now = utcnow()
    with services.db.session() as s:
        for i in range(30):  # twenty the same text, ten personal: 1 + 10 requests
            create_message(
                s,
                phone=f"+25470000{i:04d}",
                purpose="reply",
                subject=f"s{i}",
                body="Asante" if i < 20 else f"Habari {i}",
                expires_at=now + timedelta(hours=1),
            )
    assert enqueue_due(services) == 30
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "SMS_GATEWAY": "africastalking",
        "AT_USERNAME": "sandbox",
        "AT_API_KEY": "test-key",
        "SECRET_KEY": "test-secret-key-of-at-least-32-chars",
        "WEBHOOK_TOKEN": "t",
        "AT_API_URL": fake_at.url,
        "SMS_RATE_PER_SECOND": "1000",
    }
    worker = subprocess.Popen(
        [sys.executable, "-m", "workers.worker"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:

        def all_sent():
            with services.db.session() as s:
                rows = s.scalars(select(OutboundMessage)).all()
                return all(m.status == "sent" for m in rows) and rows

        rows = wait_for(all_sent, 30, "every message sent")
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=20)
    assert all(m.provider_message_id.startswith("ATXid_") for m in rows)
    assert sorted(len(r.recipients) for r in fake_at.sends()) == [1] * 10 + [20]


def test_worker_killed_during_the_call_is_unknown_and_never_sent_twice(services, fake_at, database_url, redis_url):
    from sms_service.outbound.dispatch import LOST_SENDING, UNKNOWN_WAIT, sweep

    fake_at.expect_send(statuses=[101], delay=3.0)  # AT takes it, but the answer comes late
    now = utcnow()
    with services.db.session() as s:
        message, _ = create_message(
            s,
            phone="+254700000001",
            purpose="broadcast",
            subject="b1",
            body="Habari",
            not_before=now,
            expires_at=now + timedelta(days=1),
        )
        message.queue = "realtime"
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "SMS_GATEWAY": "africastalking",
        "AT_USERNAME": "sandbox",
        "AT_API_KEY": "test-key",
        "SECRET_KEY": "test-secret-key-of-at-least-32-chars",
        "WEBHOOK_TOKEN": "t",
        "AT_API_URL": fake_at.url,
    }
    enqueue_due(services)
    worker = subprocess.Popen(
        [sys.executable, "-c", KILLABLE_WORKER], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        wait_for(lambda: fake_at.sends(), 30, "the request to reach the fake AT")
        worker.send_signal(signal.SIGKILL)  # between the AT call and the database write
        worker.wait(timeout=10)
    finally:
        if worker.poll() is None:
            worker.kill()

    def status():
        with services.db.session() as s:
            return s.get(OutboundMessage, message.id).status

    assert status() == "sending"
    later = utcnow() + LOST_SENDING + timedelta(seconds=1)
    sweep(services, later)
    assert status() == "unknown"
    sweep(services, later + UNKNOWN_WAIT * 3)  # broadcasts are never resent after unknown
    assert status() == "unknown" and len(fake_at.sends()) == 1


# A worker whose window check lets a broadcast out at any hour, so the test runs day or night.
KILLABLE_WORKER = """
from sms_service.outbound import messages as messaging
messaging.PURPOSES["broadcast"] = messaging.Purpose("realtime", None)
from workers.worker import main
main(["realtime"])
"""


def test_an_incoming_sms_is_answered_through_the_realtime_queue(database_url, redis_url, fake_at):
    """AT posts an SMS → stored → a realtime worker reads it → the reply reaches the fake AT."""
    from sms_service import create_app
    from sms_service.bootstrap import get_services
    from sms_service.models import Client, Facility

    fake_at.accept_all()
    app = create_app(
        {"DATABASE_URL": database_url, "REDIS_URL": redis_url, "SMS_GATEWAY": "outbox", "WEBHOOK_TOKEN": "tok"}
    )
    services = get_services(app)
    with services.db.session() as s:
        s.add(
            Client(
                external_id="C1",
                first_name="Amina",
                phone="+254700000001",
                facility=Facility(code="F1", name="Mwangaza"),
            )
        )
    answer = app.test_client().post(
        "/webhooks/sms?token=tok",
        data={"id": "ATXin_1", "from": "+254700000001", "to": "12345", "text": "Acha", "date": "2026-11-24 09:00:00"},
    )
    assert answer.status_code == 200
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "SMS_GATEWAY": "africastalking",
        "AT_USERNAME": "sandbox",
        "AT_API_KEY": "test-key",
        "SECRET_KEY": "test-secret-key-of-at-least-32-chars",
        "WEBHOOK_TOKEN": "tok",
        "AT_API_URL": fake_at.url,
    }
    worker = subprocess.Popen(
        [sys.executable, "-m", "workers.worker", "realtime"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        [request] = wait_for(lambda: fake_at.sends(), 30, "the reply to reach the fake AT")
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=20)
        services.close()
    assert request.recipients == ["+254700000001"] and "Hutapokea ujumbe zaidi" in request.form["message"]
