"""The fake Africa's Talking itself: the official SDK talks to it, and it catches surprises."""

import pytest
from africastalking.Service import AfricasTalkingException
from africastalking.SMS import SMSService

from tests.support.fake_at import FakeAfricasTalking


def sdk_for(fake):
    service = SMSService("sandbox", "test-key")
    service._baseUrl = fake.url + "/version1"  # the reference: the host lives here
    return service


def test_sdk_send_is_answered_per_recipient(fake_at):
    fake_at.expect_send(statuses=[101, 406])
    answer = sdk_for(fake_at).send("Habari", ["+254700000001", "+254700000002"])
    recipients = answer["SMSMessageData"]["Recipients"]
    assert [r["statusCode"] for r in recipients] == [101, 406]
    assert recipients[0]["messageId"].startswith("ATXid_") and recipients[1]["messageId"] == "None"
    request = fake_at.sends()[0]
    assert request.form["username"] == "sandbox" and request.headers["apiKey"] == "test-key"
    assert request.recipients == ["+254700000001", "+254700000002"]


def test_unexpected_request_fails_the_test():
    fake = FakeAfricasTalking()
    fake.start()
    try:
        with pytest.raises(AfricasTalkingException):  # the SDK: any non-2xx answer
            sdk_for(fake).send("Habari", ["+254700000001"])
        with pytest.raises(AssertionError, match="unexpected POST /version1/messaging"):
            fake.assert_satisfied()
    finally:
        fake.stop()


def test_unused_script_fails_the_test():
    fake = FakeAfricasTalking()
    fake.expect_send(statuses=[101])
    with pytest.raises(AssertionError, match="unused script"):
        fake.assert_satisfied()
