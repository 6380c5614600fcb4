"""Answering a client (issue 20, SPEC "Conversations"), by the API, on both databases: one SMS
for an answer whatever is retried, checked like a broadcast, never to a client the caller may
not see, to an opted-out client only if she wrote in the last 7 days; the task is closed."""

from __future__ import annotations

from datetime import timedelta
from itertools import count

import pytest
from sqlalchemy import select, update

from sms_service.db import utcnow
from sms_service.inbound.route import handle_inbound_sms
from sms_service.models import AuditEntry, Client, FollowUpTask, InboundMessage, OutboundMessage
from tests.support.people import two_mentor_mothers

TOKEN = "answer-token"
AMINA = "+254700000001"  # Zawadi's client in two_mentor_mothers
ids = count(1)


@pytest.fixture
def app(make_app):
    return make_app(WEBHOOK_TOKEN=TOKEN)


@pytest.fixture
def people(services):
    return two_mentor_mothers(services)


def sms_in(app, services, phone, text):
    provider_id = f"ATXanswer_{next(ids)}"
    form = {"id": provider_id, "from": phone, "to": "12345", "text": text, "date": "2026-12-01 10:00:00"}
    assert app.test_client().post(f"/webhooks/sms?token={TOKEN}", data=form).status_code == 200
    with services.db.session() as s:
        inbound = s.scalar(select(InboundMessage).where(InboundMessage.provider_id == provider_id))
    handle_inbound_sms(services, inbound.id)


def post(app, token, client_id, body):
    return app.test_client().post(
        f"/api/v1/clients/{client_id}/messages", json=body, headers={"Authorization": f"Bearer {token}"}
    )


def answers(services) -> list[str]:
    with services.db.session() as s:
        return list(
            s.scalars(
                select(OutboundMessage.body).where(
                    OutboundMessage.phone == AMINA, OutboundMessage.subject.like("answer:%")
                )
            )
        )


def test_an_answer_is_one_sms_whatever_is_retried_and_closes_her_task(app, services, people):
    sms_in(app, services, AMINA, "Hi, I lost my clinic book, what do I do?")
    with services.db.session() as s:
        task = s.scalar(select(FollowUpTask).where(FollowUpTask.kind == "free_text", FollowUpTask.status == "open"))
    body = {"text": "Come to the clinic on Monday, we will give you a new book.", "task_id": task.id}
    first = post(app, people.tokens["zawadi"], "C-Amina", body)
    assert first.status_code == 201, first.get_json()
    again = post(app, people.tokens["zawadi"], "C-Amina", body)  # a double click, a retried request
    assert again.status_code == 200 and again.get_json()["id"] == first.get_json()["id"]
    assert answers(services) == [body["text"]]
    with services.db.session() as s:
        closed = s.get(FollowUpTask, task.id)
        assert closed.status == "done" and closed.outcome == "answered" and closed.closed_at
        assert closed.closed_by == "mentor_mother:" + str(closed.mentor_mother_id)
        assert s.scalar(select(AuditEntry).where(AuditEntry.action == "client.answer")) is not None
    # another answer, other words: a second SMS
    assert post(app, people.tokens["zawadi"], "C-Amina", {"text": "Bring your card too."}).status_code == 201
    assert len(answers(services)) == 2


@pytest.mark.parametrize(
    ("text", "status", "named"),
    [
        ("Your ARV refill is ready", 400, "ARV"),
        ("Come on “Monday”", 400, "plain text offered"),
        ("word " * 120, 400, "at most 3"),
        ("   ", 400, "text"),
    ],
)
def test_a_bad_answer_is_refused_with_its_reason_and_nothing_is_sent(app, services, people, text, status, named):
    answer = post(app, people.tokens["zawadi"], "C-Amina", {"text": text})
    assert answer.status_code == status and named in str(answer.get_json()), answer.get_json()
    assert answers(services) == []


def test_nobody_answers_a_client_she_may_not_see(app, services, people):
    assert post(app, people.tokens["imani"], "C-Amina", {"text": "Hello"}).status_code == 404
    assert answers(services) == []


def test_an_opted_out_client_is_answered_only_if_she_wrote_in_the_last_7_days(app, services, people):
    sms_in(app, services, AMINA, "please call me about my visit")
    with services.db.session() as s:
        s.execute(update(Client).where(Client.phone == AMINA).values(opted_out_at=utcnow()))
    assert post(app, people.tokens["zawadi"], "C-Amina", {"text": "I will call you at noon."}).status_code == 201
    with services.db.session() as s:  # her SMS a month old
        s.execute(update(InboundMessage).values(received_at=utcnow() - timedelta(days=30)))
    refused = post(app, people.tokens["zawadi"], "C-Amina", {"text": "Are you well?"})
    assert refused.status_code == 409 and "last 7 days" in str(refused.get_json())
    assert answers(services) == ["I will call you at noon."]
