"""Broadcasts end to end on the fake Africa's Talking, with a controllable clock: by SMS with a
code, its expiry, a client trying BC, scoping by SMS and API, opt-out between creation and
sending, refused words in both languages, curly quotes, cancel mid-way, approval, and
scheduled sending inside the window only."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from itertools import count

import pytest
from sqlalchemy import func, select

from sms_service.api.auth import issue
from sms_service.broadcasts.fanout import fan_out, finish
from sms_service.gateway import build_gateway
from sms_service.inbound.route import handle_inbound_sms
from sms_service.models import (
    AuditEntry,
    Broadcast,
    Client,
    FollowUpTask,
    InboundMessage,
    Infant,
    MentorMother,
    OutboundMessage,
    Transfer,
)
from sms_service.outbound import consent
from sms_service.outbound.dispatch import enqueue_due
from sms_service.outbound.sending import Sender
from tests.support.programme import small_programme

TOKEN = "bc-token"
ZAWADI, IMANI = "+254700000900", "+254700000901"
AMINA, BETH, CHAUSIKU, DORCAS, ESTHER = (f"+25470000010{i}" for i in range(1, 6))
T0 = datetime(2026, 12, 1, 7, 0, tzinfo=UTC)  # Tuesday 10:00 in Nairobi, inside 08:00–18:00
SMS_IDS = count(1)


@pytest.fixture
def app(make_app, fake_at):
    fake_at.accept_all()
    return make_app(
        WEBHOOK_TOKEN=TOKEN,
        SMS_GATEWAY="africastalking",
        AT_USERNAME="sandbox",
        AT_API_KEY="k",
        SECRET_KEY="s" * 32,
        AT_API_URL=fake_at.url,
        BROADCAST_APPROVAL_ABOVE="3",
    )


@pytest.fixture
def people(services):
    """Zawadi (Kiswahili) has Amina, Beth (English) and Chausiku; Imani has Dorcas; Esther is
    at Tumaini with no Mentor Mother."""
    with services.db.session() as s:
        p = small_programme(s, mentor_phone=ZAWADI)
        imani = MentorMother(code="MM2", name="Imani", phone=IMANI, facility=p.mwangaza, language="en")
        s.add(imani)
        amina = p.client("Amina", AMINA)
        p.client("Beth", BETH, "en", stage="pregnant")
        p.client("Chausiku", CHAUSIKU)
        s.add(
            Client(
                external_id="C-Dorcas",
                first_name="Dorcas",
                phone=DORCAS,
                facility=p.mwangaza,
                mentor_mother=imani,
                language="en",
            )
        )
        s.add(Client(external_id="C-Esther", first_name="Esther", phone=ESTHER, facility=p.tumaini))
        s.add(Infant(client=amina, first_name="Neema", dob=date(2026, 9, 1)))
        s.flush()
        return {"mwangaza": p.mwangaza.id, "tumaini": p.tumaini.id, "zawadi": p.mentor.id, "imani": imani.id}


def sms(app, services, phone, text, now=T0):
    provider_id = f"ATXin_bc{next(SMS_IDS)}"
    assert (
        app.test_client()
        .post(f"/webhooks/sms?token={TOKEN}", data={"id": provider_id, "from": phone, "to": "12345", "text": text})
        .status_code
        == 200
    )
    with services.db.session() as s:
        inbound = s.scalar(select(InboundMessage.id).where(InboundMessage.provider_id == provider_id))
    made = handle_inbound_sms(services, inbound, now=now)
    with services.db.session() as s:
        return [s.get(OutboundMessage, i).body for i in made]


def deliver_all(services, at):
    """The scheduler's broadcast step, then the queue workers: everything due to the fake AT."""
    with services.db.session() as s:
        fan_out(s, at, services.config)
    enqueue_due(services, at)
    with services.db.session() as s:
        ids = s.scalars(select(OutboundMessage.id).where(OutboundMessage.status == "queued")).all()
    Sender(services, build_gateway(services.config)).send(list(ids), at=at)
    with services.db.session() as s:
        finish(s, at)


def broadcast_sends(fake_at):
    """What reached clients (the replies to the Mentor Mothers left out)."""
    return [
        (sorted(r.recipients), r.form["message"]) for r in fake_at.sends() if not set(r.recipients) & {ZAWADI, IMANI}
    ]


def test_by_sms_with_a_code_once_to_her_own_clients(app, services, people, fake_at):
    [preview] = sms(app, services, ZAWADI, "BC Kliniki itafungwa Ijumaa. Karibu Jumatatu.")
    code = preview.split("NDIO ")[1].split()[0]
    assert "wateja 3, SMS 1" in preview and len(code) == 4
    assert sms(app, services, ZAWADI, f"ndio {code}")[0].startswith("Ujumbe wako utaenda kwa wateja 3")
    deliver_all(services, T0)
    # Beth reads English and gets the Kiswahili text (the only one): one request for all three
    assert broadcast_sends(fake_at) == [([AMINA, BETH, CHAUSIKU], "Kliniki itafungwa Ijumaa. Karibu Jumatatu.")]
    assert sms(app, services, ZAWADI, f"YES {code}") == [  # the same code again sends nothing more, and says so
        "Ujumbe huo ulishatumwa tayari, kwa wateja 3. Hakuna kitakachotumwa tena."
    ]
    deliver_all(services, T0 + timedelta(minutes=5))
    assert len(broadcast_sends(fake_at)) == 1
    with services.db.session() as s:
        broadcast = s.scalar(select(Broadcast))
        assert (broadcast.status, broadcast.channel, broadcast.created_by) == ("sent", "sms", "mentor_mother:MM1")
        actions = s.scalars(select(AuditEntry.action).where(AuditEntry.subject_type == "broadcast")).all()
        assert actions == ["broadcast.create", "broadcast.confirm"]


def test_bc_alone_gives_help_and_a_code_expires_after_30_minutes(app, services, people, fake_at):
    assert "BC ujumbe wako" in sms(app, services, ZAWADI, "bc")[0]
    preview = sms(app, services, ZAWADI, "BC Habari za leo")[0]
    code = preview.split("NDIO ")[1].split()[0]
    late = T0 + timedelta(minutes=31)
    assert sms(app, services, ZAWADI, f"YES {code}", now=late) == [
        "Nambari hiyo imeisha muda. Tuma BC na ujumbe wako tena."
    ]
    deliver_all(services, late)
    assert broadcast_sends(fake_at) == []


def test_anything_else_cancels_what_waits_for_the_code(app, services, people, fake_at):
    code = sms(app, services, ZAWADI, "BC Habari za leo")[0].split("NDIO ")[1].split()[0]
    assert sms(app, services, ZAWADI, "samahani, bado") == ["Ujumbe wako haukutumwa."]
    assert sms(app, services, ZAWADI, f"YES {code}") == ["Ujumbe wako haukutumwa."]  # cancelled: not sent
    deliver_all(services, T0)
    assert broadcast_sends(fake_at) == []


def test_a_client_typing_bc_reaches_nobody(app, services, people, fake_at):
    [reply] = sms(app, services, AMINA, "BC habari zenu wote")
    assert reply.startswith("Asante Amina, tumepokea ujumbe wako")  # free text for her Mentor Mother
    with services.db.session() as s:
        assert s.scalar(select(func.count()).select_from(Broadcast)) == 0
        assert s.scalar(select(FollowUpTask.kind)) == "free_text"


def test_a_refused_word_is_never_repeated_by_sms_and_named_by_the_api(app, services, people, client):
    [reply] = sms(app, services, ZAWADI, "BC Kumbukeni dawa za ARV kesho")
    assert reply.startswith("Haukutumwa") and "ARV" not in reply
    with services.db.session() as s:
        admin = issue(s, "admin", "admin")
    for field, text, name, word in (
        ("text_en", "Bring your HIV card", "English", "HIV"),
        ("text_sw", "Leteni kadi ya ukimwi", "Kiswahili", "UKIMWI"),
    ):
        answer = client.post("/api/v1/broadcasts", json={field: text}, headers={"Authorization": f"Bearer {admin}"})
        assert answer.status_code == 422
        assert f"{name}: the word '{word}' may not be sent (discreet wording)" in answer.json["problems"]


def test_curly_quotes_are_offered_plain_by_the_api_and_made_plain_by_sms(app, services, people, client, fake_at):
    with services.db.session() as s:
        admin = issue(s, "admin", "admin")
    auth = {"Authorization": f"Bearer {admin}"}
    typed = {"text_en": "Don\u2019t forget \u2014 clinic open Saturday", "text_sw": "Usisahau \u201cJumamosi\u201d"}
    refused = client.post("/api/v1/broadcasts", json=typed, headers=auth)
    assert refused.status_code == 422
    assert "offered (en): Don't forget - clinic open Saturday" in refused.json["problems"]
    made = client.post(
        "/api/v1/broadcasts", json={**typed, "normalise": True, "filters": {"language": "en"}}, headers=auth
    )
    assert made.status_code == 201 and made.json["text_en"] == "Don't forget - clinic open Saturday"
    assert made.json["recipients"] == 2  # Beth and Dorcas read English
    code = sms(app, services, ZAWADI, "BC Msisahau \u2018Jumamosi\u2019")[0].split("NDIO ")[1].split()[0]
    sms(app, services, ZAWADI, f"NDIO {code}")
    deliver_all(services, T0)
    assert all(text.isascii() for _, text in broadcast_sends(fake_at))


def test_scoping_a_mentor_mother_reaches_only_her_own_by_sms_and_api(app, services, people, client):
    with services.db.session() as s:
        zawadi = issue(s, "Zawadi", "mentor_mother", mentor_mother_id=people["zawadi"])
        imani = issue(s, "Imani", "mentor_mother", mentor_mother_id=people["imani"])
        tumaini = issue(s, "Tumaini desk", "supervisor", facility_id=people["tumaini"])
    assert "wateja 3" in sms(app, services, ZAWADI, "BC Habari")[0]
    assert "1 clients" in sms(app, services, IMANI, "BC Hello all")[0]
    made = client.post(
        "/api/v1/broadcasts",
        json={"text_en": "Hello", "filters": {"facility": "F2"}},
        headers={"Authorization": f"Bearer {zawadi}"},
    )
    assert made.status_code == 409  # her clients at Tumaini: none (Esther is not hers)
    made = client.post("/api/v1/broadcasts", json={"text_sw": "Habari"}, headers={"Authorization": f"Bearer {zawadi}"})
    assert made.status_code == 201 and made.json["recipients"] == 3
    mine = made.json["id"]
    assert client.get(f"/api/v1/broadcasts/{mine}", headers={"Authorization": f"Bearer {imani}"}).status_code == 404
    assert (
        client.post(f"/api/v1/broadcasts/{mine}/cancel", headers={"Authorization": f"Bearer {imani}"}).status_code
        == 404
    )
    assert client.get(f"/api/v1/broadcasts/{mine}", headers={"Authorization": f"Bearer {tumaini}"}).status_code == 404
    listed = client.get("/api/v1/broadcasts", headers={"Authorization": f"Bearer {imani}"}).json["items"]
    assert [b["channel"] for b in listed] == ["sms"]  # her own SMS broadcast only
    own_facility = client.post(
        "/api/v1/broadcasts", json={"text_en": "Hello"}, headers={"Authorization": f"Bearer {tumaini}"}
    )
    assert own_facility.json["recipients"] == 1  # Esther


def test_opting_out_between_creation_and_sending_is_respected(app, services, people, fake_at):
    code = sms(app, services, ZAWADI, "BC Habari za leo")[0].split("NDIO ")[1].split()[0]
    sms(app, services, ZAWADI, f"NDIO {code}")
    sms(app, services, AMINA, "STOP")  # before the messages are made
    with services.db.session() as s:
        fan_out(s, T0, services.config)
        consent.opt_out(s, BETH, "sms_keyword", now=T0)  # made, not yet sent
    deliver_all(services, T0)
    assert [r for r, text in broadcast_sends(fake_at) if text == "Habari za leo"] == [[CHAUSIKU]]


def test_cancel_mid_way_keeps_what_is_not_out_unsent(app, services, people, client, fake_at):
    with services.db.session() as s:
        admin = issue(s, "admin", "admin")
    auth = {"Authorization": f"Bearer {admin}"}
    made = client.post("/api/v1/broadcasts", json={"text_en": "Hello", "text_sw": "Habari"}, headers=auth)
    assert made.status_code == 201 and made.json["recipients"] == 5 and made.json["status"] == "scheduled"
    with services.db.session() as s:
        fan_out(s, T0, services.config)
    enqueue_due(services, T0)
    with services.db.session() as s:
        first_two = s.scalars(
            select(OutboundMessage.id).where(OutboundMessage.status == "queued").order_by(OutboundMessage.id).limit(2)
        ).all()
    Sender(services, build_gateway(services.config)).send(list(first_two), at=T0)
    cancelled = client.post(f"/api/v1/broadcasts/{made.json['id']}/cancel", headers=auth)
    assert cancelled.status_code == 200 and cancelled.json["held_back"] == 3
    assert cancelled.json["progress"] == {
        "messages": 5,
        "queued": 0,
        "sent": 2,
        "delivered": 0,
        "failed": 0,
        "cancelled": 3,
    }
    deliver_all(services, T0 + timedelta(minutes=1))
    assert sum(len(r) for r, _ in broadcast_sends(fake_at)) == 2
    assert client.post(f"/api/v1/broadcasts/{made.json['id']}/cancel", headers=auth).status_code == 409


def test_above_the_threshold_a_supervisor_approves_first(app, services, people, client, fake_at):
    with services.db.session() as s:
        admin = issue(s, "admin", "admin")
        mwangaza = issue(s, "Mwangaza desk", "supervisor", facility_id=people["mwangaza"])
        other = issue(s, "Mwangaza second desk", "supervisor", facility_id=people["mwangaza"])
    made = client.post("/api/v1/broadcasts", json={"text_en": "Hello"}, headers={"Authorization": f"Bearer {mwangaza}"})
    assert made.json["recipients"] == 4 and made.json["status"] == "awaiting_approval"
    bid = made.json["id"]
    deliver_all(services, T0)
    assert broadcast_sends(fake_at) == []  # nothing before approval
    assert (
        client.post(f"/api/v1/broadcasts/{bid}/approve", headers={"Authorization": f"Bearer {mwangaza}"}).status_code
        == 409
    )  # not her own
    approved = client.post(f"/api/v1/broadcasts/{bid}/approve", headers={"Authorization": f"Bearer {other}"})
    assert approved.status_code == 200 and approved.json["status"] == "scheduled"
    deliver_all(services, T0)
    assert sum(len(r) for r, _ in broadcast_sends(fake_at)) == 4
    big = client.post("/api/v1/broadcasts", json={"text_en": "Hello"}, headers={"Authorization": f"Bearer {admin}"})
    assert big.json["status"] == "scheduled"  # an admin's broadcast needs no one else's approval
    code = sms(app, services, ZAWADI, "BC Habari")[0].split("NDIO ")[1].split()[0]
    assert "wateja 3" in sms(app, services, ZAWADI, f"NDIO {code}")[0]  # 3 is not above 3


def test_scheduled_sending_happens_inside_the_window_only(app, services, people, client, fake_at):
    with services.db.session() as s:
        admin = issue(s, "admin", "admin")
    auth = {"Authorization": f"Bearer {admin}"}
    evening = client.post("/api/v1/broadcasts", json={"text_en": "Hi", "send_at": "2026-12-01T20:00"}, headers=auth)
    assert evening.status_code == 422 and "between 08:00 and 18:00" in evening.json["problems"][0]
    later = client.post(
        "/api/v1/broadcasts",
        json={"text_en": "Hi", "send_at": "2026-12-02T09:30", "filters": {"pending_transfer": False}},
        headers=auth,
    )
    assert later.status_code == 201 and later.json["recipients"] == 5
    deliver_all(services, T0 + timedelta(hours=2))
    assert broadcast_sends(fake_at) == []  # not yet its time
    nine_thirty = datetime(2026, 12, 2, 6, 30, tzinfo=UTC)
    deliver_all(services, nine_thirty)
    assert sum(len(r) for r, _ in broadcast_sends(fake_at)) == 5
    # "send now" after 18:00 waits for 08:00 the next morning
    now_ = client.post("/api/v1/broadcasts", json={"text_en": "Hello again"}, headers=auth)
    evening_now = datetime(2026, 12, 2, 16, 0, tzinfo=UTC)  # 19:00 in Nairobi
    deliver_all(services, evening_now)
    assert sum(len(r) for r, _ in broadcast_sends(fake_at)) == 5
    with services.db.session() as s:
        waiting = s.scalars(
            select(OutboundMessage.not_before).where(OutboundMessage.broadcast_id == now_.json["id"])
        ).all()
    assert set(waiting) == {datetime(2026, 12, 3, 5, 0, tzinfo=UTC)}  # 08:00 Nairobi


def test_filters_narrow_the_audience(app, services, people, client):
    with services.db.session() as s:
        admin = issue(s, "admin", "admin")
        beth = s.scalar(select(Client).where(Client.first_name == "Beth"))
        s.add(
            Transfer(
                client_id=beth.id,
                from_facility_id=people["mwangaza"],
                to_facility_id=people["tumaini"],
                effective_date=date(2026, 12, 20),
            )
        )
    auth = {"Authorization": f"Bearer {admin}"}

    def recipients(filters):
        answer = client.post(
            "/api/v1/broadcasts", json={"text_en": "Hi", "filters": filters, "preview": True}, headers=auth
        )
        assert answer.status_code == 200, answer.json
        return answer.json["preview"]["recipients"]

    assert recipients({}) == 5
    assert recipients({"language": "en"}) == 2
    assert recipients({"stage": "pregnant"}) == 1
    assert recipients({"facility": "F2"}) == 1
    assert recipients({"pending_transfer": True}) == 1
    assert recipients({"infant_under_months": 6}) == 1  # Amina's Neema, three months old
    bad = client.post("/api/v1/broadcasts", json={"text_en": "Hi", "filters": {"colour": "red"}}, headers=auth)
    assert bad.status_code == 422 and "unknown filter(s): colour" in bad.json["problems"][0]


def test_too_long_or_nobody_to_reach_is_said_plainly_by_sms(app, services, people):
    [reply] = sms(app, services, ZAWADI, "BC " + "Habari za leo wapendwa. " * 25)
    assert reply.startswith("Haukutumwa: ujumbe wako ni SMS 4")
    with services.db.session() as s:
        s.add(
            MentorMother(code="MM3", name="Pendo", phone="+254700000902", facility_id=people["mwangaza"], language="en")
        )
    assert sms(app, services, "+254700000902", "BC Hello") == ["You have no clients to send a message to."]
    with services.db.session() as s:
        assert s.scalar(select(func.count()).select_from(Broadcast)) == 0
