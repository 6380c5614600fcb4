"""Closures at programme scale, piece by piece (issue 19): clients on their way to a closing
clinic, destinations already closing, the choice of clinic and its capacity, the notice's
length, the command's and API's options."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from sms_service.api.auth import issue
from sms_service.models import Appointment, Client, Facility, OutboundMessage, Transfer
from sms_service.transfers.closure import ClosureRefused, close_site
from sms_service.transfers.report import progress
from sms_service.transfers.watch import watch
from tests.support.programme import small_programme

T0 = datetime(2026, 12, 1, 6, 0, tzinfo=UTC)  # 09:00 in Nairobi
NEXT_WEEK = (date.today() + timedelta(days=7)).isoformat()  # the commands read the real clock


@pytest.fixture
def people(services):
    """Mwangaza (F1) with three clients, each with a visit after next week; Tumaini (F2), Baraka
    (F3), Faraja (F4) open."""
    with services.db.session() as s:
        p = small_programme(s)
        s.add_all([Facility(code="F3", name="Baraka"), Facility(code="F4", name="Faraja")])
        for name, phone, language in (
            ("Amina", "+254700000301", "sw"),
            ("Beth", "+254700000302", "en"),
            ("Chausiku", "+254700000303", "sw"),
        ):
            client = p.client(name, phone, language)
            s.add(Appointment(client=client, facility=p.mwangaza, date=date.today() + timedelta(days=40), kind="anc"))
    return services


def close(services, site="F1", to="F2", now=T0, **kw):
    with services.db.session() as s:
        return close_site(
            s,
            site,
            effective=kw.pop("effective", T0.date() + timedelta(days=7)),
            to=to,
            now=now,
            config=services.config,
            actor="test",
            **kw,
        )


def test_closing_the_clinic_clients_are_on_their_way_to_sends_them_on(people, runner):
    # issue 19: "15 clients were due at clinic E on 31 Dec. close-site E … --dry-run never mentioned
    # them. After E closed from 20 Dec, their USSD still said 'from 31 Dec go to E'"
    close(people, effective=date.today() + timedelta(days=20))
    result = runner.invoke(args=["close-site", "F2", "--to", "F3", "--effective", NEXT_WEEK, "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "3 client(s) on their way to F2 are sent on" in result.output
    assert "  from F1: 3 (F3 3)" in result.output and "    C-Amina -> F3" in result.output
    result = runner.invoke(args=["close-site", "F2", "--to", "F3", "--effective", NEXT_WEEK, "--yes"])
    assert result.exit_code == 0, result.output
    with people.db.session() as s:
        statuses = s.execute(
            select(Transfer.status, Facility.code).join(Facility, Facility.id == Transfer.to_facility_id)
        ).all()
        assert sorted(statuses) == [("planned", "F3")] * 3 + [("rerouted", "F2")] * 3
        assert set(s.scalars(select(Facility.code).join(Appointment, Appointment.facility_id == Facility.id))) == {"F3"}
        corrected = s.scalars(
            select(OutboundMessage.body).where(OutboundMessage.template.like("transfer.correction%"))
        ).all()
        assert len(corrected) == 3 and all("Baraka" in b and "Tumaini" in b for b in corrected)
        # the progress report counts each client once: under the transfer that sent her on
        lines, _ = progress(s)
        assert [(ln.site, ln.clinic, ln.clients) for ln in lines] == [("F1", "F3", 3)]
    # nothing twice
    result = runner.invoke(args=["close-site", "F2", "--to", "F3", "--effective", NEXT_WEEK, "--yes"])
    assert "on their way" not in result.output
    with people.db.session() as s:
        assert len(s.scalars(select(Transfer.id)).all()) == 6


def test_a_destination_already_closing_is_refused_naming_it(people):
    close(people, site="F3", to="F4", effective=T0.date() + timedelta(days=30))  # Baraka closes later
    with pytest.raises(ClosureRefused) as refused:
        close(people, to="F2,F3")
    assert refused.value.problems == ["F3 (Baraka) is closing from 2026-12-31: choose a clinic that stays open"]


def test_the_choice_is_offered_within_capacity_and_refused_when_it_is_used_up(people):
    done = close(people, to="F2,F3,F4", capacity={"F2": 1})
    assert done.choosing == 3 and done.started.per_clinic == {"F2": 1, "F3": 2}
    with people.db.session() as s:
        bodies = dict(
            s.execute(
                select(Client.first_name, OutboundMessage.body)
                .join(Client, Client.id == OutboundMessage.client_id)
                .where(OutboundMessage.purpose == "transfer_notice")
            ).all()
        )
    assert "jibu 1 kwa Tumaini, 2 kwa Baraka au 3 kwa Faraja" in bodies["Amina"]
    assert "reply 1 for Baraka or 2 for Faraja" in bodies["Beth"]  # Tumaini full for those told after


def test_a_closure_without_room_for_everyone_is_refused(people):
    with pytest.raises(ClosureRefused, match="1 client\\(s\\) have no clinic with room"):
        close(people, to="F2,F3", capacity={"F2": 1, "F3": 1})
    with people.db.session() as s:
        assert s.scalars(select(Transfer.id)).all() == []


def test_a_choice_that_does_not_fit_three_parts_is_refused_saying_which(people):
    with people.db.session() as s:
        for code in ("F2", "F3", "F4"):
            s.scalar(select(Facility).where(Facility.code == code)).name = (
                f"{code} " + "Very Long Health Centre Name " * 3
            )
    with pytest.raises(ClosureRefused) as refused:
        close(people, to="F2,F3,F4")
    assert any("in English takes" in p and "at most 3" in p for p in refused.value.problems)
    assert any("in Kiswahili takes" in p for p in refused.value.problems)
    with people.db.session() as s:
        assert s.scalars(select(Transfer.id)).all() == []  # nothing kept


@pytest.mark.parametrize(
    ("to", "capacity", "problem"),
    [
        ("F2,F3,F4,F2", None, "at most 3 clinics"),
        ("F2,F2", None, "names a clinic twice"),
        ("F2,F3", {"F4": 10}, "--capacity names F4, which is not offered"),
    ],
)
def test_offers_that_make_no_sense_are_refused(people, to, capacity, problem):
    with pytest.raises(ClosureRefused, match=problem):
        close(people, to=to, capacity=capacity)


def test_the_command_and_the_api_take_a_choice_and_capacity(people, runner, app):
    result = runner.invoke(args=["close-site", "F1", "--to", "F2,F3", "--capacity", "F2=x", "--effective", NEXT_WEEK])
    assert result.exit_code == 2 and "--capacity F2=x: give CODE=N" in result.output
    result = runner.invoke(
        args=["close-site", "F1", "--to", "F2,F3", "--capacity", "F2=2", "--effective", NEXT_WEEK, "--dry-run"]
    )
    assert result.exit_code == 0, result.output
    assert "2 client(s) offered a choice of F2, F3" in result.output and "  F2: 2\n  F3: 1" in result.output
    with people.db.session() as s:
        token = issue(s, "admin", "admin")
    answer = app.test_client().post(
        "/api/v1/site-closures",
        json={"site": "F1", "to": "F2,F3", "capacity": {"F2": 2}, "effective_date": NEXT_WEEK, "dry_run": True},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert answer.status_code == 200, answer.get_json()
    body = answer.get_json()
    assert body["offered"] == ["F2", "F3"] and body["per_clinic"] == {"F2": 2, "F3": 1}
    assert body["offered_a_choice"] == 2  # the third is told after F2 is full: F3 alone, no choice


def test_a_choice_not_made_in_time_leaves_the_first_and_tells_her_mentor_mother(people):
    close(people, to="F2,F3")
    with people.db.session() as s:
        assert watch(s, T0 + timedelta(days=7), people.config)["choices_defaulted"] == 0
    with people.db.session() as s:
        assert watch(s, T0 + timedelta(days=8), people.config)["choices_defaulted"] == 3
        assert {t.choose_by for t in s.scalars(select(Transfer))} == {None}
    with people.db.session() as s:
        assert watch(s, T0 + timedelta(days=9), people.config)["choices_defaulted"] == 0  # once
