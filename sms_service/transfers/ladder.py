"""The follow-up ladder (care.md): a client who has not acknowledged her transfer gets one
reminder (step 1) and then goes on her Mentor Mother's follow-up list (step 2); one who has not
arrived is traced (step 3) and, if still nothing is known, flagged lost to follow-up with an
outcome required of a person (step 4). The days are `TRANSFER_FOLLOW_UP_DAYS` (3, 7, 14, 30).

Steps 1 and 2 count from the notice (or from the transfer when no notice could go); steps 3
and 4 from that day or the effective date, whichever is later: nobody is traced for not yet
going to a clinic she was told to go to from next month. `next_step_on` is only when to look
again (never later than a step falls due), so a tick reads what is due through a small index.
Each step is claimed by a conditional update of `ladder_step`: two schedulers never both act.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ..models import FollowUpTask, Transfer
from ..tasks import open_tasks
from . import notices
from .states import OPEN, move, subject

BATCH = 1000
ACKNOWLEDGEMENT_STEPS = (1, 2)  # skipped once she has acknowledged


def due_days(transfer: Transfer, days: tuple[int, ...], tz) -> dict[int, date]:
    """Step → the day it falls due, for this transfer."""
    base = (transfer.notified_at or transfer.created_at).astimezone(tz).date()
    arrival_base = max(base, transfer.effective_date)
    return {1: base + timedelta(days=days[0]), 2: base + timedelta(days=days[1]),
            3: arrival_base + timedelta(days=days[2]), 4: arrival_base + timedelta(days=days[3])}


def next_step(transfer: Transfer, days: tuple[int, ...], tz) -> tuple[int, date] | None:
    if transfer.status not in OPEN:
        return None
    for step, day in sorted(due_days(transfer, days, tz).items()):
        if step <= transfer.ladder_step or (step in ACKNOWLEDGEMENT_STEPS and transfer.status == "acknowledged"):
            continue
        return step, day
    return None


def follow_up(session: Session, now: datetime, config) -> dict[str, int]:
    """One pass over the transfers whose next look is due; returns what each step did."""
    today = now.astimezone(config.tz).date()
    days = config.transfer_follow_up_days
    done = {"reminders": 0, "unconfirmed": 0, "tracing": 0, "lost": 0}
    query = (select(Transfer).where(Transfer.next_step_on <= today).order_by(Transfer.next_step_on, Transfer.id)
             .limit(BATCH))
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)  # a second scheduler takes other rows
    for transfer in session.scalars(query).all():
        while (found := next_step(transfer, days, config.tz)) is not None and found[1] <= today:
            step = found[0]
            claimed = session.execute(update(Transfer).where(Transfer.id == transfer.id,
                                                             Transfer.ladder_step < step)
                                      .values(ladder_step=step).execution_options(synchronize_session=False)).rowcount
            transfer.ladder_step = step
            if claimed:
                _act(session, transfer, step, now, today, config, done)
        found = next_step(transfer, days, config.tz)
        transfer.next_step_on = found[1] if found else None
    return done


def _act(session: Session, transfer: Transfer, step: int, now: datetime, today: date, config, done: dict) -> None:
    about = subject(transfer.id)
    if step == 1:  # one reminder, where a notice went (no SMS reaches the others: a person tells them)
        people = notices.recipients(session, [transfer.id])
        if people and not people[0].opted_out and transfer.notice_message_id is not None:
            notices.create(session, "reminder", people, now=now, config=config)
            done["reminders"] += 1
    elif step == 2 and not _task_open(session, about):  # already on her list (no phone, notice failed)
        done["unconfirmed"] += open_tasks(session, [{
            "client_id": transfer.client_id, "kind": "transfer_unconfirmed", "subject": about,
            "dedupe_key": f"transfer_unconfirmed:{transfer.id}",
            "note": "She has not confirmed her new clinic: please call or visit her."}], now=now, today=today)
    elif step == 3:
        people = notices.recipients(session, [transfer.id])
        if people and not people[0].opted_out:
            notices.create(session, "arrival_check", people, now=now, config=config)
        done["tracing"] += open_tasks(session, [{
            "client_id": transfer.client_id, "kind": "tracing", "subject": about, "dedupe_key": f"tracing:{transfer.id}",
            "note": "She has not arrived at her new clinic: please trace her and record what you learn."}],
            now=now, today=today)
    elif step == 4:
        if move(session, transfer, "lost_to_follow_up", cause="follow_up", actor="system",
                now=now, detail=f"not arrived {config.transfer_follow_up_days[3]} days on"):
            session.refresh(transfer)
            done["lost"] += 1
            open_tasks(session, [{
                "client_id": transfer.client_id, "kind": "transfer_outcome", "subject": about,
                "dedupe_key": f"transfer_outcome:{transfer.id}",
                "note": "Record what became of her: arrived, moved elsewhere, not found, died or refused."}],
                now=now, today=today)


def _task_open(session: Session, about: str) -> bool:
    return session.scalar(select(FollowUpTask.id).where(FollowUpTask.subject == about,
                                                        FollowUpTask.status == "open").limit(1)) is not None
