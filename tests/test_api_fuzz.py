"""The OpenAPI document checked against the running API with generated requests (schemathesis):
every operation, with an admin's token and with a Mentor Mother's, never answers 5xx, and what
it answers matches the document (status codes, content types, response schemas): valid data
accepted, and invalid data (wrong types, values out of range, missing fields) refused.

Deterministic: each operation's cases come from a fixed seed (Hypothesis's `derandomize`), so
the suite passes or fails the same way on every run; a new operation, a changed document or a
change to `keeps_to_it`'s source (the seed is a digest of it: reformatting counts) gives new
cases, which then hold for good.

One check is left out for one operation: a broadcast's text can be schema-valid and still be
refused (422) for what it says (a word that reveals the care, characters a basic phone cannot
show, more than three SMS parts); no JSON schema can say that."""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import positive_data_acceptance

from tests.support.people import two_mentor_mothers

EXAMPLES = 20
CONTENT_CHECKED = {("POST", "/broadcasts")}


def test_every_operation_keeps_to_the_document_and_never_fails_with_a_5xx(app, services):
    tokens = two_mentor_mothers(services).tokens
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    # NUL is refused at the door, as the document says; unknown parameters and fields are ignored, as
    # the document allows (no additionalProperties: false), so adding one is no invalid request
    schema.config.generation.update(allow_x00=False, allow_extra_parameters=False)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 25
    for operation in operations:
        excluded = [positive_data_acceptance] if (operation.method.upper(), operation.path) in CONTENT_CHECKED else []
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            fuzz(operation, mode, tokens, excluded)


def fuzz(operation, mode, tokens: dict, excluded: list) -> None:
    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=EXAMPLES, deadline=None, database=None, derandomize=True, suppress_health_check=list(HealthCheck)
    )
    def keeps_to_it(case):
        for who in ("admin", "zawadi"):  # everything, and one Mentor Mother's scope
            case.call_and_validate(headers={"Authorization": f"Bearer {tokens[who]}"}, excluded_checks=excluded)

    keeps_to_it()


def test_an_unknown_api_path_or_method_answers_json_and_a_huge_id_is_not_found(client):
    for answer in (
        client.get("/api/v1/nothing-here"),
        client.delete("/api/v1/transfers"),
        client.get("/api/v1/transfers/-1"),
    ):
        assert answer.status_code in (404, 405) and answer.is_json and "error" in answer.json
    assert client.get(f"/api/v1/broadcasts/{2**31}").status_code == 404
    assert client.get(f"/api/v1/messages?before_id={2**70}").status_code == 401  # read, then refused: no token
    assert client.get(f"/clients/{2**64}").status_code == 404


def test_a_nul_character_is_refused_everywhere_but_ussd_once_the_caller_is_known(make_app, services):
    from tests.support.logins import log_in

    client = make_app(WEBHOOK_TOKEN="t").test_client()
    tokens = two_mentor_mothers(services).tokens
    admin = {"Authorization": f"Bearer {tokens['admin']}"}
    assert client.get("/api/v1/transfers?clinic=%00").status_code == 401  # a stranger's request is not read
    assert client.get("/api/v1/transfers?clinic=%00", headers=admin).status_code == 400
    assert client.post("/api/v1/broadcasts", json={"text_en": "a\x00b"}, headers=admin).status_code == 400
    assert client.post("/webhooks/sms/optout?token=x", data={"phoneNumber": "\x00"}).status_code == 403
    assert (
        client.post("/webhooks/sms?token=t", data={"id": "1", "from": "0700000001", "text": "\x00"}).status_code == 400
    )
    ussd = client.post(
        "/webhooks/ussd?token=t", data={"sessionId": "\x00", "phoneNumber": "0700000001", "text": "\x00"}
    )
    assert ussd.status_code == 200 and ussd.get_data(as_text=True).startswith(("CON ", "END "))
    assert client.get("/clients?q=%00").status_code == 302  # to the login
    log_in(client, "admin")
    assert client.get("/clients?q=%00").status_code == 400
