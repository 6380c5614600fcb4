"""What becomes of a visit. People record it: attended (closes it), cancelled, rescheduled
(a new revision: its waiting reminders are superseded). When nobody has recorded anything, the
scheduler does, by the visit's date: missed the next day (a missed-visit SMS at 10:00 and a
task for her Mentor Mother), defaulted after 7 days, lost to follow-up after 30
(`VISIT_FOLLOW_UP_DAYS`). Each step reads what is due through the (status, date) index: its
cost grows with what is due, not with the visits stored.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ..db import among, claimed
from ..followup.notes import note
from ..followup.store import close_tasks, open_tasks, with_open_tasks
from ..models import Appointment
from ..models.statuses import VISIT_CLOSED
from ..models.statuses import VisitStatus as V
from ..outbound import eligibility
from ..outbound.messages import cancel_waiting, create_messages
from . import plan, planner, wording

if TYPE_CHECKING:
    from ..config import Config

BATCH = 1000


class VisitRefused(Exception):
    pass


def _changed(session: Session, appointment: Appointment, now: datetime, *, revise: bool) -> None:
    appointment.planned = False
    appointment.updated_at = appointment.status_changed_at = now
    if revise:
        appointment.revision += 1
    session.flush()


def attended(session: Session, appointment: Appointment, now: datetime, config: Config) -> bool:
    """She came: the visit is closed; what waited on it (reminders, the missed message, her
    Mentor Mother's task about it) is no longer needed. False when it already was."""
    if appointment.status == V.ATTENDED:
        return False
    if appointment.status == V.CANCELLED:
        raise VisitRefused("the visit was cancelled")
    appointment.status = V.ATTENDED
    _changed(session, appointment, now, revise=False)
    _settle(session, appointment.id, now, "attended")
    planner.plan_pending(session, now, config, ids=[appointment.id])
    return True


def missed(session: Session, appointment: Appointment, now: datetime, config: Config) -> bool:
    """A record says she did not come (a clinic's file, a records system's no-show): missed,
    and the follow-up goes on from there (the missed-visit message while it is still timely, a
    task, then defaulted and lost). A visit known only after its date becomes part of the ladder
    this way, and no other. False when it already was missed or further on."""
    if appointment.status in (V.MISSED, V.DEFAULTED, V.LOST):
        return False
    if appointment.status in VISIT_CLOSED:
        raise VisitRefused(f"the visit is {appointment.status}")
    if appointment.date >= config.today(now):
        raise VisitRefused("the visit's day has not passed")
    appointment.status = V.MISSED
    _changed(session, appointment, now, revise=False)
    planner.plan_pending(session, now, config, ids=[appointment.id])  # its reminders: none now
    _missed(session, [appointment.id], now, config.today(now), config)
    return True


def cancel(session: Session, appointment: Appointment, now: datetime, config: Config) -> bool:
    if appointment.status in VISIT_CLOSED:
        return False
    appointment.status = V.CANCELLED
    _changed(session, appointment, now, revise=False)
    _settle(session, appointment.id, now, "cancelled")
    planner.plan_pending(session, now, config, ids=[appointment.id])
    return True


def next_visit(session: Session, client_id: int, today: date) -> Appointment | None:
    """Her next visit booked, from `today` on (the earliest, by date and time)."""
    return session.scalar(
        select(Appointment)
        .where(Appointment.client_id == client_id, Appointment.status == V.SCHEDULED, Appointment.date >= today)
        .order_by(Appointment.date, Appointment.time)
        .limit(1)
    )


def reschedule(
    session: Session, appointment: Appointment, day: date, at: time | None, now: datetime, config: Config
) -> None:
    """A new date (and time): the reminders waiting are superseded by the new date's."""
    if appointment.status in VISIT_CLOSED:
        raise VisitRefused(f"the visit is {appointment.status}")
    clash = session.scalar(
        select(Appointment.id).where(
            Appointment.client_id == appointment.client_id,
            Appointment.date == day,
            Appointment.kind == appointment.kind,
            Appointment.id != appointment.id,
        )
    )
    if clash is not None:
        raise VisitRefused(f"she already has a {appointment.kind} visit on {day.isoformat()}")
    appointment.date, appointment.time, appointment.status = day, at, "scheduled"
    appointment.confirmed_at = None
    _changed(session, appointment, now, revise=True)
    _settle(session, appointment.id, now, "rescheduled")
    planner.plan_pending(session, now, config, ids=[appointment.id])


def revise(session: Session, ids: list[int], now: datetime, config: Config, *, plan_now: bool = True) -> int:
    """These visits changed in bulk (moved to another clinic, re-imported): a new revision each,
    reminders planned again (now, or by the scheduler's next tick). Returns the reminders made."""
    if not ids:
        return 0
    session.execute(
        update(Appointment)
        .where(among(session, Appointment.id, ids))
        .values(revision=Appointment.revision + 1, planned=False, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    return planner.plan_pending(session, now, config, ids=ids) if plan_now else 0


def _settle(session: Session, appointment_id: int, now: datetime, outcome: str) -> None:
    """Her missed-visit message and her Mentor Mother's tasks about the visit are no longer
    needed. (Its reminders are the planner's: the caller plans the visit again.)"""
    subjects = [planner.subject(appointment_id)]
    cancel_waiting(session, subjects, f"visit {outcome}", now=now, purposes=("missed_visit",))
    close_tasks(session, subjects, f"visit {outcome}", now=now, kinds=("missed_visit", "visit_defaulted", "visit_lost"))


def after_visits(session: Session, now: datetime, config: Config) -> dict[str, int]:
    """The scheduler's pass: visits past their date with nothing recorded move on a step."""
    today = now.astimezone(config.tz).date()
    done: dict[str, int] = {}
    missed, defaulted, lost = config.visit_follow_up_days
    # the later steps first, so that one pass never carries a visit through two of them
    for before, step, after_days in (
        (V.DEFAULTED, V.LOST, lost),
        (V.MISSED, V.DEFAULTED, defaulted),
        (V.SCHEDULED, V.MISSED, missed),
    ):
        query = (
            select(Appointment.id, Appointment.client_id)
            .where(Appointment.status == before, Appointment.date <= today - timedelta(days=after_days))
            .order_by(Appointment.date)
            .limit(BATCH)
        )
        found = session.execute(claimed(session, query)).all()  # a second scheduler takes other visits
        if not found:
            done[str(step)] = 0
            continue
        moved = session.scalars(
            update(Appointment)
            .where(among(session, Appointment.id, [i for i, _ in found]), Appointment.status == before)
            .values(status=step, status_changed_at=now, updated_at=now)
            .returning(Appointment.id)
            .execution_options(synchronize_session=False)
        ).all()
        done[str(step)] = len(moved)
        if step == "missed":
            _missed(session, moved, now, today, config)
        else:
            listed = with_open_tasks(session, [planner.subject(i) for i in moved])
            clients = dict(found)
            open_tasks(
                session,
                [
                    {
                        "client_id": clients[i],
                        "kind": f"visit_{step}",
                        "subject": planner.subject(i),
                        "dedupe_key": f"visit_{step}:{i}",
                        **note(f"visit_{step}"),
                    }
                    for i in moved
                    if planner.subject(i) not in listed
                ],
                now=now,
                today=today,
            )
    return done


def _missed(session: Session, ids: Sequence[int], now: datetime, today: date, config: Config) -> None:
    """A missed-visit SMS (the day after, at 10:00) and a task for her Mentor Mother."""
    if not ids:
        return
    rows = planner.visits(session, ids)
    specs = []
    for v in rows:
        send_at, expires = plan.missed_message(v.date, now, config)
        if eligibility.refusal(planner.her(v), planner.concerning(v, "missed_visit"), today) or send_at >= expires:
            continue
        template = wording.template_for(v.kind, v.infant_id is not None, "missed_visit")
        specs.append(
            {
                "phone": v.phone,
                "client_id": v.client_id,
                "purpose": "missed_visit",
                "subject": planner.subject(v.id),
                "version": v.revision,
                "template": template,
                "language": v.language,
                "facility_id": None,  # it names where she missed, not where to go
                "appointment_id": v.id,
                "body": planner.text(v, template),
                "not_before": send_at,
                "expires_at": expires,
            }
        )
    create_messages(session, specs)
    open_tasks(
        session,
        [
            {
                "client_id": v.client_id,
                "kind": "missed_visit",
                "subject": planner.subject(v.id),
                "dedupe_key": f"missed_visit:{v.id}:{v.revision}",
                **note("missed_visit", date=v.date),
            }
            for v in rows
            if eligibility.visit_refusal(planner.her(v), v.kind, v.infant_died_on) is None
        ],
        now=now,
        today=today,
    )
