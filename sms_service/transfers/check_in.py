"""The check-in at the risky moment: two days after the effective date, at 09:00, one SMS to each
client who has not yet arrived ("Have you been to X? Reply 1 if yes, 2 if you need help.").

`1` records the arrival as she says it (the receiving clinic can still confirm it); `2`, or any
text, puts her on her Mentor Mother's list at once; no answer within 48 hours does too. At
most one check-in per transfer (`Transfer.check_in` records what became of it).

Evidence (care.md): blanket weekly check-ins did not improve retention in a Kenyan trial;
acting at the moment of risk is what helps.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ..db import among, bulk_update
from ..followup.notes import note
from ..followup.store import open_tasks
from ..models import Facility, OutboundMessage, Transfer
from . import notices
from .states import OPEN, move, subject

if TYPE_CHECKING:
    from ..config import Config

DAYS_AFTER = 2  # the check-in goes two days after the effective date
AT = time(9, 0)  # local time
ANSWER_WITHIN = timedelta(hours=48)
LATE = 2  # a check-in not made by this many days after its day (the scheduler was down) is skipped
BATCH = 2000


def ask(session: Session, now: datetime, config: Config) -> int:
    """The check-ins due today (from 09:00), each made once. Returns how many were made."""
    local = now.astimezone(config.tz)
    today = local.date()
    due_from = today - timedelta(days=DAYS_AFTER + LATE)
    due_to = today - timedelta(days=DAYS_AFTER)
    ids = list(
        session.scalars(
            select(Transfer.id)
            .where(
                Transfer.status.in_(OPEN),
                Transfer.effective_date >= due_from,
                Transfer.effective_date <= due_to,
                Transfer.check_in.is_(None),
            )
            .order_by(Transfer.id)
            .limit(BATCH)
        )
    )
    if not ids:
        return 0
    claimed = list(
        session.scalars(  # a second scheduler finds them taken
            update(Transfer)
            .where(among(session, Transfer.id, ids), Transfer.check_in.is_(None))
            .values(check_in="asked")
            .returning(Transfer.id)
            .execution_options(synchronize_session=False)
        )
    )
    people = notices.recipients(session, claimed)
    held = {p.transfer_id: p.held("transfer_follow_up", today) for p in people}
    reachable = [p for p in people if held[p.transfer_id] is None]
    at = datetime.combine(today, AT, tzinfo=config.tz)
    made = notices.create(session, "check_in", reachable, now=now, config=config, at=at)
    wait_until = max(at, now) + ANSWER_WITHIN
    bulk_update(session, Transfer.__table__, [{"id": tid, "check_in_by": wait_until} for tid, _ in made])
    unreached = [p for p in people if p.transfer_id not in {tid for tid, _ in made}]
    if unreached:
        bulk_update(session, Transfer.__table__, [{"id": p.transfer_id, "check_in": "unreached"} for p in unreached])
        _task(
            session,
            [
                (
                    p.client_id,
                    p.transfer_id,
                    note("check_in_unasked", clinic=p.to.name, why=held[p.transfer_id] or "unreached"),
                )
                for p in unreached
            ],
            now,
            today,
        )
    return len(made)


def answered(
    session: Session, transfer: Transfer, answer: str, *, actor: str, now: datetime, config: Config, detail: str
) -> bool:
    """Her answer to the check-in: `arrived` (recorded as she says it) or `help` (her Mentor
    Mother's list at once). False when the check-in was not open."""
    if transfer.check_in != "asked" or transfer.status not in OPEN:
        return False
    session.execute(
        update(Transfer)
        .where(Transfer.id == transfer.id)
        .values(check_in=answer, check_in_by=None)
        .execution_options(synchronize_session="fetch")
    )
    if answer == "arrived":
        return move(session, transfer, "arrived", cause="client_sms", actor=actor, now=now, detail=detail)
    clinic = session.get_one(Facility, transfer.to_facility_id)
    _task(
        session,
        [
            (
                transfer.client_id,
                transfer.id,
                note("check_in_help", clinic=clinic.name, detail=detail),
            )
        ],
        now,
        config.today(now),
    )
    return True


def no_answer(session: Session, now: datetime, config: Config) -> int:
    """Check-ins 48 hours unanswered: a task for her Mentor Mother (none for one who has arrived)."""
    due = session.execute(
        select(Transfer.id, Transfer.client_id, Transfer.status, Facility.name)
        .join(Facility, Facility.id == Transfer.to_facility_id)
        .where(Transfer.check_in_by <= now)
        .order_by(Transfer.check_in_by)
        .limit(BATCH)
    ).all()
    if not due:
        return 0
    ids = [tid for tid, *_ in due]
    went = dict(
        session.execute(
            select(OutboundMessage.subject, OutboundMessage.status).where(
                among(session, OutboundMessage.subject, [subject(i) for i in ids]),
                OutboundMessage.template == "transfer.check_in",
            )
        ).all()
    )
    session.execute(
        update(Transfer)
        .where(among(session, Transfer.id, ids), Transfer.check_in == "asked", Transfer.status.in_(OPEN))
        .values(check_in="no_answer")
        .execution_options(synchronize_session=False)
    )
    session.execute(
        update(Transfer)
        .where(among(session, Transfer.id, ids))
        .values(check_in_by=None)
        .execution_options(synchronize_session=False)
    )
    return _task(
        session,
        [
            (
                cid,
                tid,
                note(
                    "check_in_unreached" if message in ("failed", "expired", "suppressed") else "check_in", clinic=name
                ),
            )
            for tid, cid, status, name in due
            if status in OPEN
            for message in [went.get(subject(tid))]
        ],
        now,
        config.today(now),
    )


def _task(session: Session, items: list[tuple[int, int, dict]], now: datetime, today) -> int:
    return open_tasks(
        session,
        [
            {
                "client_id": cid,
                "kind": "transfer_check_in",
                "subject": subject(tid),
                "dedupe_key": f"transfer_check_in:{tid}",
                **written,
            }
            for cid, tid, written in items
        ],
        now=now,
        today=today,
    )
