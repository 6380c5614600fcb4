"""Delivery reports and opt-out notices over HTTP, as Africa's Talking sends them."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from sms_service.bootstrap import get_services
from sms_service.models import Client, ConsentEvent, DeliveryReport, Facility, OutboundMessage
from sms_service.outbound.delivery import apply_stored_reports
from sms_service.outbound.messages import create_message, transition

TOKEN = "test-webhook-token"
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def app(make_app):
    return make_app(WEBHOOK_TOKEN=TOKEN)


def post(client, path, token=TOKEN, **form):
    """POST as AT does; for a delivery report, then run what the woken job runs."""
    answer = client.post(f"/webhooks{path}" + (f"?token={token}" if token is not None else ""), data=form)
    if path == "/sms/delivery" and answer.status_code == 200:
        apply_stored_reports(get_services(client.application))
    return answer


def sent_message(services, provider_id="ATXid_1", phone="+254700000001", status="sent"):
    with services.db.session() as s:
        facility = Facility(code="F1", name="Mwangaza")
        client = Client(external_id="C1", first_name="Amina", phone=phone, facility=facility)
        s.add(client)
        s.flush()
        message, _ = create_message(
            s,
            phone=phone,
            client_id=client.id,
            purpose="reminder",
            subject="v1",
            body="Habari",
            not_before=NOW,
            expires_at=NOW + timedelta(days=1),
        )
        for step in ("queued", "sending", status):
            transition(s, [message.id], step, "test", now=NOW)
        if provider_id:
            message.provider_message_id = provider_id
    return message.id


def status_of(services, message_id):
    with services.db.session() as s:
        return s.get(OutboundMessage, message_id).status


@pytest.mark.parametrize("token", [None, "wrong", ""], ids=["missing", "wrong", "empty"])
def test_callers_without_the_token_get_403_and_nothing_else(client, token):
    answer = post(client, "/sms/delivery", token=token, id="ATXid_1", status="Success")
    assert answer.status_code == 403 and TOKEN not in answer.get_data(as_text=True)


def test_missing_field_is_a_400_naming_it(client):
    answer = post(client, "/sms/delivery", status="Success")
    assert answer.status_code == 400 and answer.json == {"error": "missing or malformed field: id"}


REPORT_SEQUENCES = [
    ("in order", [("Sent", ""), ("Buffered", ""), ("Success", "")], "delivered"),
    ("duplicates", [("Success", ""), ("Success", ""), ("Success", "")], "delivered"),
    ("late in-flight after final", [("Success", ""), ("Buffered", ""), ("Sent", "")], "delivered"),
    ("failure", [("Sent", ""), ("Failed", "UserDoesNotExist")], "failed"),
    ("failure then late success stays failed", [("Rejected", "DeliveryFailure"), ("Success", "")], "failed"),
    ("absent subscriber is not final", [("AbsentSubscriber", "")], "sent"),
    ("unknown status kept, harmless", [("Teleported", "")], "sent"),
]


@pytest.mark.parametrize("label, reports, final", REPORT_SEQUENCES, ids=[c[0] for c in REPORT_SEQUENCES])
def test_report_sequences_end_in_the_right_state(client, services, label, reports, final):
    message_id = sent_message(services)
    for status, reason in reports:
        assert (
            post(
                client, "/sms/delivery", id="ATXid_1", status=status, failureReason=reason, phoneNumber="+254700000001"
            ).status_code
            == 200
        )
    assert status_of(services, message_id) == final


def test_report_before_the_message_id_is_stored_is_applied_later(client, services):
    assert post(client, "/sms/delivery", id="ATXid_early", status="Success").status_code == 200
    message_id = sent_message(services, provider_id=None, status="sending")
    from sms_service.outbound.sending import Sender
    from tests.support.fake_gateway import FakeGateway

    with services.db.session() as s:  # the worker stores the id the provider gave
        Sender(services, FakeGateway())._mark_sent(s, [{"mid": message_id, "pid": "ATXid_early", "cost": None}], NOW)
    assert status_of(services, message_id) == "delivered"


def test_blacklist_report_is_an_opt_out(client, services):
    message_id = sent_message(services)
    post(
        client,
        "/sms/delivery",
        id="ATXid_1",
        status="Failed",
        failureReason="UserInBlackList",
        phoneNumber="+254700000001",
    )
    with services.db.session() as s:
        assert s.get(OutboundMessage, message_id).failure_reason == "opted_out"
        assert s.scalar(select(Client.opted_out_at)) is not None
        assert [(e.kind, e.source) for e in s.scalars(select(ConsentEvent))] == [("opt_out", "delivery_report")]


def test_bulk_opt_out_notice_stops_waiting_messages(client, services):
    with services.db.session() as s:
        facility = Facility(code="F1", name="Mwangaza")
        client_row = Client(external_id="C1", first_name="Amina", phone="+254700000001", facility=facility)
        s.add(client_row)
        s.flush()
        waiting, _ = create_message(
            s,
            phone="+254700000001",
            client_id=client_row.id,
            purpose="broadcast",
            subject="b1",
            body="x",
            not_before=NOW,
            expires_at=NOW + timedelta(days=1),
        )
    assert post(client, "/sms/optout", senderId="MYCLINIC", phoneNumber="+254700000001").status_code == 200
    assert status_of(services, waiting.id) == "suppressed"
    # a number we cannot use: nothing to stop, and a 200 (anything else, AT posts it again for hours)
    assert post(client, "/sms/optout", senderId="MYCLINIC", phoneNumber="nonsense").status_code == 200


def test_unknown_report_id_is_kept(client, services):
    post(client, "/sms/delivery", id="ATXid_nobody", status="Success")
    with services.db.session() as s:
        report = s.scalars(select(DeliveryReport)).one()
        assert (report.status, report.applied_at) == ("delivered", None)


def test_a_burst_of_reports_wakes_one_job_and_repeats_are_kept_once(client, services):
    from rq import Queue

    sent_message(services)
    for status in ("Sent", "Sent", "Buffered", "Success", "Success"):
        client.post(f"/webhooks/sms/delivery?token={TOKEN}", data={"id": "ATXid_1", "status": status})
    services.nudger.flush()
    assert Queue("default", connection=services.redis).count == 1  # one wake-up for the burst
    with services.db.session() as s:
        assert [r.provider_status for r in s.scalars(select(DeliveryReport).order_by(DeliveryReport.id))] == [
            "Sent",
            "Buffered",
            "Success",
        ]
    assert apply_stored_reports(services) == (3, False)
    assert apply_stored_reports(services) == (0, False)


def test_reports_whose_wake_up_was_lost_are_applied_after_the_sweep(client, services, redis_server):
    from rq import Queue

    from sms_service.outbound.dispatch import STALE_REPORTS as STALE_INBOUND
    from sms_service.outbound.dispatch import sweep

    message_id = sent_message(services)
    client.post(f"/webhooks/sms/delivery?token={TOKEN}", data={"id": "ATXid_1", "status": "Success"})
    services.nudger.flush()
    services.redis.flushdb()  # our private Redis: the job is gone
    assert sweep(services, datetime.now(UTC) + STALE_INBOUND + timedelta(seconds=1))["reports"] == 1
    [job] = Queue("default", connection=services.redis).jobs
    assert job.func_name == "workers.jobs.apply_delivery_reports"
    apply_stored_reports(services)
    assert status_of(services, message_id) == "delivered"
