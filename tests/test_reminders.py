"""Visit reminders with a controllable clock: the plan for each kind, past reminders skipped,
quiet hours, reschedule / cancel / move, confirmation by SMS, missed → defaulted → lost, two
schedulers at once, generated visits, and the commands and API that record outcomes."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from sms_service.api.auth import issue
from sms_service.bootstrap import get_services
from sms_service.models import (
    Appointment,
    Client,
    FollowUpTask,
    Infant,
    MessageStatusEvent,
    OutboundMessage,
)
from sms_service.outbound.dispatch import DUE_BATCH, claim_due, enqueue_due
from sms_service.outbound.messages import transition
from sms_service.reminders import visits
from sms_service.reminders.generate import generate_visits
from sms_service.reminders.planner import plan_pending
from tests.support.programme import small_programme

NAIROBI = ZoneInfo("Africa/Nairobi")
NOW = datetime(2026, 12, 1, 6, 0, tzinfo=UTC)  # Tuesday 09:00 in Nairobi
TODAY = date(2026, 12, 1)


def local(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=NAIROBI).astimezone(UTC)


@pytest.fixture
def amina(services):
    """Amina (Kiswahili) at Mwangaza, on Zawadi's list; her baby Neema."""
    with services.db.session() as s:
        p = small_programme(s)
        client = p.client("Amina", "+254700000001")
        s.add(Infant(client=client, first_name="Neema", dob=date(2026, 6, 1)))  # six months old
        return client.id


def visit(services, client_id, day, kind="anc", at=None, facility=None, infant=False) -> int:
    with services.db.session() as s:
        client = s.get(Client, client_id)
        appointment = Appointment(
            client_id=client_id,
            date=day,
            time=at,
            kind=kind,
            facility_id=facility or client.facility_id,
            infant_id=client.infants[0].id if infant else None,
        )
        s.add(appointment)
        s.flush()
        return appointment.id


def reminders(services, appointment_id=None, status=None):
    with services.db.session() as s:
        query = select(OutboundMessage).where(OutboundMessage.purpose.in_(("reminder", "missed_visit")))
        if appointment_id is not None:
            query = query.where(OutboundMessage.subject == f"appointment:{appointment_id}")
        if status is not None:
            query = query.where(OutboundMessage.status == status)
        return s.scalars(query.order_by(OutboundMessage.not_before)).all()


def plan(services, now=NOW):
    with services.db.session() as s:
        return plan_pending(s, now, services.config)


@pytest.mark.parametrize("kind", ["anc", "pnc", "immunisation", "refill", "other", "infant_test"])
def test_each_kind_gets_t3_and_t1_at_nine_never_after_the_visit(services, amina, kind):
    for_baby = kind in ("pnc", "immunisation", "infant_test")
    aid = visit(services, amina, TODAY + timedelta(days=10), kind, at=time(10, 30), infant=for_baby)
    assert plan(services) == 2
    planned = reminders(services, aid)
    assert [m.not_before for m in planned] == [local(TODAY + timedelta(days=7), 9), local(TODAY + timedelta(days=9), 9)]
    assert all(m.expires_at == local(TODAY + timedelta(days=10), 10, 30) for m in planned)
    assert all(m.queue == "bulk" and m.version == 1 and m.status == "scheduled" for m in planned)
    body = planned[0].body
    assert ("Neema" in body) is for_baby and "Amina" in body and "Mwangaza" in body
    assert plan(services) == 0  # planned once


def test_visits_that_need_planning_get_t7_too(services, amina):
    with services.db.session() as s:
        tumaini = s.scalar(select(Client)).mentor_mother.facility_id + 1  # Tumaini: not her clinic
        s.scalar(select(Infant)).dob = date(2025, 6, 1)  # Neema will be 18 months old
    at_new_clinic = visit(services, amina, TODAY + timedelta(days=20), facility=tumaini)
    eighteen_months = visit(services, amina, date(2026, 12, 20), "infant_test", infant=True)  # Neema, 18 months
    six_months_test = visit(services, amina, date(2026, 12, 21), "pnc", infant=True)
    plan(services)
    assert len(reminders(services, at_new_clinic)) == 3 and len(reminders(services, eighteen_months)) == 3
    assert len(reminders(services, six_months_test)) == 2


def test_days_per_kind_are_configurable(make_app, amina):
    services = get_services(make_app(REMINDER_DAYS_BY_KIND="refill=1", REMINDER_TIME="08:30"))
    aid = visit(services, amina, TODAY + timedelta(days=10), "refill")
    plan(services)
    assert [m.not_before for m in reminders(services, aid)] == [local(TODAY + timedelta(days=9), 8, 30)]


def test_a_reminder_whose_time_has_passed_is_skipped_not_sent_late(services, amina):
    tomorrow = visit(services, amina, TODAY + timedelta(days=1))
    in_two_days = visit(services, amina, TODAY + timedelta(days=2), "pnc")
    today_noon = visit(services, amina, TODAY, "refill", at=time(12))
    plan(services, NOW + timedelta(minutes=1))  # 09:01: T-1 of tomorrow's visit is 09:00 today
    assert reminders(services, tomorrow) == [] and reminders(services, today_noon) == []
    assert [m.not_before for m in reminders(services, in_two_days)] == [local(TODAY + timedelta(days=1), 9)]


def test_quiet_hours_move_a_reminder_into_the_window_or_drop_it(make_app, amina):
    services = get_services(make_app(REMINDER_TIME="20:00"))
    aid = visit(services, amina, TODAY + timedelta(days=10), at=time(8, 0))
    plan(services)
    # 20:00 is quiet: T-3 goes at 07:00 the next morning; T-1's morning would be the visit's day,
    # at 07:00, before the 08:00 visit: still in time
    assert [m.not_before for m in reminders(services, aid)] == [
        local(TODAY + timedelta(days=8), 7),
        local(TODAY + timedelta(days=10), 7),
    ]
    early = visit(services, amina, TODAY + timedelta(days=12), "pnc", at=time(7, 0))
    plan(services)
    assert [m.not_before for m in reminders(services, early)] == [local(TODAY + timedelta(days=10), 7)]


def test_reschedule_supersedes_cancel_removes(services, amina):
    aid = visit(services, amina, TODAY + timedelta(days=10))
    plan(services)
    with services.db.session() as s:
        visits.reschedule(s, s.get(Appointment, aid), TODAY + timedelta(days=14), time(11), NOW, services.config)
    superseded, renewed = reminders(services, aid, "cancelled"), reminders(services, aid, "scheduled")
    assert [m.version for m in superseded] == [1, 1] and [m.version for m in renewed] == [2, 2]
    assert renewed[0].not_before == local(TODAY + timedelta(days=11), 9) and "11:00" in renewed[0].body
    with services.db.session() as s:
        assert visits.cancel(s, s.get(Appointment, aid), NOW, services.config)
        assert not visits.cancel(s, s.get(Appointment, aid), NOW, services.config)
    assert reminders(services, aid, "scheduled") == []
    with services.db.session() as s, pytest.raises(visits.VisitRefused):
        visits.reschedule(s, s.get(Appointment, aid), TODAY + timedelta(days=20), None, NOW, services.config)


def test_stopping_messages_plans_nothing_more_and_starting_again_plans_what_is_ahead(services, amina):
    from sms_service.life_events import renewal
    from sms_service.outbound import consent

    with services.db.session() as s:
        consent.opt_out(s, "+254700000001", "sms_keyword", now=NOW)
    aid = visit(services, amina, TODAY + timedelta(days=10))
    assert plan(services) == 0
    with services.db.session() as s:
        renewal.opt_back_in(s, "+254700000001", "sms_keyword", now=NOW, config=services.config)
    assert plan(services) == 2 and len(reminders(services, aid, "scheduled")) == 2


def test_yes_to_a_reminder_confirms_the_visit(make_app, amina):
    from sms_service.inbound.route import handle_inbound_sms
    from sms_service.models import InboundMessage

    app = make_app(WEBHOOK_TOKEN="t")
    services = get_services(app)
    aid = visit(services, amina, date.today() + timedelta(days=10))
    plan(services, datetime.now(UTC))
    first = reminders(services, aid)[0]
    with services.db.session() as s:
        for step in ("queued", "sending", "sent"):
            transition(s, [first.id], step, "test")
    assert (
        app.test_client()
        .post("/webhooks/sms?token=t", data={"id": "ATXin_r1", "from": "+254700000001", "to": "123", "text": "ndio"})
        .status_code
        == 200
    )
    with services.db.session() as s:
        handle_inbound_sms(services, s.scalar(select(InboundMessage.id)))
    with services.db.session() as s:
        assert s.get(Appointment, aid).confirmed_at is not None


def test_missed_then_defaulted_then_lost_and_attendance_recorded_late(services, amina):
    aid = visit(services, amina, TODAY, at=time(10))
    other = visit(services, amina, TODAY, "pnc", infant=True)

    def after(days, hour=0):
        with services.db.session() as s:
            return visits.after_visits(s, local(TODAY + timedelta(days=days), hour), services.config)

    assert after(0, 23) == {"missed": 0, "defaulted": 0, "lost": 0}
    assert after(1) == {"missed": 2, "defaulted": 0, "lost": 0}
    assert after(1) == {"missed": 0, "defaulted": 0, "lost": 0}  # a second scheduler: nothing twice
    missed = reminders(services, aid, "scheduled")
    assert [(m.purpose, m.not_before) for m in missed] == [("missed_visit", local(TODAY + timedelta(days=1), 10))]
    assert missed[0].expires_at == local(TODAY + timedelta(days=7), 0)
    with services.db.session() as s:
        assert s.scalar(select(func.count()).select_from(FollowUpTask).where(FollowUpTask.kind == "missed_visit")) == 2
        # the clinic records at 09:00 the next day that she came after all: the missed message is not sent
        assert visits.attended(s, s.get(Appointment, other), local(TODAY + timedelta(days=1), 9), services.config)
    assert reminders(services, other, "scheduled") == []
    with services.db.session() as s:
        assert s.scalar(select(FollowUpTask.status).where(FollowUpTask.subject == f"appointment:{other}")) == "done"
    assert after(6)["defaulted"] == 0 and after(7)["defaulted"] == 1
    assert after(29)["lost"] == 0 and after(30)["lost"] == 1
    with services.db.session() as s:
        assert s.get(Appointment, aid).status == "lost" and s.get(Appointment, other).status == "attended"
        assert (
            s.scalar(
                select(func.count())
                .select_from(FollowUpTask)
                .where(FollowUpTask.kind.in_(("visit_defaulted", "visit_lost")))
            )
            == 0
        )  # the missed-visit task is still open


def test_two_schedulers_at_once_never_enqueue_a_message_twice(services, amina):
    aid = visit(services, amina, TODAY + timedelta(days=30))
    plan(services)
    template = reminders(services, aid)[0]
    from sms_service.outbound.messages import create_messages

    with services.db.session() as s:
        create_messages(
            s,
            [
                {
                    "phone": f"+2547000{i:05d}",
                    "purpose": "reminder",
                    "subject": f"bench:{i}",
                    "body": "Habari",
                    "not_before": NOW - timedelta(minutes=1),
                    "expires_at": template.expires_at,
                }
                for i in range(3000)
            ],
        )
    claimed, errors = [], []

    def scheduler():
        try:
            claimed.append(enqueue_due(get_services_copy(services), NOW))
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=scheduler) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors and sum(claimed) == 3000
    with services.db.session() as s:
        queued_events = s.execute(
            select(MessageStatusEvent.message_id, func.count())
            .where(MessageStatusEvent.status == "queued")
            .group_by(MessageStatusEvent.message_id)
        ).all()
        assert len(queued_events) == 3000 and {n for _, n in queued_events} == {1}
        assert claim_due(s, NOW, DUE_BATCH) == []


def get_services_copy(services):
    """A second scheduler: its own engine and connections on the same database and Redis."""
    from sms_service.bootstrap import Services

    return Services.from_config(services.config)


def test_generated_visits_give_way_to_the_clinics_date(services, amina):
    with services.db.session() as s:
        client = s.get(Client, amina)
        client.stage, client.edd = "pregnant", date(2027, 3, 1)
        s.query(Infant).delete()
    with services.db.session() as s:
        assert generate_visits(s, TODAY, NOW, services.config)["generated"] == 5  # contacts from 26 weeks on
        assert generate_visits(s, TODAY, NOW, services.config)["generated"] == 0
    labels = lambda s: sorted(
        a.label
        for a in s.scalars(
            select(Appointment).where(Appointment.source == "generated", Appointment.status == "scheduled")
        )
    )
    with services.db.session() as s:
        assert labels(s) == ["anc-4", "anc-5", "anc-6", "anc-7", "anc-8"]
        anc4 = s.scalar(select(Appointment).where(Appointment.label == "anc-4"))
        assert anc4.date == date(2027, 3, 1) - timedelta(days=280) + timedelta(weeks=30)
        s.add(
            Appointment(client_id=amina, date=anc4.date + timedelta(days=2), kind="anc", facility_id=anc4.facility_id)
        )  # the clinic books that contact itself
    plan(services)
    with services.db.session() as s:
        assert generate_visits(s, TODAY, NOW, services.config)["replaced"] == 1
        assert labels(s) == ["anc-5", "anc-6", "anc-7", "anc-8"]
    assert {m.status for m in reminders(services, anc4.id)} == {"cancelled"}


def test_import_plans_reminders_and_a_changed_visit_is_a_new_revision(services, amina, runner, tmp_path):
    day = (date.today() + timedelta(days=10)).isoformat()
    csv = tmp_path / "appointments.csv"
    csv.write_text(f"client_id,date,time,kind\nC-Amina,{day},09:00,anc\n")
    result = runner.invoke(args=["import", "appointments", str(csv)])
    assert result.exit_code == 0 and "2 visit reminder(s) planned" in result.output
    csv.write_text(f"client_id,date,time,kind\nC-Amina,{day},14:00,anc\n")
    assert "2 visit reminder(s) planned" in runner.invoke(args=["import", "appointments", str(csv)]).output
    with services.db.session() as s:
        assert s.scalar(select(Appointment.revision)) == 2
    assert [m.version for m in reminders(services, status="scheduled")] == [2, 2]
    outcomes = tmp_path / "outcomes.csv"
    outcomes.write_text(f"client_id,date,outcome,new_date\nC-Amina,{day},attended,\nC-Nobody,{day},attended,\n")
    result = runner.invoke(args=["appointments", "record", str(outcomes)])
    assert result.exit_code == 1 and "1 recorded" in result.output and "line 3" in result.output
    assert reminders(services, status="scheduled") == []


def test_api_records_visits_within_the_callers_scope(services, amina, client):
    aid = visit(services, amina, TODAY + timedelta(days=10))
    with services.db.session() as s:
        admin = issue(s, "admin", "admin")
        stranger = issue(s, "other clinic", "supervisor", facility_id=s.get(Client, amina).facility_id + 1)
    auth = {"Authorization": f"Bearer {admin}"}
    listed = client.get("/api/v1/appointments?client_id=C-Amina", headers=auth).json["items"]
    assert [a["id"] for a in listed] == [aid]
    assert (
        client.post(f"/api/v1/appointments/{aid}/attended", headers={"Authorization": f"Bearer {stranger}"}).status_code
        == 404
    )
    moved = client.post(f"/api/v1/appointments/{aid}/reschedule", headers=auth, json={"date": "2026-12-20"})
    assert moved.status_code == 200 and moved.json["date"] == "2026-12-20"
    assert client.post(f"/api/v1/appointments/{aid}/attended", headers=auth).json["status"] == "attended"
    refused = client.post(f"/api/v1/appointments/{aid}/cancel", headers=auth)
    assert refused.status_code == 200 and refused.json["recorded"] is False


def test_planning_a_visit_again_makes_nothing_twice(services, amina):
    aid = visit(services, amina, TODAY + timedelta(days=10))
    assert plan(services) == 2
    with services.db.session() as s:
        s.get(Appointment, aid).planned = False  # e.g. she started messages again: planned once more
    assert plan(services) == 0 and len(reminders(services, aid, "scheduled")) == 2


def test_what_the_visits_step_did_is_told_in_plain_words(services, amina):
    # the scheduler's log said "{<VisitStatus.LOST: 'lost'>: 0, …}" (seen in `sms-service run`)
    with services.db.session() as s:
        done = visits.after_visits(s, local(TODAY, 12), services.config)
    assert repr(done) == "{'lost': 0, 'defaulted': 0, 'missed': 0}"
