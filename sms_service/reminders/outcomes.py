"""Visit outcomes from a clinic's rows (CSV, API): attended, cancelled, rescheduled, missed."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..csvio import CsvFile, RecordReport
from ..models import Appointment, Client
from . import visits

if TYPE_CHECKING:
    from ..config import Config

OUTCOMES = ("attended", "cancelled", "rescheduled", "missed")


def apply(
    session: Session,
    appointment: Appointment,
    outcome: str,
    now: datetime,
    config: Config,
    new_date: date | None = None,
    new_time: time | None = None,
) -> bool:
    if outcome == "attended":
        return visits.attended(session, appointment, now, config)
    if outcome == "cancelled":
        return visits.cancel(session, appointment, now, config)
    if outcome == "missed":
        return visits.missed(session, appointment, now, config)
    if outcome == "rescheduled":
        if new_date is None:
            raise visits.VisitRefused("new_date is needed to reschedule")
        visits.reschedule(session, appointment, new_date, new_time, now, config)
        return True
    raise visits.VisitRefused(f"outcome must be one of {', '.join(OUTCOMES)}")


def record_file(session: Session, csvfile: CsvFile, now: datetime, config: Config) -> RecordReport:
    """A CSV (client_id, date, kind, outcome, new_date, new_time): every bad line reported.
    `missed` is how a visit known only after its date joins the follow-up ladder."""
    report = RecordReport()
    missing = csvfile.missing("client_id", "date")
    if missing:
        report.errors.append(f"missing required column(s): {', '.join(missing)}")
        return report
    for line, row in csvfile.rows():
        try:
            day = date.fromisoformat(row.get("date", ""))
            new_date = date.fromisoformat(row["new_date"]) if row.get("new_date") else None
            new_time = time.fromisoformat(row["new_time"]) if row.get("new_time") else None
        except ValueError:
            report.errors.append(f"line {line}: date: dates as YYYY-MM-DD, times as HH:MM")
            continue
        query = (
            select(Appointment)
            .join(Client, Client.id == Appointment.client_id)
            .where(Client.external_id == row.get("client_id", ""), Appointment.date == day)
        )
        if row.get("kind"):
            query = query.where(Appointment.kind == row["kind"])
        found = session.scalars(query).all()
        if len(found) != 1:
            why = "no visit" if not found else "two visits that day: give the kind"
            report.errors.append(f"line {line}: client_id: {why} for '{row.get('client_id', '')}' on {day}")
            continue
        try:
            changed = apply(session, found[0], row.get("outcome") or "attended", now, config, new_date, new_time)
        except visits.VisitRefused as exc:
            report.errors.append(f"line {line}: outcome: {exc}")
            continue
        report.recorded += changed
        report.unchanged += not changed
    return report
