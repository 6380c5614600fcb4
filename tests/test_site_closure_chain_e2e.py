"""Closures at programme scale, end to end on the fake Africa's Talking with a controlled clock,
through day 30 (a sibling of test_site_closure_e2e):

- Mwangaza (F1) closes offering three clinics, Tumaini (F2) with room for three: Amina picks
  Baraka by SMS ("2"), Beatrice Faraja by USSD, Dorcas Faraja by its name, Esther types a number
  not offered and then nothing, Chausiku nothing (Tumaini stands, her Mentor Mother is told);
- Baraka (F3) closes in turn: Amina and Esther, on their way there, are sent on to Neema (F6)
  with one corrected notice each, their visits with them;
- Upendo (F5) cannot close to Baraka (already closing: refused, by name), and closes to Neema;
- Neema (F6) closes as well: everyone on the way there is sent on to Tumaini;
- the check-in two days after the effective date: "1" (arrived as she says, then confirmed by
  the clinic), "2" (a task at once), and no answer (a task after 48 hours); one per transfer.

After every step no message sent, and no USSD screen, names as the place to go a clinic that
is closing by then.
"""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, time, timedelta
from itertools import count

import pytest
from sqlalchemy import select

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
from sms_service.outbound.dispatch import enqueue_due
from sms_service.outbound.sending import Sender
from sms_service.texts.discreet import is_discreet
from sms_service.texts.gsm7 import is_gsm7, sms_parts
from sms_service.transfers.closure import ClosureRefused, close_site
from sms_service.transfers.outcomes import record_file
from sms_service.transfers.referrals import referral_csv
from sms_service.transfers.watch import watch
from sms_service.webhooks import answer_ussd

TOKEN = "chain-token"
PHONES = {
    "Amina": "+254700000201",
    "Beatrice": "+254700000202",
    "Chausiku": "+254700000203",
    "Dorcas": "+254700000204",
    "Esther": "+254700000205",
    "Halima": "+254700000206",
    "Imani": "+254700000207",
}
MM = "+254700000990"
T0 = datetime(2026, 12, 1, 6, 0, tzinfo=UTC)  # 09:00 in Nairobi
D1 = date(2026, 12, 7)  # Mwangaza closes
SMS_IDS = count(1)
SESSIONS = count(1)
NAMES = {
    "F1": "Mwangaza",
    "F2": "Tumaini",
    "F3": "Baraka",
    "F4": "Faraja",
    "F5": "Upendo",
    "F6": "Neema",
}


def at(day: int, hour: int = 9) -> datetime:
    """Day `day` of the closure (day 0 is T0's day), at `hour` in Nairobi."""
    return datetime.combine(T0.date() + timedelta(days=day), time(hour - 3), tzinfo=UTC)


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
        places = {
            code: Facility(
                code=code,
                name=name,
                landmark=f"the {name.lower()} market",
                hours="Mon-Fri 08:00-17:00",
                phone=f"+25470000081{i}",
            )
            for i, (code, name) in enumerate(NAMES.items())
        }
        s.add_all(places.values())
        mm = MentorMother(code="MM1", name="Zawadi", phone=MM, facility=places["F1"], language="sw")
        s.add(mm)
        for name, language, home in (
            ("Amina", "sw", "F1"),
            ("Beatrice", "en", "F1"),
            ("Chausiku", "sw", "F1"),
            ("Dorcas", "en", "F1"),
            ("Esther", "sw", "F1"),
            ("Halima", "sw", "F5"),
            ("Imani", "en", "F5"),
        ):
            client = Client(
                external_id=f"C-{name}",
                first_name=name,
                phone=PHONES[name],
                facility=places[home],
                mentor_mother=mm,
                language=language,
            )
            s.add(client)
            s.flush()
            s.add(Appointment(client=client, facility=places[home], date=D1 + timedelta(days=14), kind="anc"))
    return services


def sms_in(app, services, name, text, now):
    provider_id = f"ATXin_{next(SMS_IDS)}"
    answer = app.test_client().post(
        f"/webhooks/sms?token={TOKEN}",
        data={"id": provider_id, "from": PHONES[name], "to": "12345", "text": text, "date": "2026-12-01 10:00:00"},
    )
    assert answer.status_code == 200
    with services.db.session() as s:
        inbound = s.scalar(select(InboundMessage).where(InboundMessage.provider_id == provider_id))
    replies = handle_inbound_sms(services, inbound.id, now=now)
    with services.db.session() as s:
        return [s.get_one(OutboundMessage, i).body for i in replies]


def ussd(services, name, text, now) -> str:
    return answer_ussd(
        services, {"sessionId": f"S{next(SESSIONS)}", "phoneNumber": PHONES[name], "text": text}, now=now
    )


def closing_names(services) -> set[str]:
    with services.db.session() as s:
        return set(s.scalars(select(Facility.name).where(Facility.closed_on.is_not(None))))


def send_due(services, fake_at, now) -> list[str]:
    """What the workers do; every message sent checked: it sends nobody to a closing clinic."""
    before = len(fake_at.sends())
    enqueue_due(services, now)
    with services.db.session() as s:
        ids = s.scalars(select(OutboundMessage.id).where(OutboundMessage.status == "queued")).all()
    Sender(services, build_gateway(services.config)).send(list(ids), at=now)
    sent = [r.form["message"] for r in fake_at.sends()[before:]]
    closing = closing_names(services)
    for body in sent:
        assert is_gsm7(body) and sms_parts(body) <= 3 and is_discreet(body), body
        named = {n for n in closing if n in body}
        # a corrected notice names the clinic that closes, as closing; nothing else may name one
        assert named <= {n for n in closing if f"{n} is closing" in body or f"{n} inafungwa" in body}, body
    return sent


def no_screen_names_a_closing_clinic(services, now):
    closing = closing_names(services)
    for name in PHONES:
        screen = ussd(services, name, "2", now)
        assert not {n for n in closing if n in screen}, (name, screen)


def transfers(s, name) -> list[Transfer]:
    return list(s.scalars(select(Transfer).join(Client).where(Client.first_name == name).order_by(Transfer.id)))


def current(s, name) -> Transfer:
    return transfers(s, name)[-1]


def tasks(s, kind) -> list[str]:
    return sorted(
        s.scalars(
            select(Client.first_name)
            .join(FollowUpTask, FollowUpTask.client_id == Client.id)
            .where(FollowUpTask.kind == kind, FollowUpTask.status == "open")
        )
    )


def close(services, site, effective, to, now, **kw):
    with services.db.session() as s:
        return close_site(s, site, effective=effective, to=to, now=now, config=services.config, actor="cli", **kw)


def test_three_chained_closures_a_choice_of_clinic_and_the_check_in_through_day_30(app, programme, fake_at):
    services = programme
    # --- Mwangaza closes, offering three clinics; Tumaini has room for three -----------------------
    first = close(services, "F1", D1, "F2,F3,F4", T0, capacity={"F2": 3})
    assert first.choosing == 5 and first.started.per_clinic == {"F2": 3, "F3": 2}
    sent = send_due(services, fake_at, T0)
    assert len(sent) == 5
    with services.db.session() as s:
        amina = s.get_one(OutboundMessage, current(s, "Amina").notice_message_id).body
        esther = s.get_one(OutboundMessage, current(s, "Esther").notice_message_id).body
    assert "jibu 1 kwa Tumaini, 2 kwa Baraka au 3 kwa Faraja" in amina and "itakuwa" not in amina
    assert "Tumaini" in amina.split("kufikia")[1]  # the default, if she does not choose
    assert "jibu 1 kwa Baraka au 2 kwa Faraja" in esther  # Tumaini full for those told after
    no_screen_names_a_closing_clinic(services, T0)

    # --- the choices: SMS by number, USSD, SMS by name, a number not offered, none ------------------
    [reply] = sms_in(app, services, "Amina", "2", T0 + timedelta(hours=1))
    assert reply.startswith("Asante Amina") and "Baraka" in reply
    screen = ussd(services, "Beatrice", "2", T0)
    assert "1. Tumaini" in screen and "3. Faraja" in screen
    assert "Faraja" in ussd(services, "Beatrice", "2*3", T0)
    [reply] = sms_in(app, services, "Dorcas", "faraja please", T0 + timedelta(hours=1))
    assert "Faraja" in reply
    [reply] = sms_in(app, services, "Esther", "5", T0 + timedelta(hours=1))
    assert "1 kwa Baraka au 2 kwa Faraja" in reply
    with services.db.session() as s:
        chosen = {
            n: (current(s, n).to_facility.code, current(s, n).status) for n in PHONES if n not in ("Halima", "Imani")
        }
        assert chosen == {
            "Amina": ("F3", "acknowledged"),
            "Beatrice": ("F4", "acknowledged"),
            "Chausiku": ("F2", "notified"),
            "Dorcas": ("F4", "acknowledged"),
            "Esther": ("F3", "notified"),
        }
        amina_visit = s.scalar(select(Appointment).join(Client).where(Client.first_name == "Amina"))
        assert amina_visit.facility.code == "F3"  # her visit follows her choice
        causes = [
            e.cause
            for e in s.scalars(select(TransferEvent).where(TransferEvent.transfer_id == current(s, "Beatrice").id))
        ]
        assert causes[-1] == "ussd"
    send_due(services, fake_at, T0 + timedelta(hours=2))  # the replies

    # --- Baraka closes in turn, before Mwangaza does: Amina and Esther are sent on ---------------
    d2 = date(2026, 12, 5)
    with services.db.session() as s:
        preview = close_site(s, "F3", effective=d2, to="F6", now=at(1), config=services.config, actor="cli")
        s.rollback()
    assert preview.rerouted.per_origin() == {"F1": {"F6": 2}}
    assert sorted(c for c, _, _ in preview.rerouted.clients) == ["C-Amina", "C-Esther"]
    assert any("from F1: 2" in line for line in preview.lines())
    chained = close(services, "F3", d2, "F6", at(1))
    assert chained.rerouted.count == 2 and chained.started.transfers == 0
    sent = send_due(services, fake_at, at(1))
    assert len(sent) == 2 and all("Neema" in b for b in sent)
    assert any("mabadiliko: Baraka inafungwa" in b for b in sent)
    with services.db.session() as s:
        old, new = transfers(s, "Amina")
        assert (old.status, new.status, new.replaces_id) == ("rerouted", "notified", old.id)
        assert (new.from_facility.code, new.to_facility.code, new.effective_date, new.ladder_step) == (
            "F1",
            "F6",
            D1,
            0,
        )
        assert s.scalar(select(Appointment).join(Client).where(Client.first_name == "Amina")).facility.code == "F6"
        assert current(s, "Esther").choose_by is None  # sent on: no choice left to make
        assert rows(referral_csv(s, "F3")) == []
        assert sorted((r["client_id"], r["from_facility"]) for r in rows(referral_csv(s, "F6"))) == [
            ("C-Amina", "F1"),
            ("C-Esther", "F1"),
        ]
    no_screen_names_a_closing_clinic(services, at(1))

    # --- a closure naming a clinic already closing is refused, naming it -------------------------
    with pytest.raises(ClosureRefused) as refused:
        close(services, "F5", date(2026, 12, 10), "F3", at(1))
    assert refused.value.problems == ["F3 is closed from 2026-12-05"] or any(
        "F3 (Baraka) is closing" in p for p in refused.value.problems
    )
    close(services, "F5", date(2026, 12, 10), "F6", at(1))
    send_due(services, fake_at, at(1, 10))

    # --- Neema closes as well: everyone on the way there goes on to Tumaini -----------------------
    third = close(services, "F6", date(2026, 12, 6), "F2", at(2))
    assert sorted(c for c, _, _ in third.rerouted.clients) == ["C-Amina", "C-Esther", "C-Halima", "C-Imani"]
    assert third.rerouted.per_origin() == {"F1": {"F2": 2}, "F5": {"F2": 2}}
    sent = send_due(services, fake_at, at(2))
    assert len(sent) == 4 and all("Tumaini" in b for b in sent)
    with services.db.session() as s:
        assert [t.status for t in transfers(s, "Amina")] == ["rerouted", "rerouted", "planned"] or [
            t.status for t in transfers(s, "Amina")
        ] == ["rerouted", "rerouted", "notified"]
        assert s.scalar(select(Appointment).join(Client).where(Client.first_name == "Amina")).facility.code == "F2"
        assert rows(referral_csv(s, "F6")) == []
        assert len(rows(referral_csv(s, "F2"))) == 5  # Amina, Chausiku, Esther, Halima, Imani
    no_screen_names_a_closing_clinic(services, at(2))

    # --- Dorcas arrives by USSD on the day: she will not be asked at the check-in ---------------
    assert ussd(services, "Dorcas", "2*2", at(6, 12)).startswith("END")

    # --- day 8: Chausiku did not choose: Tumaini stands, and her Mentor Mother is told -------------
    with services.db.session() as s:
        watch(s, at(7), services.config)
        assert tasks(s, "transfer_choice_default") == []
    with services.db.session() as s:
        assert watch(s, at(8), services.config)["choices_defaulted"] == 1
        assert tasks(s, "transfer_choice_default") == ["Chausiku"]
        assert current(s, "Chausiku").to_facility.code == "F2"
    [reply] = sms_in(app, services, "Chausiku", "3", at(8, 10))  # too late to choose: just her words
    assert "Faraja" not in reply

    # --- the check-in, two days after Mwangaza's date (D1 = day 6): day 8 at 09:00 ----------------
    with services.db.session() as s:
        asked = sorted(n for n in PHONES if current(s, n).check_in == "asked")
        state = " ".join(f"{n}:{current(s, n).status}:{current(s, n).check_in}" for n in PHONES)
    assert asked == ["Amina", "Beatrice", "Chausiku", "Esther"], state  # Halima and Imani: from day 9
    sent = send_due(services, fake_at, at(8))
    checkins = [b for b in sent if "Reply 1 if yes" in b or "Jibu 1 kama ndiyo" in b]
    assert len(checkins) == 4 and any("Tumaini" in b and "Amina" in b for b in checkins)
    assert any("Faraja" in b and "Beatrice" in b for b in checkins)
    with services.db.session() as s:
        assert watch(s, at(8, 12), services.config)["check_ins"] == 0  # one per transfer
    # "1": arrived as she says it, then the receiving clinic confirms
    [reply] = sms_in(app, services, "Amina", "1", at(8, 11))
    assert reply.startswith("Asante Amina") and "Tumaini" in reply
    # "2": a task at once
    [reply] = sms_in(app, services, "Beatrice", "2", at(8, 11))
    assert "Mentor Mother will call you" in reply
    # any text: a task at once too (and her words on the list)
    sms_in(app, services, "Esther", "sijui njia", at(8, 11))
    with services.db.session() as s:
        assert current(s, "Amina").status == "arrived"
        assert tasks(s, "transfer_check_in") == ["Beatrice", "Esther"]
        report = record_file(
            s,
            read_csv_file("client_id,outcome\nC-Amina,arrived\n"),
            cause="clinic",
            actor="cli",
            now=at(9),
            config=services.config,
        )
        assert report.recorded == 1
        arrivals = [
            (e.to_status, e.cause, e.detail)
            for e in s.scalars(select(TransferEvent).where(TransferEvent.transfer_id == current(s, "Amina").id))
            if e.to_status == "arrived"
        ]
        assert [a[1] for a in arrivals] == ["client_sms", "clinic"]
    # no answer within 48 hours: Chausiku's task
    with services.db.session() as s:
        watch(s, at(9, 12), services.config)
        assert "Chausiku" not in tasks(s, "transfer_check_in")
    with services.db.session() as s:
        done = watch(s, at(10, 10), services.config)
        assert done["check_ins_unanswered"] >= 1
        assert tasks(s, "transfer_check_in") == ["Beatrice", "Chausiku", "Esther"]
        assert current(s, "Chausiku").check_in == "no_answer"

    # --- through day 30: the ladder goes on; nothing sent names a closing clinic ------------------
    for day in range(10, 31):
        with services.db.session() as s:
            watch(s, at(day), services.config)
        send_due(services, fake_at, at(day))
    no_screen_names_a_closing_clinic(services, at(30))
    with services.db.session() as s:
        checkins = s.scalars(select(OutboundMessage).where(OutboundMessage.template == "transfer.check_in")).all()
        assert len(checkins) == len({m.subject for m in checkins}) == 6  # Halima and Imani on day 11
        open_to_closing = s.scalars(
            select(Transfer)
            .join(Facility, Facility.id == Transfer.to_facility_id)
            .where(Transfer.status.in_(Transfer.GUIDING_STATES), Facility.closed_on.is_not(None))
        ).all()
        assert open_to_closing == []


def read_csv_file(text: str):
    return read_csv(io.StringIO(text))


def rows(text: str) -> list[dict]:
    return [row for _, row in read_csv(io.StringIO(text)).rows()]
