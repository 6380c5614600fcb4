"""The dashboard over HTTP (Flask's test client): logging in and its throttling, CSRF on every
form, each page in both languages, and scoping: a Mentor Mother never sees, nor acts on,
another's clients through any page."""

from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import select

from sms_service.accounts.users import reset
from sms_service.db import utcnow
from sms_service.models import Broadcast, FollowUpTask, User
from tests.support.logins import csrf_of, form_post, log_in
from tests.support.people import two_mentor_mothers


@pytest.fixture
def people(services):
    return two_mentor_mothers(services)


def text_of(answer) -> str:
    return answer.get_data(as_text=True)


def test_pages_need_a_login_and_a_login_leads_home(client, people):
    assert client.get("/tasks").status_code == 302 and "/login" in client.get("/tasks").location
    assert client.get("/").location.endswith("/login")
    answer = log_in(client, "zawadi")
    assert answer.status_code == 302 and answer.location == "/"
    assert client.get("/").location.endswith("/tasks")
    page = text_of(client.get("/tasks"))
    assert "Amina" in page and "Chausiku" not in page
    assert 'name="csrf_token"' in page


def test_a_wrong_password_is_refused_and_five_turn_this_address_away_for_her(client, people, services, app):
    for _ in range(5):
        answer = log_in(client, "imani", "not-her-password")
        assert answer.status_code == 401 and "Wrong username or password." in text_of(answer)
    turned_away = log_in(client, "imani")  # even the right password, from here, for the window
    assert turned_away.status_code == 401 and "Wrong username or password." in text_of(turned_away)
    with services.db.session() as s:
        user = s.scalar(select(User).where(User.username == "imani"))
        assert user.failed_logins == 5 and user.locked_until is None  # the account itself is not locked
        reset(s, "imani", "a-brand-new-password", now=utcnow())
    assert log_in(app.test_client(), "imani", "a-brand-new-password").status_code == 302


def test_many_failures_from_one_address_turn_it_away(client, people):
    for i in range(20):
        assert log_in(client, f"nobody{i}", "guess").status_code == 401
    assert log_in(client, "zawadi").status_code == 429  # this address, for the window


def test_a_password_reset_ends_open_sessions(client, people, services):
    log_in(client, "zawadi")
    assert client.get("/tasks").status_code == 200
    with services.db.session() as s:
        reset(s, "zawadi", "another-long-password", now=utcnow())
    assert client.get("/tasks").status_code == 302  # back to the login


def test_a_form_without_its_csrf_token_is_refused(client, people, services):
    log_in(client, "zawadi")
    amina = people.tasks["Amina"]
    assert client.post(f"/tasks/{amina}", data={"outcome": "reached"}).status_code == 400
    assert client.post("/login", data={"username": "zawadi", "password": "x"}).status_code == 400
    with services.db.session() as s:
        assert s.get(FollowUpTask, amina).status == "open"


def test_a_mentor_mother_records_a_task_outcome_but_never_anothers(client, people, services):
    log_in(client, "zawadi")
    chausiku, amina = people.tasks["Chausiku"], people.tasks["Amina"]
    assert form_post(client, f"/tasks/{chausiku}", {"outcome": "reached"}).status_code == 404
    done = form_post(client, f"/tasks/{amina}", {"outcome": "visited", "note": "at home"}, follow_redirects=True)
    assert "Imehifadhiwa." in text_of(done)  # her account is in Kiswahili
    with services.db.session() as s:
        assert s.get(FollowUpTask, amina).outcome == "visited"
        assert s.get(FollowUpTask, chausiku).status == "open"


@pytest.mark.parametrize(
    "who, sees, not_sees",
    [
        ("zawadi", {"Amina", "Beth"}, {"Chausiku"}),
        ("imani", {"Chausiku"}, {"Amina", "Beth"}),
        ("tumaini", {"Beth"}, {"Amina", "Chausiku"}),
        ("admin", {"Amina", "Beth", "Chausiku"}, set()),
    ],
)
def test_every_page_shows_only_the_accounts_own_clients(client, people, who, sees, not_sees):
    log_in(client, who)
    for path in ("/clients", "/messages", "/tasks"):
        page = text_of(client.get(path))
        for name in not_sees:
            assert name not in page, (who, path, name)
    assert sees <= {n for n in ("Amina", "Beth", "Chausiku") if n in text_of(client.get("/clients"))}
    for name, client_id in people.clients.items():
        assert client.get(f"/clients/{client_id}").status_code == (200 if name in sees else 404)
    transfer = client.get(f"/transfers/{people.transfer_id}").status_code
    assert transfer == (200 if "Beth" in sees else 404)
    assert client.get("/clients?q=0700000003").status_code == 200
    assert ("Chausiku" in text_of(client.get("/clients?q=0700000003"))) == ("Chausiku" in sees)


def test_a_clients_timeline_shows_her_messages_visits_transfer_and_tasks(client, people):
    log_in(client, "admin")
    page = text_of(client.get(f"/clients/{people.clients['Beth']}"))
    assert "Habari Beth, your visit is soon." in page and "Transfer not confirmed" in page
    assert "Mwangaza → Tumaini" in page


def test_the_transfers_board_counts_and_drills_down_and_a_clinic_records_arrival(client, people, services):
    log_in(client, "tumaini")
    board = text_of(client.get("/transfers"))
    # issue 19: "Sites show as codes, not names"
    assert re.search(r">Mwangaza</td>\s*<td [^>]*>Tumaini</td>\s*<td class=\"n\" [^>]*><a [^>]+>1</a>", board)
    assert "Beth" in text_of(client.get("/transfers/list?site=F1&clinic=F2"))
    answer = form_post(
        client,
        f"/transfers/{people.transfer_id}",
        {"outcome": "arrived"},
        page=f"/transfers/{people.transfer_id}",
        follow_redirects=True,
    )
    assert 'id="transfer-status">arrived<' in text_of(answer)
    log_in(client, "imani")
    assert form_post(client, f"/transfers/{people.transfer_id}", {"outcome": "declined"}).status_code == 404


def test_a_broadcast_is_previewed_then_sent_and_shown_with_its_progress(client, people, services):
    log_in(client, "zawadi")
    preview = form_post(
        client, "/broadcasts", {"text_sw": "Kliniki itafunguliwa Jumatatu.", "action": "preview"}, page="/broadcasts"
    )
    page = text_of(preview)
    assert preview.status_code == 200 and 'id="preview"' in page
    assert re.search(r"Wapokeaji<b>2</b>", page)  # Amina and Beth, never Chausiku
    sent = form_post(
        client,
        "/broadcasts",
        {"text_sw": "Kliniki itafunguliwa Jumatatu.", "action": "send", "when": "now"},
        page="/broadcasts",
    )
    assert sent.status_code == 302
    with services.db.session() as s:
        broadcast = s.scalar(select(Broadcast))
        assert broadcast.mentor_mother_id is not None and broadcast.channel == "web"
        assert broadcast.created_by.startswith("user:")
    assert "imepangwa" in text_of(client.get(sent.location))
    log_in(client, "imani")
    assert client.get(sent.location).status_code == 404


def test_a_revealing_broadcast_is_refused_with_the_word_named(client, people):
    log_in(client, "admin")
    refused = form_post(
        client, "/broadcasts", {"text_en": "Bring your ARV card", "action": "preview"}, page="/broadcasts"
    )
    assert refused.status_code == 422 and "ARV" in text_of(refused)


def test_imports_are_for_admins_and_show_every_refused_row(client, people):
    log_in(client, "mwangaza")
    assert client.get("/imports").status_code == 403
    log_in(client, "admin")
    rows = "code,name\nF9,Nuru\n,No code\nF10,\n"
    answer = form_post(
        client,
        "/imports",
        {"kind": "facilities", "file": (io.BytesIO(rows.encode()), "f.csv")},
        page="/imports",
        content_type="multipart/form-data",
    )
    page = text_of(answer)
    assert answer.status_code == 200 and re.search(r"<td>3</td><td>[^<]*code", page) and "<td>4</td>" in page
    assert "F9" in {
        f["code"]
        for f in client.application.test_client()
        .get("/api/v1/facilities", headers={"Authorization": f"Bearer {people.tokens['admin']}"})
        .json["items"]
    }


def test_the_language_switch_turns_the_pages_to_kiswahili_and_is_remembered(client, people, services):
    log_in(client, "imani")
    assert "My follow-up list" in text_of(client.get("/tasks"))
    form_post(client, "/language", {"language": "sw", "next": "/tasks"})
    assert "Orodha yangu ya ufuatiliaji" in text_of(client.get("/tasks"))
    with services.db.session() as s:
        assert s.scalar(select(User.language).where(User.username == "imani")) == "sw"


def test_a_login_redirect_never_leaves_the_site(client, people):
    answer = client.post(
        "/login?next=//evil.example/x",
        data={"username": "zawadi", "password": "a-long-test-password", "csrf_token": csrf_of(client)},
    )
    assert answer.location == "/"


def test_a_broadcast_above_the_threshold_waits_for_a_supervisors_approval_on_the_page(make_app, services):
    client = make_app(BROADCAST_APPROVAL_ABOVE="1").test_client()
    two_mentor_mothers(services)
    log_in(client, "zawadi")
    sent = form_post(
        client, "/broadcasts", {"text_sw": "Kliniki itafunguliwa Jumatatu.", "action": "send"}, page="/broadcasts"
    )
    page = text_of(client.get(sent.location))
    assert "inasubiri idhini" in page and "/approve" not in page  # hers waits; she cannot approve it
    assert (
        form_post(client, sent.location + "/approve", {}, page=sent.location, follow_redirects=True).status_code == 200
    )
    with services.db.session() as s:
        assert s.scalar(select(Broadcast.status)) == "awaiting_approval"
    log_in(client, "mwangaza")
    approved = form_post(client, sent.location + "/approve", {}, page=sent.location, follow_redirects=True)
    assert "Approved." in text_of(approved)
    cancelled = form_post(client, sent.location + "/cancel", {}, page=sent.location, follow_redirects=True)
    assert "Cancelled: what was not sent stays unsent." in text_of(cancelled)
    with services.db.session() as s:
        broadcast = s.scalar(select(Broadcast))
        assert broadcast.status == "cancelled" and broadcast.approved_by.startswith("user:")
