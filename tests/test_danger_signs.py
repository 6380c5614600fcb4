"""A danger sign in a client's SMS, end to end (issue 20), on both databases: the webhook stores
it, the handler reads it, an urgent task stands first on her Mentor Mother's list and her
facility supervisor's (pages and API), the client gets one reply telling her to go now, and
/metrics counts it. Nobody else sees it."""

from __future__ import annotations

from itertools import count

import pytest
from sqlalchemy import select

from sms_service.inbound.route import handle_inbound_sms
from sms_service.models import FollowUpTask, InboundMessage, OutboundMessage
from tests.support.logins import log_in
from tests.support.people import two_mentor_mothers

TOKEN = "danger-token"
AMINA, CHAUSIKU = "+254700000001", "+254700000003"  # two_mentor_mothers': Zawadi's and Imani's
ids = count(1)


@pytest.fixture
def app(make_app):
    return make_app(WEBHOOK_TOKEN=TOKEN, METRICS_TOKEN="m" * 16)


@pytest.fixture
def people(services):
    return two_mentor_mothers(services)


def sms_in(app, services, phone, text, provider_id=None):
    provider_id = provider_id or f"ATXdanger_{next(ids)}"
    form = {"id": provider_id, "from": phone, "to": "12345", "text": text, "date": "2026-12-01 10:00:00"}
    assert app.test_client().post(f"/webhooks/sms?token={TOKEN}", data=form).status_code == 200
    with services.db.session() as s:
        inbound = s.scalar(select(InboundMessage).where(InboundMessage.provider_id == provider_id))
    handle_inbound_sms(services, inbound.id)
    return provider_id


def api_tasks(app, token):
    answer = app.test_client().get("/api/v1/tasks", headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 200
    return answer.get_json()["items"]


def test_a_danger_sign_is_urgent_at_once_for_her_mentor_mother_and_supervisor(app, services, people):
    provider = sms_in(app, services, AMINA, "Tafadhali nisaidie, natoka damu nyingi")
    sms_in(app, services, AMINA, "Tafadhali nisaidie, natoka damu nyingi", provider_id=provider)  # AT replays it
    with services.db.session() as s:
        urgent = s.scalars(select(FollowUpTask).where(FollowUpTask.priority == "urgent")).all()
        assert [(t.kind, t.status) for t in urgent] == [("danger_sign", "open")]
        assert "heavy bleeding" in urgent[0].note
        replies = s.scalars(
            select(OutboundMessage).where(OutboundMessage.phone == AMINA, OutboundMessage.purpose == "reply")
        ).all()
    # one reply, in her language, with her clinic's phone, discreet
    assert len(replies) == 1 and replies[0].template == "reply.danger"
    assert "kituo cha afya" in replies[0].body and "+254700000800" in replies[0].body
    # first on the lists of her Mentor Mother and of her facility's supervisor; not on another's
    for who in ("zawadi", "mwangaza", "admin"):
        first = api_tasks(app, people.tokens[who])[0]
        assert (first["kind"], first["priority"], first["first_name"]) == ("danger_sign", "urgent", "Amina"), who
    assert all(t["priority"] == "normal" for t in api_tasks(app, people.tokens["imani"]))
    client = app.test_client()
    log_in(client, "zawadi")
    page = client.get("/tasks").get_data(as_text=True)
    assert page.index("DHARURA") < page.index("Amekosa miadi")  # urgent before the missed visit
    metrics = app.test_client().get("/metrics", headers={"Authorization": "Bearer " + "m" * 16}).get_data(as_text=True)
    assert "sms_urgent_tasks_open 1.0" in metrics


def test_a_calm_message_stays_an_ordinary_task(app, services, people):
    sms_in(app, services, CHAUSIKU, "asante, nimefika kliniki")
    with services.db.session() as s:
        tasks = s.scalars(select(FollowUpTask).where(FollowUpTask.kind == "free_text")).all()
        assert [t.priority for t in tasks] == ["normal"]
        assert s.scalar(select(FollowUpTask).where(FollowUpTask.priority == "urgent")) is None
