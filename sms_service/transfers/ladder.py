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
from typing import TYPE_CHECKING

from sqlalchemy import select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from ..db import changed_rows, claimed
from ..followup.notes import note
from ..followup.store import open_tasks, with_open_tasks
from ..models import Transfer
from . import notices
from .states import OPEN, move, subject

if TYPE_CHECKING:
    from ..config import Config

BATCH = 1000
ACKNOWLEDGEMENT_STEPS = (1, 2)  # skipped once she has acknowledged


def due_days(transfer: Transfer, days: tuple[int, ...], tz) -> dict[int, date]:
    """Step → the day it falls due, for this transfer."""
    base = (transfer.notified_at or transfer.created_at).astimezone(tz).date()
    arrival_base = max(base, transfer.effective_date)
    return {
        1: base + timedelta(days=days[0]),
        2: base + timedelta(days=days[1]),
        3: arrival_base + timedelta(days=days[2]),
        4: arrival_base + timedelta(days=days[3]),
    }


def next_step(transfer: Transfer, days: tuple[int, ...], tz, done_up_to: int | None = None) -> tuple[int, date] | None:
    """The next step not done yet (after `done_up_to`, by default the stored step) and its day."""
    if transfer.status not in OPEN:
        return None
    done_up_to = transfer.ladder_step if done_up_to is None else done_up_to
    for step, day in sorted(due_days(transfer, days, tz).items()):
        if step <= done_up_to or (step in ACKNOWLEDGEMENT_STEPS and transfer.status == "acknowledged"):
            continue
        return step, day
    return None


def follow_up(session: Session, now: datetime, config: Config) -> dict[str, int]:
    """One pass over the transfers whose next look is due (a batch); returns what each step did."""
    today = now.astimezone(config.tz).date()
    days = config.transfer_follow_up_days
    query = (
        select(Transfer).where(Transfer.next_step_on <= today).order_by(Transfer.next_step_on, Transfer.id).limit(BATCH)
    )
    query = claimed(session, query)  # a second scheduler takes other rows
    due: dict[int, list[Transfer]] = {1: [], 2: [], 3: [], 4: []}
    for transfer in session.scalars(query).all():
        steps, last = [], transfer.ladder_step
        while (found := next_step(transfer, days, config.tz, last)) is not None and found[1] <= today:
            last = found[0]
            steps.append(last)
        after = next_step(transfer, days, config.tz, last)
        # one conditional write: the steps claimed (only if no other scheduler took them first)
        # and the day to look again
        took = changed_rows(
            session.execute(
                update(Transfer)
                .where(Transfer.id == transfer.id, Transfer.ladder_step == transfer.ladder_step)
                .values(ladder_step=last, next_step_on=after[1] if after else None)
                .execution_options(synchronize_session=False)
            )
        )
        if not took:
            session.expunge(transfer)
            continue
        set_committed_value(transfer, "ladder_step", last)
        for step in steps:
            due[step].append(transfer)
    return _act(session, due, now, today, config)


def _act(
    session: Session, due: dict[int, list[Transfer]], now: datetime, today: date, config: Config
) -> dict[str, int]:
    done = {"reminders": 0, "unconfirmed": 0, "tracing": 0, "lost": 0}
    # step 1: one reminder, where a notice went (no SMS reaches the others: a person tells them)
    reachable = _reachable(
        session, [t.id for t in due[1] if t.notice_message_id is not None], "transfer_follow_up", today
    )
    done["reminders"] = len(notices.create(session, "reminder", reachable, now=now, config=config))
    # step 2: on her Mentor Mother's list, unless already there (no phone, the notice failed)
    listed = with_open_tasks(session, [subject(t.id) for t in due[2]])
    done["unconfirmed"] = open_tasks(
        session,
        [
            {
                "client_id": t.client_id,
                "kind": "transfer_unconfirmed",
                "subject": subject(t.id),
                "dedupe_key": f"transfer_unconfirmed:{t.id}",
                **note("transfer_unconfirmed"),
            }
            for t in due[2]
            if subject(t.id) not in listed
        ],
        now=now,
        today=today,
    )
    # step 3: asked whether she has been, and traced by a person
    notices.create(
        session,
        "arrival_check",
        _reachable(session, [t.id for t in due[3]], "transfer_follow_up", today),
        now=now,
        config=config,
    )
    done["tracing"] = open_tasks(
        session,
        [
            {
                "client_id": t.client_id,
                "kind": "tracing",
                "subject": subject(t.id),
                "dedupe_key": f"tracing:{t.id}",
                **note("tracing"),
            }
            for t in due[3]
        ],
        now=now,
        today=today,
    )
    # step 4: lost to follow-up until a person records the outcome
    lost = [
        t
        for t in due[4]
        if move(
            session,
            t,
            "lost_to_follow_up",
            cause="follow_up",
            actor="system",
            now=now,
            detail=f"not arrived {config.transfer_follow_up_days[3]} days on",
        )
    ]
    done["lost"] = len(lost)
    open_tasks(
        session,
        [
            {
                "client_id": t.client_id,
                "kind": "transfer_outcome",
                "subject": subject(t.id),
                "dedupe_key": f"transfer_outcome:{t.id}",
                **note("transfer_outcome"),
            }
            for t in lost
        ],
        now=now,
        today=today,
    )
    return done


def _reachable(session: Session, ids: list[int], purpose: str, today: date) -> list[notices.Recipient]:
    """Those of these transfers' clients a message of `purpose` may go to now (`eligibility`)."""
    return [r for r in notices.recipients(session, ids) if r.held(purpose, today) is None] if ids else []
