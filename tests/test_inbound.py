"""Incoming SMS, as Africa's Talking posts them: a table of recorded payloads.

Each case: label, who is set up, the form AT posts, the HTTP status, a fragment of the reply
(None: no reply at all) and what the record holds afterwards. The webhook stores; the
handler (what the realtime job runs) reads and answers; replies are outbound messages.
"""

from datetime import time, timedelta
from itertools import count

import pytest
from redis import Redis
from rq import Queue
from sqlalchemy import func, select

from sms_service.bootstrap import get_services
from sms_service.db import utcnow
from sms_service.inbound.receive import STALE as STALE_INBOUND
from sms_service.inbound.route import handle_inbound_sms
from sms_service.models import (
    Appointment,
    Client,
    ConsentEvent,
    FollowUpTask,
    InboundMessage,
    OutboundMessage,
    Transfer,
)
from sms_service.outbound.messages import create_message, transition
from tests.support.programme import small_programme
from workers.scheduler import sweep

TOKEN = "inbound-token"
AMINA, BETH, SHARED, ESTHER, FATUMA, GRACE, MM, STRANGER = (
    "+254700000001",
    "+254700000002",
    "+254700000003",
    "+254700000004",
    "+254700000005",
    "+254700000006",
    "+254700000900",
    "+254700000999",
)
ids = count(1)


@pytest.fixture
def app(make_app):
    return make_app(WEBHOOK_TOKEN=TOKEN, USSD_CODE="*384*123#")


@pytest.fixture
def people(services):
    """Invented clients on a small programme; dates relative to today in Nairobi."""
    today = utcnow().astimezone(services.config.tz).date()
    with services.db.session() as s:
        programme = small_programme(s, mentor_phone=MM, mentor_language="en")
        mwangaza, tumaini, client = programme.mwangaza, programme.tumaini, programme.client
        amina = client("Amina", AMINA)
        client("Beth", BETH, "en")
        client("Chausiku", SHARED)
        client("Dorcas", SHARED)
        esther = client("Esther", ESTHER)
        fatuma = client("Fatuma", FATUMA, "en")
        client("Grace", GRACE, opted_out_at=utcnow())
        s.add(ConsentEvent(phone=GRACE, kind="opt_out", source="at_optout", at=utcnow()))
        s.add(
            Appointment(client=amina, facility=mwangaza, date=today + timedelta(days=3), time=time(10, 30), kind="anc")
        )
        transfer = Transfer(
            client=esther,
            from_facility=mwangaza,
            to_facility=tumaini,
            status="notified",
            effective_date=today + timedelta(days=10),
        )
        visit = Appointment(client=fatuma, facility=mwangaza, date=today + timedelta(days=2), kind="pnc")
        s.add_all([transfer, visit])
        s.flush()
        for who, purpose, subject in (
            (esther, "transfer_notice", f"transfer:{transfer.id}"),
            (fatuma, "reminder", f"appointment:{visit.id}"),
        ):
            message, _ = create_message(
                s,
                phone=who.phone,
                client_id=who.id,
                purpose=purpose,
                subject=subject,
                body="(notice)",
                expires_at=utcnow() + timedelta(days=1),
            )
            for step in ("queued", "sending", "sent"):
                transition(s, [message.id], step, "test")
    return today


def sms(phone, text, **extra):
    return {
        "id": f"ATXinbound_{next(ids)}",
        "from": phone,
        "to": "12345",
        "text": text,
        "date": "2026-11-24 09:00:00",
        "linkId": "lnk1",
        "networkCode": "63902",
        **extra,
    }


def deliver(app, services, form, token=TOKEN):
    """POST as AT does; then run what the realtime job runs. Returns (status, replies, inbound)."""
    response = app.test_client().post(f"/webhooks/sms?token={token}", data=form)
    replies, inbound = [], None
    if form.get("id"):
        with services.db.session() as s:
            inbound = s.scalar(select(InboundMessage).where(InboundMessage.provider_id == form["id"]))
        if inbound is not None:
            made = handle_inbound_sms(services, inbound.id)
            with services.db.session() as s:
                replies = [s.get(OutboundMessage, i) for i in made]
                inbound = s.get(InboundMessage, inbound.id)
    return response.status_code, replies, inbound


def client_named(s, name):
    return s.scalar(select(Client).where(Client.first_name == name))


def tasks(s, kind="free_text"):
    return s.scalars(select(FollowUpTask).where(FollowUpTask.kind == kind)).all()


# label, phone, text, status, reply fragment (None: no reply), check of the record afterwards
CASES = [
    # opting out and in, both languages
    ("STOP", AMINA, "STOP", 200, "Hutapokea ujumbe zaidi", lambda s: client_named(s, "Amina").opted_out_at),
    ("ACHA", AMINA, "acha", 200, "Hutapokea ujumbe zaidi", lambda s: client_named(s, "Amina").opted_out_at),
    (
        "SITISHA, polite",
        BETH,
        "Sitisha tafadhali",
        200,
        "You will get no more messages",
        lambda s: client_named(s, "Beth").opted_out_at,
    ),
    (
        "stop with punctuation and case",
        BETH,
        "  sToP!! ",
        200,
        "no more messages",
        lambda s: client_named(s, "Beth").opted_out_at,
    ),
    (
        "acha about messages",
        AMINA,
        "Acha kunitumia ujumbe",
        200,
        "Hutapokea",
        lambda s: client_named(s, "Amina").opted_out_at,
    ),
    (
        "acha in a sentence is not STOP",
        AMINA,
        "acha nikuulize swali",
        200,
        "tumepokea ujumbe wako",
        lambda s: client_named(s, "Amina").opted_out_at is None and len(tasks(s)) == 1,
    ),
    ("STOP typed ST0P", AMINA, "ST0P", 200, "Hutapokea", lambda s: client_named(s, "Amina").opted_out_at),
    (
        "STOP on a shared phone: both",
        SHARED,
        "STOP",
        200,
        "Hutapokea",
        lambda s: client_named(s, "Chausiku").opted_out_at and client_named(s, "Dorcas").opted_out_at,
    ),
    (
        "START after network block: a task, no reply",
        GRACE,
        "START",
        200,
        None,
        lambda s: client_named(s, "Grace").opted_out_at and len(tasks(s, "opt_in_blocked")) == 1,
    ),
    ("ANZA when not opted out", AMINA, "ANZA", 200, "Karibu tena Amina", lambda s: True),
    # help
    ("HELP", BETH, "HELP", 200, "Reply VISIT for your next visit", lambda s: True),
    ("MSAADA names the USSD code", AMINA, "msaada", 200, "*384*123#", lambda s: True),
    ("HELP misspelt", BETH, "hlep", 200, "Reply VISIT", lambda s: True),
    (
        "help in a sentence goes to a person",
        BETH,
        "help me the baby is sick",
        200,
        "Your Mentor Mother will reply",
        lambda s: len(tasks(s)) == 1,
    ),
    # visit and clinic
    ("VISIT", AMINA, "VISIT", 200, "miadi yako ijayo ya kliniki", lambda s: True),
    ("TAREHE", AMINA, "tarehe?", 200, "saa 10:30 katika Mwangaza", lambda s: True),
    ("VISIT with none booked", BETH, "visit", 200, "we have no clinic visit booked", lambda s: True),
    ("CLINIC", BETH, "CLINIC", 200, "Your clinic: Mwangaza, near the market", lambda s: True),
    ("KLINIKI with a transfer pending", ESTHER, "Kliniki", 200, "nenda Tumaini, karibu na the church", lambda s: True),
    ("CLINIC misspelt", BETH, "clinik", 200, "Your clinic: Mwangaza", lambda s: True),
    (
        "VISIT on a shared phone asks which",
        SHARED,
        "VISIT",
        200,
        "Simu hii inatumiwa na Chausiku, Dorcas",
        lambda s: True,
    ),
    ("VISIT with a name on a shared phone", SHARED, "tarehe Dorcas", 200, "Dorcas, hatuna miadi", lambda s: True),
    # answering the newest open question
    (
        "YES to a transfer notice",
        ESTHER,
        "YES",
        200,
        "Asante Esther",
        lambda s: s.scalar(select(Transfer)).status == "acknowledged",
    ),
    (
        "NDIO to a visit reminder",
        FATUMA,
        "Ndio",
        200,
        "Thank you Fatuma",
        lambda s: s.scalar(select(Appointment).where(Appointment.kind == "pnc")).confirmed_at,
    ),
    (
        "1 to a visit reminder",
        FATUMA,
        "1",
        200,
        "we have noted your answer",
        lambda s: s.scalar(select(Appointment).where(Appointment.kind == "pnc")).confirmed_at,
    ),
    (
        "YES with a comment: confirmed and passed on",
        ESTHER,
        "ndio lakini nitachelewa",
        200,
        "Asante Esther",
        lambda s: s.scalar(select(Transfer)).status == "acknowledged" and len(tasks(s)) == 1,
    ),
    ("YES with nothing open", BETH, "yes", 200, "There is nothing to confirm now", lambda s: True),
    # language
    (
        "EN",
        AMINA,
        "EN",
        200,
        "You will now get messages in English",
        lambda s: client_named(s, "Amina").language == "en",
    ),
    (
        "LUGHA SW",
        BETH,
        "Lugha sw",
        200,
        "Sasa utapokea ujumbe kwa Kiswahili",
        lambda s: client_named(s, "Beth").language == "sw",
    ),
    (
        "LUGHA alone asks",
        BETH,
        "LUGHA",
        200,
        "Reply SW for Kiswahili",
        lambda s: client_named(s, "Beth").language == "en",
    ),
    (
        "SW on a shared phone: both",
        SHARED,
        "english",
        200,
        "messages in English",
        lambda s: {client_named(s, n).language for n in ("Chausiku", "Dorcas")} == {"en"},
    ),
    # free text
    (
        "free text to the Mentor Mother",
        AMINA,
        "Nina swali kuhusu mtoto",
        200,
        "Mama Mshauri wako atakujibu",
        lambda s: [(t.kind, t.mentor_mother_id is not None) for t in tasks(s)] == [("free_text", True)],
    ),
    (
        "free text on a shared phone: a task each",
        SHARED,
        "Habari, tutakuja pamoja",
        200,
        "Chausiku, Dorcas",
        lambda s: len(tasks(s)) == 2,
    ),
    ("an empty SMS: nothing", AMINA, "  ...  ", 200, None, lambda s: tasks(s) == []),
    # strangers and Mentor Mothers
    (
        "unknown number: how to join, text not kept",
        STRANGER,
        "Habari naomba kujiunga",
        200,
        "haijasajiliwa",
        lambda s: s.scalar(select(InboundMessage)).text == "" and tasks(s) == [],
    ),
    (
        "unknown number STOP: recorded",
        STRANGER,
        "STOP",
        200,
        "Hutapokea",
        lambda s: s.scalar(select(ConsentEvent).where(ConsentEvent.phone == STRANGER)).kind == "opt_out",
    ),
    ("Mentor Mother HELP", MM, "HELP", 200, "To message all your clients send: BC", lambda s: True),
    ("Mentor Mother unknown command", MM, "what now", 200, "Sorry, we did not understand", lambda s: tasks(s) == []),
]


@pytest.mark.parametrize("label, phone, text, status, fragment, check", CASES, ids=[c[0] for c in CASES])
def test_incoming_sms(app, services, people, label, phone, text, status, fragment, check):
    code, replies, inbound = deliver(app, services, sms(phone, text))
    assert code == status
    if fragment is None:
        assert replies == []
    else:
        assert len(replies) == 1 and fragment in replies[0].body, [r.body for r in replies]
        assert replies[0].phone == phone and replies[0].queue == "realtime" and replies[0].status == "scheduled"
    assert inbound.handled_at is not None
    with services.db.session() as s:
        assert check(s), label


MALFORMED = [
    ("no id", {"from": AMINA, "text": "STOP"}, 400, "id"),
    ("empty id", {"id": " ", "from": AMINA, "text": "STOP"}, 400, "id"),
    # AT posts again every minute for 12 hours until it gets 200: a sender we cannot use is stored,
    # refused and answered 200 (SPEC), never 400
    ("no from: no number, recorded, refused", {"id": "ATXm1", "text": "STOP"}, 200, None),
    ("no text", {"id": "ATXm2", "from": AMINA}, 400, "text"),
    ("unusable number: recorded, refused", {"id": "ATXm3", "from": "+1555123", "text": "STOP"}, 200, None),
    ("landline number: recorded, refused", {"id": "ATXm4", "from": "+254202000000", "text": "hi"}, 200, None),
]


@pytest.mark.parametrize("label, form, status, field", MALFORMED, ids=[c[0] for c in MALFORMED])
def test_malformed_bodies_get_a_400_naming_the_field(app, services, people, label, form, status, field):
    response = app.test_client().post(f"/webhooks/sms?token={TOKEN}", data=form)
    assert response.status_code == status and (field is None or field in response.get_json()["error"])
    with services.db.session() as s:
        stored = s.scalars(select(InboundMessage)).all()
        if "number" in label:  # kept, with why, and never acted on
            assert [(m.refused, m.handled_at is not None) for m in stored] == [("unusable_number", True)]
        else:
            assert stored == []
    services.nudger.flush()
    assert Queue("realtime", connection=Redis.from_url(services.config.redis_url)).count == 0


def test_a_replayed_id_is_handled_once(app, services, people):
    form = sms(AMINA, "STOP")
    client = app.test_client()
    for _ in range(3):  # AT retries every minute until it gets 200
        assert client.post(f"/webhooks/sms?token={TOKEN}", data=form).status_code == 200
    services.nudger.flush()
    queue = Queue("realtime", connection=Redis.from_url(services.config.redis_url))
    assert queue.count == 1
    with services.db.session() as s:
        [inbound] = s.scalars(select(InboundMessage)).all()
    assert len(handle_inbound_sms(services, inbound.id)) == 1
    assert handle_inbound_sms(services, inbound.id) == []  # the job run twice answers once
    with services.db.session() as s:
        assert s.scalar(select(func.count()).select_from(OutboundMessage).where(OutboundMessage.phone == AMINA)) == 1


def test_a_repeated_stop_is_confirmed_once(app, services, people):
    assert len(deliver(app, services, sms(AMINA, "STOP"))[1]) == 1
    assert deliver(app, services, sms(AMINA, "ACHA"))[1] == []


def test_free_text_gets_one_auto_reply_a_day_but_every_message_is_passed_on(app, services, people):
    first = deliver(app, services, sms(AMINA, "Habari, nina swali"))[1]
    second = deliver(app, services, sms(AMINA, "Na swali lingine"))[1]
    assert len(first) == 1 and second == []
    with services.db.session() as s:
        assert len(tasks(s)) == 2


def test_unknown_number_gets_one_reply_a_day(app, services, people):
    assert len(deliver(app, services, sms(STRANGER, "hello"))[1]) == 1
    assert deliver(app, services, sms(STRANGER, "hello?"))[1] == []


def test_stop_then_start_on_the_same_day_confirms_each(app, services, people):
    assert "Hutapokea" in deliver(app, services, sms(AMINA, "STOP"))[1][0].body
    assert "Karibu tena" in deliver(app, services, sms(AMINA, "START"))[1][0].body
    with services.db.session() as s:
        assert client_named(s, "Amina").opted_out_at is None
        assert [
            e.kind for e in s.scalars(select(ConsentEvent).where(ConsentEvent.phone == AMINA).order_by(ConsentEvent.id))
        ] == ["opt_out", "opt_in"]


def test_stop_suppresses_what_was_waiting(app, services, people):
    with services.db.session() as s:
        amina = client_named(s, "Amina")
        waiting, _ = create_message(
            s,
            phone=AMINA,
            client_id=amina.id,
            purpose="reminder",
            subject="appointment:99",
            body="(reminder)",
            expires_at=utcnow() + timedelta(days=1),
        )
    deliver(app, services, sms(AMINA, "stop"))
    with services.db.session() as s:
        assert s.get(OutboundMessage, waiting.id).status == "suppressed"


def test_shared_phone_yes_goes_to_the_only_open_question(app, services, people):
    with services.db.session() as s:
        dorcas = client_named(s, "Dorcas")
        visit = Appointment(client_id=dorcas.id, facility_id=dorcas.facility_id, date=people + timedelta(days=1))
        s.add(visit)
        s.flush()
        message, _ = create_message(
            s,
            phone=SHARED,
            client_id=dorcas.id,
            purpose="reminder",
            subject=f"appointment:{visit.id}",
            body="(r)",
            expires_at=utcnow() + timedelta(days=1),
        )
        for step in ("queued", "sending", "sent"):
            transition(s, [message.id], step, "test")
    [answer] = deliver(app, services, sms(SHARED, "NDIO"))[1]
    assert "Asante Dorcas" in answer.body


def test_keyword_prefix_of_a_shared_shortcode(make_app, people):
    app = make_app(WEBHOOK_TOKEN=TOKEN, SMS_KEYWORD_PREFIX="MAMA")
    [answer] = deliver(app, get_services(app), sms(BETH, "mama stop"))[1]
    assert "no more messages" in answer.body


def test_wrong_token_is_refused_and_nothing_stored(app, services, people):
    code, replies, inbound = deliver(app, services, sms(AMINA, "STOP"), token="wrong")
    assert (code, replies, inbound) == (403, [], None)


def test_a_stored_sms_whose_job_was_lost_is_handled_by_the_sweeper(app, services, people, redis_server):
    form = sms(AMINA, "VISIT")
    app.test_client().post(f"/webhooks/sms?token={TOKEN}", data=form)
    services.nudger.flush()
    Redis.from_url(services.config.redis_url).flushdb()  # our private Redis: the job is gone
    now = utcnow()
    assert sweep(services, now)["inbound"] == 0  # too fresh: its job may still be running
    assert sweep(services, now + STALE_INBOUND + timedelta(seconds=1))["inbound"] == 1
    [job] = Queue("realtime", connection=Redis.from_url(services.config.redis_url)).jobs
    assert job.func_name == "workers.jobs.handle_pending_inbound"


def test_nothing_client_can_read_names_hiv(app, services, people):
    """Every reply the table produced passes the discreet-wording check (SPEC non-negotiable 1)."""
    from sms_service.texts.discreet import forbidden_terms

    for _, phone, text, *_ in CASES[:12]:
        deliver(app, services, sms(phone, text))
    with services.db.session() as s:
        assert all(not forbidden_terms(m.body) for m in s.scalars(select(OutboundMessage)))


def test_a_message_that_breaks_the_handler_is_set_aside_and_the_rest_go_on(app, services, people, monkeypatch):
    from sms_service.inbound import clients as client_keywords
    from sms_service.inbound.route import handle_pending

    client = app.test_client()
    for phone, text in ((AMINA, "VISIT"), (BETH, "HELP")):
        client.post(f"/webhooks/sms?token={TOKEN}", data=sms(phone, text))
    original = client_keywords.visit

    def broken(talk, *args):
        raise RuntimeError("a bug")

    monkeypatch.setattr(client_keywords, "visit", broken)
    replies, more = handle_pending(services)
    assert len(replies) == 1 and not more  # HELP still answered
    with services.db.session() as s:
        refused = [m.refused for m in s.scalars(select(InboundMessage).order_by(InboundMessage.id))]
        assert refused == ["handling_failed", None]
        assert len(tasks(s, "alert")) == 1
    monkeypatch.setattr(client_keywords, "visit", original)
    assert handle_pending(services) == ([], False)  # not tried again and again
