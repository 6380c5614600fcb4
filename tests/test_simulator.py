"""The phone simulator over HTTP: open without a login where the local runner serves it on loopback
(test-range numbers only, unless an admin), closed otherwise except to admins; USSD through the
real menu, SMS through the real inbound handling, and the phone's screen showing the replies."""

from __future__ import annotations

import pytest

from sms_service.inbound.route import handle_pending
from tests.support.logins import csrf_of, log_in
from tests.support.people import two_mentor_mothers


@pytest.fixture
def app(make_app):
    """As the local runner serves it on loopback: the simulator open without a login."""
    return make_app(SIMULATOR_OPEN="1")


@pytest.fixture
def people(services):
    return two_mentor_mothers(services)


@pytest.fixture
def narrow_range(monkeypatch):
    """The open range narrowed to +254700000xxx for these tests, so that a number outside it is
    still one of the invented test range (+254700001234): no real number in the repository."""
    import re

    from sms_service.web import simulator

    monkeypatch.setattr(simulator, "TEST_RANGE", re.compile(r"^\+254700000\d{3}$"))


OUTSIDE = "0700001234"


def call(client, path, body):
    return client.post(path, json=body, headers={"X-CSRFToken": csrf_of(client, "/simulator")})


def test_with_the_outbox_anyone_walks_the_menu_as_a_test_number(client, people, narrow_range):
    assert client.get("/simulator").status_code == 200
    first = call(client, "/simulator/ussd", {"phone": "0700000001", "session": "s1", "text": ""}).json["screen"]
    assert first.startswith("CON ") and "Amina" in first
    visit = call(client, "/simulator/ussd", {"phone": "0700000001", "session": "s1", "text": "1"}).json["screen"]
    assert visit.startswith(("CON ", "END ")) and len(visit) <= 160
    assert call(client, "/simulator/ussd", {"phone": OUTSIDE, "session": "s2", "text": ""}).status_code == 403
    assert call(client, "/simulator/ussd", {"phone": "12", "session": "s2", "text": ""}).status_code == 400


def test_without_a_csrf_token_the_simulator_refuses(client, people):
    client.get("/simulator")
    assert client.post("/simulator/sms", json={"phone": "0700000001", "text": "HELP"}).status_code == 400


def test_an_sms_keyword_is_handled_and_its_reply_arrives_on_the_phone(client, people, services, narrow_range):
    assert call(client, "/simulator/sms", {"phone": "+254700000002", "text": "HELP"}).status_code == 201
    replies, _ = handle_pending(services)
    assert replies
    screen = client.get("/simulator/inbox?phone=0700000002").json["items"]
    sent = next(i for i, m in enumerate(screen) if m["way"] == "out")
    assert screen[sent]["text"] == "HELP" and any(m["way"] == "in" for m in screen[sent + 1 :])  # the reply after it
    assert client.get(f"/simulator/inbox?phone={OUTSIDE}").status_code == 403


def test_with_africas_talking_only_an_admin_has_the_simulator(make_app, people, narrow_range):
    app = make_app(
        SMS_GATEWAY="africastalking",
        AT_USERNAME="sandbox",
        AT_API_KEY="k",
        WEBHOOK_TOKEN="t",
        SECRET_KEY="s" * 32,
        SESSION_COOKIE_SECURE="0",
    )
    client = app.test_client()
    assert client.get("/simulator").status_code == 404
    log_in(client, "zawadi")
    assert client.get("/simulator").status_code == 404
    log_in(client, "admin")
    page = client.get("/simulator")
    assert page.status_code == 200 and "really sent" in page.get_data(as_text=True)
    first = call(client, "/simulator/ussd", {"phone": OUTSIDE, "session": "s", "text": ""}).json["screen"]
    assert first.startswith("END ")  # an admin may be any number; an unknown one learns how to join
