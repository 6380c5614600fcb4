"""A choice of clinic (`close-site --to A,B,C`): the notice offers up to three clinics, numbered;
her reply (a number or the clinic's name, by SMS or USSD) picks one, and with no choice within
`TRANSFER_CHOICE_DAYS` the first stands and her Mentor Mother's list says so.

Choosing is confirming: the transfer is acknowledged, and its clinic, her visits there and the
messages still to come follow her choice.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ..db import bulk_update, changed_rows
from ..followup.notes import note
from ..followup.store import open_tasks
from ..models import Facility, Transfer
from ..outbound.messages import cancel_waiting
from ..reminders import visits
from .begin import move_visits
from .states import OPEN, move, subject

if TYPE_CHECKING:
    from ..config import Config

BATCH = 1000


def offered(session: Session, transfer: Transfer) -> list[Facility | None]:
    """The clinics offered her, by the numbers she was told, while her choice is open (None for
    one withdrawn or closing since); [] otherwise."""
    if transfer.choose_by is None or transfer.status not in OPEN:
        return []
    ids = transfer.offered_ids
    found = {f.id: f for f in session.scalars(select(Facility).where(Facility.id.in_([i for i in ids if i])))}
    return [found[i] if i in found and found[i].closed_on is None else None for i in ids]


def withdraw(session: Session, facility_id: int) -> int:
    """A clinic that closes leaves every open offer it was in (its number left empty, so the
    others keep theirs); a choice left with one clinic is over. Returns the offers changed."""
    key = str(facility_id)
    found = session.execute(
        select(Transfer.id, Transfer.offer).where(
            Transfer.choose_by.is_not(None),
            (Transfer.offer == key)
            | Transfer.offer.like(f"{key},%")
            | Transfer.offer.like(f"%,{key}")
            | Transfer.offer.like(f"%,{key},%"),
        )
    ).all()
    still_open: list[dict] = []
    over: list[dict] = []
    for tid, offer in found:
        left = ["" if i == key else i for i in (offer or "").split(",")]
        (still_open if sum(1 for i in left if i) > 1 else over).append({"id": tid, "offer": ",".join(left)})
    bulk_update(session, Transfer.__table__, still_open)
    bulk_update(session, Transfer.__table__, over, same={"choose_by": None})
    rows = still_open + over
    return len(rows)


def choose(
    session: Session, transfer: Transfer, clinic: Facility, *, cause: str, actor: str, now: datetime, config: Config
) -> bool:
    """She picks `clinic` of those offered: the transfer goes there (once; False if her choice was
    no longer open or `clinic` was not offered), her visits follow, and it is acknowledged."""
    if transfer.choose_by is None or clinic.id not in transfer.offered_ids or transfer.status not in OPEN:
        return False
    before = transfer.to_facility_id
    took = changed_rows(
        session.execute(
            update(Transfer)
            .where(Transfer.id == transfer.id, Transfer.choose_by.is_not(None))
            .values(to_facility_id=clinic.id, choose_by=None)
            .execution_options(synchronize_session="fetch")
        )
    )
    if not took:
        return False
    if clinic.id != before:
        # what was still to go out named the clinic she did not choose
        cancel_waiting(
            session, [subject(transfer.id)], "she chose another clinic", now=now, purposes=("transfer_follow_up",)
        )
        moved = move_visits(session, [(transfer.client_id, before, clinic.id, transfer.effective_date)], now)
        visits.revise(session, moved, now, config)
    move(
        session,
        transfer,
        "acknowledged",
        cause=cause,
        actor=actor,
        now=now,
        detail=f"chose {clinic.code} ({transfer.offered_ids.index(clinic.id) + 1} of {len(transfer.offered_ids)})",
    )
    return True


def default_stands(session: Session, now: datetime, config: Config) -> int:
    """Choices whose time is up: the first clinic stands, and her Mentor Mother is told."""
    today = config.today(now)
    due = session.execute(
        select(Transfer.id, Transfer.client_id, Transfer.status, Facility.name)
        .join(Facility, Facility.id == Transfer.to_facility_id)
        .where(Transfer.choose_by < today)
        .order_by(Transfer.choose_by, Transfer.id)
        .limit(BATCH)
    ).all()
    if not due:
        return 0
    ended = [
        tid
        for tid in session.scalars(
            update(Transfer)
            .where(Transfer.id.in_([tid for tid, *_ in due]), Transfer.choose_by < today)
            .values(choose_by=None)
            .returning(Transfer.id)
            .execution_options(synchronize_session=False)
        )
    ]
    kept = set(ended)
    return open_tasks(
        session,
        [
            {
                "client_id": cid,
                "kind": "transfer_choice_default",
                "subject": subject(tid),
                "dedupe_key": f"transfer_choice_default:{tid}",
                **note("transfer_choice_default", days=config.transfer_choice_days, clinic=name),
            }
            for tid, cid, status, name in due
            if tid in kept and status in OPEN
        ],
        now=now,
        today=today,
    )
