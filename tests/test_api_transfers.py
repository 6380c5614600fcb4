"""The transfers API: tokens, scoping by role, creating (and previewing) transfers and closures,
recording outcomes, and clear 4xx answers."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from sms_service.api.auth import issue
from sms_service.db import utcnow
from sms_service.models import ApiToken, Client, Facility, MentorMother, Transfer
from tests.support.programme import small_programme

SOON = (date.today() + timedelta(days=10)).isoformat()


@pytest.fixture
def tokens(services):
    """Mwangaza (F1): Amina and Beth are Zawadi's clients, Chausiku is Imani's; Tumaini (F2)."""
    with services.db.session() as s:
        p = small_programme(s)
        other = MentorMother(code="MM2", name="Imani", phone="+254700000901", facility=p.mwangaza)
        s.add_all([other, Facility(code="F3", name="Baraka")])
        p.client("Amina", "+254700000001")
        p.client("Beth", "+254700000002", "en")
        s.add(
            Client(
                external_id="C-Chausiku",
                first_name="Chausiku",
                phone="+254700000003",
                facility=p.mwangaza,
                mentor_mother=other,
            )
        )
        s.flush()
        made = {
            "admin": issue(s, "admin", "admin"),
            "tumaini": issue(s, "Tumaini desk", "supervisor", facility_id=p.tumaini.id),
            "baraka": issue(
                s, "Baraka desk", "supervisor", facility_id=s.scalar(select(Facility.id).where(Facility.code == "F3"))
            ),
            "zawadi": issue(s, "Zawadi", "mentor_mother", mentor_mother_id=p.mentor.id),
            "revoked": issue(s, "old", "admin"),
        }
        s.scalar(select(ApiToken).where(ApiToken.name == "old")).revoked_at = utcnow()
    return made


def call(client, method, path, token=None, **kw):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return getattr(client, method)(path, headers=headers, **kw)


def closure(client, token, **body):
    return call(
        client, "post", "/api/v1/site-closures", token, json={"site": "F1", "to": "F2", "effective_date": SOON, **body}
    )


def test_no_token_a_wrong_one_or_a_revoked_one_is_401_with_a_clear_body(client, tokens):
    assert call(client, "get", "/api/v1/transfers").status_code == 401
    answer = call(client, "get", "/api/v1/transfers", "sms_not-a-token")
    assert answer.status_code == 401 and answer.json == {"error": "unknown, revoked or expired token"}
    assert call(client, "get", "/api/v1/transfers", tokens["revoked"]).status_code == 401
    assert call(client, "get", "/api/v1/transfers", tokens["admin"]).status_code == 200


def test_a_closure_dated_in_the_past_is_refused_naming_the_date(client, tokens):
    # issue 19: "An effective date in the past (2026-11-20) was taken without a word"
    past = (date.today() - timedelta(days=3)).isoformat()
    answer = closure(client, tokens["admin"], effective_date=past, dry_run=True)
    assert answer.status_code == 409 and any(f"{past} is in the past" in p for p in answer.json["problems"])


def test_a_closure_previews_then_acts_and_a_mentor_mother_may_not_close_a_site(client, tokens, services):
    assert closure(client, tokens["zawadi"]).status_code == 403
    assert closure(client, tokens["baraka"]).status_code == 403  # not her facility
    preview = closure(client, tokens["admin"], dry_run=True)
    assert preview.status_code == 200 and preview.json["dry_run"] is True
    assert preview.json["per_clinic"] == {"F2": 3} and preview.json["notices"] == 3
    assert preview.json["estimated_cost"] == pytest.approx(preview.json["sms_parts"] * 0.8)
    with services.db.session() as s:
        assert s.scalar(select(func.count()).select_from(Transfer)) == 0
    assert closure(client, tokens["admin"]).status_code == 201
    again = closure(client, tokens["admin"])
    assert again.json["transfers"] == 0 and again.json["already_transferred"] == 3
    refused = closure(client, tokens["admin"], to="F1")
    assert refused.status_code == 409 and "it is the site closing" in refused.json["problems"][0]
    assert call(client, "post", "/api/v1/site-closures", tokens["admin"], data="x").status_code == 400


def test_each_role_sees_only_its_own(client, tokens):
    closure(client, tokens["admin"])
    seen = {
        who: sorted(t["first_name"] for t in call(client, "get", "/api/v1/transfers", tokens[who]).json["items"])
        for who in ("admin", "tumaini", "baraka", "zawadi")
    }
    assert seen == {
        "admin": ["Amina", "Beth", "Chausiku"],
        "tumaini": ["Amina", "Beth", "Chausiku"],
        "baraka": [],
        "zawadi": ["Amina", "Beth"],
    }
    everyone = {
        t["first_name"]: t["id"] for t in call(client, "get", "/api/v1/transfers", tokens["admin"]).json["items"]
    }
    chausiku = everyone["Chausiku"]
    # another Mentor Mother's client: not found, whatever the route
    assert call(client, "get", f"/api/v1/transfers/{chausiku}", tokens["zawadi"]).status_code == 404
    assert call(client, "post", f"/api/v1/transfers/{chausiku}/arrival", tokens["zawadi"], json={}).status_code == 404
    assert call(client, "post", f"/api/v1/transfers/{chausiku}/arrival", tokens["baraka"], json={}).status_code == 404
    report = call(client, "get", "/api/v1/transfers/report", tokens["zawadi"]).json
    assert report["lines"][0]["clients"] == 2
    one = call(client, "get", f"/api/v1/transfers/{everyone['Amina']}", tokens["zawadi"]).json
    assert one["events"][0]["to"] == "planned" and one["to_facility"] == "F2"


def test_outcomes_are_checked(client, tokens):
    closure(client, tokens["admin"])
    [first, *_] = call(client, "get", "/api/v1/transfers", tokens["admin"]).json["items"]
    path = f"/api/v1/transfers/{first['id']}/outcome"
    bad = call(client, "post", path, tokens["admin"], json={"outcome": "vanished"})
    assert bad.status_code == 409 and "outcome must be one of" in bad.json["error"]
    assert (
        call(client, "post", path, tokens["admin"], json={"outcome": "moved_elsewhere", "note": "Mombasa"}).json[
            "status"
        ]
        == "moved_elsewhere"
    )
    again = call(client, "post", path, tokens["admin"], json={"outcome": "arrived"})
    assert again.status_code == 409 and "moved_elsewhere" in again.json["error"]
    same = call(client, "post", path, tokens["admin"], json={"outcome": "moved_elsewhere"})
    assert same.status_code == 200 and same.json["recorded"] is False


def test_transfers_by_api_preview_create_and_respect_the_supervisor_facility(client, tokens, services):
    rows = [
        {"client_id": "C-Amina", "to_facility_code": "F2", "effective_date": SOON, "reason": "moving"},
        {"client_id": "C-Beth", "to_facility_code": "NOPE", "effective_date": SOON},
    ]
    preview = call(client, "post", "/api/v1/transfers", tokens["admin"], json={"transfers": rows, "dry_run": True})
    assert preview.status_code == 200 and preview.json["created"] == 1 and preview.json["errors"][0]["item"] == 2
    assert preview.json["preview"]["notices"] == 1
    assert call(client, "post", "/api/v1/transfers", tokens["tumaini"], json={"transfers": rows}).status_code == 403
    made = call(client, "post", "/api/v1/transfers", tokens["admin"], json={"transfers": rows[:1]})
    assert made.status_code == 201 and made.json["preview"]["transfers"] == 1
    with services.db.session() as s:
        assert s.scalar(select(Transfer.source)) == "api"
    assert call(client, "post", "/api/v1/transfers", tokens["admin"], json={"transfers": "x"}).status_code == 400


def test_referral_list_is_for_admins_and_the_receiving_clinic(client, tokens):
    closure(client, tokens["admin"])
    assert call(client, "get", "/api/v1/transfers/referrals/F2.csv", tokens["zawadi"]).status_code == 403
    answer = call(client, "get", "/api/v1/transfers/referrals/F2.csv", tokens["tumaini"])
    assert answer.status_code == 200 and answer.mimetype == "text/csv"
    assert len(answer.get_data(as_text=True).splitlines()) == 4
    assert call(client, "get", "/api/v1/transfers/referrals/NOPE.csv", tokens["admin"]).status_code == 404


def test_api_tokens_command_shows_a_token_once_and_keeps_only_its_digest(runner, services):
    result = runner.invoke(args=["api-tokens", "add", "ops", "--role", "admin"])
    token = result.output.strip()
    assert result.exit_code == 0 and token.startswith("sms_")
    with services.db.session() as s:
        stored = s.scalar(select(ApiToken))
        assert stored.token_hash != token and len(stored.token_hash) == 64
    assert runner.invoke(args=["api-tokens", "add", "x", "--role", "supervisor"]).exit_code == 2
    assert "Token 1 revoked." in runner.invoke(args=["api-tokens", "revoke", "1"]).output
