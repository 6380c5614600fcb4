"""A transfer's states and the one way they change, `move` (`move_many` for a batch of notices
gone out): conditional on the stored status, timestamped, and recorded as a `TransferEvent`
naming who or what caused it.

planned → notified → acknowledged → arrived; from any open state also lost_to_follow_up,
moved_elsewhere, declined, died or cancelled; or rerouted, when the clinic she was going to
closes before she arrived (a new transfer sends her on). Lost to follow-up may still be
followed by what a person later learns (arrived, moved elsewhere, declined, died).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ..db import among, bulk_insert, changed_rows
from ..followup.store import close_tasks
from ..models import Client, Transfer, TransferEvent
from ..models.statuses import TRANSFER_ENDINGS, TransferStatus
from ..outbound.messages import cancel_waiting

OPEN = Transfer.OPEN_STATES  # planned, notified, acknowledged
ENDINGS = TRANSFER_ENDINGS
OUTCOMES = tuple(s for s in ENDINGS if s != TransferStatus.REROUTED)  # what a person may record
# who or what caused a change (TransferEvent.cause)
CAUSES = ("staff", "client_sms", "ussd", "mentor_mother", "clinic", "follow_up", "gateway")
CAUSE_BY_ROLE = {"admin": "staff", "supervisor": "clinic", "mentor_mother": "mentor_mother"}  # a person's role

S = TransferStatus
ALLOWED: dict[str, frozenset[str]] = {
    S.PLANNED: frozenset({S.NOTIFIED, S.ACKNOWLEDGED, *ENDINGS}),
    S.NOTIFIED: frozenset({S.ACKNOWLEDGED, *ENDINGS}),
    S.ACKNOWLEDGED: frozenset(ENDINGS),
    S.LOST_TO_FOLLOW_UP: frozenset({S.ARRIVED, S.MOVED_ELSEWHERE, S.DECLINED, S.DIED, S.REROUTED}),
}
STAMPS: dict[str, str] = {S.NOTIFIED: "notified_at", S.ACKNOWLEDGED: "acknowledged_at", S.ARRIVED: "arrived_at"}


def subject(transfer_id: int) -> str:
    """The subject of every message and task about a transfer."""
    return f"transfer:{transfer_id}"


transfer_of = Transfer.in_subject  # `subject` read back: the transfer it is about, or None


def can_move(status: str, to: str) -> bool:
    return to in ALLOWED.get(status, ())


def move(
    session: Session, transfer: Transfer, to: str, *, cause: str, actor: str, now: datetime, detail: str | None = None
) -> bool:
    """Move one transfer to `to` if allowed from its stored status; False when it was not
    (already there, or past it). Arrival makes the new clinic hers; leaving the open states
    stops the follow-up (pending messages cancelled, open tasks closed)."""
    assert cause in CAUSES, cause
    before = transfer.status
    if not can_move(before, to):
        return False
    values = {"status": to, "status_changed_at": now}
    if to in STAMPS:
        values[STAMPS[to]] = now
    if to not in OPEN:
        values["next_step_on"] = None
    moved = changed_rows(
        session.execute(
            update(Transfer)
            .where(Transfer.id == transfer.id, Transfer.status == before)
            .values(**values)
            .execution_options(synchronize_session="fetch")
        )
    )
    if not moved:  # changed under us by another process
        return False
    session.add(
        TransferEvent(
            transfer_id=transfer.id,
            from_status=before,
            to_status=to,
            cause=cause,
            actor=actor,
            detail=detail and detail[:200],
            at=now,
        )
    )
    if to == "arrived":
        session.execute(
            update(Client)
            .where(Client.id == transfer.client_id)
            .values(facility_id=transfer.to_facility_id, updated_at=now)
        )
    if to == "acknowledged":
        settle(
            session,
            [transfer.id],
            "acknowledged",
            now,
            purposes=("transfer_follow_up",),
            task_kinds=("transfer_unconfirmed", "transfer_notice_failed", "transfer_no_phone"),
            version=1,
        )
    elif to not in OPEN:
        settle(session, [transfer.id], to, now)
    return True


def confirm_arrival(session: Session, transfer: Transfer, *, actor: str, now: datetime) -> bool:
    """The receiving clinic confirms an arrival she reported herself (SMS, USSD): an event of its
    own, so the board tells her word from the clinic's. False when there is nothing to confirm."""
    if transfer.status != S.ARRIVED:
        return False
    last = session.scalars(
        select(TransferEvent.cause)
        .where(TransferEvent.transfer_id == transfer.id, TransferEvent.to_status == S.ARRIVED)
        .order_by(TransferEvent.id.desc())
        .limit(1)
    ).first()
    if last not in ("client_sms", "ussd"):
        return False
    _record_events(
        session,
        [(transfer.id, S.ARRIVED)],
        S.ARRIVED,
        cause="clinic",
        actor=actor,
        now=now,
        detail="confirmed by the clinic",
    )
    return True


def move_many(
    session: Session,
    ids: list[int],
    before: str,
    to: str,
    *,
    cause: str,
    actor: str,
    now: datetime,
    detail: str | None = None,
) -> list[int]:
    """`move` for many transfers at once, from `before` only, for a change with no effect beyond
    itself (the notice out: notified). Returns the ids moved."""
    assert cause in CAUSES and can_move(before, to) and to not in ("acknowledged", *ENDINGS), (before, to)
    if not ids:
        return []
    values = {"status": to, "status_changed_at": now, **({STAMPS[to]: now} if to in STAMPS else {})}
    moved = list(
        session.scalars(
            update(Transfer)
            .where(among(session, Transfer.id, ids), Transfer.status == before)
            .values(**values)
            .returning(Transfer.id)
            .execution_options(synchronize_session=False)
        )
    )
    _record_events(session, [(i, before) for i in moved], to, cause=cause, actor=actor, now=now, detail=detail)
    return moved


def end_many(
    session: Session,
    found: list[tuple[int, str]],
    to: str,
    *,
    cause: str,
    actor: str,
    now: datetime,
    detail: str | None = None,
) -> list[tuple[int, str]]:
    """`move` to an ending other than arrival (died, moved elsewhere…) for many transfers at once,
    each given as (id, its status read): conditional on that status still being stored. Returns
    (id, status before) of those moved; what waited on them is settled."""
    assert cause in CAUSES and to in ENDINGS and to != "arrived", (cause, to)
    moved: list[tuple[int, str]] = []
    for before in {b for _, b in found if can_move(b, to)}:
        ids = [i for i, b in found if b == before]
        moved += [
            (i, before)
            for i in session.scalars(
                update(Transfer)
                .where(among(session, Transfer.id, ids), Transfer.status == before)
                .values(status=to, status_changed_at=now, next_step_on=None)
                .returning(Transfer.id)
                .execution_options(synchronize_session="fetch")
            )
        ]
    _record_events(session, moved, to, cause=cause, actor=actor, now=now, detail=detail and detail[:200])
    settle(session, [i for i, _ in moved], to, now)
    return moved


def record_created(
    session: Session, ids: list[int], *, cause: str, actor: str, now: datetime, detail: str | None = None
) -> None:
    """The first event of new transfers (planned), in one statement."""
    _record_events(session, [(i, None) for i in ids], "planned", cause=cause, actor=actor, now=now, detail=detail)


def _record_events(
    session: Session,
    moves: Sequence[tuple[int, str | None]],
    to: str,
    *,
    cause: str,
    actor: str,
    now: datetime,
    detail: str | None,
) -> None:
    """One event for each (transfer id, status it left) moved to `to`, in one statement."""
    rows = [
        {
            "transfer_id": i,
            "from_status": before,
            "to_status": to,
            "cause": cause,
            "actor": actor,
            "detail": detail,
            "at": now,
        }
        for i, before in moves
    ]
    bulk_insert(session, TransferEvent.__table__, rows)


def settle(
    session: Session,
    ids: list[int],
    outcome: str,
    now: datetime,
    *,
    purposes: tuple[str, ...] | None = None,
    task_kinds: tuple[str, ...] | None = None,
    version: int | None = None,
) -> None:
    """What was waiting on these transfers is no longer needed: their scheduled messages are
    cancelled and their open tasks closed with `outcome`."""
    subjects = [subject(i) for i in ids]
    cancel_waiting(session, subjects, f"transfer {outcome}", now=now, purposes=purposes, version=version)
    close_tasks(session, subjects, f"transfer {outcome}", now=now, kinds=task_kinds)
