"""Message lifecycle: one message per idempotency key, allowed moves only, history kept."""

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from sms_service.db import Database
from sms_service.models import OutboundMessage
from sms_service.outbound.messages import create_message, transition
from sms_service.outbound.send_window import next_send_time

NAIROBI = ZoneInfo("Africa/Nairobi")
T0 = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)  # 09:00 in Nairobi


def at(hour, minute=0, day=2):
    return datetime(2026, 3, day, hour, minute, tzinfo=NAIROBI).astimezone(UTC)


WINDOW_CASES = [
    ("inside", at(9), (time(7), time(19)), at(9)),
    ("before opening", at(5, 30), (time(7), time(19)), at(7)),
    ("at closing", at(19), (time(7), time(19)), at(7, day=3)),
    ("late evening", at(23, 59), (time(7), time(19)), at(7, day=3)),
    ("just after midnight", at(0, 5, day=3), (time(7), time(19)), at(7, day=3)),
    ("broadcast window", at(7, 30), (time(8), time(18)), at(8)),
    ("reply: any time", at(23), None, at(23)),
]


@pytest.mark.parametrize("label, moment, window, expected", WINDOW_CASES, ids=[c[0] for c in WINDOW_CASES])
def test_next_send_time(label, moment, window, expected):
    assert next_send_time(moment, window, NAIROBI) == expected


@pytest.fixture
def db(database_url):
    database = Database(database_url)
    yield database
    database.dispose()


def make(session, **kw):
    values = dict(
        phone="+254700000001",
        purpose="reminder",
        subject="appointment:1",
        body="Habari",
        expires_at=T0 + timedelta(days=1),
    )
    return create_message(session, **{**values, **kw})


def test_same_key_twice_is_one_message(db):
    with db.session() as s:
        first, created = make(s)
        again, created_again = make(s, body="Habari tena")
    assert created and not created_again and again.id == first.id and again.body == "Habari"
    with db.session() as s:
        _, created_v2 = make(s, version=2)
        assert created_v2 and len(s.scalars(select(OutboundMessage)).all()) == 2
        assert first.idempotency_key == "phone:+254700000001|reminder|appointment:1|v1"


def test_moves_are_conditional_and_final_states_hold(db):
    with db.session() as s:
        message, _ = make(s)
    with db.session() as s:
        assert transition(s, [message.id], "queued", "due") == [message.id]
        assert transition(s, [message.id], "queued", "again") == []  # already queued
        assert transition(s, [message.id], "sending", "claimed") == [message.id]
        assert transition(s, [message.id], "sent", "accepted", provider_message_id="ATXid_1") == [message.id]
        assert transition(s, [message.id], "delivered", "Success") == [message.id]
        assert transition(s, [message.id], "failed", "late report") == []  # never backwards
        assert transition(s, [message.id], "scheduled", "retry") == []
    with db.session() as s:
        stored = s.get(OutboundMessage, message.id)
        assert (stored.status, stored.provider_message_id) == ("delivered", "ATXid_1")
        assert [(e.status, e.reason) for e in stored.history] == [
            ("scheduled", "created"),
            ("queued", "due"),
            ("sending", "claimed"),
            ("sent", "accepted"),
            ("delivered", "Success"),
        ]
