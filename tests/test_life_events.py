"""Life events (SPEC "Life events"): what has really happened to her decides every message.

The reports that started it, each reproduced first: START lost her reminders; a transfer
outcome `died` changed nothing but the transfer; a visit imported after its date was marked
missed at once and she was texted "we missed you"."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from itertools import count
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from sms_service import life_events
from sms_service.access import Caller
from sms_service.api.auth import issue
from sms_service.bootstrap import get_services
from sms_service.importing import import_csv
from sms_service.inbound.route import handle_inbound_sms
from sms_service.models import Appointment, Client, FollowUpTask, InboundMessage, OutboundMessage, Transfer
from sms_service.reminders.planner import plan_pending
from sms_service.reminders.visits import after_visits
from tests.support.programme import small_programme

NAIROBI = ZoneInfo("Africa/Nairobi")
NOW = datetime(2026, 12, 1, 6, 0, tzinfo=UTC)  # Tuesday 09:00 in Nairobi
TODAY = date(2026, 12, 1)
AMINA = "+254700000001"
TOKEN = "life-token"
SMS_IDS = count(1)
ADMIN = Caller("token:1", "admin", "api")


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
        return s.scalars(
            select(OutboundMessage).where(
                OutboundMessage.client_id == client_id,
                OutboundMessage.purpose == "reminder",
                OutboundMessage.status.in_(("scheduled", "queued")),
            )
        ).all()


def sms_in(app, services, phone, text, now=NOW):
    provider_id = f"ATXin_life_{next(SMS_IDS)}"
    assert (
        app.test_client()
        .post(f"/webhooks/sms?token={TOKEN}", data={"id": provider_id, "from": phone, "to": "12345", "text": text})
        .status_code
        == 200
    )
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
        transfer = Transfer(
            client_id=amina,
            from_facility_id=client.facility_id,
            to_facility_id=client.facility_id + 1,
            effective_date=TODAY + timedelta(days=5),
            status="notified",
        )
        s.add(transfer)
        s.flush()
        transfer_id, token = transfer.id, issue(s, "admin", "admin")
    answer = app.test_client().post(
        f"/api/v1/transfers/{transfer_id}/outcome",
        json={"outcome": "died"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert answer.status_code == 200
    with services.db.session() as s:
        assert s.get(Client, amina).status == "inactive"
        assert s.scalar(select(Appointment.status).where(Appointment.client_id == amina)) == "cancelled"
    assert waiting_reminders(services, amina) == []


def test_a_visit_imported_after_its_date_is_history(services, amina, tmp_path):
    book = tmp_path / "appointments.csv"
    book.write_text(
        "client_id,date,kind\n"
        f"C-Amina,{(TODAY - timedelta(days=9)).isoformat()},anc\n"  # last week: she may well have come
        f"C-Amina,{(TODAY - timedelta(days=2)).isoformat()},refill\n"
        f"C-Amina,{(TODAY + timedelta(days=20)).isoformat()},refill\n"
    )
    with services.db.session() as s:
        report = import_csv(s, "appointments", book)
        assert report.created == 3
    for day in range(0, 40):
        now = NOW + timedelta(days=day)
        with services.db.session() as s:
            plan_pending(s, now, services.config)
            after_visits(s, now, services.config)
    with services.db.session() as s:
        past = s.scalars(select(Appointment).where(Appointment.client_id == amina, Appointment.date < TODAY)).all()
        assert {a.status for a in past} == {"history"}
        about_past = [f"appointment:{a.id}" for a in past]
        assert s.scalars(select(OutboundMessage).where(OutboundMessage.subject.in_(about_past))).all() == []
        assert s.scalars(select(FollowUpTask).where(FollowUpTask.subject.in_(about_past))).all() == []


# -- sixty days after each event: nothing it forbids reaches the gateway -------------------------

T0 = datetime(2026, 12, 1, 5, 0, tzinfo=UTC)  # 08:00 in Nairobi, before the day's ticks
NEW_NUMBER = "+254700000011"
BABY_TEXT = "Bring your baby to the clinic day on Saturday."


@pytest.fixture
def on_the_gateway(make_app, fake_at):
    """The service sending through the real adapter to the fake Africa's Talking."""
    fake_at.accept_all()
    return make_app(
        WEBHOOK_TOKEN=TOKEN,
        SMS_GATEWAY="africastalking",
        AT_USERNAME="sandbox",
        AT_API_KEY="test-key",
        SECRET_KEY="s" * 32,
        AT_API_URL=fake_at.url,
    )


@pytest.fixture
def household(on_the_gateway):
    """Amina (Kiswahili, a new mother: baby Zuri, two months old) and Neema (English) share a
    phone; Beth is pregnant. Amina has her own visit, Zuri's immunisation, a transfer notified
    last week, and a broadcast for mothers of young babies waits for tomorrow."""
    from sms_service.models import Broadcast, Infant

    services = get_services(on_the_gateway)
    with services.db.session() as s:
        p = small_programme(s)
        amina = p.client("Amina", AMINA, stage="postnatal")
        neema = p.client("Neema", AMINA, "en")
        beth = p.client("Beth", "+254700000003", "en", stage="pregnant", edd=TODAY + timedelta(days=100))
        zuri = Infant(client=amina, first_name="Zuri", dob=TODAY - timedelta(days=60))
        s.add(zuri)
        s.flush()
        s.add_all(
            [
                Appointment(client=amina, facility=p.mwangaza, date=TODAY + timedelta(days=5), kind="refill"),
                Appointment(
                    client=amina,
                    facility=p.mwangaza,
                    date=TODAY + timedelta(days=12),
                    kind="immunisation",
                    infant_id=zuri.id,
                ),
                Appointment(client=neema, facility=p.mwangaza, date=TODAY + timedelta(days=6), kind="refill"),
                Appointment(client=beth, facility=p.mwangaza, date=TODAY + timedelta(days=8), kind="refill"),
                Transfer(
                    client=amina,
                    from_facility=p.mwangaza,
                    to_facility=p.tumaini,
                    status="notified",
                    effective_date=TODAY + timedelta(days=20),
                    notified_at=T0 - timedelta(days=6),
                    created_at=T0 - timedelta(days=6),
                    next_step_on=TODAY,
                ),
                Broadcast(
                    created_by="test",
                    channel="api",
                    audience={"infant_under_months": 12},
                    text_en=BABY_TEXT,
                    text_sw=BABY_TEXT,
                    status="scheduled",
                    send_at=local(TODAY + timedelta(days=1), 9),
                ),
            ]
        )
        token = issue(s, "admin", "admin")
    Clock_tick(services, local(TODAY, 7, 5))  # the morning's tick: her reminders and the ladder planned
    with services.db.session() as s:
        assert s.scalar(
            select(OutboundMessage.id)
            .where(OutboundMessage.client_id == amina.id, OutboundMessage.status == "scheduled")
            .limit(1)
        )
    return services, token


def local(day, hour, minute=0):
    return datetime.combine(day, time(hour, minute), tzinfo=NAIROBI).astimezone(UTC)


class Recorded:
    def __init__(self, event, created):
        self.status_code, self.json = (201 if created else 200), life_events.as_json(event)


def record_event(app, token, client_id, at=None, **body):
    """The event recorded as the API records it (an admin), at a moment of the test's clock."""
    services = get_services(app)
    with services.db.session() as s:
        client = s.scalar(select(Client).where(Client.external_id == client_id))
        return Recorded(
            *life_events.record(
                s, client, life_events.Asked.of(body), by=ADMIN, now=at or local(TODAY, 8, 30), config=services.config
            )
        )


def sent_since(fake_at, start: int) -> list[tuple[str, str]]:
    """(number, text) of every SMS the gateway took after request `start`."""
    return [(number, r.form["message"]) for r in fake_at.sends()[start:] for number in r.recipients]


def sent_rows(services, client_id, since):
    """What the service recorded as taken by AT for this client after `since`: (purpose, visit kind)."""
    with services.db.session() as s:
        return s.execute(
            select(OutboundMessage.purpose, Appointment.kind)
            .outerjoin(Appointment, Appointment.id == OutboundMessage.appointment_id)
            .where(OutboundMessage.client_id == client_id, OutboundMessage.sent_at > since)
        ).all()


def client_id_of(services, name):
    with services.db.session() as s:
        return s.scalar(select(Client.id).where(Client.first_name == name))


def sixty_days(services):
    from tests.support.clock import Clock

    Clock(services).days(TODAY, 60, times=(time(9, 5), time(10, 5)))


def test_after_her_death_nothing_names_her_and_her_phone_still_serves_the_other_client(
    on_the_gateway, household, fake_at
):
    services, token = household
    answer = record_event(
        on_the_gateway, token, "C-Amina", kind="died", date=TODAY.isoformat(), note="Her sister told the clinic."
    )
    assert answer.status_code == 201, answer.json
    start = len(fake_at.sends())
    sixty_days(services)
    sms_in(on_the_gateway, services, AMINA, "habari, ni mimi", local(TODAY + timedelta(days=2), 11))
    sms_in(on_the_gateway, services, AMINA, "TAREHE", local(TODAY + timedelta(days=2), 11))
    Clock_send(services, local(TODAY + timedelta(days=2), 11, 5))
    sent = sent_since(fake_at, start)
    assert not [text for _, text in sent if "Amina" in text or "Zuri" in text or text == BABY_TEXT]
    assert [text for number, text in sent if number == AMINA and "Neema" in text]  # hers still come
    amina = client_id_of(services, "Amina")
    assert sent_rows(services, amina, T0) == []
    with services.db.session() as s:
        assert s.get(Client, amina).status == "inactive"
        assert s.scalar(select(Transfer.status).where(Transfer.client_id == amina)) == "died"
        assert (
            s.scalars(select(FollowUpTask).where(FollowUpTask.client_id == amina, FollowUpTask.status == "open")).all()
            == []
        )
    screen = ussd(on_the_gateway, AMINA, "")
    assert "Neema" in screen and "Amina" not in screen


def test_after_a_baby_dies_nothing_names_the_baby_and_her_own_care_goes_on(on_the_gateway, household, fake_at):
    services, token = household
    answer = record_event(on_the_gateway, token, "C-Amina", kind="infant_died", date=TODAY.isoformat())
    assert answer.status_code == 201, answer.json
    start = len(fake_at.sends())
    sixty_days(services)
    sent = sent_since(fake_at, start)
    assert not [text for _, text in sent if "Zuri" in text or text == BABY_TEXT]
    assert [text for number, text in sent if number == AMINA and "Amina" in text]  # her own visit
    assert [text for number, text in sent if number == AMINA and "Neema" in text]
    amina = client_id_of(services, "Amina")
    assert all(kind not in ("immunisation", "pnc", "infant_test") for _, kind in sent_rows(services, amina, T0))
    with services.db.session() as s:
        assert (
            s.scalar(
                select(FollowUpTask.kind).where(
                    FollowUpTask.client_id == amina, FollowUpTask.status == "open", FollowUpTask.kind == "loss_support"
                )
            )
            == "loss_support"
        )


def test_after_a_pregnancy_loss_no_antenatal_message_even_when_her_clinic_sends_the_old_due_date_again(
    on_the_gateway, household, fake_at, tmp_path
):
    services, token = household
    Clock_tick(services, local(TODAY, 9, 5))  # her antenatal visits generated, their reminders planned
    beth = client_id_of(services, "Beth")
    with services.db.session() as s:
        assert s.scalars(select(Appointment).where(Appointment.client_id == beth, Appointment.kind == "anc")).all()
    assert (
        record_event(on_the_gateway, token, "C-Beth", kind="pregnancy_loss", date=TODAY.isoformat()).status_code == 201
    )
    again = tmp_path / "clients.csv"  # her clinic's system has not heard: the old EDD again
    again.write_text(
        "client_id,first_name,phone,facility_code,stage,edd\n"
        f"C-Beth,Beth,+254700000003,F1,pregnant,{(TODAY + timedelta(days=100)).isoformat()}\n"
    )
    with services.db.session() as s:
        report = import_csv(s, "clients", again)
        assert any("edd not restored" in w for w in report.warnings)
    start = len(fake_at.sends())
    sixty_days(services)
    assert {kind for _, kind in sent_rows(services, beth, T0 + timedelta(hours=5))} == {"refill"}
    assert not [text for number, text in sent_since(fake_at, start) if number == "+254700000003" and "Beth" not in text]
    with services.db.session() as s:
        assert s.get(Client, beth).edd is None


def test_after_she_moves_away_nothing_is_sent_to_her_and_her_transfer_ends(on_the_gateway, household, fake_at):
    services, token = household
    assert (
        record_event(
            on_the_gateway, token, "C-Amina", kind="moved_away", date=(TODAY - timedelta(days=3)).isoformat()
        ).status_code
        == 201
    )
    start = len(fake_at.sends())
    sixty_days(services)
    sent = sent_since(fake_at, start)
    assert not [text for _, text in sent if "Amina" in text or "Zuri" in text]
    assert [text for number, text in sent if number == AMINA and "Neema" in text]
    with services.db.session() as s:
        assert s.scalar(select(Transfer.status).join(Client).where(Client.first_name == "Amina")) == "moved_elsewhere"


def test_after_a_new_number_her_messages_go_there_and_the_old_phone_keeps_only_its_other_client(
    on_the_gateway, household, fake_at
):
    services, token = household
    answer = record_event(
        on_the_gateway, token, "C-Amina", kind="number_changed", date=TODAY.isoformat(), new_phone="0700 000 011"
    )
    assert answer.status_code == 201 and answer.json["new_phone"] == NEW_NUMBER
    start = len(fake_at.sends())
    sixty_days(services)
    sent = sent_since(fake_at, start)
    assert not [text for number, text in sent if number == AMINA and ("Amina" in text or "Zuri" in text)]
    to_new = [text for number, text in sent if number == NEW_NUMBER]
    assert to_new and "nambari hii" in to_new[0]  # the welcome comes first, in her language
    assert any("Amina" in text for text in to_new[1:])  # then her reminders
    assert [text for number, text in sent if number == AMINA and "Neema" in text]
    assert ussd(on_the_gateway, NEW_NUMBER, "").count("Amina") == 1


def test_a_message_already_queued_when_she_dies_is_held_back_by_the_sender(services, amina):
    from sms_service.outbound.dispatch import claim_due
    from sms_service.outbound.sending import Sender
    from tests.support.fake_gateway import FakeGateway

    plan(services)
    with services.db.session() as s:
        first = s.scalar(
            select(OutboundMessage)
            .where(OutboundMessage.client_id == amina)
            .order_by(OutboundMessage.not_before)
            .limit(1)
        )
        claim_due(s, first.not_before, 10)  # in a worker's queue
        client = s.get(Client, amina)
        client.status, client.inactive_reason = "inactive", "died"  # what the event leaves, nothing more
    gateway = FakeGateway()
    Sender(services, gateway).send([first.id], at=first.not_before)
    with services.db.session() as s:
        held = s.get(OutboundMessage, first.id)
        assert (held.status, held.history[-1].reason) == ("suppressed", "died")
    assert gateway.calls == []


def Clock_tick(services, now):
    from tests.support.clock import Clock

    return Clock(services).tick(now)


def Clock_send(services, now):
    from tests.support.clock import Clock

    return Clock(services).send_due(now)


def ussd(app, phone, text):
    answer = app.test_client().post(
        f"/webhooks/ussd?token={TOKEN}",
        data={
            "sessionId": f"ATUid_{next(SMS_IDS)}",
            "phoneNumber": phone,
            "networkCode": "63902",
            "serviceCode": "*384*1#",
            "text": text,
        },
    )
    assert answer.status_code == 200
    return answer.get_data(as_text=True)


# -- STOP, then START, on the clock --------------------------------------------------------------

STOPS = {
    ("sms", "en"): ("STOP", "START"),
    ("sms", "sw"): ("ACHA", "ANZA"),
    ("ussd", "en"): ("6*1", "6*1"),
    ("ussd", "sw"): ("6*1", "6*1"),
}


@pytest.mark.parametrize("channel, language", list(STOPS))
def test_stop_then_start_sends_her_coming_reminders_at_their_times_and_never_the_passed_ones(
    on_the_gateway, fake_at, channel, language
):
    from sms_service.webhooks import answer_ussd as respond
    from tests.support.clock import Clock

    services = get_services(on_the_gateway)
    with services.db.session() as s:
        p = small_programme(s)
        esther = p.client("Esther", AMINA, language)
        visit = Appointment(client=esther, facility=p.mwangaza, date=TODAY + timedelta(days=10), kind="refill")
        s.add(visit)
        s.flush()
        esther_id, visit_id = esther.id, visit.id
    clock = Clock(services)
    stop, start = STOPS[(channel, language)]

    def say(text, at):
        if channel == "sms":
            sms_in(on_the_gateway, services, AMINA, text, at)
        else:
            respond(services, {"sessionId": f"ATUid_{next(SMS_IDS)}", "phoneNumber": AMINA, "text": text}, at)
        clock.send_due(at)

    clock.days(TODAY, 1, times=(time(7, 5),))  # her T-3 (day 7) and T-1 (day 9) planned
    say(stop, local(TODAY + timedelta(days=1), 12))
    clock.days(TODAY + timedelta(days=1), 7, times=(time(9, 5),))  # T-3 falls while she is out
    say(start, local(TODAY + timedelta(days=8), 12))
    with services.db.session() as s:
        assert s.get(Client, esther_id).opted_out_at is None
    clock.days(TODAY + timedelta(days=8), 4, times=(time(9, 5),))
    with services.db.session() as s:
        out = s.execute(
            select(OutboundMessage.not_before, OutboundMessage.sent_at).where(
                OutboundMessage.appointment_id == visit_id, OutboundMessage.sent_at.is_not(None)
            )
        ).all()
    assert out == [(local(TODAY + timedelta(days=9), 9), local(TODAY + timedelta(days=9), 9, 5))]  # T-1 only
    reminders = [
        text
        for number, text in sent_since(fake_at, 0)
        if number == AMINA and ("11 December" in text or "11 Desemba" in text)
    ]  # the visit's day, as reminders name it
    assert len(reminders) == 1


def test_start_makes_a_transfer_notice_she_never_had_and_a_broadcast_not_yet_out(app, services, amina):
    from sms_service.life_events import renewal
    from sms_service.models import Broadcast, Facility
    from sms_service.outbound import consent
    from sms_service.transfers.begin import start

    with services.db.session() as s:
        consent.opt_out(s, AMINA, "sms_keyword", now=NOW)
        tumaini = s.scalar(select(Facility).where(Facility.code == "F2"))
        transfer = Transfer(
            client_id=amina,
            from_facility_id=tumaini.id - 1,
            to_facility_id=tumaini.id,
            effective_date=TODAY + timedelta(days=14),
            status="planned",
        )
        s.add(transfer)
        s.flush()
        begun = start(s, [transfer.id], now=NOW, config=services.config, actor="cli")
        assert begun.notices == 0 and begun.unreachable  # she had stopped: her Mentor Mother is asked
        broadcast = Broadcast(
            created_by="test",
            channel="api",
            audience={},
            text_en="Clinic day on Saturday.",
            text_sw="Siku ya kliniki Jumamosi.",
            status="sending",
        )
        s.add(broadcast)
        s.flush()
        from sms_service.outbound.messages import create_messages, transition

        [(held, _)] = create_messages(
            s,
            [
                {
                    "phone": AMINA,
                    "client_id": amina,
                    "by_phone": True,
                    "purpose": "broadcast",
                    "subject": f"broadcast:{broadcast.id}",
                    "broadcast_id": broadcast.id,
                    "body": "Siku ya kliniki Jumamosi.",
                    "not_before": NOW + timedelta(days=1),
                    "expires_at": NOW + timedelta(days=3),
                }
            ],
        )
        transition(s, [held], "suppressed", "opted_out", now=NOW)
    with services.db.session() as s:
        renewal.opt_back_in(s, AMINA, "sms_keyword", now=NOW + timedelta(hours=2), config=services.config)
    with services.db.session() as s:
        transfer = s.get(Transfer, transfer.id)
        notice = s.get(OutboundMessage, transfer.notice_message_id)
        assert notice.purpose == "transfer_notice" and notice.status == "scheduled"
        again = s.scalars(
            select(OutboundMessage).where(OutboundMessage.broadcast_id == broadcast.id).order_by(OutboundMessage.id)
        ).all()
        assert [m.status for m in again] == ["suppressed", "scheduled"]
        assert again[1].idempotency_key.endswith("|r1") and again[1].not_before == NOW + timedelta(days=1)
        renewal.opt_back_in(s, AMINA, "sms_keyword", now=NOW + timedelta(hours=3), config=services.config)
        assert len(s.scalars(select(OutboundMessage).where(OutboundMessage.broadcast_id == broadcast.id)).all()) == 2


# -- retracting each kind ------------------------------------------------------------------------

RETRACTED = {  # kind → (its fields, the days her own refill's reminders go: T-3 is day 2, T-1 day 4)
    "died": ({}, [4]),
    "moved_away": ({}, [4]),  # T-3 fell while she was recorded so: never sent late
    "infant_died": ({}, [2, 4]),  # her own care never stopped
    "number_changed": ({"new_phone": NEW_NUMBER}, [2, 4]),  # T-3 to the new number, T-1 to hers again
}


def visit_of(s, name, kind):
    return s.scalar(select(Appointment).join(Client).where(Client.first_name == name, Appointment.kind == kind))


@pytest.mark.parametrize("kind", list(RETRACTED))
def test_retracting_an_event_restores_what_can_be_and_sends_nothing_late(on_the_gateway, household, fake_at, kind):
    from tests.support.clock import Clock

    services, _ = household
    clock = Clock(services)
    fields, refill_days = RETRACTED[kind]
    recorded = record_event(on_the_gateway, None, "C-Amina", kind=kind, date=TODAY.isoformat(), **fields)
    assert recorded.status_code == 201
    clock.days(TODAY, 3, times=(time(9, 5),))  # her refill's T-3 (day 2) falls meanwhile
    with services.db.session() as s:
        amina = s.scalar(select(Client).where(Client.first_name == "Amina"))
        event, changed = life_events.retract(
            s, amina, recorded.json["id"], by=ADMIN, now=local(TODAY + timedelta(days=3), 12), config=services.config
        )
        assert changed and event.retracted_at is not None
        again = life_events.retract(
            s, amina, recorded.json["id"], by=ADMIN, now=local(TODAY + timedelta(days=3), 13), config=services.config
        )
        assert again[1] is False  # retracting twice changes nothing
    start = len(fake_at.sends())
    clock.days(TODAY + timedelta(days=3), 17, times=(time(9, 5),))
    sent = sent_since(fake_at, start)
    with services.db.session() as s:
        amina = s.scalar(select(Client).where(Client.first_name == "Amina"))
        assert (amina.status, amina.inactive_reason, amina.phone) == ("active", None, AMINA)
        refill, baby = visit_of(s, "Amina", "refill"), visit_of(s, "Amina", "immunisation")
        assert baby.status in ("scheduled", "missed", "defaulted") and amina.infants[0].died_on is None
        refill_sent = s.scalars(
            select(OutboundMessage.not_before).where(
                OutboundMessage.subject == f"appointment:{refill.id}",
                OutboundMessage.purpose == "reminder",
                OutboundMessage.sent_at.is_not(None),
            )
        ).all()
        transfer = s.scalar(select(Transfer).where(Transfer.client_id == amina.id))
        assert transfer.status not in ("died", "moved_elsewhere")
    assert refill_sent == [local(TODAY + timedelta(days=n), 9) for n in refill_days]
    assert [text for number, text in sent if number == AMINA and "Zuri" in text]  # the baby's reminders again


def test_retracting_a_pregnancy_loss_brings_back_her_due_date_and_antenatal_visits(on_the_gateway, household):
    services, _ = household
    recorded = record_event(on_the_gateway, None, "C-Beth", kind="pregnancy_loss", date=TODAY.isoformat())
    with services.db.session() as s:
        beth = s.scalar(select(Client).where(Client.first_name == "Beth"))
        assert (beth.edd, beth.stage) == (None, "other")
        life_events.retract(s, beth, recorded.json["id"], by=ADMIN, now=local(TODAY, 9), config=services.config)
    with services.db.session() as s:
        beth = s.scalar(select(Client).where(Client.first_name == "Beth"))
        assert (beth.edd, beth.stage, beth.pregnancy_lost_on) == (TODAY + timedelta(days=100), "pregnant", None)
        anc = s.scalars(
            select(Appointment).where(
                Appointment.client_id == beth.id, Appointment.kind == "anc", Appointment.date >= TODAY
            )
        ).all()
        assert anc and {a.status for a in anc} == {"scheduled"}
        assert s.scalar(
            select(OutboundMessage.id)
            .where(OutboundMessage.appointment_id.in_([a.id for a in anc]), OutboundMessage.status == "scheduled")
            .limit(1)
        )


# -- the channels, and bad input on each ---------------------------------------------------------


@pytest.fixture
def people(services):
    from tests.support.people import two_mentor_mothers

    return two_mentor_mothers(services)


def api(app, token, path, body=None):
    return app.test_client().post(f"/api/v1{path}", json=body, headers={"Authorization": f"Bearer {token}"})


BAD = [
    ("an unknown kind", {"kind": "married", "date": "2026-11-01"}, ["kind: one of died"]),
    ("no date", {"kind": "died"}, ["date: required"]),
    ("a date that is no date", {"kind": "died", "date": "31/11/2026"}, ["date: '31/11/2026' is not a date"]),
    ("a date in the future", {"kind": "moved_away", "date": "2099-01-01"}, ["date: 2099-01-01 is in the future"]),
    (
        "a baby's death when she has none",
        {"kind": "infant_died", "date": "2026-11-01"},
        ["kind: she has no infant on record"],
    ),
    (
        "a new number that is no Kenyan mobile",
        {"kind": "number_changed", "date": "2026-11-01", "new_phone": "+1555"},
        ["new_phone: not a Kenyan number"],
    ),
    ("no new number", {"kind": "number_changed", "date": "2026-11-01"}, ["new_phone: required"]),
    (
        "a pregnancy loss when no pregnancy is known",
        {"kind": "pregnancy_loss", "date": "2026-11-01"},
        ["kind: she has no pregnancy on record"],
    ),
    ("a kind that is no text", {"kind": ["died"], "date": "2026-11-01"}, ["kind: must be text"]),
    (
        "every problem at once",
        {"kind": "number_changed", "date": "2099-01-01", "new_phone": "12"},
        ["date: 2099-01-01 is in the future", "new_phone: "],
    ),
]


@pytest.mark.parametrize("label, body, problems", BAD, ids=[b[0] for b in BAD])
def test_the_api_refuses_an_event_that_does_not_fit_her_naming_the_field(app, services, people, label, body, problems):
    answer = api(app, people.tokens["zawadi"], "/clients/C-Amina/events", body)
    assert answer.status_code == 400, answer.json
    assert all(any(p.startswith(wanted) for p in answer.json["problems"]) for wanted in problems), answer.json
    with services.db.session() as s:
        assert s.scalar(select(Client.status).where(Client.external_id == "C-Amina")) == "active"
        assert s.scalars(select(life_events_model())).all() == []


def life_events_model():
    from sms_service.models import LifeEvent

    return LifeEvent


def test_the_api_records_once_scopes_by_role_and_lists_her_events(app, services, people):
    from sms_service.models import AuditEntry, Infant

    with services.db.session() as s:
        chausiku = s.scalar(select(Client).where(Client.first_name == "Chausiku"))
        s.add_all(
            [
                Infant(client=chausiku, first_name="Ada", dob=date(2026, 3, 1)),
                Infant(client=chausiku, first_name="Ama", dob=date(2026, 3, 1) + timedelta(days=400)),
            ]
        )
    twins = {"kind": "infant_died", "date": "2026-11-20"}
    assert api(app, people.tokens["zawadi"], "/clients/C-Chausiku/events", twins).status_code == 404  # not hers
    answer = api(app, people.tokens["imani"], "/clients/C-Chausiku/events", twins)
    assert answer.status_code == 400 and answer.json["problems"][0].startswith("infant_dob: she has 2 infants")
    answer = api(app, people.tokens["imani"], "/clients/C-Chausiku/events", {**twins, "infant_dob": "2026-03-02"})
    assert answer.json["problems"] == ["infant_dob: none of her infants was born on 2026-03-02"]
    first = api(
        app,
        people.tokens["imani"],
        "/clients/C-Chausiku/events",
        {**twins, "infant_dob": "2026-03-01", "note": "Her neighbour called."},
    )
    assert first.status_code == 201 and first.json["infant_dob"] == "2026-03-01" and first.json["recorded"]
    again = api(app, people.tokens["admin"], "/clients/C-Chausiku/events", {**twins, "infant_dob": "2026-03-01"})
    assert again.status_code == 200 and again.json["id"] == first.json["id"] and not again.json["recorded"]
    other_day = api(
        app,
        people.tokens["admin"],
        "/clients/C-Chausiku/events",
        {**twins, "date": "2026-11-21", "infant_dob": "2026-03-01"},
    )
    assert other_day.status_code == 400 and other_day.json["problems"][0].startswith("date: already recorded")
    shown = (
        app.test_client()
        .get("/api/v1/clients/C-Chausiku", headers={"Authorization": f"Bearer {people.tokens['imani']}"})
        .json
    )
    assert [(e["kind"], e["channel"], e["recorded_by"]) for e in shown["events"]] == [
        ("infant_died", "api", shown["events"][0]["recorded_by"])
    ]
    assert any(e["kind"] == "life_event" for e in shown["timeline"]) and shown["muted"] is None
    with services.db.session() as s:
        audit = s.scalars(select(AuditEntry).where(AuditEntry.action.like("life_event.%"))).all()
        assert [a.action for a in audit] == ["life_event.record"] and "neighbour" not in str(audit[0].detail)
    retracted = api(app, people.tokens["imani"], f"/clients/C-Chausiku/events/{first.json['id']}/retract")
    assert retracted.status_code == 200 and retracted.json["retracted_at"]
    assert api(app, people.tokens["imani"], "/clients/C-Chausiku/events/999/retract").status_code == 404
    assert (
        api(app, people.tokens["zawadi"], f"/clients/C-Chausiku/events/{first.json['id']}/retract").status_code == 404
    )


def test_a_task_outcome_died_records_her_death_by_the_task(app, services, people):
    answer = api(app, people.tokens["zawadi"], f"/tasks/{people.tasks['Beth']}/done", {"outcome": "died"})
    assert answer.status_code == 200, answer.json
    with services.db.session() as s:
        beth = s.get(Client, people.clients["Beth"])
        event = s.scalar(select(life_events_model()).where(life_events_model().client_id == beth.id))
        assert (beth.status, beth.inactive_reason, event.kind, event.channel) == ("inactive", "died", "died", "task")
        assert s.get(Transfer, people.transfer_id).status == "died"
        assert (
            s.scalar(select(OutboundMessage.status).where(OutboundMessage.id == people.messages["Beth"])) == "cancelled"
        )


def test_an_event_is_whole_or_nothing(app, services, people, monkeypatch):
    from sms_service.life_events import effects

    def broken(*args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(effects, "close_client_tasks", broken)  # after her visits and messages were changed
    with pytest.raises(RuntimeError):
        api(app, people.tokens["zawadi"], "/clients/C-Amina/events", {"kind": "died", "date": "2026-11-30"})
    with services.db.session() as s:
        amina = s.get(Client, people.clients["Amina"])
        assert amina.status == "active" and s.scalars(select(life_events_model())).all() == []
        assert s.get(OutboundMessage, people.messages["Amina"]).status == "scheduled"


def test_the_events_csv_reports_each_bad_line_and_loads_the_good_ones(services, people, tmp_path):
    from click.testing import CliRunner

    from sms_service.commands.imports import import_command
    from sms_service.csvio import read_csv
    from sms_service.life_events.csvfile import import_events

    path = tmp_path / "events.csv"
    path.write_text(
        "client_id,kind,date,infant_dob,new_phone,note\n"
        "C-Amina,moved_away,2026-11-29,,,Moved to Mombasa\n"
        "C-Nobody,died,2026-11-29,,,\n"
        "C-Beth,number_changed,2026-11-29,,0799 12,\n"
        "C-Chausiku,died,tomorrow,,,\n"
        "C-Amina,moved_away,2026-11-29,,,\n"
    )
    with services.db.session() as s:
        report = import_events(s, read_csv(path), by=ADMIN, now=NOW, config=services.config)
    assert (report.recorded, report.unchanged) == (1, 1)
    assert [e.split(":")[0] for e in report.errors] == ["line 3", "line 4", "line 5"]
    assert "client_id: no client" in report.errors[0] and "new_phone:" in report.errors[1]
    assert "date: 'tomorrow' is not a date" in report.errors[2]
    with services.db.session() as s:
        assert s.get(Client, people.clients["Amina"]).inactive_reason == "moved_away"
        assert s.get(Client, people.clients["Beth"]).phone == "+254700000002"
    missing = tmp_path / "missing.csv"
    missing.write_text("client_id,date\nC-Beth,2026-11-29\n")
    result = CliRunner().invoke(
        import_command,
        ["events", str(missing)],
        obj=None,
        env={"DATABASE_URL": services.config.database_url, "SMS_GATEWAY": "outbox"},
    )
    assert result.exit_code == 2 and "missing required column(s): kind" in result.output


def test_the_client_page_records_an_event_after_a_confirmation_and_says_why_she_gets_nothing(client, services, people):
    from tests.support.logins import form_post, log_in

    log_in(client, "zawadi")
    page = f"/clients/{people.clients['Amina']}"
    assert "anapokea jumbe" in client.get(page).get_data(as_text=True)  # Zawadi reads Kiswahili
    refused = form_post(client, f"{page}/events", {"kind": "died", "date": "2099-01-01"}, page=page)
    # in her language (issue 21: this said "2099-01-01 is in the future" on her Kiswahili page)
    assert refused.status_code == 400 and "1 Jan 2099 ni tarehe ijayo" in refused.get_data(as_text=True)
    asked = form_post(
        client, f"{page}/events", {"kind": "died", "date": "2026-11-30", "note": "Family told us"}, page=page
    )
    text = asked.get_data(as_text=True)
    assert asked.status_code == 200 and 'name="confirm" value="1"' in text and "Hatapokea jumbe zaidi" in text
    with services.db.session() as s:
        assert s.get(Client, people.clients["Amina"]).status == "active"  # nothing yet: she must confirm
    done = form_post(
        client,
        f"{page}/events",
        {"kind": "died", "date": "2026-11-30", "note": "Family told us", "confirm": "1"},
        page=page,
    )
    assert done.status_code == 302
    shown = client.get(page).get_data(as_text=True)
    assert "hapokei jumbe: amefariki" in shown and "Family told us" in shown
    with services.db.session() as s:
        event = s.scalar(select(life_events_model()))
        assert (event.channel, event.recorded_by) == ("web", f"user:{event.recorded_by.split(':')[1]}")
    asked = form_post(client, f"{page}/events/{event.id}/retract", {}, page=page)
    assert 'name="confirm" value="1"' in asked.get_data(as_text=True)
    form_post(client, f"{page}/events/{event.id}/retract", {"confirm": "1"}, page=page)
    assert "anapokea jumbe" in client.get(page).get_data(as_text=True)
    other = f"/clients/{people.clients['Chausiku']}"  # Imani's client: not Zawadi's to see or record
    assert form_post(client, f"{other}/events", {"kind": "died", "date": "2026-11-30"}, page=page).status_code == 404


def test_the_transfers_report_and_board_say_who_gets_no_messages_and_why(app, client, services, people):
    from sms_service.outbound import consent
    from tests.support.logins import log_in

    assert (
        api(
            app, people.tokens["admin"], "/clients/C-Beth/events", {"kind": "moved_away", "date": "2026-11-30"}
        ).status_code
        == 201
    )
    report = (
        app.test_client()
        .get("/api/v1/transfers/report", headers={"Authorization": f"Bearer {people.tokens['admin']}"})
        .json
    )
    assert report["muted"] == {"moved_away": 1}
    with services.db.session() as s:
        consent.opt_out(s, "+254700000002", "at_optout", now=NOW)  # her network: still counted once, as moved away
    log_in(client, "admin")
    board = client.get("/transfers").get_data(as_text=True)
    assert "gets no messages: she has moved away (1)" in board


def test_start_from_a_shared_phone_makes_nothing_again_for_a_client_who_died(app, services, amina):
    from sms_service.life_events import renewal
    from sms_service.outbound import consent

    with services.db.session() as s:
        neema = small_programme_client(s, "Neema", AMINA)
    plan(services)
    with services.db.session() as s:
        from sms_service.outbound.messages import create_messages

        create_messages(
            s,
            [
                {
                    "phone": AMINA,
                    "client_id": amina,
                    "by_phone": True,
                    "purpose": "broadcast",
                    "subject": "broadcast:1",
                    "body": "Siku ya kliniki Jumamosi.",
                    "not_before": NOW + timedelta(days=1),
                    "expires_at": NOW + timedelta(days=3),
                }
            ],
        )
        consent.opt_out(s, AMINA, "sms_keyword", now=NOW)  # her reminders and the broadcast held back
    record_event(app, None, "C-Amina", kind="died", date=TODAY.isoformat(), at=NOW + timedelta(minutes=5))
    with services.db.session() as s:
        renewal.opt_back_in(s, AMINA, "sms_keyword", now=NOW + timedelta(minutes=10), config=services.config)
    plan(services, NOW + timedelta(minutes=11))
    with services.db.session() as s:
        assert (
            s.scalars(
                select(OutboundMessage).where(OutboundMessage.client_id == amina, OutboundMessage.status == "scheduled")
            ).all()
            == []
        )
        assert s.get(Client, neema).opted_out_at is None


def small_programme_client(s, name, phone):
    from sms_service.models import Facility, MentorMother

    client = Client(
        external_id=f"C-{name}",
        first_name=name,
        phone=phone,
        facility=s.scalar(select(Facility).where(Facility.code == "F1")),
        mentor_mother=s.scalar(select(MentorMother)),
    )
    s.add(client)
    s.flush()
    return client.id
