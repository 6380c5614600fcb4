"""Contract: the real adapter (the official SDK) against the fake Africa's Talking, for every
per-recipient status code and whole-request failure in the reference."""

import pytest

from sms_service.gateway import Outcome
from sms_service.gateway.africastalking import RECIPIENT_CODES, AfricasTalkingGateway
from sms_service.local.embedded_redis import free_port

A, B = "+254700000001", "+254700000002"


def gateway(fake, **kw):
    return AfricasTalkingGateway("sandbox", "test-api-key", fake.url, sender_id=kw.pop("sender_id", None), **kw)


RECIPIENT_CASES = [
    (100, Outcome.ACCEPTED, None),
    (101, Outcome.ACCEPTED, None),
    (102, Outcome.ACCEPTED, None),
    (401, Outcome.STOP_LINE, "account_on_hold"),
    (402, Outcome.STOP_LINE, "invalid_sender_id"),
    (403, Outcome.PERMANENT, "invalid_phone_number"),
    (404, Outcome.PERMANENT, "unsupported_number_type"),
    (405, Outcome.STOP_LINE, "insufficient_balance"),
    (406, Outcome.OPTED_OUT, "blocked_by_user"),
    (407, Outcome.RETRY, "could_not_route"),
    (409, Outcome.PERMANENT, "do_not_disturb"),
    (500, Outcome.RETRY, "provider_error"),
    (501, Outcome.RETRY, "provider_error"),
    (502, Outcome.RETRY, "rejected_by_gateway"),
    (499, Outcome.RETRY, "unknown_status"),
]


def test_every_documented_code_is_mapped():
    assert {code for code, _, _ in RECIPIENT_CASES} - {499} == set(RECIPIENT_CODES)


@pytest.mark.parametrize("code, outcome, reason", RECIPIENT_CASES, ids=[str(c[0]) for c in RECIPIENT_CASES])
def test_per_recipient_status(fake_at, code, outcome, reason):
    fake_at.expect_send(statuses=[code])
    [result] = gateway(fake_at).send("Habari", [A])
    assert (result.phone, result.outcome, result.reason) == (A, outcome, reason)
    if outcome is Outcome.ACCEPTED:
        assert result.provider_message_id.startswith("ATXid_") and result.cost == "KES 0.8000"
    else:
        assert result.provider_message_id is None


def test_request_as_at_expects_it(fake_at):
    fake_at.expect_send(statuses=[101, 406])
    results = gateway(fake_at, sender_id="MYCLINIC").send("Habari", [A, B])
    assert [r.outcome for r in results] == [Outcome.ACCEPTED, Outcome.OPTED_OUT]
    request = fake_at.sends()[0]
    assert request.headers["Accept"] == "application/json" and request.headers["apiKey"] == "test-api-key"
    assert request.form == {
        "username": "sandbox",
        "to": f"{A},{B}",
        "message": "Habari",
        "bulkSMSMode": "1",
        "from": "MYCLINIC",
    }


WHOLE_REQUEST = [
    (
        "401 bad key",
        dict(http_status=401, body="The supplied authentication is invalid", content_type="text/plain"),
        Outcome.STOP_LINE,
        "bad_credentials",
    ),
    (
        "empty recipients, InvalidSenderId",
        dict(body={"SMSMessageData": {"Message": "InvalidSenderId", "Recipients": []}}),
        Outcome.STOP_LINE,
        "invalid_sender_id",
    ),
    (
        "empty recipients, other",
        dict(body={"SMSMessageData": {"Message": "Something", "Recipients": []}}),
        Outcome.RETRY,
        "no_recipients",
    ),
    ("500", dict(http_status=500, body="oops", content_type="text/plain"), Outcome.RETRY, "provider_unavailable"),
    ("503", dict(http_status=503, body="busy", content_type="text/plain"), Outcome.RETRY, "provider_unavailable"),
    ("429", dict(http_status=429, body="slow down", content_type="text/plain"), Outcome.RETRY, "throttled"),
    ("403 forbidden", dict(http_status=403, body="no", content_type="text/plain"), Outcome.STOP_LINE, "http_403"),
    ("201 but XML", dict(body="<xml/>", content_type="application/xml"), Outcome.UNKNOWN, "unreadable_answer"),
]


@pytest.mark.parametrize("label, script, outcome, reason", WHOLE_REQUEST, ids=[c[0] for c in WHOLE_REQUEST])
def test_whole_request_failures(fake_at, label, script, outcome, reason):
    fake_at.expect_send(**script)
    results = gateway(fake_at).send("Habari", [A, B])
    assert [(r.phone, r.outcome, r.reason) for r in results] == [(A, outcome, reason), (B, outcome, reason)]


def test_read_timeout_after_sending_is_unknown(fake_at):
    fake_at.expect_send(statuses=[101], delay=1.0)
    results = gateway(fake_at, timeout=(1.0, 0.2)).send("Habari", [A])
    assert [(r.outcome, r.reason) for r in results] == [(Outcome.UNKNOWN, "read_timeout")]


def test_connection_refused_never_reached_at():
    closed = f"http://127.0.0.1:{free_port()}"
    [result] = AfricasTalkingGateway("sandbox", "k", closed).send("Habari", [A])
    assert (result.outcome, result.reason) == (Outcome.RETRY, "connection_error")


def test_connection_lost_after_the_request_is_unknown(fake_at):
    fake_at.expect("POST", "/version1/messaging", lambda r: None)  # takes it, hangs up unanswered
    results = gateway(fake_at).send("Habari", [A])
    assert [(r.outcome, r.reason) for r in results] == [(Outcome.UNKNOWN, "connection_lost")]
    assert len(fake_at.sends()) == 1  # and no quiet retry behind our back


def test_recipient_missing_from_answer_is_unknown(fake_at):
    fake_at.expect(
        "POST",
        "/version1/messaging",
        lambda r: (
            201,
            "application/json",
            '{"SMSMessageData": {"Message": "Sent to 1/2", "Recipients": [{"statusCode": 101, '
            '"number": "+254700000001", "status": "Success", "cost": "KES 0.8", "messageId": "ATXid_1"}]}}',
        ),
    )
    results = gateway(fake_at).send("Habari", [A, B])
    assert [(r.outcome, r.provider_message_id) for r in results] == [
        (Outcome.ACCEPTED, "ATXid_1"),
        (Outcome.UNKNOWN, None),
    ]
