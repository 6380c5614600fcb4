"""What a person records about a transfer: arrival (the receiving clinic, a Mentor Mother) or
another outcome, one at a time (API) or from a receiving clinic's CSV."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import reactions
from ..access import Caller
from ..csvio import CsvFile, RecordReport
from ..models import Client, Transfer
from .states import ALLOWED, CAUSE_BY_ROLE, OUTCOMES, can_move, confirm_arrival, move

if TYPE_CHECKING:
    from ..config import Config

ROLE_BY_CAUSE = {cause: role for role, cause in CAUSE_BY_ROLE.items()}


class OutcomeRefused(Exception):
    pass


def latest_transfer(session: Session, client_id: int, arrived_too: bool = False) -> Transfer | None:
    """Her transfer a person may still record something about (open, or lost to follow-up; with
    `arrived_too` an arrival too, which a clinic may confirm when she reported it herself)."""
    states = (*ALLOWED, "arrived") if arrived_too else tuple(ALLOWED)
    return session.scalar(
        select(Transfer)
        .where(Transfer.client_id == client_id, Transfer.status.in_(states))
        .order_by(Transfer.created_at.desc(), Transfer.id.desc())
        .limit(1)
    )


def record(
    session: Session,
    transfer: Transfer,
    outcome: str,
    *,
    by: Caller,
    now: datetime,
    config: Config,
    note: str | None = None,
) -> bool:
    """True when recorded; False when it was already so. Refused when the outcome is unknown or
    the transfer is past it (arrived, died…). `died` is her death, recorded as a life event: it
    ends this transfer and everything else sent to her."""
    if outcome not in OUTCOMES:
        raise OutcomeRefused(f"outcome must be one of {', '.join(OUTCOMES)}")
    if transfer.status == outcome:  # the clinic may still confirm an arrival she reported herself
        return (
            outcome == "arrived"
            and CAUSE_BY_ROLE[by.role] == "clinic"
            and confirm_arrival(session, transfer, actor=by.actor, now=now)
        )
    if not can_move(transfer.status, outcome):
        raise OutcomeRefused(f"the transfer is {transfer.status}: it cannot become {outcome}")
    if outcome == "died":
        reactions.emit(
            "transfer_outcome:died",
            session,
            transfer,
            by=by if by.channel == "task" else replace(by, channel="transfer"),
            now=now,
            config=config,
            note=note,
        )
        session.refresh(transfer)
        if transfer.status == "died":
            return True
    if not move(session, transfer, outcome, cause=CAUSE_BY_ROLE[by.role], actor=by.actor, now=now, detail=note):
        raise OutcomeRefused(f"the transfer is {transfer.status}: it cannot become {outcome}")
    return True


def record_file(
    session: Session, csvfile: CsvFile, *, cause: str, actor: str, now: datetime, config: Config
) -> RecordReport:
    """A CSV (client_id, outcome, note): one line per client; every bad line reported. `cause`:
    who reports them (clinic, mentor_mother, staff)."""
    by = Caller(actor, ROLE_BY_CAUSE[cause], "csv")
    report = RecordReport()
    if csvfile.missing("client_id"):
        report.errors.append("missing required column: client_id")
        return report
    for line, row in csvfile.rows():
        client_id = session.scalar(select(Client.id).where(Client.external_id == row.get("client_id", "")))
        outcome = row.get("outcome") or "arrived"
        transfer = latest_transfer(session, client_id, arrived_too=outcome == "arrived") if client_id else None
        if transfer is None:
            report.errors.append(f"line {line}: client_id: no transfer to record for '{row.get('client_id', '')}'")
            continue
        try:
            changed = record(
                session,
                transfer,
                outcome,
                by=by,
                now=now,
                config=config,
                note=row.get("note") or None,
            )
        except OutcomeRefused as exc:
            report.errors.append(f"line {line}: outcome: {exc}")
            continue
        report.recorded += changed
        report.unchanged += not changed
    return report
