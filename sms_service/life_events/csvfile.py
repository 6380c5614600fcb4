"""`sms-service import events FILE`: life events from a CSV (client_id, kind, date, infant_dob,
new_phone, note). Each line is one event; a refused line is reported with its number and every
problem and writes nothing, and the good lines still load. The file is one transaction: a
failure of the database itself loads nothing."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from ..access import Caller
from ..csvio import CsvFile
from ..models import Client
from .kinds import EventRefused
from .service import Asked, record_many

if TYPE_CHECKING:
    from ..config import Config

REQUIRED = ("client_id", "kind", "date")
COLUMNS = (*REQUIRED, "infant_dob", "new_phone", "note")


@dataclass
class EventsReport:
    recorded: int = 0
    unchanged: int = 0  # the same event was recorded before
    errors: list[str] = field(default_factory=list)
    file_refused: bool = False

    def summary(self) -> str:
        if self.file_refused:
            return "events: file refused, nothing recorded"
        return f"events: {self.recorded} recorded, {self.unchanged} already recorded, {len(self.errors)} refused"


def import_events(session: Session, csvfile: CsvFile, *, by: Caller, now: datetime, config: Config) -> EventsReport:
    report = EventsReport()
    missing = csvfile.missing(*REQUIRED)
    if missing:
        report.errors.append(f"missing required column(s): {', '.join(missing)}")
        report.file_refused = True
        return report
    rows = list(csvfile.rows())
    clients = {
        c.external_id: c
        for c in session.scalars(
            select(Client)
            .where(Client.external_id.in_({row.get("client_id", "") for _, row in rows}))
            .options(selectinload(Client.infants))
        )
    }
    asked, lines = [], []
    for line, row in rows:
        client = clients.get(row.get("client_id", ""))
        if client is None:
            report.errors.append(f"line {line}: client_id: no client '{row.get('client_id', '')[:64]}'")
            continue
        asked.append((client, Asked.of({k: row.get(k) or None for k in COLUMNS})))
        lines.append(line)
    for line, outcome in zip(lines, record_many(session, asked, by=by, now=now, config=config), strict=True):
        if isinstance(outcome, EventRefused):
            report.errors.append(f"line {line}: " + "; ".join(map(str, outcome.problems)))
        else:
            report.recorded += outcome[1]
            report.unchanged += not outcome[1]
    report.errors.sort(key=lambda e: int(e.split(":")[0].split()[1]))
    return report
