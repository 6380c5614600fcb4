"""The Mentor Mother's inbox (issue 20), end to end on both databases with the fake Africa's
Talking behind the SDK: a client's free text makes a task; it is answered from her page (checked
and shown with its SMS parts first), from the API and by SMS from the Mentor Mother's phone, and
each answer is exactly one SMS at the provider however often it is sent; an opted-out client is
reached only when she wrote in the last 7 days; a change of date asked for (USSD 3, or an SMS)
ends with the visit moved and the client told; a danger sign reaches both lists at once; the
conversation reads in plain words; answer times are counted."""

from __future__ import annotations

import re
from datetime import date, timedelta
from itertools import count

import pytest
from sqlalchemy import func, select, update

from sms_service.db import utcnow
from sms_service.gateway import build_gateway
from sms_service.inbound.route import handle_inbound_sms
from sms_service.models import Appointment, Client, FollowUpTask, InboundMessage, OutboundMessage
from sms_service.outbound.dispatch import enqueue_due
from sms_service.outbound.sending import Sender
from sms_service.webhooks import answer_ussd
from tests.support.logins import csrf_of, log_in
from tests.support.people import two_mentor_mothers

TOKEN = "inbox-token"
AMINA, BETH, ZAWADI = "+254700000001", "+254700000002", "+254700000900"
SMS_IDS = count(1)
SESSIONS = count(1)


@pytest.fixture
def app(make_app, fake_at):
    fake_at.accept_all()
    return make_app(
        WEBHOOK_TOKEN=TOKEN,
        METRICS_TOKEN="m" * 16,
        USSD_CODE="*384*123#",
        SMS_GATEWAY="africastalking",
        AT_USERNAME="sandbox",
        AT_API_KEY="test-key",
        AT_API_URL=fake_at.url,
        SECRET_KEY="s" * 32,
    )


@pytest.fixture
def people(services):
    people = two_mentor_mothers(services)
    with services.db.session() as s:
        amina = s.get_one(Client, people.clients["Amina"])
        s.add(Appointment(client=amina, facility=amina.facility, date=date.today() + timedelta(days=10), kind="anc"))
    return people


def sms_in(app, services, phone, text) -> list[int]:
    provider_id = f"ATXinbox_{next(SMS_IDS)}"
    form = {"id": provider_id, "from": phone, "to": "12345", "text": text, "date": "2026-12-01 10:00:00"}
    assert app.test_client().post(f"/webhooks/sms?token={TOKEN}", data=form).status_code == 200
    with services.db.session() as s:
        inbound = s.scalar(select(InboundMessage).where(InboundMessage.provider_id == provider_id))
    return handle_inbound_sms(services, inbound.id)


def send_due(services, fake_at) -> list[tuple[str, str]]:
    """What the workers do: every message due goes to the provider. (to, text) of each sent."""
    before = len(fake_at.sends())
    enqueue_due(services)
    with services.db.session() as s:
        ids = s.scalars(select(OutboundMessage.id).where(OutboundMessage.status == "queued")).all()
    Sender(services, build_gateway(services.config)).send(list(ids))
    return [(r.form["to"], r.form["message"]) for r in fake_at.sends()[before:]]


def to(sent, phone) -> list[str]:
    return [text for number, text in sent if number == phone]


def open_task(services, kind, phone=AMINA) -> FollowUpTask | None:
    with services.db.session() as s:
        return s.scalar(
            select(FollowUpTask)
            .join(Client, Client.id == FollowUpTask.client_id)
            .where(Client.phone == phone, FollowUpTask.kind == kind, FollowUpTask.status == "open")
        )


def page_answer(web, client_id, text, *, confirm, task_id=None, quick=None):
    data = {"text": text, "csrf_token": csrf_of(web, "/tasks")}
    if confirm:
        data["confirm"] = "1"
    if task_id:
        data["task_id"] = str(task_id)
    if quick:
        data["quick"] = str(quick)
    return web.post(f"/clients/{client_id}/answer", data=data)


def test_free_text_is_answered_from_the_page_the_api_and_by_sms_each_exactly_once(app, services, people, fake_at):
    sms_in(app, services, AMINA, "Hi, I lost my clinic book, what do I do?")
    first = send_due(services, fake_at)
    assert len(to(first, AMINA)) == 1  # the automatic acknowledgement, once
    task = open_task(services, "free_text")
    assert task is not None

    # from the page: checked and shown with its parts, nothing sent yet; then sent, once for a double click
    web = app.test_client()
    log_in(web, "zawadi")
    words = "Come to the clinic on Monday, we will give you a new book."
    link = f"/clients/{people.clients['Amina']}?task={task.id}"  # her task on the list opens the answer to it
    assert f'href="{link}#answer"' in web.get("/tasks").get_data(as_text=True)
    assert f'name="task_id" value="{task.id}"' in web.get(link).get_data(as_text=True)
    shown = page_answer(web, people.clients["Amina"], words, confirm=False, task_id=task.id)
    html = shown.get_data(as_text=True)
    assert shown.status_code == 200 and 'id="answer-parts"' in html and "SMS 1" in html  # Zawadi reads Kiswahili
    assert send_due(services, fake_at) == []
    for _ in range(2):  # a double click
        sent = page_answer(web, people.clients["Amina"], words, confirm=True, task_id=task.id)
        assert sent.status_code == 302
    assert to(send_due(services, fake_at), AMINA) == [words]
    with services.db.session() as s:
        closed = s.get_one(FollowUpTask, task.id)
        assert (closed.status, closed.outcome) == ("done", "answered") and closed.closed_by.startswith("mentor_mother:")

    # by the API, retried: one SMS
    sms_in(app, services, AMINA, "Thank you. Can I bring my sister?")
    send_due(services, fake_at)
    api_words = {"text": "Yes, bring her along."}
    for _ in range(2):
        answer = app.test_client().post(
            "/api/v1/clients/C-Amina/messages",
            json=api_words,
            headers={"Authorization": f"Bearer {people.tokens['zawadi']}"},
        )
        assert answer.status_code in (200, 201)
    assert to(send_due(services, fake_at), AMINA) == [api_words["text"]]

    # by SMS from Zawadi's phone: her answer goes to Amina, and Zawadi is told it went, once
    sms_in(app, services, AMINA, "And the card?")
    send_due(services, fake_at)
    for _ in range(2):
        sms_in(app, services, ZAWADI, "JIBU amina Bring the card, it is fine.")
    sent = send_due(services, fake_at)
    assert to(sent, AMINA) == ["Bring the card, it is fine."]
    told = sorted(to(sent, ZAWADI))  # sent in one batch: in either order
    assert told == ["Imetumwa kwa Amina: SMS 1.", "Jibu hilo lilishamfikia Amina. Hakuna kitakachotumwa tena."]
    assert open_task(services, "free_text") is None  # every message of hers answered


def test_a_bad_answer_on_the_page_or_by_sms_is_refused_with_its_reason_and_nothing_sent(app, services, people, fake_at):
    web = app.test_client()
    log_in(web, "zawadi")
    for text, reason in (  # the reasons in Zawadi's Kiswahili (issue 21: they were English on her page)
        ("Your ARV refill is ready", "ARV"),
        ("Come on “Monday”", 'Come on "Monday"'),  # the plain text offered
        ("word " * 120, "za SMS; zisizidi 3"),
        ("   ", "yanahitajika"),
    ):
        refused = page_answer(web, people.clients["Amina"], text, confirm=True)
        assert refused.status_code == 400 and reason in refused.get_data(as_text=True).replace("&#34;", '"'), text
    sms_in(app, services, ZAWADI, "REPLY Amina your PrEP is ready")  # never repeated back
    sms_in(app, services, ZAWADI, "REPLY Chausiku hello")  # Imani's client: no one of Zawadi's
    sms_in(app, services, ZAWADI, "REPLY Amina " + "neno " * 110)
    sent = send_due(services, fake_at)
    assert to(sent, AMINA) == [] and to(sent, "+254700000003") == []
    told = " | ".join(to(sent, ZAWADI))  # one batch: in either order
    assert "neno ambalo hatutumi" in told and "PrEP" not in told and len(to(sent, ZAWADI)) == 3
    assert "Haukutumwa: ujumbe wako ni SMS 4." in told
    assert "Hakuna mteja wako anayeitwa Chausiku" in told
    # she may not answer a client she may not see
    assert log_in(web, "imani").status_code == 302
    assert page_answer(web, people.clients["Amina"], "Hello", confirm=True).status_code == 404


def test_an_opted_out_client_is_reached_if_she_wrote_today_not_if_a_month_ago(app, services, people, fake_at):
    sms_in(app, services, AMINA, "please call me about my visit")
    sms_in(app, services, BETH, "I need to talk to someone")
    with services.db.session() as s:
        s.execute(update(Client).where(Client.phone.in_([AMINA, BETH])).values(opted_out_at=utcnow()))
        s.execute(
            update(InboundMessage).where(InboundMessage.phone == BETH).values(received_at=utcnow() - timedelta(days=30))
        )
    send_due(services, fake_at)
    web = app.test_client()
    log_in(web, "zawadi")
    assert page_answer(web, people.clients["Amina"], "I will call you at noon.", confirm=True).status_code == 302
    page_answer(web, people.clients["Beth"], "Are you well?", confirm=True)
    sms_in(app, services, ZAWADI, "REPLY Beth Are you well?")
    sent = send_due(services, fake_at)
    assert to(sent, AMINA) == ["I will call you at noon."] and to(sent, BETH) == []
    assert to(sent, ZAWADI) == [
        "Haukutumwa: Beth alisitisha jumbe zetu na hajaandika kwa siku 7 zilizopita. Tafadhali mpigie simu."
    ]


@pytest.mark.parametrize("asked", ["ussd", "sms"])
def test_a_change_of_date_asked_for_ends_with_the_visit_moved_and_her_told(app, services, people, fake_at, asked):
    if asked == "ussd":
        for step in ("3", "3*1", "3*1*1"):
            screen = answer_ussd(services, {"sessionId": f"S{next(SESSIONS)}x", "phoneNumber": AMINA, "text": step})
        assert screen.startswith("END")
    else:
        sms_in(app, services, AMINA, "Naomba kubadilisha tarehe, nitasafiri")
    task = open_task(services, "change_date")
    assert task is not None
    send_due(services, fake_at)
    web = app.test_client()
    log_in(web, "zawadi")
    page = web.get("/tasks").get_data(as_text=True)
    assert f'action="/tasks/{task.id}/date"' in page and 'type="date"' in page and 'type="time"' in page
    new_day = date.today() + timedelta(days=17)
    moved = web.post(
        f"/tasks/{task.id}/date",
        data={"date": new_day.isoformat(), "time": "10:30", "csrf_token": csrf_of(web, "/tasks")},
    )
    assert moved.status_code == 302
    with services.db.session() as s:
        visit = s.scalar(select(Appointment).where(Appointment.client_id == people.clients["Amina"]))
        assert visit.date == new_day and visit.time.strftime("%H:%M") == "10:30" and visit.status == "scheduled"
        assert s.get_one(FollowUpTask, task.id).outcome == "date_changed"
    told = to(send_due(services, fake_at), AMINA)
    assert len(told) == 1 and "miadi yako ya kliniki sasa ni" in told[0] and "10:30" in told[0]
    # the form sent again (a double click): the task is done, nothing more is sent
    web.post(f"/tasks/{task.id}/date", data={"date": new_day.isoformat(), "csrf_token": csrf_of(web, "/tasks")})
    assert to(send_due(services, fake_at), AMINA) == []


def test_a_date_in_the_past_is_refused(app, services, people, fake_at):
    sms_in(app, services, AMINA, "can I change my visit date")
    task = open_task(services, "change_date")
    web = app.test_client()
    log_in(web, "zawadi")
    web.post(f"/tasks/{task.id}/date", data={"date": "2020-01-01", "csrf_token": csrf_of(web, "/tasks")})
    assert "the new date has passed" in web.get("/tasks").get_data(as_text=True)
    assert open_task(services, "change_date") is not None


def test_a_new_date_at_a_clinic_closed_by_then_is_refused_naming_it(app, services, people, fake_at):
    from sms_service.models import Facility

    sms_in(app, services, AMINA, "can I change my visit date")
    task = open_task(services, "change_date")
    with services.db.session() as s:
        visit = s.scalar(select(Appointment).where(Appointment.client_id == people.clients["Amina"]))
        before = visit.date
        s.execute(update(Facility).where(Facility.code == "F1").values(closed_on=date.today() + timedelta(days=14)))
    send_due(services, fake_at)
    web = app.test_client()
    log_in(web, "zawadi")
    later = (date.today() + timedelta(days=20)).isoformat()
    web.post(f"/tasks/{task.id}/date", data={"date": later, "csrf_token": csrf_of(web, "/tasks")})
    assert "Mwangaza closes on" in web.get("/tasks").get_data(as_text=True)
    with services.db.session() as s:
        assert s.scalar(select(Appointment.date).where(Appointment.client_id == people.clients["Amina"])) == before
    assert to(send_due(services, fake_at), AMINA) == [] and open_task(services, "change_date") is not None


def test_a_client_who_stopped_messages_and_asked_long_ago_is_not_texted_her_new_date(app, services, people, fake_at):
    sms_in(app, services, AMINA, "can I change my visit date")
    task = open_task(services, "change_date")
    with services.db.session() as s:
        s.execute(update(Client).where(Client.phone == AMINA).values(opted_out_at=utcnow()))
        s.execute(
            update(FollowUpTask).where(FollowUpTask.id == task.id).values(created_at=utcnow() - timedelta(days=9))
        )
        s.execute(update(InboundMessage).values(received_at=utcnow() - timedelta(days=9)))
    send_due(services, fake_at)
    web = app.test_client()
    log_in(web, "zawadi")
    new_day = date.today() + timedelta(days=12)
    web.post(f"/tasks/{task.id}/date", data={"date": new_day.isoformat(), "csrf_token": csrf_of(web, "/tasks")})
    assert "hajajulishwa" in web.get("/tasks").get_data(as_text=True)  # she is not told: call her
    with services.db.session() as s:
        assert s.scalar(select(Appointment.date).where(Appointment.client_id == people.clients["Amina"])) == new_day
    assert to(send_due(services, fake_at), AMINA) == []


@pytest.mark.parametrize(
    "text",
    [
        "Natoka damu nyingi",
        "mtoto ana degedege",
        "kichwa kinauma sana",
        "baby has high fever",
        "mtoto hanyonyi",
        "baby is not breathing well",
        "the baby is not moving",
        "nina homa kali",
    ],
)
def test_a_danger_sign_reaches_her_mentor_mothers_list_and_her_supervisors_within_one_tick(
    app, services, people, fake_at, text
):
    sms_in(app, services, AMINA, text)  # one tick of the handler
    for who in ("zawadi", "mwangaza"):
        web = app.test_client()
        log_in(web, who)
        tasks = web.get("/tasks").get_data(as_text=True)
        first = re.search(r'<div class="task[^"]*" id="task-\d+">', tasks).group(0)
        assert "urgent" in first, who
        inbox = web.get("/inbox").get_data(as_text=True)
        assert (
            re.search(r'<div class="task[^"]*" id="inbox-\d+">', inbox).group(0).startswith('<div class="task urgent"')
        )
    assert len(to(send_due(services, fake_at), AMINA)) == 1  # go to a facility now: once


def test_every_phrasing_of_the_danger_table_reaches_both_lists_within_one_tick(app, services, people, fake_at):
    from sms_service.access import Caller
    from sms_service.models import Facility, MentorMother
    from sms_service.records.work import visible_tasks
    from tests.test_danger import DANGER

    with services.db.session() as s:
        zawadi = s.scalar(select(MentorMother.id).where(MentorMother.code == "MM1"))
        clinic = s.scalar(select(Facility.id).where(Facility.code == "F1"))
    lists = {
        "her Mentor Mother": Caller("test", "mentor_mother", "web", mentor_mother_id=zawadi),
        "her supervisor": Caller("test", "supervisor", "web", facility_id=clinic),
    }
    for text, sign in DANGER:
        sms_in(app, services, AMINA, text)  # one run of the handler: one tick
        with services.db.session() as s:
            sms_id = s.scalar(select(func.max(InboundMessage.id)))
            for name, caller in lists.items():
                urgent = [
                    task.inbound_message_id
                    for task, _, _ in visible_tasks(s, caller, limit=10).items
                    if task.priority == "urgent"
                ]
                assert sms_id in urgent, (text, sign, name)


def test_the_conversation_reads_in_plain_words_both_ways_with_what_is_coming(app, services, people, fake_at):
    sms_in(app, services, AMINA, "Habari, nimepoteza kitabu")
    answer_ussd(services, {"sessionId": "S-conv", "phoneNumber": AMINA, "text": "4"})  # call me back
    send_due(services, fake_at)
    web = app.test_client()
    log_in(web, "zawadi")
    page = web.get(f"/clients/{people.clients['Amina']}").get_data(as_text=True)
    talk = page[page.index('id="conversation"') : page.index("Jumbe zijazo")]
    assert "Habari, nimepoteza kitabu" in talk and "Ujumbe wake" in talk  # her SMS, in plain words
    assert "Jibu la moja kwa moja" in talk  # our automatic reply, now in the conversation
    assert "USSD: aliomba apigiwe simu" in talk  # her USSD choice
    for code in ("FREE_TEXT", "free_text", "YES:", "ussd (client:", "reply.auto_ack"):
        assert code not in page, code
    coming = page[page.index("Jumbe zijazo") :]
    assert "your visit is soon" in coming  # two_mentor_mothers' reminder, still to go
    # a transfer's history says who in words, not codes ("ussd (client:2)" before)
    answer_ussd(services, {"sessionId": "S-beth", "phoneNumber": BETH, "text": "2*1"})  # I know my new clinic
    transfer_page = web.get(f"/transfers/{people.transfer_id}").get_data(as_text=True)
    assert "(client:" not in transfer_page and "chaguo lake la USSD (Beth)" in transfer_page


def test_a_client_on_her_mentor_mothers_phone_never_sees_the_mentor_mothers_own_messages(
    app, services, people, fake_at
):
    with services.db.session() as s:
        amina = s.get_one(Client, people.clients["Amina"])
        dada = Client(external_id="C-Dada", first_name="Dada", phone=ZAWADI, facility_id=amina.facility_id,
                      mentor_mother_id=amina.mentor_mother_id, language="sw")  # fmt: skip
        s.add(dada)
        s.flush()
        dada_id = dada.id
    sms_in(app, services, ZAWADI, "BC Karibuni kliniki Jumamosi")  # her own command, answered to her phone
    web = app.test_client()
    log_in(web, "zawadi")
    page = web.get(f"/clients/{dada_id}").get_data(as_text=True)
    assert "Karibuni kliniki Jumamosi" not in page and "NDIO" not in page


def test_quick_replies_are_kept_by_an_admin_checked_and_offered_in_her_language(app, services, people, fake_at):
    web = app.test_client()
    log_in(web, "admin")
    refused = web.post(
        "/quick-replies",
        data={
            "text_en": "Your ARV refill is ready",
            "text_sw": "Dawa zako ziko tayari",
            "csrf_token": csrf_of(web, "/quick-replies"),
        },
    )
    assert refused.status_code == 400 and "ARV" in refused.get_data(as_text=True)
    missing = web.post(
        "/quick-replies", data={"text_en": "Hello", "text_sw": "", "csrf_token": csrf_of(web, "/quick-replies")}
    )
    assert missing.status_code == 400 and "Kiswahili" in missing.get_data(as_text=True)
    added = web.post(
        "/quick-replies",
        data={
            "text_en": "Your Mentor Mother will call you today.",
            "text_sw": "Mama Mshauri wako atakupigia simu leo.",
            "csrf_token": csrf_of(web, "/quick-replies"),
        },
    )
    assert added.status_code == 302
    log_in(web, "zawadi")
    assert web.get("/quick-replies").status_code == 403  # an admin's list
    page = web.get(f"/clients/{people.clients['Amina']}").get_data(as_text=True)
    picked = re.search(r'<option value="(\d+)">Mama Mshauri wako atakupigia simu leo.</option>', page)
    assert picked, "offered in Amina's language (Kiswahili)"
    shown = page_answer(web, people.clients["Amina"], "", confirm=False, quick=picked.group(1))
    assert "Mama Mshauri wako atakupigia simu leo." in shown.get_data(as_text=True)


def test_answer_times_per_mentor_mother_on_her_inbox_the_board_and_in_metrics(app, services, people, fake_at):
    sms_in(app, services, AMINA, "Hi, are you there?")
    sms_in(app, services, BETH, "please help me with my book")
    now = utcnow()
    with services.db.session() as s:  # Amina's message came 2 hours ago; Beth's 3 days ago, still waiting
        s.execute(
            update(FollowUpTask)
            .where(FollowUpTask.client_id == people.clients["Amina"], FollowUpTask.kind == "free_text")
            .values(created_at=now - timedelta(hours=2))
        )
        s.execute(
            update(FollowUpTask)
            .where(FollowUpTask.client_id == people.clients["Beth"], FollowUpTask.kind == "free_text")
            .values(created_at=now - timedelta(hours=80))
        )
    web = app.test_client()
    log_in(web, "zawadi")
    page_answer(web, people.clients["Amina"], "Yes, I am here.", confirm=True)
    inbox = web.get("/inbox").get_data(as_text=True)
    times = inbox[inbox.index('id="answer-times"') :]
    assert "2 h" in times  # the median of one answer: two hours
    assert re.search(r"baada ya saa 24<b>1</b>", times) and re.search(r"baada ya saa 72<b>1</b>", times)
    log_in(web, "mwangaza")
    board = web.get("/transfers").get_data(as_text=True)
    assert 'id="answer-times"' in board and "Zawadi" in board[board.index('id="answer-times"') :]
    metrics = app.test_client().get("/metrics", headers={"Authorization": "Bearer " + "m" * 16}).get_data(as_text=True)
    assert 'sms_answer_seconds{mentor_mother="MM1",quantile="0.5"}' in metrics
    assert 'sms_unanswered_messages{mentor_mother="MM1",older_than="72h"} 1.0' in metrics
