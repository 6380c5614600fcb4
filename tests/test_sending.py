"""The send pipeline: at most once, re-checked at send time, retried within bounds, recoverable."""

from datetime import UTC, date, datetime, timedelta

import pytest
from redis import Redis
from sqlalchemy import select

from sms_service.gateway import Outcome
from sms_service.models import Client, Facility, FollowUpTask, OutboundMessage
from sms_service.outbound.dispatch import LOST_SENDING, STALE_QUEUED, UNKNOWN_WAIT, enqueue_due, sweep
from sms_service.outbound.messages import create_message, transition
from sms_service.outbound.sending import PAUSE_KEY, RetryPolicy, Sender
from tests.support.fake_gateway import FakeGateway

NOON = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # 12:00 in Nairobi, inside every window
EVENING = datetime(2026, 3, 2, 17, 0, tzinfo=UTC)  # 20:00 in Nairobi: quiet hours


@pytest.fixture
def gateway():
    return FakeGateway()


@pytest.fixture
def sender(services, gateway):
    return Sender(services, gateway)


def add_client(session, **kw):
    n = session.query(Client).count() + 1
    facility = session.scalar(select(Facility).where(Facility.code == "F1"))
    if facility is None:
        facility = Facility(code="F1", name="Mwangaza")
        session.add(facility)
    client = Client(external_id=f"C{n}", first_name="Amina", phone=f"+25470000{n:04d}", facility=facility, **kw)
    session.add(client)
    session.flush()
    return client


def queued(services, n=1, purpose="reminder", body=None, now=NOON, expires=timedelta(days=1), **kw):
    ids = []
    with services.db.session() as s:
        for i in range(n):
            client = add_client(s)
            message, _ = create_message(
                s,
                phone=client.phone,
                client_id=client.id,
                purpose=purpose,
                subject=f"visit:{i}",
                body=body or f"Habari {i}",
                not_before=now,
                expires_at=now + expires,
                **kw,
            )
            ids.append(message.id)
        transition(s, ids, "queued", "test", now=now)
    return ids


def statuses(services, ids):
    with services.db.session() as s:
        return [s.get(OutboundMessage, i).status for i in ids]


def test_sent_at_is_when_the_gateway_answered_not_when_the_job_began(services, sender, gateway):
    from sms_service.db import utcnow

    [mid] = queued(services, 1, purpose="reply", now=utcnow())
    answered = []
    gateway.before_answer = lambda: answered.append(utcnow())
    sender.send([mid])
    with services.db.session() as s:
        message = s.get(OutboundMessage, mid)
        claimed = next(e.at for e in message.history if e.status == "sending")
        assert claimed <= answered[0] <= message.sent_at


def test_job_run_twice_sends_once(services, sender, gateway):
    ids = queued(services, 3)
    assert sender.send(ids, NOON) == {"accepted": 3}
    assert sender.send(ids, NOON) == {}
    assert len(gateway.sent_to()) == 3 and statuses(services, ids) == ["sent"] * 3
    with services.db.session() as s:
        assert all(s.get(OutboundMessage, i).provider_message_id.startswith("FAKE-") for i in ids)


def test_identical_texts_share_requests_personalised_do_not(services, sender, gateway):
    same = queued(services, 250, purpose="broadcast", body="Clinic closed on Friday")
    sender.send(same, NOON)
    assert [len(phones) for _, phones in gateway.calls] == [250]
    gateway.calls.clear()
    sender.send(queued(services, 1200, purpose="broadcast", body="Same again"), NOON)
    assert [len(phones) for _, phones in gateway.calls] == [500, 500, 200]
    gateway.calls.clear()
    sender.send(queued(services, 5), NOON)
    assert [len(phones) for _, phones in gateway.calls] == [1] * 5


def test_rechecked_at_send_time(services, sender, gateway):
    expired, opted, closed, ok = (queued(services, 1)[0] for _ in range(4))
    with services.db.session() as s:
        s.get(OutboundMessage, expired).expires_at = NOON
        s.execute(
            Client.__table__.update()
            .where(Client.phone == s.get(OutboundMessage, opted).phone)
            .values(opted_out_at=NOON)
        )
        facility = Facility(code="F9", name="Closing", closed_on=date(2026, 3, 2))
        s.add(facility)
        s.flush()
        s.get(OutboundMessage, closed).facility_id = facility.id
    sender.send([expired, opted, closed, ok], NOON)
    assert statuses(services, [expired, opted, closed, ok]) == ["expired", "suppressed", "suppressed", "sent"]
    assert gateway.sent_to() == [_phone(services, ok)]


def _phone(services, message_id):
    with services.db.session() as s:
        return s.get(OutboundMessage, message_id).phone


def test_quiet_hours_push_to_the_morning_or_past_expiry(services, sender, gateway):
    morning = queued(services, 1, now=EVENING, expires=timedelta(days=2))[0]
    tonight_only = queued(services, 1, now=EVENING, expires=timedelta(hours=3))[0]
    reply = queued(services, 1, purpose="reply", now=EVENING)[0]
    sender.send([morning, tonight_only, reply], EVENING)
    assert statuses(services, [morning, tonight_only, reply]) == ["scheduled", "suppressed", "sent"]
    with services.db.session() as s:
        assert s.get(OutboundMessage, morning).not_before == datetime(2026, 3, 3, 4, 0, tzinfo=UTC)
    assert gateway.sent_to() == [_phone(services, reply)]


def test_opted_out_number_is_never_sent_to(services, sender, gateway):
    [first, second] = queued(services, 2)
    gateway.outcomes[_phone(services, first)] = (Outcome.OPTED_OUT, "blocked_by_user")
    sender.send([first], NOON)
    assert statuses(services, [first]) == ["suppressed"]
    with services.db.session() as s:
        phone = s.get(OutboundMessage, first).phone
        again, _ = create_message(
            s,
            phone=phone,
            client_id=s.get(OutboundMessage, first).client_id,
            purpose="reminder",
            subject="later",
            body="x",
            not_before=NOON,
            expires_at=NOON + timedelta(days=1),
        )
        transition(s, [again.id], "queued", "test", now=NOON)
    gateway.calls.clear()
    sender.send([again.id, second], NOON)
    assert statuses(services, [again.id, second]) == ["suppressed", "sent"]
    assert phone not in gateway.sent_to()


def test_retries_back_off_then_fail_with_the_reason(services, gateway):
    sender = Sender(services, gateway, policy=RetryPolicy(max_attempts=2, base_seconds=10))
    [mid] = queued(services, 1)
    gateway.outcomes[_phone(services, mid)] = (Outcome.RETRY, "provider_unavailable")
    sender.send([mid], NOON)
    with services.db.session() as s:
        message = s.get(OutboundMessage, mid)
        assert message.status == "scheduled" and NOON < message.not_before <= NOON + timedelta(seconds=10)
        transition(s, [mid], "queued", "due", now=NOON)
    sender.send([mid], NOON + timedelta(seconds=20))
    with services.db.session() as s:
        message = s.get(OutboundMessage, mid)
        assert (message.status, message.failure_reason, message.attempts) == ("failed", "provider_unavailable", 2)


def test_stop_the_line_pauses_alerts_and_loses_nothing(services, sender, gateway):
    ids = queued(services, 3)
    for i in ids:
        gateway.outcomes[_phone(services, i)] = (Outcome.STOP_LINE, "insufficient_balance")
    sender.send(ids, NOON)
    assert statuses(services, ids) == ["scheduled"] * 3
    with services.db.session() as s:
        assert [t.subject for t in s.scalars(select(FollowUpTask).where(FollowUpTask.kind == "alert"))] == [
            "sending:insufficient_balance"
        ]
        assert all(s.get(OutboundMessage, i).attempts == 0 for i in ids)  # not the messages' fault
    gateway.outcomes.clear()
    gateway.calls.clear()
    more = queued(services, 1)
    sender.send(more, NOON + timedelta(minutes=1))  # still paused: no call at all
    assert gateway.calls == [] and statuses(services, more) == ["scheduled"]
    services.redis.delete(PAUSE_KEY)  # what `sms-service sending resume` does
    with services.db.session() as s:
        transition(s, ids + more, "queued", "due", now=NOON)
    sender.send(ids + more, NOON + timedelta(minutes=2))
    assert statuses(services, ids + more) == ["sent"] * 4


def test_worker_killed_after_the_call_leaves_unknown_and_resends_at_most_once(services, gateway):
    sender = Sender(services, gateway)
    reminder = queued(services, 1)[0]
    broadcast = queued(services, 1, purpose="broadcast")[0]

    def crash():
        raise SystemExit("worker killed")  # after AT got it, before the database write

    gateway.before_answer = crash
    with pytest.raises(SystemExit):
        sender.send([reminder, broadcast], NOON)
    assert statuses(services, [reminder, broadcast]) == ["sending", "sending"]
    gateway.before_answer = None
    sweep(services, NOON + LOST_SENDING + timedelta(seconds=1))
    assert statuses(services, [reminder, broadcast]) == ["unknown", "unknown"]
    later = NOON + LOST_SENDING + UNKNOWN_WAIT + timedelta(seconds=2)
    sweep(services, later)
    assert statuses(services, [reminder, broadcast]) == ["queued", "unknown"]  # broadcasts never resent
    sweep(services, later + UNKNOWN_WAIT * 2)
    with services.db.session() as s:
        assert s.get(OutboundMessage, reminder).resend_count == 1


def test_the_wait_before_a_resend_is_configurable(services, gateway):
    services.config = services.config.with_overrides(sms_unknown_resend_minutes=2)
    [reminder] = queued(services, 1)
    gateway.before_answer = lambda: (_ for _ in ()).throw(SystemExit("worker killed"))
    with pytest.raises(SystemExit):
        Sender(services, gateway).send([reminder], NOON)
    sweep(services, NOON + LOST_SENDING + timedelta(seconds=1))
    sweep(services, NOON + LOST_SENDING + timedelta(minutes=1, seconds=2))
    assert statuses(services, [reminder]) == ["unknown"]  # not yet
    sweep(services, NOON + LOST_SENDING + timedelta(minutes=2, seconds=2))
    assert statuses(services, [reminder]) == ["queued"]


def test_wiping_redis_loses_nothing(services, sender, gateway, redis_server):
    with services.db.session() as s:
        for _i in range(5):
            client = add_client(s)
            create_message(
                s,
                phone=client.phone,
                client_id=client.id,
                purpose="reminder",
                subject="v",
                body="x",
                not_before=NOON,
                expires_at=NOON + timedelta(days=1),
            )
    assert enqueue_due(services, NOON) == 5
    Redis(port=redis_server.port).flushall()  # our own test server, wiped mid-batch
    assert services.queues["bulk"].count == 0
    result = sweep(services, NOON + STALE_QUEUED + timedelta(seconds=1))
    assert result["requeued"] == 5
    job = services.queues["bulk"].jobs[0]
    sender.send(job.args[0], NOON + STALE_QUEUED + timedelta(seconds=2))
    with services.db.session() as s:
        assert {m.status for m in s.scalars(select(OutboundMessage))} == {"sent"}


def test_two_schedulers_at_once_enqueue_each_message_once(services):
    import threading

    with services.db.session() as s:
        for i in range(200):
            create_message(
                s,
                phone=f"+25470000{i:04d}",
                purpose="reminder",
                subject=f"s{i}",
                body="x",
                not_before=NOON,
                expires_at=NOON + timedelta(days=1),
            )
    counts = []
    threads = [threading.Thread(target=lambda: counts.append(enqueue_due(services, NOON))) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(counts) == [0, 200] or sum(counts) == 200
    ids = [i for job in services.queues["bulk"].jobs for i in job.args[0]]
    assert len(ids) == len(set(ids)) == 200


def test_everything_due_is_handed_over_in_one_tick(services, monkeypatch):
    from sms_service.outbound import dispatch

    monkeypatch.setattr(dispatch, "DUE_BATCH", 7)
    with services.db.session() as s:
        for i in range(30):
            create_message(
                s,
                phone=f"+25470000{i:04d}",
                purpose="reminder",
                subject=f"s{i}",
                body="x",
                not_before=NOON,
                expires_at=NOON + timedelta(days=1),
            )
    assert enqueue_due(services, NOON) == 30
