"""What each kind of life event does at once, in the caller's transaction, and how a retraction
undoes it.

`apply` takes a batch of new events (one from the API or the dashboard, a file's worth from a
CSV), at most one per client, and does each kind's work for the whole batch in a few statements.
It leaves on each event its `effects`: what it changed, with what was there before (visits and
their statuses, the messages it held back, the tasks it closed, her transfer, her record's
fields), so that `undo` restores exactly that and nothing a person has changed since.

Everything an event stamps carries the event's moment (`recorded_at`): a task it closed is
reopened, a visit it cancelled restored, only while it still bears that stamp.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ..access import Caller
from ..db import among, bulk_update
from ..followup.notes import note
from ..followup.store import close_client_tasks, open_tasks, reopen
from ..models import (
    Appointment,
    Broadcast,
    Client,
    ConsentEvent,
    FollowUpTask,
    Infant,
    LifeEvent,
    OutboundMessage,
    Transfer,
    TransferEvent,
)
from ..models.statuses import VISIT_FOLLOWED
from ..outbound.messages import PURPOSES, WAITING, cancel_for_clients, create_messages, remake, transition
from ..outbound.send_window import next_send_time
from ..reminders import planner, visits
from ..texts.render import render
from ..transfers import ladder
from ..transfers.states import ALLOWED, CAUSE_BY_ROLE, end_many
from . import renewal
from .kinds import Checked

if TYPE_CHECKING:
    from ..config import Config

FOLLOWED = VISIT_FOLLOWED  # a visit still reminded of or followed up
WELCOME_KEEPS = timedelta(days=3)


@dataclass
class Item:
    """One new event of a batch: whose, what was checked, and the transfer whose outcome recorded
    it (a person chose `died` on it), if any."""

    client: Client
    event: LifeEvent
    checked: Checked
    transfer: Transfer | None = None


def apply(session: Session, items: list[Item], *, by: Caller, now: datetime, config: Config) -> None:
    """Do what each event does (at most one per client in a batch); sets each event's effects."""
    kinds: dict[str, list[Item]] = defaultdict(list)
    for item in items:
        kinds[item.event.kind].append(item)
    for kind, group in kinds.items():
        KIND_EFFECTS[kind](session, group, by=by, now=now, config=config)


def _end_care(session: Session, items: list[Item], *, by: Caller, now: datetime, config: Config) -> None:
    """died, moved_away: she is inactive; everything waiting for her is held back, every task
    about her closed, her open transfer ended, her visits cancelled."""
    ids = [i.client.id for i in items]
    kind = items[0].event.kind
    reason, outcome = f"life event: {kind}", "died" if kind == "died" else "moved_elsewhere"
    waiting = _by_client(
        session,
        select(OutboundMessage.client_id, OutboundMessage.id).where(
            among(session, OutboundMessage.client_id, ids), OutboundMessage.status.in_(WAITING)
        ),
    )
    open_ = _by_client(
        session,
        select(FollowUpTask.client_id, FollowUpTask.id).where(
            among(session, FollowUpTask.client_id, ids), FollowUpTask.status == "open"
        ),
    )
    theirs = dict(
        session.execute(
            select(Transfer.id, Transfer.status).where(
                among(session, Transfer.client_id, ids), Transfer.status.in_(tuple(ALLOWED))
            )
        ).all()
    )
    theirs.update({i.transfer.id: i.transfer.status for i in items if i.transfer is not None})
    client_of = dict(
        session.execute(
            select(Transfer.id, Transfer.client_id).where(among(session, Transfer.id, list(theirs) or [0]))
        ).all()
    )
    ended: dict[int, list] = defaultdict(list)
    for transfer_id, was in end_many(
        session,
        list(theirs.items()),
        outcome,
        cause=CAUSE_BY_ROLE.get(by.role, "staff"),
        actor=by.actor,
        now=now,
        detail=reason,
    ):
        ended[client_of[transfer_id]].append({"id": transfer_id, "status": was})
    before = {i.client.id: {"status": i.client.status, "inactive_reason": i.client.inactive_reason} for i in items}
    for item in items:
        item.client.status, item.client.inactive_reason, item.client.updated_at = "inactive", kind, now
    cancelled = _cancel_visits(
        session,
        select(Appointment.client_id, Appointment.id, Appointment.status).where(
            among(session, Appointment.client_id, ids), Appointment.status.in_(FOLLOWED)
        ),
        kind,
        now,
    )
    cancel_for_clients(session, ids, reason, now=now)
    close_client_tasks(session, ids, reason, now=now)
    for item in items:
        c = item.client.id
        item.event.effects = {
            "client": before[c],
            "transfers": ended[c],
            "visits": cancelled[c],
            "messages": waiting[c],
            "tasks": open_[c],
        }


def _infant(item: Item) -> Infant:
    assert item.checked.infant is not None  # the kind needs one: checked before
    return item.checked.infant


def _new_phone(item: Item) -> str:
    assert item.checked.new_phone is not None  # the kind needs one: checked before
    return item.checked.new_phone


def _infant_died(session: Session, items: list[Item], *, by: Caller, now: datetime, config: Config) -> None:
    """That infant's visits (and what waits on them) are set aside; a broadcast that chose her as
    the mother of a young baby is held back when no baby of hers is left; her Mentor Mother is
    asked to call her."""
    infant = {item.event.id: _infant(item) for item in items}
    for item in items:
        infant[item.event.id].died_on = item.event.occurred_on
    set_aside = _set_aside(session, items, Appointment.infant_id.in_([i.id for i in infant.values()]), now)
    bereaved = [i.client.id for i in items if not any(infant.alive for infant in i.client.infants)]
    held = _hold_broadcasts(
        session, bereaved, items[0].event.kind, now, lambda audience: "infant_under_months" in audience
    )
    tasks = _loss_tasks(session, items, now, config)
    for item in items:
        c = item.client.id
        item.event.effects = {
            **set_aside[c],
            "messages": set_aside[c]["messages"] + held[c],
            "infant_dob": infant[item.event.id].dob.isoformat(),
            "loss_task": tasks[item.event.id],
        }


def _pregnancy_loss(session: Session, items: list[Item], *, by: Caller, now: datetime, config: Config) -> None:
    """Her antenatal visits (and what waits on them) are set aside, her EDD cleared; a broadcast
    that chose her as pregnant is held back; her Mentor Mother is asked to call her."""
    before = {}
    for item in items:
        client = item.client
        before[client.id] = {
            "edd": _iso(client.edd),
            "stage": client.stage,
            "pregnancy_lost_on": _iso(client.pregnancy_lost_on),
        }
        client.edd, client.pregnancy_lost_on, client.updated_at = None, item.event.occurred_on, now
        if client.stage == "pregnant":
            client.stage = "other"
    ids = [i.client.id for i in items]
    set_aside = _set_aside(
        session, items, among(session, Appointment.client_id, ids) & (Appointment.kind == "anc"), now
    )
    held = _hold_broadcasts(session, ids, "pregnancy_loss", now, lambda audience: audience.get("stage") == "pregnant")
    tasks = _loss_tasks(session, items, now, config)
    for item in items:
        c = item.client.id
        item.event.effects = {
            **set_aside[c],
            "messages": set_aside[c]["messages"] + held[c],
            "client": before[c],
            "loss_task": tasks[item.event.id],
        }


def _new_number(session: Session, items: list[Item], *, by: Caller, now: datetime, config: Config) -> None:
    """Her messages go to the new number: what waits is made again for it (her reminders planned
    again under a new revision, by the scheduler's next tick), and one neutral SMS tells the new
    number we will write there. A STOP that number gave stands."""
    stopped = _stopped(session, [_new_phone(i) for i in items])
    before = {}
    for item in items:
        client = item.client
        before[client.id] = {"phone": client.phone, "opted_out_at": _iso(client.opted_out_at)}
        client.phone, client.updated_at = _new_phone(item), now
        if client.opted_out_at is None and client.phone in stopped:
            client.opted_out_at = now
    session.flush()
    remade = _readdress(session, [i.client for i in items], "life event: number_changed", now, config)
    welcomes = {}
    specs = [i for i in items if i.client.opted_out_at is None]
    if specs:
        not_before = next_send_time(now, PURPOSES["number_changed"].window, config.tz)
        made = create_messages(
            session,
            [
                {
                    "phone": i.event.new_phone,
                    "client_id": i.client.id,
                    "purpose": "number_changed",
                    "subject": f"life_event:{i.event.id}",
                    "template": "notice.new_number",
                    "language": i.client.language,
                    "body": render("notice.new_number", i.client.language, first_name=i.client.first_name),
                    "not_before": not_before,
                    "expires_at": not_before + WELCOME_KEEPS,
                }
                for i in specs
            ],
        )
        welcomes = {i.event.id: message_id for i, (message_id, _) in zip(specs, made, strict=True)}
    for item in items:
        c = item.client.id
        item.event.effects = {"client": before[c], "remade": remade[c], "welcome": welcomes.get(item.event.id)}


KIND_EFFECTS = {
    "died": _end_care,
    "moved_away": _end_care,
    "infant_died": _infant_died,
    "pregnancy_loss": _pregnancy_loss,
    "number_changed": _new_number,
}


# -- the work the kinds share ------------------------------------------------------------------


def _by_client(session: Session, query) -> dict[int, list]:
    """(client id, value) rows of `query`, grouped by client."""
    grouped: dict[int, list] = defaultdict(list)
    for client_id, value in session.execute(query):
        grouped[client_id].append(value)
    return grouped


def _cancel_visits(session: Session, query, why: str, now: datetime) -> dict[int, list[list]]:
    """The visits `query` finds (client id, id, status): cancelled, naming why; client id → [id,
    status before] of each."""
    found: dict[int, list[list]] = defaultdict(list)
    for client_id, visit_id, status in session.execute(query):
        found[client_id].append([visit_id, status])
    visit_ids = [v for visits_ in found.values() for v, _ in visits_]
    if visit_ids:
        session.execute(
            update(Appointment)
            .where(among(session, Appointment.id, visit_ids))
            .values(status="cancelled", status_reason=why, status_changed_at=now, updated_at=now, planned=True)
            .execution_options(synchronize_session=False)
        )
    return found


def _set_aside(session: Session, items: list[Item], which, now: datetime) -> dict[int, dict]:
    """Her visits `which` (an infant's, the antenatal ones) are no longer part of her care:
    cancelled, what waits on them held back, the tasks about them closed. Client id → effects."""
    kind = items[0].event.kind
    reason = f"life event: {kind}"
    cancelled = _cancel_visits(
        session,
        select(Appointment.client_id, Appointment.id, Appointment.status).where(
            which, Appointment.status.in_(FOLLOWED)
        ),
        kind,
        now,
    )
    subjects: dict[str | None, int] = {planner.subject(v): c for c, found in cancelled.items() for v, _ in found}
    held: dict[int, list[int]] = defaultdict(list)
    if subjects:
        waiting = session.execute(
            select(OutboundMessage.id, OutboundMessage.subject).where(
                among(session, OutboundMessage.subject, list(subjects)), OutboundMessage.status.in_(WAITING)
            )
        ).all()
        for message_id in transition(session, [m for m, _ in waiting], "cancelled", reason, now=now):
            held[subjects[dict(waiting)[message_id]]].append(message_id)
    closed: dict[int, list[int]] = defaultdict(list)
    if subjects:
        for task_id, subject in session.execute(
            update(FollowUpTask)
            .where(among(session, FollowUpTask.subject, list(subjects)), FollowUpTask.status == "open")
            .values(status="done", outcome=reason[:64], closed_at=now)
            .returning(FollowUpTask.id, FollowUpTask.subject)
            .execution_options(synchronize_session=False)
        ):
            closed[subjects[subject]].append(task_id)
    return {
        i.client.id: {"visits": cancelled[i.client.id], "messages": held[i.client.id], "tasks": closed[i.client.id]}
        for i in items
    }


def _hold_broadcasts(session: Session, client_ids: list[int], kind: str, now: datetime, chose) -> dict[int, list]:
    """Broadcast messages waiting for these clients that chose them for what they no longer are
    (a mother of a young baby, pregnant: `chose(audience)`): held back. Client id → their ids."""
    held: dict[int, list[int]] = defaultdict(list)
    if not client_ids:
        return held
    waiting = session.execute(
        select(OutboundMessage.id, OutboundMessage.client_id, Broadcast.audience)
        .join(Broadcast, Broadcast.id == OutboundMessage.broadcast_id)
        .where(among(session, OutboundMessage.client_id, client_ids), OutboundMessage.status.in_(WAITING))
    ).all()
    chosen = {m: c for m, c, audience in waiting if chose(audience or {})}
    for message_id in transition(session, list(chosen), "cancelled", f"life event: {kind}", now=now):
        held[chosen[message_id]].append(message_id)
    return held


def _loss_tasks(session: Session, items: list[Item], now: datetime, config: Config) -> dict[int, int | None]:
    """A loss: one task for her Mentor Mother to call her. Event id → the task's id."""
    keys = {f"loss_support:{i.event.id}": i.event.id for i in items}
    open_tasks(
        session,
        [
            {
                "client_id": i.client.id,
                "kind": "loss_support",
                "subject": f"life_event:{i.event.id}",
                "dedupe_key": f"loss_support:{i.event.id}",
                **note("loss_support", date=i.event.occurred_on),
            }
            for i in items
        ],
        now=now,
        today=config.today(now),
    )
    made = dict(
        session.execute(
            select(FollowUpTask.dedupe_key, FollowUpTask.id).where(among(session, FollowUpTask.dedupe_key, list(keys)))
        ).all()
    )
    return {event_id: made.get(key) for key, event_id in keys.items()}


def _stopped(session: Session, phones: list[str]) -> set[str]:
    """Of these numbers, those whose latest word on our messages was to stop them."""
    latest = (
        dict(
            session.execute(
                select(ConsentEvent.phone, ConsentEvent.kind)
                .where(among(session, ConsentEvent.phone, phones))
                .order_by(ConsentEvent.id)
            ).all()
        )
        if phones
        else {}
    )
    return {phone for phone, kind in latest.items() if kind == "opt_out"}


def _readdress(session: Session, clients: list[Client], reason: str, now: datetime, config: Config) -> dict[int, dict]:
    """What waits for these clients, made again for their number as it is now: their reminders
    cancelled and their coming visits planned again (a new revision, by the scheduler's next
    tick), every other waiting message cancelled and made again there. Client id → {old id: new id}."""
    ids = [c.id for c in clients]
    phone_of: dict[int | None, str] = {c.id: c.phone for c in clients}
    cancel_for_clients(session, ids, reason, now=now, purposes=("reminder",))
    coming = list(
        session.scalars(
            select(Appointment.id).where(
                among(session, Appointment.client_id, ids),
                Appointment.status == "scheduled",
                Appointment.date >= config.today(now),
            )
        )
    )
    visits.revise(session, coming, now, config, plan_now=False)
    others = session.execute(
        select(OutboundMessage.id, OutboundMessage.client_id, OutboundMessage.phone).where(
            among(session, OutboundMessage.client_id, ids),
            OutboundMessage.status.in_(WAITING),
            OutboundMessage.purpose != "reminder",
        )
    ).all()
    moving: dict[int, int] = {m: c for m, c, phone in others if c is not None and phone != phone_of[c]}
    held = transition(session, list(moving), "cancelled", reason, now=now)
    made = remake(session, held, now=now, reason=reason, phones={m: phone_of[moving[m]] for m in held})
    notices: dict[int | None, int] = dict(
        session.execute(
            select(Transfer.notice_message_id, Transfer.id).where(
                among(session, Transfer.notice_message_id, list(made) or [0])
            )
        ).all()
    )
    if notices:  # a notice made again is still the notice its transfer waits on
        bulk_update(
            session,
            Transfer.__table__,
            [{"id": t, "notice_message_id": made[m]} for m, t in notices.items() if m is not None],
        )
    remade: dict[int, dict] = defaultdict(dict)
    for old, new in made.items():
        remade[moving[old]][str(old)] = new
    return remade


# -- undoing -----------------------------------------------------------------------------------


def undo(session: Session, client: Client, event: LifeEvent, *, by: Caller, now: datetime, config: Config) -> None:
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
        session.execute(
            update(FollowUpTask)
            .where(FollowUpTask.id == effects["loss_task"], FollowUpTask.status == "open")
            .values(status="cancelled", outcome="recorded by mistake", closed_at=now)
        )
    session.flush()
    _restore_visits(session, effects.get("visits", []), stamp, now, config)
    reopen(session, effects.get("tasks", []), closed_at=stamp)
    if client.status == "active":
        renewal.make_again(
            session,
            [client.id],
            now=now,
            config=config,
            reason="life event retracted",
            held=effects.get("messages", []),
            visits_too=False,
        )


def _undo_new_number(session: Session, client: Client, event: LifeEvent, *, now: datetime, config: Config) -> None:
    if client.phone != event.new_phone:
        return  # changed again since: the later change stands
    previous = (event.effects or {}).get("client", {})
    client.phone, client.updated_at = previous.get("phone", client.phone), now
    if previous.get("opted_out_at") is None and client.opted_out_at == event.recorded_at:
        client.opted_out_at = None
    session.flush()
    welcome = (event.effects or {}).get("welcome")
    if welcome:
        transition(session, [welcome], "cancelled", "life event retracted", now=now)
    _readdress(session, [client], "life event retracted: number changed back", now, config)


def _reopen_transfer(
    session: Session, ended: dict, event: LifeEvent, *, by: Caller, now: datetime, config: Config
) -> None:
    """Her transfer, ended by the event, goes back to where it was (if nobody has moved it since)."""
    transfer = session.get(Transfer, ended["id"])
    if transfer is None or transfer.status not in ("died", "moved_elsewhere"):
        return
    gone = transfer.status
    transfer.status, transfer.status_changed_at = ended["status"], now
    step = ladder.next_step(transfer, config.transfer_follow_up_days, config.tz)
    transfer.next_step_on = max(step[1], config.today(now)) if step else None
    session.add(
        TransferEvent(
            transfer_id=transfer.id,
            from_status=gone,
            to_status=ended["status"],
            cause=CAUSE_BY_ROLE.get(by.role, "staff"),
            actor=by.actor,
            at=now,
            detail=f"life event {event.id} retracted",
        )
    )


def _restore_visits(session: Session, found: list[list], stamp: datetime, now: datetime, config: Config) -> None:
    """Visits the event cancelled, still cancelled by it: back as they were, a new revision each
    (planned afresh: a reminder whose moment passed is skipped); one whose day passed meanwhile
    is history (nobody knows what became of it: no missed-visit message, no ladder)."""
    if not found:
        return
    today = config.today(now)
    rows = session.execute(
        select(Appointment.id, Appointment.date).where(
            among(session, Appointment.id, [i for i, _ in found]),
            Appointment.status == "cancelled",
            Appointment.status_changed_at == stamp,
        )
    ).all()
    previous = dict((i, status) for i, status in found)
    for visit_id, day in rows:
        status = previous[visit_id] if day >= today or previous[visit_id] != "scheduled" else "history"
        session.execute(
            update(Appointment)
            .where(Appointment.id == visit_id)
            .values(status=status, status_reason=None, status_changed_at=now, updated_at=now)
        )
    visits.revise(session, [i for i, _ in rows], now, config)


def _iso(value) -> str | None:
    return None if value is None else value.isoformat()


def _day(value: str | None) -> date | None:
    return None if value is None else date.fromisoformat(value)
