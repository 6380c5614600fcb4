"""What each kind of life event does at once, in the caller's transaction, and how a retraction
undoes it. `apply` returns the event's `effects`: what it changed, with what was there before
(visits and their statuses, the messages it held back, the tasks it closed, her transfer, her
record's fields), so that `undo` restores exactly that and nothing a person has changed since.

Everything an event stamps carries the event's moment (`recorded_at`): a task it closed is
reopened, a visit it cancelled restored, only while it still bears that stamp.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from .. import consent, renewal
from ..access import Caller
from ..db import among
from ..messaging import PURPOSES, WAITING, cancel_for_clients, cancel_waiting, create_messages, remake, transition
from ..models import Appointment, Broadcast, Client, FollowUpTask, LifeEvent, OutboundMessage, Transfer, TransferEvent
from ..reminders import planner, visits
from ..send_window import next_send_time
from ..tasks import close_client_tasks, close_tasks, open_tasks, reopen
from ..templates.render import render
from ..transfers import ladder
from ..transfers.states import ALLOWED, CAUSE_BY_ROLE, move
from .kinds import Checked

FOLLOWED = ("scheduled", "missed", "defaulted")  # a visit still reminded of or followed up
WELCOME_KEEPS = timedelta(days=3)


def apply(session: Session, client: Client, event: LifeEvent, checked: Checked, *, by: Caller, now: datetime,
          config, transfer: Transfer | None = None) -> dict:
    """Do what the event does; returns its effects. `transfer`: the transfer whose outcome
    recorded it (a person chose `died` on it), ended by the event like any other of hers."""
    kind = checked.kind
    if kind.ends_care:
        return _end_care(session, client, event, by=by, now=now, transfer=transfer)
    if kind.name == "infant_died":
        checked.infant.died_on = event.occurred_on
        effects = _set_aside(session, client, event, Appointment.infant_id == checked.infant.id, now)
        if not any(i.alive for i in client.infants):
            effects["messages"] += _hold_broadcasts(session, client, event, now,
                                                    lambda audience: "infant_under_months" in audience)
        return {**effects, "infant_dob": checked.infant.dob.isoformat(),
                "loss_task": _loss_task(session, client, event, now, config)}
    if kind.name == "pregnancy_loss":
        before = {"edd": _iso(client.edd), "stage": client.stage, "pregnancy_lost_on": _iso(client.pregnancy_lost_on)}
        client.edd, client.pregnancy_lost_on = None, event.occurred_on
        if client.stage == "pregnant":
            client.stage = "other"
        client.updated_at = now
        effects = _set_aside(session, client, event, Appointment.kind == "anc", now)
        effects["messages"] += _hold_broadcasts(session, client, event, now,
                                                lambda audience: audience.get("stage") == "pregnant")
        return {**effects, "client": before, "loss_task": _loss_task(session, client, event, now, config)}
    return _new_number(session, client, event, now=now, config=config)


def undo(session: Session, client: Client, event: LifeEvent, *, by: Caller, now: datetime, config) -> None:
    """Undo what `apply` did, where nothing since has changed it; then make again what is still
    to come (`renewal`), never what has passed."""
    effects, stamp = event.effects or {}, event.recorded_at
    if event.kind in ("died", "moved_away"):
        if client.inactive_reason == event.kind:
            previous = effects.get("client", {})
            client.status = previous.get("status", "active")
            client.inactive_reason = previous.get("inactive_reason")
            client.updated_at = now
        for ended in effects.get("transfers", []):
            _reopen_transfer(session, ended, event, by=by, now=now, config=config)
    elif event.kind == "infant_died":
        infant = next((i for i in client.infants if i.id == event.infant_id), None)
        if infant is not None and infant.died_on == event.occurred_on:
            infant.died_on = None
    elif event.kind == "pregnancy_loss":
        if client.pregnancy_lost_on == event.occurred_on:
            previous = effects.get("client", {})
            client.edd = _day(previous.get("edd")) if client.edd is None else client.edd
            client.stage = previous.get("stage", client.stage) if client.stage == "other" else client.stage
            client.pregnancy_lost_on = _day(previous.get("pregnancy_lost_on"))
            client.updated_at = now
    elif event.kind == "number_changed":
        _undo_new_number(session, client, event, now=now, config=config)
        return
    if effects.get("loss_task"):
        session.execute(update(FollowUpTask).where(FollowUpTask.id == effects["loss_task"],
                                                   FollowUpTask.status == "open")
                        .values(status="cancelled", outcome="recorded by mistake", closed_at=now))
    session.flush()
    _restore_visits(session, effects.get("visits", []), stamp, now, config)
    reopen(session, effects.get("tasks", []), closed_at=stamp)
    if client.status == "active":
        renewal.make_again(session, [client.id], now=now, config=config, reason="life event retracted",
                           held=effects.get("messages", []), visits_too=False)


# -- what the kinds do -------------------------------------------------------------------------

def _end_care(session: Session, client: Client, event: LifeEvent, *, by: Caller, now: datetime,
              transfer: Transfer | None) -> dict:
    """died, moved_away: she is inactive; everything waiting for her is held back, every task
    about her closed, her open transfer ended, her visits cancelled."""
    reason = f"life event: {event.kind}"
    waiting = list(session.scalars(select(OutboundMessage.id).where(OutboundMessage.client_id == client.id,
                                                                     OutboundMessage.status.in_(WAITING))))
    open_ = list(session.scalars(select(FollowUpTask.id).where(FollowUpTask.client_id == client.id,
                                                                FollowUpTask.status == "open")))
    ended = []
    outcome = "died" if event.kind == "died" else "moved_elsewhere"
    theirs = session.scalars(select(Transfer).where(Transfer.client_id == client.id,
                                                    Transfer.status.in_(tuple(ALLOWED)))).all()
    for t in {*theirs, *([transfer] if transfer is not None else [])}:
        before = t.status
        if move(session, t, outcome, cause=CAUSE_BY_ROLE.get(by.role, "staff"), actor=by.actor, now=now,
                detail=f"life event {event.id}"):
            ended.append({"id": t.id, "status": before})
    before = {"status": client.status, "inactive_reason": client.inactive_reason}
    client.status, client.inactive_reason, client.updated_at = "inactive", event.kind, now
    visits_before = _cancel_visits(session, select(Appointment.id, Appointment.status).where(
        Appointment.client_id == client.id, Appointment.status.in_(FOLLOWED)), event.kind, now)
    cancel_waiting(session, [planner.subject(i) for i, _ in visits_before], reason, now=now)
    cancel_for_clients(session, [client.id], reason, now=now)
    close_client_tasks(session, [client.id], reason, now=now)
    return {"client": before, "transfers": ended, "visits": visits_before, "messages": waiting, "tasks": open_}


def _set_aside(session: Session, client: Client, event: LifeEvent, which, now: datetime) -> dict:
    """Her visits `which` (an infant's, the antenatal ones) are no longer part of her care: cancelled,
    what waits on them held back, the tasks about them closed."""
    reason = f"life event: {event.kind}"
    visits_before = _cancel_visits(session, select(Appointment.id, Appointment.status).where(
        Appointment.client_id == client.id, Appointment.status.in_(FOLLOWED), which), event.kind, now)
    subjects = [planner.subject(i) for i, _ in visits_before]
    held = cancel_waiting(session, subjects, reason, now=now)
    closed = close_tasks(session, subjects, reason, now=now)
    return {"visits": visits_before, "messages": held, "tasks": closed}


def _cancel_visits(session: Session, query, why: str, now: datetime) -> list[list]:
    found = [[i, status] for i, status in session.execute(query)]
    if found:
        session.execute(update(Appointment).where(among(session, Appointment.id, [i for i, _ in found]))
                        .values(status="cancelled", status_reason=why, status_changed_at=now, updated_at=now,
                                planned=True)
                        .execution_options(synchronize_session=False))
    return found


def _hold_broadcasts(session: Session, client: Client, event: LifeEvent, now: datetime, chose) -> list[int]:
    """Broadcast messages waiting for her that chose her for what she no longer is (a mother of a
    young infant, pregnant: `chose(audience)`): held back."""
    waiting = session.execute(select(OutboundMessage.id, Broadcast.audience)
                              .join(Broadcast, Broadcast.id == OutboundMessage.broadcast_id)
                              .where(OutboundMessage.client_id == client.id, OutboundMessage.status.in_(WAITING))).all()
    chosen = [mid for mid, audience in waiting if chose(audience or {})]
    return transition(session, chosen, "cancelled", f"life event: {event.kind}", now=now)


def _loss_task(session: Session, client: Client, event: LifeEvent, now: datetime, config) -> int | None:
    open_tasks(session, [{"client_id": client.id, "kind": "loss_support", "subject": f"life_event:{event.id}",
                          "dedupe_key": f"loss_support:{event.id}",
                          "note": f"A loss was recorded for her (on {event.occurred_on.isoformat()}). Please call "
                                  f"her or visit her, as she wishes."}], now=now, today=config.today(now))
    return session.scalar(select(FollowUpTask.id).where(FollowUpTask.dedupe_key == f"loss_support:{event.id}"))


def _new_number(session: Session, client: Client, event: LifeEvent, *, now: datetime, config) -> dict:
    """Her messages go to the new number: what waits is made again for it (reminders planned
    again under a new revision), and one neutral SMS tells the new number we will write there."""
    before = {"phone": client.phone, "opted_out_at": _iso(client.opted_out_at)}
    client.phone, client.updated_at = event.new_phone, now
    if client.opted_out_at is None and consent.last_opted_out(session, event.new_phone):
        client.opted_out_at = now  # the new number's own STOP stands
    session.flush()
    remade = _readdress(session, client, event.new_phone, f"life event {event.id}: number changed", now, config)
    welcome = None
    if client.opted_out_at is None:
        not_before = next_send_time(now, PURPOSES["number_changed"].window, config.tz)
        [(welcome, _)] = create_messages(session, [{
            "phone": event.new_phone, "client_id": client.id, "purpose": "number_changed",
            "subject": f"life_event:{event.id}", "template": "notice.new_number", "language": client.language,
            "body": render("notice.new_number", client.language, first_name=client.first_name),
            "not_before": not_before, "expires_at": not_before + WELCOME_KEEPS}])
    return {"client": before, "remade": remade, "welcome": welcome}


def _undo_new_number(session: Session, client: Client, event: LifeEvent, *, now: datetime, config) -> None:
    if client.phone != event.new_phone:
        return  # changed again since: the later change stands
    previous = (event.effects or {}).get("client", {})
    client.phone, client.updated_at = previous.get("phone", client.phone), now
    if previous.get("opted_out_at") is None and client.opted_out_at is not None and client.opted_out_at == event.recorded_at:
        client.opted_out_at = None
    session.flush()
    welcome = (event.effects or {}).get("welcome")
    if welcome:
        transition(session, [welcome], "cancelled", "life event retracted", now=now)
    _readdress(session, client, client.phone, "life event retracted: number changed back", now, config)


def _readdress(session: Session, client: Client, phone: str, reason: str, now: datetime, config) -> dict[int, int]:
    """What waits for her, made again for `phone`: her coming visits planned again (a new
    revision), every other waiting message cancelled and made again there."""
    today = config.today(now)
    coming = list(session.scalars(select(Appointment.id).where(
        Appointment.client_id == client.id, Appointment.status == "scheduled", Appointment.date >= today)))
    visits.revise(session, coming, now, config)
    others = list(session.scalars(select(OutboundMessage.id).where(
        OutboundMessage.client_id == client.id, OutboundMessage.status.in_(WAITING),
        OutboundMessage.purpose != "reminder", OutboundMessage.phone != phone)))
    held = transition(session, others, "cancelled", reason, now=now)
    made = remake(session, held, now=now, reason=reason, phone=phone)
    if made:  # a notice made again is still the notice its transfer waits on
        for old, new in made.items():
            session.execute(update(Transfer).where(Transfer.notice_message_id == old).values(notice_message_id=new))
    return {str(old): new for old, new in made.items()}


# -- undoing -----------------------------------------------------------------------------------

def _reopen_transfer(session: Session, ended: dict, event: LifeEvent, *, by: Caller, now: datetime, config) -> None:
    """Her transfer, ended by the event, goes back to where it was (if nobody has moved it since)."""
    transfer = session.get(Transfer, ended["id"])
    if transfer is None or transfer.status not in ("died", "moved_elsewhere"):
        return
    gone = transfer.status
    transfer.status, transfer.status_changed_at = ended["status"], now
    step = ladder.next_step(transfer, config.transfer_follow_up_days, config.tz)
    transfer.next_step_on = max(step[1], config.today(now)) if step else None
    session.add(TransferEvent(transfer_id=transfer.id, from_status=gone, to_status=ended["status"],
                              cause=CAUSE_BY_ROLE.get(by.role, "staff"), actor=by.actor, at=now,
                              detail=f"life event {event.id} retracted"))


def _restore_visits(session: Session, found: list[list], stamp: datetime, now: datetime, config) -> None:
    """Visits the event cancelled, still cancelled by it: back as they were, a new revision each
    (planned afresh: a reminder whose moment passed is skipped); one whose day passed meanwhile
    is history (nobody knows what became of it: no missed-visit message, no ladder)."""
    if not found:
        return
    today = config.today(now)
    rows = session.execute(select(Appointment.id, Appointment.date).where(
        among(session, Appointment.id, [i for i, _ in found]), Appointment.status == "cancelled",
        Appointment.status_changed_at == stamp)).all()
    previous = dict((i, status) for i, status in found)
    for visit_id, day in rows:
        status = previous[visit_id] if day >= today or previous[visit_id] != "scheduled" else "history"
        session.execute(update(Appointment).where(Appointment.id == visit_id).values(
            status=status, status_reason=None, status_changed_at=now, updated_at=now))
    visits.revise(session, [i for i, _ in rows], now, config)


def _iso(value) -> str | None:
    return None if value is None else value.isoformat()


def _day(value: str | None) -> date | None:
    return None if value is None else date.fromisoformat(value)
