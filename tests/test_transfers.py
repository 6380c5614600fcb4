"""Transfers piece by piece: states, starting them from a CSV, the commands, notices that cannot
reach her, the ladder's rules, and the configuration of its days."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from sms_service.config import ConfigError, load_config
from sms_service.db import utcnow
from sms_service.gateway import Outcome
from sms_service.models import (
    Client,
    Facility,
    FollowUpTask,
    OutboundMessage,
    Transfer,
    TransferEvent,
)
from sms_service.outbound.messages import transition
from sms_service.outbound.sending import Sender
from sms_service.transfers.begin import new_transfers, start
from sms_service.transfers.closure import ClosureRefused, close_site
from sms_service.transfers.ladder import follow_up
from sms_service.transfers.states import move
from tests.support.fake_gateway import FakeGateway
from tests.support.programme import small_programme

T0 = datetime(2026, 12, 1, 6, 0, tzinfo=UTC)  # 09:00 in Nairobi
NEXT_WEEK = (date.today() + timedelta(days=7)).isoformat()  # the commands read the real clock


@pytest.fixture
def people(services):
    """Mwangaza (F1) with three clients, Tumaini (F2) open, Closed (F9) closed already."""
    with services.db.session() as s:
        p = small_programme(s)
        s.add(Facility(code="F9", name="Closed", closed_on=T0.date()))
        for name, phone, language in (
            ("Amina", "+254700000001", "sw"),
            ("Beth", "+254700000002", "en"),
            ("Chausiku", "+254700000003", "sw"),
        ):
            p.client(name, phone, language)
    return services


def close(services, now=T0, **kw):
    with services.db.session() as s:
        return close_site(
            s,
            "F1",
            effective=kw.pop("effective", T0.date() + timedelta(days=7)),
            now=now,
            config=services.config,
            actor="test",
            **{"to": "F2", **kw},
        )


def transfer(s, name="Amina") -> Transfer:
    return s.scalar(select(Transfer).join(Client).where(Client.first_name == name))


def test_states_move_only_forward_and_every_change_is_an_event(people):
    close(people)
    with people.db.session() as s:
        t = transfer(s)
        assert move(s, t, "acknowledged", cause="client_sms", actor="client:1", now=T0)
        assert not move(s, t, "notified", cause="gateway", actor="gateway", now=T0)  # never backwards
        assert not move(s, t, "planned", cause="staff", actor="cli", now=T0)
        assert move(s, t, "lost_to_follow_up", cause="follow_up", actor="system", now=T0)
        assert move(s, t, "arrived", cause="mentor_mother", actor="token:1", now=T0)  # learnt later
        assert not move(s, t, "died", cause="staff", actor="cli", now=T0)  # arrived is final
        with pytest.raises(AssertionError):
            move(s, transfer(s, "Beth"), "arrived", cause="a rumour", actor="?", now=T0)
        events = s.execute(
            select(TransferEvent.from_status, TransferEvent.to_status, TransferEvent.cause)
            .where(TransferEvent.transfer_id == t.id)
            .order_by(TransferEvent.id)
        ).all()
        assert events == [
            (None, "planned", "staff"),
            ("planned", "acknowledged", "client_sms"),
            ("acknowledged", "lost_to_follow_up", "follow_up"),
            ("lost_to_follow_up", "arrived", "mentor_mother"),
        ]


def test_cancelling_a_transfer_cancels_its_waiting_notice_and_closes_its_tasks(people):
    close(people)
    with people.db.session() as s:
        t = transfer(s)
        s.add(FollowUpTask(client_id=t.client_id, kind="transfer_unconfirmed", subject=f"transfer:{t.id}"))
        s.flush()
        assert move(s, t, "cancelled", cause="staff", actor="cli", now=T0)
        assert s.get(OutboundMessage, t.notice_message_id).status == "cancelled"
        assert s.scalar(select(FollowUpTask.status).where(FollowUpTask.subject == f"transfer:{t.id}")) == "done"
        assert t.next_step_on is None


def test_refusals_name_every_problem(people):
    with pytest.raises(ClosureRefused) as refused:
        close(people, to="F9")
    assert refused.value.problems == ["F9 is closed from 2026-12-01"]
    with pytest.raises(ClosureRefused) as refused:
        close(people, to="F1")
    assert "it is the site closing" in refused.value.problems[0]
    with pytest.raises(ClosureRefused) as refused:
        close(people, to=None, mapping={"C-Amina": "F2", "C-Nobody": "F2"})
    assert refused.value.problems == [
        "the mapping names 1 client(s) neither active at nor coming to F1: C-Nobody",
        "2 client(s) have no receiving clinic (give --to): C-Beth, C-Chausiku",
    ]
    with pytest.raises(ClosureRefused, match="unknown facility NOPE"):
        close(people, to="NOPE")
    close(people)
    with pytest.raises(ClosureRefused, match="already closed from"):
        close(people, effective=T0.date() + timedelta(days=8))


def test_a_client_already_transferring_elsewhere_keeps_her_transfer(people):
    with people.db.session() as s:
        s.add(Facility(code="F3", name="Baraka"))
        s.flush()
        amina = s.scalar(select(Client).where(Client.first_name == "Amina"))
        s.add(
            Transfer(
                client_id=amina.id,
                from_facility_id=amina.facility_id,
                effective_date=T0.date(),
                to_facility_id=s.scalar(select(Facility.id).where(Facility.code == "F3")),
            )
        )
    done = close(people)
    assert done.elsewhere == [("C-Amina", "F3")] and done.started.transfers == 2


def test_close_site_command_previews_then_acts_once(people, runner, tmp_path):
    mapping = tmp_path / "map.csv"
    mapping.write_text("client_id,to_facility_code\nC-Beth,F1X\n")
    result = runner.invoke(
        args=["close-site", "F1", "--to", "F2", "--mapping", str(mapping), "--effective", NEXT_WEEK, "--dry-run"]
    )
    assert result.exit_code == 2 and "refused: unknown facility F1X" in result.output
    result = runner.invoke(args=["close-site", "F1", "--to", "F2", "--effective", NEXT_WEEK, "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "3 client(s) to transfer\n  F2: 3\n3 transfer notice(s)" in result.output
    assert "estimated cost" in result.output and "Preview only: nothing was changed." in result.output
    with people.db.session() as s:
        assert s.scalar(select(func.count()).select_from(Transfer)) == 0
    result = runner.invoke(args=["close-site", "F1", "--to", "F2", "--effective", NEXT_WEEK, "--yes"])
    assert result.exit_code == 0 and "3 client(s) to transfer" in result.output
    result = runner.invoke(args=["close-site", "F1", "--to", "F2", "--effective", NEXT_WEEK, "--yes"])
    assert "0 client(s) to transfer" in result.output and "3 client(s) already transferred" in result.output
    with people.db.session() as s:
        assert (
            s.scalar(
                select(func.count()).select_from(OutboundMessage).where(OutboundMessage.purpose == "transfer_notice")
            )
            == 3
        )


def test_an_effective_date_in_the_past_is_refused_by_function_and_command(people, runner):
    # issue 19: "An effective date in the past (2026-11-20) was taken without a word"
    with pytest.raises(ClosureRefused, match="2026-11-20 is in the past"):
        close(people, effective=date(2026, 11, 20))
    yesterday = (date.today() - timedelta(days=2)).isoformat()
    result = runner.invoke(args=["close-site", "F1", "--to", "F2", "--effective", yesterday, "--yes"])
    assert result.exit_code == 2 and "is in the past" in result.output
    close(people, effective=T0.date())  # today is allowed: closed from today
    with people.db.session() as s:
        assert s.scalar(select(func.count()).select_from(Transfer)) == 3


def test_close_site_from_a_terminal_without_redis_leaves_the_sending_to_the_scheduler(people, make_app):
    # issue 19: "RuntimeError: REDIS_URL is not set" after the closure was saved; the notices sat
    # `queued` until the sweeper
    runner = make_app(REDIS_URL=None).test_cli_runner()
    result = runner.invoke(args=["close-site", "F1", "--to", "F2", "--effective", NEXT_WEEK, "--yes"])
    assert result.exit_code == 0 and result.exception is None, result.output
    assert "REDIS_URL is not set here: the running scheduler hands the notices" in result.output
    with people.db.session() as s:
        statuses = s.scalars(select(OutboundMessage.status).where(OutboundMessage.purpose == "transfer_notice")).all()
    assert sorted(statuses) == ["scheduled"] * 3  # not claimed: the scheduler's next tick hands them over


def test_two_closures_at_once_make_each_transfer_once(people):
    # issue 19: "Two closures started at once: one waits or is refused cleanly"
    outcomes: list = []

    def one() -> None:
        try:
            outcomes.append(close(people).started.transfers)
        except Exception as exc:  # a clean refusal is allowed; a half-done closure is not
            outcomes.append(exc)

    threads = [threading.Thread(target=one) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not any(t.is_alive() for t in threads)
    assert sorted(o for o in outcomes if isinstance(o, int)) in ([0, 3], [3])
    assert all(isinstance(o, int | ClosureRefused) for o in outcomes), outcomes
    with people.db.session() as s:
        assert s.scalar(select(func.count()).select_from(Transfer)) == 3
        assert (
            s.scalar(
                select(func.count()).select_from(OutboundMessage).where(OutboundMessage.purpose == "transfer_notice")
            )
            == 3
        )


def test_import_transfers_starts_them_and_dry_run_changes_nothing(people, runner, tmp_path):
    csv = tmp_path / "transfers.csv"
    csv.write_text(
        "client_id,to_facility_code,effective_date,reason\nC-Amina,F2,2026-12-20,moving house\nC-Beth,F9,2026-12-20,\n"
    )
    result = runner.invoke(args=["import", "transfers", str(csv), "--dry-run"])
    assert "line 3" in result.output and "1 client(s) to transfer" in result.output
    assert "Preview only" in result.output
    with people.db.session() as s:
        assert s.scalar(select(func.count()).select_from(Transfer)) == 0
    result = runner.invoke(args=["import", "transfers", str(csv)])
    assert result.exit_code == 1 and "1 transfer notice(s)" in result.output
    result = runner.invoke(args=["import", "transfers", str(csv)])  # again: nothing new
    assert "0 client(s) to transfer" in result.output
    with people.db.session() as s:
        t = transfer(s)
        assert (t.status, t.source) == ("planned", "csv") and new_transfers(s) == []
        assert s.get(OutboundMessage, t.notice_message_id).purpose == "transfer_notice"


@pytest.mark.parametrize(
    "outcome, reason",
    [
        ((Outcome.PERMANENT, "invalid_phone_number"), "the number is not valid"),
        ((Outcome.OPTED_OUT, "blocked_by_user"), "she has stopped our messages"),
    ],
)
def test_a_notice_that_cannot_go_makes_a_task_at_once(people, outcome, reason):
    close(people)
    with people.db.session() as s:
        notice = transfer(s).notice_message_id
        transition(s, [notice], "queued", "test", now=T0)
    gateway = FakeGateway()
    gateway.outcomes["+254700000001"] = outcome
    Sender(people, gateway).send([notice], at=T0)
    with people.db.session() as s:
        [task] = s.scalars(select(FollowUpTask).where(FollowUpTask.kind == "transfer_notice_failed")).all()
        assert reason in task.note and task.mentor_mother_id is not None
        assert transfer(s).status == "planned"


def test_a_notice_for_a_clinic_closed_since_is_suppressed_and_a_person_told(people):
    close(people)
    with people.db.session() as s:
        notice = transfer(s).notice_message_id
        transition(s, [notice], "queued", "test", now=T0)
        s.scalar(select(Facility).where(Facility.code == "F2")).closed_on = T0.date()
    Sender(people, FakeGateway()).send([notice], at=T0)
    with people.db.session() as s:
        assert s.get(OutboundMessage, notice).status == "suppressed"
        assert "the new clinic has closed" in s.scalar(
            select(FollowUpTask.note).where(FollowUpTask.kind == "transfer_notice_failed")
        )


def test_acknowledged_clients_skip_the_reminder_and_the_list(people):
    close(people)
    with people.db.session() as s:
        move(s, transfer(s), "acknowledged", cause="ussd", actor="client:1", now=T0)
    with people.db.session() as s:
        done = follow_up(s, T0 + timedelta(days=8), people.config)
    assert done == {"reminders": 2, "unconfirmed": 2, "tracing": 0, "lost": 0}  # Beth and Chausiku only
    with people.db.session() as s:
        assert transfer(s).ladder_step == 0 and transfer(s, "Beth").ladder_step == 2


def test_the_ladder_days_are_configurable(people, make_app):
    from sms_service.bootstrap import get_services

    quick = get_services(make_app(TRANSFER_FOLLOW_UP_DAYS="1,2,3,4"))
    close(quick)
    with quick.db.session() as s:
        assert follow_up(s, T0 + timedelta(days=1), quick.config)["reminders"] == 3


def test_follow_up_days_are_validated():
    assert load_config({"TRANSFER_FOLLOW_UP_DAYS": "2, 5, 10, 20"}).transfer_follow_up_days == (2, 5, 10, 20)
    for bad in ("3,7,14", "3,7,7,30", "a,b,c,d", "0,7,14,30"):
        with pytest.raises(ConfigError, match="TRANSFER_FOLLOW_UP_DAYS"):
            load_config({"TRANSFER_FOLLOW_UP_DAYS": bad})


def test_start_is_a_no_op_for_nothing(people):
    with people.db.session() as s:
        assert start(s, [], now=utcnow(), config=people.config, actor="test").transfers == 0


def test_after_lost_to_follow_up_she_is_still_shown_her_new_clinic_and_can_say_she_arrived(people):
    from sms_service.webhooks import answer_ussd as respond

    close(people)
    with people.db.session() as s:
        move(s, transfer(s), "lost_to_follow_up", cause="follow_up", actor="system", now=T0)
    later = T0 + timedelta(days=40)
    screen = respond(people, {"sessionId": "S1", "phoneNumber": "+254700000001", "text": "2"}, now=later)
    assert "Tumaini" in screen and "Mwangaza" not in screen
    respond(people, {"sessionId": "S1", "phoneNumber": "+254700000001", "text": "2*2"}, now=later)
    with people.db.session() as s:
        assert transfer(s).status == "arrived"
