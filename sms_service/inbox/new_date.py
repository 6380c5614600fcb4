"""A client asked for another visit date (USSD 3, or an SMS asking it): the person who sees her
task picks the day (and time). The visit moves by the one reschedule path (its reminders made
again for the new day), she is told the new date by SMS, and the task is done."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from .. import audit
from ..access import Caller
from ..inbound.conversation import reply
from ..models import Appointment, Facility, FollowUpTask
from ..records.work import seen_task
from ..reminders.visits import VisitRefused, next_visit, reschedule
from ..texts.render import format_date, format_time
from .answer import reachable

if TYPE_CHECKING:
    from ..config import Config

KIND = "change_date"


class DateRefused(ValueError):
    pass


def visit_of(session: Session, task: FollowUpTask, today: date) -> Appointment | None:
    """The visit she asked to move: the task's, else her next one booked."""
    subject, _, ident = (task.subject or "").partition(":")
    if subject == "appointment" and ident.isdigit():
        found = session.get(Appointment, int(ident))
        if found is not None and found.client_id == task.client_id:
            return found
    return next_visit(session, task.client_id, today) if task.client_id is not None else None


def set_date(
    session: Session, by: Caller, task_id: int, day: date, at: time | None, *, now: datetime, config: Config
) -> bool:
    """Move the visit her task asks about to `day` (at `at`); True when she is told by SMS. She
    is not when she has stopped our messages and asked more than 7 days ago (as an answer): the
    person who set the date calls her."""
    found = seen_task(session, by, task_id)
    if found is None:
        raise LookupError(task_id)
    task, client = found
    if task.kind != KIND or task.status != "open":
        raise DateRefused(
            "this task asks for no new date" if task.kind != KIND else f"the task is already {task.status}"
        )
    today = now.astimezone(config.tz).date()
    if day < today:
        raise DateRefused("the new date has passed: choose today or a later day")
    visit = visit_of(session, task, today)
    if visit is None:
        raise DateRefused("she has no visit booked to move")
    facility = session.get_one(Facility, visit.facility_id)
    if not facility.is_open_on(day):  # never a date that sends her to a clinic closed by then
        raise DateRefused(
            f"{facility.name} closes on {facility.closed_on}: choose an earlier day (her transfer moves the visit)"
        )
    try:
        reschedule(session, visit, day, at, now, config)
    except VisitRefused as exc:
        raise DateRefused(str(exc)) from None
    told = reachable(client, task.created_at, now)
    if told:
        _tell(session, client, visit, facility, day, at, now)
    task.status, task.outcome, task.closed_at, task.closed_by = "done", "date_changed", now, by.who[:64]
    audit.record(
        session,
        by.actor,
        "visit.new_date",
        subject_type="appointment",
        subject_id=visit.id,
        origin=by.channel,
        task=task.id,
        date=day.isoformat(),
        time=at.strftime("%H:%M") if at else None,
        told=told,
    )
    return told


def _tell(session: Session, client, visit: Appointment, facility: Facility, day: date, at: time | None, now) -> None:
    reply(
        session,
        phone=client.phone,
        template="reply.visit_moved",
        language=client.language,
        subject=f"visit_moved:{visit.id}:{day.isoformat()}:{at.strftime('%H%M') if at else ''}",
        now=now,
        client_id=client.id,
        first_name=client.first_name,
        date=format_date(day, client.language),
        time=format_time(at, client.language),
        facility_name=facility.name,
    )
