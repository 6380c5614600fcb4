"""What a person records about a transfer: arrival (the receiving clinic, a Mentor Mother) or
another outcome, one at a time (API) or from a receiving clinic's CSV."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..importing.csvfile import CsvFile
from ..importing.report import RecordReport
from ..models import Client, Transfer
from .states import ALLOWED, OUTCOMES, move


class OutcomeRefused(Exception):
    pass


CAUSE_BY_ROLE = {"admin": "staff", "supervisor": "clinic", "mentor_mother": "mentor_mother"}  # who records it


def latest_transfer(session: Session, client_id: int) -> Transfer | None:
    """Her transfer a person may still record something about (open, or lost to follow-up)."""
    return session.scalar(select(Transfer).where(Transfer.client_id == client_id, Transfer.status.in_(tuple(ALLOWED)))
                          .order_by(Transfer.created_at.desc(), Transfer.id.desc()).limit(1))


def record(session: Session, transfer: Transfer, outcome: str, *, cause: str, actor: str, now: datetime,
           note: str | None = None) -> bool:
    """True when recorded; False when it was already so. Refused when the outcome is unknown or
    the transfer is past it (arrived, died…)."""
    if outcome not in OUTCOMES:
        raise OutcomeRefused(f"outcome must be one of {', '.join(OUTCOMES)}")
    if transfer.status == outcome:
        return False
    if not move(session, transfer, outcome, cause=cause, actor=actor, now=now, detail=note):
        raise OutcomeRefused(f"the transfer is {transfer.status}: it cannot become {outcome}")
    return True


def record_file(session: Session, csvfile: CsvFile, *, cause: str, actor: str, now: datetime) -> RecordReport:
    """A CSV (client_id, outcome, note): one line per client; every bad line reported."""
    report = RecordReport()
    if csvfile.missing("client_id"):
        report.errors.append("missing required column: client_id")
        return report
    for line, row in csvfile.rows():
        client_id = session.scalar(select(Client.id).where(Client.external_id == row.get("client_id", "")))
        transfer = latest_transfer(session, client_id) if client_id else None
        if transfer is None:
            report.errors.append(f"line {line}: client_id: no transfer to record for '{row.get('client_id', '')}'")
            continue
        try:
            changed = record(session, transfer, row.get("outcome") or "arrived", cause=cause, actor=actor, now=now,
                             note=row.get("note") or None)
        except OutcomeRefused as exc:
            report.errors.append(f"line {line}: outcome: {exc}")
            continue
        report.recorded += changed
        report.unchanged += not changed
    return report
