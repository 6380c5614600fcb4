"""A whole site closure, end to end, on the fake Africa's Talking with a controllable clock.

Mwangaza (F1) closes; its clients go to Tumaini (F2), one of them by a mapping to Baraka (F3).
Amina (Kiswahili) and Beatrice (English) get notices; Chausiku has stopped our messages and
Esther's number failed for good before, so their Mentor Mother is asked to tell them; Dorcas
(English) goes to Baraka. Then: the preview, notices once each, delivery reports,
acknowledgements by SMS and USSD, arrivals by USSD, the receiving clinic (API and CSV) and a
Mentor Mother (API), the follow-up ladder through day 30, and a re-run that changes nothing.
"""

from __future__ import annotations

import io
from datetime import UTC, datetime, time, timedelta
from itertools import count

import pytest
from sqlalchemy import func, select

from sms_service.api.auth import issue
from sms_service.csvio import read_csv
from sms_service.gateway import build_gateway
from sms_service.inbound.route import handle_inbound_sms
from sms_service.models import (
    Appointment,
    Client,
    Facility,
    FollowUpTask,
    InboundMessage,
    MentorMother,
    OutboundMessage,
    Transfer,
    TransferEvent,
)
from sms_service.outbound.delivery import apply_stored_reports
from sms_service.outbound.dispatch import enqueue_due
from sms_service.outbound.messages import create_message
from sms_service.outbound.sending import Sender
from sms_service.texts.discreet import is_discreet
from sms_service.texts.gsm7 import is_gsm7, sms_parts
from sms_service.transfers.closure import close_site
from sms_service.transfers.ladder import follow_up
from sms_service.transfers.outcomes import record_file
from sms_service.webhooks import answer_ussd as respond

TOKEN = "closure-token"
AMINA, BEATRICE, CHAUSIKU, DORCAS, ESTHER, FAITH, MM = (
    "+254700000101",
    "+254700000102",
    "+254700000103",
    "+254700000104",
    "+254700000105",
    "+254700000106",
    "+254700000900",
)
T0 = datetime(2026, 12, 1, 6, 0, tzinfo=UTC)  # 09:00 in Nairobi, inside the send window
EFFECTIVE = datetime(2026, 12, 7).date()
SMS_IDS = count(1)


@pytest.fixture
def app(make_app, fake_at):
    fake_at.accept_all()
    return make_app(
        WEBHOOK_TOKEN=TOKEN,
        USSD_CODE="*384*123#",
        SMS_GATEWAY="africastalking",
        AT_USERNAME="sandbox",
        AT_API_KEY="test-key",
        SECRET_KEY="s" * 32,
        AT_API_URL=fake_at.url,
    )


@pytest.fixture
def programme(services):
    with services.db.session() as s:
        f1 = Facility(code="F1", name="Mwangaza", landmark="the market", hours="Mon-Fri 8-5", phone="+254700000800")
        f2 = Facility(code="F2", name="Tumaini", landmark="the church", hours="Mon-Sat 8-4", phone="+254700000801")
        f3 = Facility(code="F3", name="Baraka", landmark="the bus stage", hours="Mon-Fri 8-4", phone="+254700000802")
        mm = MentorMother(code="MM1", name="Zawadi", phone=MM, facility=f1, language="sw")
        s.add_all([f1, f2, f3, mm])

        def client(name, phone, language, **kw):
            c = Client(
                external_id=f"C-{name}",
                first_name=name,
                phone=phone,
                facility=f1,
                mentor_mother=mm,
                language=language,
                **kw,
            )
            s.add(c)
            s.flush()
            return c

        amina = client("Amina", AMINA, "sw")
        client("Beatrice", BEATRICE, "en")
        client("Chausiku", CHAUSIKU, "sw", opted_out_at=T0 - timedelta(days=30))
        client("Dorcas", DORCAS, "en")
        esther = client("Esther", ESTHER, "sw")
        client("Faith", FAITH, "en", status="inactive")
        before = Appointment(client=amina, facility=f1, date=EFFECTIVE - timedelta(days=2), kind="anc")
        after = Appointment(client=amina, facility=f1, date=EFFECTIVE + timedelta(days=5), time=time(10), kind="anc")
        s.add_all([before, after])
        s.flush()
        # a reminder already waiting for the visit after the closure, naming the closing site
        create_message(
            s,
            phone=AMINA,
            client_id=amina.id,
            purpose="reminder",
            subject=f"appointment:{after.id}",
            body="Habari Amina, ... katika Mwangaza.",
            template="reminder.visit",
            language="sw",
            facility_id=f1.id,
            not_before=T0 + timedelta(days=9),
            expires_at=T0 + timedelta(days=11),
        )
        # Esther's number failed for good before
        dead, _ = create_message(
            s, phone=ESTHER, client_id=esther.id, purpose="reply", subject="old", body="Asante", expires_at=T0
        )
        dead.status, dead.failure_reason = "failed", "invalid_phone_number"
        return {"before": before.id, "after": after.id}


def close(services, now=T0, **kw):
    with services.db.session() as s:
        return close_site(
            s,
            "F1",
            effective=EFFECTIVE,
            to="F2",
            mapping={"C-Dorcas": "F3"},
            now=now,
            config=services.config,
            actor="cli",
            **kw,
        )


def transfer_of(s, name) -> Transfer:
    return s.scalar(select(Transfer).join(Client).where(Client.first_name == name))


def sms_in(app, services, phone, text):
    provider_id = f"ATXin_{next(SMS_IDS)}"
    answer = app.test_client().post(
        f"/webhooks/sms?token={TOKEN}",
        data={"id": provider_id, "from": phone, "to": "12345", "text": text, "date": "2026-12-01 10:00:00"},
    )
    assert answer.status_code == 200
    with services.db.session() as s:
        inbound = s.scalar(select(InboundMessage).where(InboundMessage.provider_id == provider_id))
    return handle_inbound_sms(services, inbound.id)


def send_due(services, at):
    """What the queue workers do: every due message through the SDK adapter to the fake AT."""
    enqueue_due(services, at)
    with services.db.session() as s:
        ids = s.scalars(select(OutboundMessage.id).where(OutboundMessage.status == "queued")).all()
    return Sender(services, build_gateway(services.config)).send(list(ids), at=at)


def report(app, services, provider_id, status, reason=None):
    form = {"id": provider_id, "status": status, "phoneNumber": "+254700000000", "networkCode": "63902"}
    if reason:
        form["failureReason"] = reason
    assert app.test_client().post(f"/webhooks/sms/delivery?token={TOKEN}", data=form).status_code == 200
    apply_stored_reports(services)


def open_tasks(s, kind):
    return sorted(
        s.scalars(
            select(Client.first_name)
            .join(FollowUpTask, FollowUpTask.client_id == Client.id)
            .where(FollowUpTask.kind == kind, FollowUpTask.status == "open")
        ).all()
    )


def test_a_site_closure_from_preview_to_day_30(app, services, programme, fake_at, runner, tmp_path):
    # --- the preview changes nothing --------------------------------------------------------------
    with services.db.session() as s:
        preview = close_site(
            s,
            "F1",
            effective=EFFECTIVE,
            to="F2",
            mapping={"C-Dorcas": "F3"},
            now=T0,
            config=services.config,
            actor="cli",
        )
        s.rollback()
    assert preview.started.per_clinic == {"F2": 4, "F3": 1}
    assert preview.started.notices == 3 and 3 <= preview.started.parts <= 9
    assert preview.started.cost == pytest.approx(preview.started.parts * 0.80)
    assert sorted((c, why) for c, _, why in preview.started.unreachable) == [
        ("C-Chausiku", "she has stopped our messages"),
        ("C-Esther", "the number is not valid"),
    ]
    with services.db.session() as s:
        assert s.scalar(select(func.count()).select_from(Transfer)) == 0
        assert s.scalar(select(Facility.closed_on).where(Facility.code == "F1")) is None

    # --- the closure ---------------------------------------------------------------------------
    done = close(services)
    assert done.started.as_dict() == preview.started.as_dict()
    with services.db.session() as s:
        assert s.scalar(select(Facility.closed_on).where(Facility.code == "F1")) == EFFECTIVE
        transfers = {t.client.first_name: t for t in s.scalars(select(Transfer))}
        assert set(transfers) == {"Amina", "Beatrice", "Chausiku", "Dorcas", "Esther"}  # not Faith (inactive)
        assert {n: t.to_facility.code for n, t in transfers.items()}["Dorcas"] == "F3"
        assert all(t.status == "planned" and t.source == "closure" for t in transfers.values())
        notices = {
            m.client_id: m
            for m in s.scalars(select(OutboundMessage).where(OutboundMessage.purpose == "transfer_notice"))
        }
        assert len(notices) == 3
        for name, language, clinic, landmark in (
            ("Amina", "sw", "Tumaini", "the church"),
            ("Beatrice", "en", "Tumaini", "the church"),
            ("Dorcas", "en", "Baraka", "the bus stage"),
        ):
            body = notices[transfers[name].client_id].body
            assert notices[transfers[name].client_id].language == language
            checklist = [
                name,
                clinic,
                landmark,
                "+25470000080",
                "8-4",  # clinic, landmark, hours, phone
                "7 Dec" if language == "en" else "7 Desemba",  # the date
                *(
                    ("clinic book", "medicines", "YES", "*384*123#")
                    if language == "en"
                    else ("kitabu chako cha kliniki", "dawa", "NDIO", "*384*123#")
                ),  # bring; confirm
                "Zawadi",
                MM,
            ]  # whom to call
            assert all(item in body for item in checklist), (name, body)
            assert "Mwangaza" not in body and is_gsm7(body) and sms_parts(body) <= 3 and is_discreet(body)
        # Amina's visit after the closure moved, its waiting reminder superseded; the one before stays
        assert s.get(Appointment, programme["after"]).facility.code == "F2"
        assert s.get(Appointment, programme["before"]).facility.code == "F1"
        reminders = s.scalars(
            select(OutboundMessage).where(OutboundMessage.purpose == "reminder").order_by(OutboundMessage.version)
        ).all()
        # a visit at a clinic she has not been to needs planning: T-7, T-3 and T-1, naming the new clinic
        assert [(m.version, m.status) for m in reminders] == [(1, "cancelled")] + [(2, "scheduled")] * 3
        assert all("Tumaini" in m.body and "Mwangaza" not in m.body for m in reminders[1:])
        assert sorted(m.not_before.date() for m in reminders[1:]) == [
            EFFECTIVE + timedelta(days=5 - n) for n in (7, 3, 1)
        ]
        assert open_tasks(s, "transfer_no_phone") == ["Chausiku", "Esther"]

    # --- a second run transfers and notifies nobody twice ------------------------------------------
    again = close(services, now=T0 + timedelta(hours=1))
    assert again.already == 5 and again.started.transfers == 0 and again.started.notices == 0
    with services.db.session() as s:
        assert (
            s.scalar(
                select(func.count()).select_from(OutboundMessage).where(OutboundMessage.purpose == "transfer_notice")
            )
            == 3
        )

    # --- sending: each notice once, through the SDK to the fake AT ---------------------------------
    assert send_due(services, T0) == {"accepted": 3}
    sent = {r.recipients[0]: r.form["message"] for r in fake_at.sends()}
    assert set(sent) == {AMINA, BEATRICE, DORCAS}
    assert "Kuanzia" in sent[AMINA] or "kuanzia" in sent[AMINA]
    assert "from" in sent[BEATRICE]
    assert send_due(services, T0 + timedelta(minutes=5)) == {}  # nothing twice
    with services.db.session() as s:
        assert {n: transfer_of(s, n).status for n in ("Amina", "Beatrice", "Dorcas", "Chausiku")} == {
            "Amina": "notified",
            "Beatrice": "notified",
            "Dorcas": "notified",
            "Chausiku": "planned",
        }
        provider = {
            n: s.get(OutboundMessage, transfer_of(s, n).notice_message_id).provider_message_id
            for n in ("Amina", "Beatrice", "Dorcas")
        }

    # --- delivery reports: Beatrice's phone is off: a task at once; it is closed once delivered ------
    report(app, services, provider["Amina"], "Success")
    report(app, services, provider["Dorcas"], "Success")
    report(app, services, provider["Beatrice"], "AbsentSubscriber")
    with services.db.session() as s:
        assert open_tasks(s, "transfer_notice_failed") == ["Beatrice"]

    # --- acknowledgements: Amina by SMS, Dorcas by USSD --------------------------------------------
    [reply] = sms_in(app, services, AMINA, "Ndio")
    ussd = respond(services, {"sessionId": "S1", "phoneNumber": DORCAS, "text": "2*1"}, now=T0 + timedelta(hours=2))
    assert ussd.startswith("END")
    with services.db.session() as s:
        assert s.get(OutboundMessage, reply).body.startswith("Asante Amina")
        amina, dorcas = transfer_of(s, "Amina"), transfer_of(s, "Dorcas")
        assert (amina.status, dorcas.status) == ("acknowledged", "acknowledged")
        causes = {
            t.client.first_name: [
                (e.to_status, e.cause)
                for e in s.scalars(
                    select(TransferEvent).where(TransferEvent.transfer_id == t.id).order_by(TransferEvent.id)
                )
            ]
            for t in (amina, dorcas)
        }
        assert causes["Amina"] == [("planned", "staff"), ("notified", "gateway"), ("acknowledged", "client_sms")]
        assert causes["Dorcas"] == [("planned", "staff"), ("notified", "gateway"), ("acknowledged", "ussd")]

    # --- the ladder, by the clock --------------------------------------------------------------
    def day(n):
        return T0 + timedelta(days=n)

    with services.db.session() as s:
        assert follow_up(s, day(2), services.config) == {"reminders": 0, "unconfirmed": 0, "tracing": 0, "lost": 0}
    with services.db.session() as s:  # day 3: one reminder, to Beatrice (not acknowledged; a notice went)
        assert follow_up(s, day(3), services.config)["reminders"] == 1
    with services.db.session() as s:
        assert follow_up(s, day(3), services.config)["reminders"] == 0  # a second scheduler: nothing twice
        [reminder] = s.scalars(select(OutboundMessage).where(OutboundMessage.purpose == "transfer_follow_up")).all()
        assert reminder.phone == BEATRICE and "Tumaini" in reminder.body
    assert send_due(services, day(3)) == {"accepted": 1}
    report(app, services, provider["Beatrice"], "Success")  # her phone was on again
    with services.db.session() as s:
        assert open_tasks(s, "transfer_notice_failed") == []
        follow_up(s, day(7), services.config)
    with services.db.session() as s:  # day 7: not confirmed, and no other task open about it
        assert open_tasks(s, "transfer_unconfirmed") == ["Beatrice"]

    # arrivals: Amina by USSD (from the effective date), Beatrice by the receiving clinic's API,
    # Chausiku by her Mentor Mother (API), Dorcas by the receiving clinic's CSV
    arrived_screen = respond(
        services,
        {"sessionId": "S2", "phoneNumber": AMINA, "text": "2*2"},
        now=datetime.combine(EFFECTIVE, time(7), UTC),
    )
    assert arrived_screen.startswith("END") and "Tumaini" in arrived_screen
    with services.db.session() as s:
        clinic = issue(
            s, "Tumaini desk", "supervisor", facility_id=s.scalar(select(Facility.id).where(Facility.code == "F2"))
        )
        mentor = issue(s, "Zawadi", "mentor_mother", mentor_mother_id=s.scalar(select(MentorMother.id)))
        beatrice, chausiku = transfer_of(s, "Beatrice").id, transfer_of(s, "Chausiku").id
    http = app.test_client()
    answer = http.post(f"/api/v1/transfers/{beatrice}/arrival", json={}, headers={"Authorization": f"Bearer {clinic}"})
    assert answer.status_code == 200 and answer.json["status"] == "arrived"
    answer = http.post(
        f"/api/v1/transfers/{chausiku}/arrival",
        json={"note": "seen at the clinic"},
        headers={"Authorization": f"Bearer {mentor}"},
    )
    assert answer.status_code == 200 and answer.json["status"] == "arrived"
    with services.db.session() as s:
        outcome = record_file(
            s,
            read_csv(io.StringIO("client_id,outcome\nC-Dorcas,arrived\nC-Nobody,arrived\n")),
            cause="clinic",
            actor="cli",
            now=day(8),
            config=services.config,
        )
    assert (outcome.recorded, len(outcome.errors)) == (1, 1) and "line 3" in outcome.errors[0]
    with services.db.session() as s:
        how = {
            t.client.first_name: (
                t.status,
                s.scalar(
                    select(TransferEvent.cause)
                    .where(TransferEvent.transfer_id == t.id)
                    .order_by(TransferEvent.id.desc())
                    .limit(1)
                ),
            )
            for t in s.scalars(select(Transfer))
        }
        assert how == {
            "Amina": ("arrived", "ussd"),
            "Beatrice": ("arrived", "clinic"),
            "Chausiku": ("arrived", "mentor_mother"),
            "Dorcas": ("arrived", "clinic"),
            "Esther": ("planned", "staff"),
        }
        assert s.scalar(select(Client.facility_id).where(Client.first_name == "Amina")) == s.scalar(
            select(Facility.id).where(Facility.code == "F2")
        )  # her clinic now
        assert open_tasks(s, "transfer_unconfirmed") == [] and open_tasks(s, "transfer_no_phone") == ["Esther"]

    # Esther: never reached, never arrived: traced 14 days after the effective date, lost at 30
    tracing_day = (EFFECTIVE - T0.date()).days + 14
    with services.db.session() as s:
        assert follow_up(s, day(tracing_day - 1), services.config)["tracing"] == 0
    with services.db.session() as s:
        assert follow_up(s, day(tracing_day), services.config)["tracing"] == 1
        assert open_tasks(s, "tracing") == ["Esther"]
    with services.db.session() as s:
        assert follow_up(s, day(tracing_day + 16), services.config)["lost"] == 1
    with services.db.session() as s:
        assert transfer_of(s, "Esther").status == "lost_to_follow_up"
        assert open_tasks(s, "transfer_outcome") == ["Esther"] and open_tasks(s, "tracing") == []
        assert transfer_of(s, "Esther").next_step_on is None
        # nothing further is due for anyone
        assert follow_up(s, day(90), services.config) == {"reminders": 0, "unconfirmed": 0, "tracing": 0, "lost": 0}

    # --- progress and referral lists ------------------------------------------------------------
    result = runner.invoke(args=["transfers", "report", "F1", "--csv", str(tmp_path / "report.csv")])
    assert result.exit_code == 0, result.output
    assert "F1         F2" in result.output and "Needing follow-up: 1" in result.output and "C-Esther" in result.output
    answer = http.get("/api/v1/transfers/report?site=F1", headers={"Authorization": f"Bearer {clinic}"})
    lines = {line["clinic"]: line for line in answer.json["lines"]}
    assert lines["F2"] | {"site": None} == {
        "site": None,
        "clinic": "F2",
        "clients": 4,
        "planned": 0,
        "notified": 2,
        "delivered": 2,
        "acknowledged": 1,
        "arrived": 3,
        "lost": 1,
        "other": 0,
    }
    assert "F3" not in lines  # the Tumaini desk sees its own clients only
    referrals = http.get("/api/v1/transfers/referrals/F2.csv", headers={"Authorization": f"Bearer {clinic}"})
    rows = referrals.get_data(as_text=True).splitlines()
    assert rows[0].startswith("client_id,first_name,phone") and len(rows) == 5
    assert (
        http.get("/api/v1/transfers/referrals/F3.csv", headers={"Authorization": f"Bearer {clinic}"}).status_code == 403
    )
