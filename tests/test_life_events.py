"""Life events (SPEC "Life events"): what has really happened to her decides every message.

The reports that started it, each reproduced first: START lost her reminders; a transfer
outcome `died` changed nothing but the transfer; a visit imported after its date was marked
missed at once and she was texted "we missed you"."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from itertools import count
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from sms_service.api.auth import issue
from sms_service.importing import import_csv
from sms_service.inbound import handle_inbound_sms
from sms_service.models import Appointment, Client, FollowUpTask, InboundMessage, OutboundMessage, Transfer
from sms_service.reminders.planner import plan_pending
from sms_service.reminders.visits import after_visits
from tests.support.programme import small_programme

NAIROBI = ZoneInfo("Africa/Nairobi")
NOW = datetime(2026, 12, 1, 6, 0, tzinfo=timezone.utc)  # Tuesday 09:00 in Nairobi
TODAY = date(2026, 12, 1)
AMINA = "+254700000001"
TOKEN = "life-token"
SMS_IDS = count(1)


@pytest.fixture
def app(make_app):
    return make_app(WEBHOOK_TOKEN=TOKEN)


@pytest.fixture
def amina(services):
    """Amina (Kiswahili) at Mwangaza, on Zawadi's list, with a visit in ten days."""
    with services.db.session() as s:
        p = small_programme(s)
        client = p.client("Amina", AMINA)
        s.add(Appointment(client=client, facility=p.mwangaza, date=TODAY + timedelta(days=10), kind="anc"))
        s.flush()
        return client.id


def plan(services, now=NOW):
    with services.db.session() as s:
        return plan_pending(s, now, services.config)


def waiting_reminders(services, client_id):
    with services.db.session() as s:
        return s.scalars(select(OutboundMessage).where(
            OutboundMessage.client_id == client_id, OutboundMessage.purpose == "reminder",
            OutboundMessage.status.in_(("scheduled", "queued")))).all()


def sms_in(app, services, phone, text, now=NOW):
    provider_id = f"ATXin_life_{next(SMS_IDS)}"
    assert app.test_client().post(f"/webhooks/sms?token={TOKEN}", data={
        "id": provider_id, "from": phone, "to": "12345", "text": text}).status_code == 200
    with services.db.session() as s:
        inbound = s.scalar(select(InboundMessage.id).where(InboundMessage.provider_id == provider_id))
    return handle_inbound_sms(services, inbound, now)


# -- the reports, reproduced ---------------------------------------------------------------------

@pytest.mark.parametrize("stop, start", [("STOP", "START"), ("ACHA", "ANZA")])
def test_stop_then_start_makes_her_coming_reminders_again(app, services, amina, stop, start):
    assert plan(services) == 2
    sms_in(app, services, AMINA, stop)
    assert waiting_reminders(services, amina) == []
    sms_in(app, services, AMINA, start, NOW + timedelta(hours=1))
    plan(services, NOW + timedelta(hours=1))
    again = waiting_reminders(services, amina)
    assert len(again) == 2 and all(m.phone == AMINA for m in again)


def test_a_transfer_outcome_died_ends_everything_sent_to_her(app, services, amina):
    plan(services)
    with services.db.session() as s:
        client = s.get(Client, amina)
        transfer = Transfer(client_id=amina, from_facility_id=client.facility_id,
                            to_facility_id=client.facility_id + 1, effective_date=TODAY + timedelta(days=5),
                            status="notified")
        s.add(transfer)
        s.flush()
        transfer_id, token = transfer.id, issue(s, "admin", "admin")
    answer = app.test_client().post(f"/api/v1/transfers/{transfer_id}/outcome", json={"outcome": "died"},
                                    headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 200
    with services.db.session() as s:
        assert s.get(Client, amina).status == "inactive"
        assert s.scalar(select(Appointment.status).where(Appointment.client_id == amina)) == "cancelled"
    assert waiting_reminders(services, amina) == []


def test_a_visit_imported_after_its_date_is_history(services, amina, tmp_path):
    book = tmp_path / "appointments.csv"
    book.write_text("client_id,date,kind\n"
                    f"C-Amina,{(TODAY - timedelta(days=9)).isoformat()},anc\n"  # last week: she may well have come
                    f"C-Amina,{(TODAY - timedelta(days=2)).isoformat()},refill\n"
                    f"C-Amina,{(TODAY + timedelta(days=20)).isoformat()},refill\n")
    with services.db.session() as s:
        report = import_csv(s, "appointments", book)
        assert report.created == 3
    for day in range(0, 40):
        now = NOW + timedelta(days=day)
        with services.db.session() as s:
            plan_pending(s, now, services.config)
            after_visits(s, now, services.config)
    with services.db.session() as s:
        past = s.scalars(select(Appointment).where(Appointment.client_id == amina,
                                                   Appointment.date < TODAY)).all()
        assert {a.status for a in past} == {"history"}
        about_past = [f"appointment:{a.id}" for a in past]
        assert s.scalars(select(OutboundMessage).where(OutboundMessage.subject.in_(about_past))).all() == []
        assert s.scalars(select(FollowUpTask).where(FollowUpTask.subject.in_(about_past))).all() == []
