"""Facilities, clients, messages and tasks over the API: pages, filters, clear 4xx, and scoping
(a Mentor Mother never reaches another's clients; a supervisor her facility and those coming to it)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from sms_service.models import FollowUpTask, Transfer
from tests.support.people import two_mentor_mothers


@pytest.fixture
def people(services):
    return two_mentor_mothers(services)


def get(client, path, token, **kw):
    return client.get(path, headers={"Authorization": f"Bearer {token}"}, **kw)


def post(client, path, token, **kw):
    return client.post(path, headers={"Authorization": f"Bearer {token}"}, **kw)


def names(answer) -> set:
    return {item["first_name"] for item in answer.json["items"]}


def test_each_role_sees_its_own_clients_and_nobody_elses(client, people):
    assert names(get(client, "/api/v1/clients", people.tokens["admin"])) == {"Amina", "Beth", "Chausiku"}
    assert names(get(client, "/api/v1/clients", people.tokens["zawadi"])) == {"Amina", "Beth"}
    assert names(get(client, "/api/v1/clients", people.tokens["imani"])) == {"Chausiku"}
    assert names(get(client, "/api/v1/clients", people.tokens["mwangaza"])) == {"Amina", "Beth", "Chausiku"}
    assert names(get(client, "/api/v1/clients", people.tokens["tumaini"])) == {"Beth"}  # coming to Tumaini
    assert get(client, "/api/v1/clients/C-Chausiku", people.tokens["zawadi"]).status_code == 404
    assert get(client, "/api/v1/clients/C-Amina", people.tokens["imani"]).status_code == 404
    assert get(client, "/api/v1/clients/C-Amina", people.tokens["tumaini"]).status_code == 404
    mine = get(client, "/api/v1/clients/C-Amina", people.tokens["zawadi"])
    assert mine.status_code == 200 and mine.json["phone"] == "+254700000001"
    assert [e["kind"] for e in mine.json["timeline"]].count("sms_out") == 1


def test_clients_are_found_by_name_number_or_id_and_paged(client, people):
    token = people.tokens["admin"]
    assert names(get(client, "/api/v1/clients?q=am", token)) == {"Amina"}
    assert names(get(client, "/api/v1/clients?q=0700 000 003", token)) == {"Chausiku"}
    assert names(get(client, "/api/v1/clients?q=C-Beth", token)) == {"Beth"}
    first = get(client, "/api/v1/clients?limit=2", token).json
    assert len(first["items"]) == 2 and first["next_after_id"]
    rest = get(client, f"/api/v1/clients?limit=2&after_id={first['next_after_id']}", token).json
    assert len(rest["items"]) == 1 and rest["next_after_id"] is None
    assert get(client, "/api/v1/clients?limit=0", token).json == {"error": "limit: a whole number from 1 to 500"}
    assert get(client, "/api/v1/clients?after_id=x", token).status_code == 400


def test_facilities_are_listed_for_every_role(client, people):
    codes = [f["code"] for f in get(client, "/api/v1/facilities", people.tokens["imani"]).json["items"]]
    assert codes == ["F1", "F2"]
    assert get(client, "/api/v1/facilities/F2", people.tokens["imani"]).json["name"] == "Tumaini"
    assert get(client, "/api/v1/facilities/NOPE", people.tokens["imani"]).status_code == 404


def test_the_message_log_is_scoped_and_filtered(client, people):
    def first_names(token, query=""):
        return {m["first_name"] for m in get(client, f"/api/v1/messages{query}", token).json["items"]}

    assert first_names(people.tokens["zawadi"]) == {"Amina", "Beth"}
    assert first_names(people.tokens["imani"]) == {"Chausiku"}
    assert first_names(people.tokens["admin"], "?phone=0700000003") == {"Chausiku"}
    assert first_names(people.tokens["admin"], "?status=delivered") == set()
    assert first_names(people.tokens["admin"], "?status=scheduled&purpose=reminder") == {"Amina", "Beth", "Chausiku"}
    assert get(client, "/api/v1/messages?since=yesterday", people.tokens["admin"]).status_code == 400


def test_tasks_are_scoped_and_done_once_with_a_transfer_outcome_recorded_on_the_transfer(client, people, services):
    def task_names(token):
        return {t["first_name"] for t in get(client, "/api/v1/tasks", token).json["items"]}

    assert task_names(people.tokens["zawadi"]) == {"Amina", "Beth"}
    assert task_names(people.tokens["imani"]) == {"Chausiku"}
    assert task_names(people.tokens["tumaini"]) == {"Beth"}
    chausiku = people.tasks["Chausiku"]
    assert (
        post(client, f"/api/v1/tasks/{chausiku}/done", people.tokens["zawadi"], json={"outcome": "reached"}).status_code
        == 404
    )  # not hers
    beth = people.tasks["Beth"]
    assert (
        post(client, f"/api/v1/tasks/{beth}/done", people.tokens["zawadi"], json={"outcome": "flew"}).status_code == 400
    )
    done = post(
        client,
        f"/api/v1/tasks/{beth}/done",
        people.tokens["zawadi"],
        json={"outcome": "arrived", "note": "seen at Tumaini"},
    )
    assert done.status_code == 200 and done.json["status"] == "done" and done.json["outcome"] == "arrived"
    assert (
        post(client, f"/api/v1/tasks/{beth}/done", people.tokens["zawadi"], json={"outcome": "reached"}).status_code
        == 409
    )
    with services.db.session() as s:
        assert s.get(Transfer, people.transfer_id).status == "arrived"
        assert s.scalar(select(FollowUpTask.status).where(FollowUpTask.id == beth)) == "done"
    assert task_names(people.tokens["zawadi"]) == {"Amina"}
