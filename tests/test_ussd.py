"""The USSD menu as phone conversations: what the client types, what the screen says.

Each step is (what AT sends as `text`, a fragment the screen must show). Every answer is
checked: HTTP 200, text/plain, `CON `/`END `, at most 160 characters, ASCII.
"""

from datetime import time, timedelta

import pytest
from sqlalchemy import select

from sms_service import create_app
from sms_service.db import utcnow
from sms_service.models import (
    Appointment,
    Client,
    ConsentEvent,
    Facility,
    FollowUpTask,
    Infant,
    Transfer,
    UssdSession,
)
from tests.support.programme import small_programme

TOKEN = "ussd-token"
AMINA, BETH, SHARED, ESTHER, FATUMA, GRACE, STRANGER = (
    "+254700000001",
    "+254700000002",
    "+254700000003",
    "+254700000004",
    "+254700000005",
    "+254700000006",
    "+254700000999",
)


@pytest.fixture
def app(make_app):
    return make_app(WEBHOOK_TOKEN=TOKEN)


@pytest.fixture
def people(services):
    today = utcnow().astimezone(services.config.tz).date()
    with services.db.session() as s:
        programme = small_programme(s)
        mwangaza, tumaini, client = programme.mwangaza, programme.tumaini, programme.client
        amina = client("Amina", AMINA, "en")
        client("Beth", BETH)
        chausiku = client("Chausiku", SHARED)
        client("Dorcas", SHARED, "en")
        esther = client("Esther", ESTHER, "en")
        fatuma = client("Fatuma", FATUMA)
        client("Grace", GRACE, "en", opted_out_at=utcnow())
        s.add(ConsentEvent(phone=GRACE, kind="opt_out", source="sms_keyword", at=utcnow()))
        baby = Infant(client=amina, first_name="Neema", dob=today - timedelta(days=40))
        s.add(baby)
        s.flush()
        s.add_all(
            [
                Appointment(
                    client=amina, facility=mwangaza, date=today + timedelta(days=3), time=time(10, 30), kind="anc"
                ),
                Appointment(
                    client=chausiku, facility=tumaini, date=today + timedelta(days=5), time=time(9, 0), kind="pnc"
                ),
                Appointment(
                    client=amina,
                    infant_id=baby.id,
                    facility=mwangaza,
                    date=today + timedelta(days=9),
                    kind="immunisation",
                ),
                Transfer(
                    client=esther,
                    from_facility=mwangaza,
                    to_facility=tumaini,
                    status="notified",
                    effective_date=today + timedelta(days=10),
                ),
                Transfer(
                    client=fatuma,
                    from_facility=mwangaza,
                    to_facility=tumaini,
                    status="notified",
                    effective_date=today - timedelta(days=2),
                ),
            ]
        )
    return today


def step(app, phone, text, session="ATUid_1"):
    answer = app.test_client().post(
        f"/webhooks/ussd?token={TOKEN}",
        data={
            "sessionId": session,
            "phoneNumber": phone,
            "networkCode": "63902",
            "serviceCode": "*384*123#",
            "text": text,
        },
    )
    body = answer.get_data(as_text=True)
    assert answer.status_code == 200 and answer.mimetype == "text/plain", body
    assert body[:4] in ("CON ", "END ") and len(body) <= 160 and body.isascii(), body
    return body


# label, phone, [(text, fragment)]
CONVERSATIONS = [
    (
        "home, English",
        AMINA,
        [
            (
                "",
                "CON Hello Amina\n1. My next visit\n2. My clinic\n3. Change a visit date\n"
                "4. Call me back\n5. Language / Lugha\n6. Stop messages",
            )
        ],
    ),
    ("home, Kiswahili", BETH, [("", "CON Habari Beth\n1. Miadi yangu ijayo\n2. Kliniki yangu")]),
    (
        "next visit, back, home",
        AMINA,
        [("1", "at 10:30, Mwangaza"), ("1*0", "CON Hello Amina"), ("1*00", "Hello Amina")],
    ),
    ("next visit, none booked, Kiswahili", BETH, [("1", "Hakuna miadi iliyopangwa"), ("1*0", "Habari Beth")]),
    ("my clinic", AMINA, [("2", "Mwangaza, near the market. Open Mon-Fri 8-5. Tel +254700000800")]),
    (
        "my clinic with a transfer pending",
        ESTHER,
        [
            ("2", "go to Tumaini, near the church"),
            ("2*2", "Invalid choice"),  # not yet the date
            ("2*1", "END Thank you. We have noted that you know"),
        ],
    ),
    ("my clinic after the transfer date, Kiswahili", FATUMA, [("2", "2. Nimefika"), ("2*2", "END Karibu Tumaini")]),
    (
        "change a visit date",
        AMINA,
        [
            ("3", "Which visit?"),
            ("3", "Neema"),
            ("3*2", "Why?\n1. Travel"),
            ("3*2*9", "Invalid choice"),
            ("3*2*0", "Which visit?"),
            ("3*2*1", "END Your Mentor Mother will call you to agree a new date."),
        ],
    ),
    ("change a date with no visit", BETH, [("3", "Hakuna miadi")]),
    ("call me back, Kiswahili", BETH, [("4", "END Mama Mshauri wako atakupigia")]),
    (
        "language",
        AMINA,
        [("5", "Choose language\n1. English\n2. Kiswahili"), ("5*2", "END Sasa utapokea ujumbe kwa Kiswahili")],
    ),
    (
        "stop with a reason",
        BETH,
        [("6", "Kwa nini?\n1. Sihitaji tena"), ("6*5", "Chaguo si sahihi"), ("6*3", "END Hutapokea ujumbe zaidi")],
    ),
    (
        "opted out: start again",
        GRACE,
        [("", "6. Start messages"), ("6", "Get clinic visit messages again?"), ("6*1", "END Welcome back")],
    ),
    ("opted out still has the menu", GRACE, [("1", "No visit is booked")]),
    (
        "shared phone asks which first",
        SHARED,
        [
            ("", "CON Choose / Chagua:\n1. Chausiku\n2. Dorcas"),
            ("2", "Hello Dorcas"),
            ("1", "Habari Chausiku"),
            ("2*0", "Choose / Chagua"),
            ("3", "Chaguo si sahihi"),
            ("2*2", "Mwangaza, near the market"),
            ("2*2*00", "Hello Dorcas"),
        ],
    ),
    ("unregistered number", STRANGER, [("", "END This number is not registered"), ("1", "Nambari hii haijasajiliwa")]),
    # the same paths in Kiswahili
    ("next visit, Kiswahili", FATUMA, [("1", "Hakuna miadi iliyopangwa"), ("1*00", "Habari Fatuma")]),
    (
        "my clinic with a transfer pending, Kiswahili",
        FATUMA,
        [("2", "nenda Tumaini, karibu na the church"), ("2*1", "END Asante. Tumeandika kwamba unaijua")],
    ),
    (
        "next visit and change its date, Kiswahili",
        SHARED,
        [
            ("1*1", "Miadi ijayo:"),
            ("1*1", "saa 09:00, Tumaini."),
            ("1*3", "Miadi ipi?\n1. "),
            ("1*3*1", "Kwa nini?\n1. Safari\n2. Kazi"),
            ("1*3*1*7", "Chaguo si sahihi\nKwa nini?"),
            ("1*3*1*2", "END Mama Mshauri wako atakupigia kupanga tarehe mpya."),
            ("1*3*0", "Habari Chausiku"),
        ],
    ),
    ("call me back, English", AMINA, [("4", "END Your Mentor Mother will call you soon.")]),
    (
        "language, Kiswahili to English",
        BETH,
        [("5", "Chagua lugha\n1. English\n2. Kiswahili"), ("5*1", "END You will now get messages in English.")],
    ),
    ("stop, English", AMINA, [("6", "Why stop?\n1. No longer needed"), ("6*1", "END You will get no more messages")]),
    (
        "invalid in Kiswahili",
        BETH,
        [("7", "CON Chaguo si sahihi\nHabari Beth"), ("3*9", "Chaguo si sahihi\nHakuna miadi")],
    ),
    (
        "invalid on every other screen",
        GRACE,
        [
            ("5*9", "Invalid choice\nChoose language"),
            ("6*9", "Invalid choice\nGet clinic visit messages again?"),
            ("1*9", "Invalid choice\nNo visit is booked"),
        ],
    ),
    ("back and home in Kiswahili", BETH, [("2", "0. Rudi 00. Mwanzo")]),
    (
        "invalid at home",
        AMINA,
        [("9", "CON Invalid choice\nHello Amina"), ("abc", "Invalid choice"), ("9*1", "Next visit")],
    ),
    ("a star typed inside input", AMINA, [("1*", "Invalid choice"), ("*1", "Next visit:")]),
    (
        "deep history",
        AMINA,
        [
            ("*".join(["1", "0"] * 40) + "*2", "Mwangaza, near the market"),
            ("*".join(["9"] * 60), "Invalid choice\nHello Amina"),
        ],
    ),
]


@pytest.mark.parametrize("label, phone, steps", CONVERSATIONS, ids=[c[0] for c in CONVERSATIONS])
def test_conversation(app, people, label, phone, steps):
    for text, fragment in steps:
        assert fragment in step(app, phone, text), (label, text)


def test_choices_are_recorded(app, services, people):
    step(app, ESTHER, "2*1")
    step(app, FATUMA, "2*2")
    step(app, AMINA, "3*1*2", session="S-change")
    step(app, AMINA, "5*2")
    step(app, BETH, "6*2")
    step(app, GRACE, "6*1")
    with services.db.session() as s:
        transfers = {t.client.first_name: t.status for t in s.scalars(select(Transfer))}
        assert transfers == {"Esther": "acknowledged", "Fatuma": "arrived"}
        fatuma = s.scalar(select(Client).where(Client.first_name == "Fatuma"))
        assert fatuma.facility.name == "Tumaini"
        [task] = s.scalars(select(FollowUpTask).where(FollowUpTask.kind == "change_date")).all()
        assert task.subject.startswith("appointment:") and "work" in task.note and task.mentor_mother_id
        amina = s.scalar(select(Client).where(Client.first_name == "Amina"))
        assert amina.language == "sw"
        beth = s.scalar(select(Client).where(Client.first_name == "Beth"))
        assert beth.opted_out_at is not None
        grace = s.scalar(select(Client).where(Client.first_name == "Grace"))
        assert grace.opted_out_at is None
        assert [(e.kind, e.source) for e in s.scalars(select(ConsentEvent).where(ConsentEvent.phone == BETH))] == [
            ("opt_out", "ussd")
        ]


def test_a_resent_step_records_once_and_call_back_once_a_day(app, services, people):
    for _ in range(2):
        step(app, AMINA, "3*1*1", session="S1")
    step(app, AMINA, "4", session="S2")
    step(app, AMINA, "4", session="S3")
    with services.db.session() as s:
        kinds = [t.kind for t in s.scalars(select(FollowUpTask).order_by(FollowUpTask.id))]
        assert kinds == ["change_date", "call_back"]


def test_network_block_cannot_be_undone_by_ussd(app, services, people):
    with services.db.session() as s:
        s.add(ConsentEvent(phone=GRACE, kind="opt_out", source="at_optout", at=utcnow()))
    assert "network is blocking" in step(app, GRACE, "6*1")
    with services.db.session() as s:
        assert s.scalar(select(Client.opted_out_at).where(Client.phone == GRACE)) is not None
        assert s.scalar(select(FollowUpTask.kind)) == "opt_in_blocked"


def test_a_failing_database_gets_an_apology_within_a_second(redis_url, tmp_path):
    import time as clock

    from sms_service.local.embedded_redis import free_port

    app = create_app(
        {
            "DATABASE_URL": f"postgresql://postgres@127.0.0.1:{free_port()}/nothing",
            "REDIS_URL": redis_url,
            "SMS_GATEWAY": "outbox",
            "WEBHOOK_TOKEN": TOKEN,
        }
    )
    started = clock.monotonic()
    body = step(app, AMINA, "1")
    assert body.startswith("END Sorry") and clock.monotonic() - started < 1.0


def test_a_broken_table_gets_an_apology(app, services, people, monkeypatch):
    from sms_service.ussd import service

    def broken(*args):
        raise RuntimeError("boom")

    monkeypatch.setattr(service, "people_on", broken)
    assert step(app, AMINA, "").startswith("END Sorry")


@pytest.mark.parametrize(
    "form",
    [{}, {"sessionId": "S1"}, {"phoneNumber": AMINA}, {"sessionId": "S1", "phoneNumber": "abc"}],
    ids=["empty", "no phone", "no session", "bad phone"],
)
def test_bad_input_still_gets_an_end_screen(app, people, form):
    answer = app.test_client().post(f"/webhooks/ussd?token={TOKEN}", data=form)
    assert answer.status_code == 200 and answer.get_data(as_text=True).startswith("END ")


def test_end_of_session_notices_are_kept_once(app, services, people):
    notice = {
        "sessionId": "ATUid_9",
        "phoneNumber": AMINA,
        "status": "Success",
        "serviceCode": "*384*123#",
        "networkCode": "63902",
        "durationInMillis": "21000",
        "hopsCount": "3",
        "input": "1",
        "lastAppResponse": "END …",
        "cost": "KES 0.0",
    }
    client = app.test_client()
    for _ in range(2):
        assert client.post(f"/webhooks/ussd/events?token={TOKEN}", data=notice).status_code == 200
    assert client.post(f"/webhooks/ussd/events?token={TOKEN}", data={"status": "Failed"}).status_code == 400
    with services.db.session() as s:
        [kept] = s.scalars(select(UssdSession)).all()
        assert (kept.status, kept.duration_ms, kept.hops, kept.phone) == ("Success", 21000, 3, AMINA)
    assert 'sms_ussd_sessions{status="Success"} 1.0' in client.get("/metrics").get_data(as_text=True)


def test_ussd_needs_the_token(app, people):
    answer = app.test_client().post(
        "/webhooks/ussd?token=nope", data={"sessionId": "S", "phoneNumber": AMINA, "text": ""}
    )
    assert answer.status_code == 403


def test_the_screen_check_passes_and_catches_what_it_should(monkeypatch):
    from sms_service.ussd import check as screen_check
    from sms_service.ussd.texts import TEXTS

    assert screen_check.check() == []
    monkeypatch.setitem(TEXTS, "call_noted", {"en": "Your HIV clinic will call.", "sw": "Kliniki ya VVU itakupigia."})
    found = screen_check.check()
    assert found and all("reveals care" in str(p) for p in found)
    assert {p.case[:2] for p in found} == {"en", "sw"}


def test_simulate_in_a_terminal(app, services, people, monkeypatch):
    from click.testing import CliRunner

    from sms_service import cli

    monkeypatch.setattr(cli, "load_app", lambda: app)
    result = CliRunner().invoke(cli.main, ["ussd", "simulate", AMINA], input="1\n0\n4\n")
    assert result.exit_code == 0, result.output
    assert "Hello Amina" in result.output and "Next visit" in result.output and "will call you soon" in result.output


def test_clinic_details_come_from_a_directory_read_again_when_stale(app, services, people):
    from sms_service.ussd.people import directory

    assert "Mwangaza, near the market" in step(app, AMINA, "2")
    with services.db.session() as s:
        s.scalar(select(Facility).where(Facility.code == "F1")).landmark = "the new road"
    assert "near the market" in step(app, AMINA, "2")  # within the minute: as read
    directory(services.db).max_age = 0
    assert "near the new road" in step(app, AMINA, "2")


def test_a_long_screen_pages_with_98_in_both_languages(app, services, people):
    with services.db.session() as s:
        far = Facility(
            code="F9",
            name="Kangemi Level Four Health Centre Annex",
            landmark="behind the Total petrol station opposite the big market",
            hours="Mon-Fri 8am-5pm, Sat 8am-1pm",
            phone="+254700001234",
        )
        s.add(far)
        s.flush()
        for name in ("Esther", "Fatuma"):
            s.scalar(select(Transfer).join(Client).where(Client.first_name == name)).to_facility_id = far.id
    # issue 19: "1. I know my new clinic" only appeared after "98. More"; now it is on the first
    # screen, under where and when to go, and the details are a "98" away
    first = step(app, ESTHER, "2")
    assert "go to Kangemi Level Four Health Centre Annex." in first
    assert "\n1. I know my new clinic\n98. More\n0. Back" in first
    assert "END Thank you" in step(app, ESTHER, "2*1")
    rest = step(app, ESTHER, "2*98")
    assert "behind the Total petrol station" in rest and "98. More" in rest
    path = "2*98"
    while "98. More" in step(app, ESTHER, path):  # to the details' last page: the options again
        path += "*98"
    assert "1. I know my new clinic" in step(app, ESTHER, path) and "0. Back" in step(app, ESTHER, path)
    assert "END Thank you" in step(app, ESTHER, "2*98*1")
    first_sw = step(app, FATUMA, "2")
    assert "1. Naijua kliniki mpya\n2. Nimefika\n98. Zaidi" in first_sw
    assert step(app, ESTHER, "2*98*0").startswith("CON Hello Esther")


def test_names_with_accents_are_shown_in_ascii():
    from datetime import date

    from sms_service.ussd.check import rendered as answer
    from sms_service.ussd.menu import Person, Place

    people = [Person(1, "Wanjikũ", "sw", Place("Kliniki ya Ngũgĩ")), Person(2, "Zawadí", "en", Place("Mwangaza"))]
    shown = [answer(inputs, people, date(2026, 3, 2)).text for inputs in ([], ["1"], ["1", "2"], ["2", "4"])]
    assert all(text.isascii() for text in shown), shown
    assert "1. Wanjiku\n2. Zawadi" in shown[0] and "Habari Wanjiku" in shown[1] and "Ngugi" in shown[2]


def test_my_clinic_in_kiswahili_uses_the_clinics_kiswahili_landmark_and_hours(app, services, people):
    from sms_service.ussd.people import directory

    directory(services.db).max_age = 0
    with services.db.session() as s:
        f1 = s.scalar(select(Facility).where(Facility.code == "F1"))
        f1.hours, f1.hours_sw, f1.landmark_sw = "Mon-Fri 8am-5pm", "Jumatatu-Ijumaa saa 2-11", "karibu na soko"
    assert "karibu na soko. Saa Jumatatu-Ijumaa saa 2-11." in step(app, BETH, "2")  # Kiswahili: hers
    english = step(app, AMINA, "2")
    assert "near the market. Open Mon-Fri 8am-5pm." in english and "soko" not in english
    with services.db.session() as s:  # no Kiswahili hours given: structured hours are said in Kiswahili
        f1 = s.scalar(select(Facility).where(Facility.code == "F1"))
        f1.hours, f1.hours_sw = "Mon-Sat 08:00-17:00", None
    assert "Saa Jumatatu-Jumamosi 08:00-17:00." in step(app, BETH, "2")
