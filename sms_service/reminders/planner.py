"""Visit reminders as outbound messages: made once per visit revision, superseded when the visit
changes (a new revision: a new version of their idempotency keys) and cancelled when it is no
longer to be reminded of (attended, cancelled, she stopped our messages).

A visit whose reminders are not planned for its revision has `planned` false (a partial index
holds just those); `plan_pending` plans them, a batch at a time, on import, on every change and
on each scheduler tick. Reads and writes are by the thousand: 260,000 imported visits are
planned in a few statements per batch.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import Row, select, update
from sqlalchemy.orm import Session, aliased

from ..db import among
from ..models import Appointment, Client, Facility, Infant, MentorMother, OutboundMessage
from ..models.statuses import MESSAGE_WAITING, VISIT_FOLLOWED
from ..outbound import eligibility
from ..outbound.messages import create_messages, key_of, transition
from . import plan, wording

if TYPE_CHECKING:
    from ..config import Config

BATCH = 5000
PURPOSES = ("reminder",)
ACTIVE = VISIT_FOLLOWED  # visits still followed: reminded of, or followed up


def subject(appointment_id: int) -> str:
    return f"appointment:{appointment_id}"


def unplanned(session: Session, limit: int = BATCH) -> list[int]:
    return list(
        session.scalars(select(Appointment.id).where(~Appointment.planned).order_by(Appointment.id).limit(limit))
    )


def plan_pending(session: Session, now: datetime, config: Config, ids: list[int] | None = None) -> int:
    """Plan (or re-plan) the reminders of these visits, or of every visit waiting to be planned.
    Returns how many reminders were made."""
    made = 0
    while True:
        batch = unplanned(session) if ids is None else ids
        if not batch:
            return made
        made += _plan(session, batch, now, config)
        if ids is not None or len(batch) < BATCH:
            return made


def visits(session: Session, ids: Sequence[int]) -> Sequence[Row]:
    """These visits with what their messages say and whom they go to, in one read (rows with
    named columns); shared by the reminders here and the missed-visit message."""
    at = aliased(Facility)
    return session.execute(
        select(
            Appointment.id,
            Appointment.client_id,
            Appointment.date,
            Appointment.time,
            Appointment.kind,
            Appointment.status,
            Appointment.revision,
            Appointment.infant_id,
            Appointment.facility_id,
            Client.facility_id.label("her_clinic"),
            Client.first_name,
            Client.language,
            Client.phone,
            Client.status.label("client_status"),
            Client.inactive_reason,
            Client.opted_out_at,
            Client.pregnancy_lost_on,
            Client.edd,
            at.name.label("clinic"),
            at.phone.label("clinic_phone"),
            MentorMother.phone.label("mm_phone"),
            MentorMother.active.label("mm_active"),
            Infant.first_name.label("infant_name"),
            Infant.dob.label("infant_dob"),
            Infant.died_on.label("infant_died_on"),
        )
        .join(Client, Client.id == Appointment.client_id)
        .join(at, at.id == Appointment.facility_id)
        .outerjoin(MentorMother, MentorMother.id == Client.mentor_mother_id)
        .outerjoin(Infant, Infant.id == Appointment.infant_id)
        .where(among(session, Appointment.id, ids))
    ).all()


def her(visit) -> eligibility.Her:
    """What her record says, for a row of `visits`."""
    return eligibility.her_of(
        visit.client_status, visit.inactive_reason, visit.opted_out_at, visit.pregnancy_lost_on, visit.edd
    )


def concerning(visit, purpose: str) -> eligibility.About:
    """What a message about this visit (a row of `visits`) concerns."""
    return eligibility.About(purpose, visit_kind=visit.kind, infant_died_on=visit.infant_died_on)


def set_aside(session: Session, rows: Sequence[Row], now: datetime) -> dict[int, str]:
    """Visits of these rows that are no longer part of her care (`eligibility.visit_refusal`):
    cancelled, naming why. Returns visit id → why."""
    why = {
        v.id: reason
        for v in rows
        if v.status in ACTIVE and (reason := eligibility.visit_refusal(her(v), v.kind, v.infant_died_on)) is not None
    }
    for reason in set(why.values()):
        session.execute(
            update(Appointment)
            .where(among(session, Appointment.id, [i for i, r in why.items() if r == reason]))
            .values(status="cancelled", status_reason=reason, status_changed_at=now, updated_at=now)
            .execution_options(synchronize_session=False)
        )
    return why


def text(visit, template: str, at_time=None) -> str:
    """A reminder or missed-visit text for a row of `visits`."""
    return wording.text(
        template,
        visit.language,
        first_name=visit.first_name,
        day=visit.date,
        at=at_time,
        clinic=visit.clinic,
        call=visit.mm_phone if visit.mm_active else visit.clinic_phone,
        infant_name=visit.infant_name,
    )


def _plan(session: Session, ids: list[int], now: datetime, config: Config) -> int:
    rows = visits(session, ids)
    waiting = session.execute(
        select(OutboundMessage.id, OutboundMessage.subject, OutboundMessage.idempotency_key).where(
            among(session, OutboundMessage.subject, [subject(v.id) for v in rows]),
            OutboundMessage.purpose.in_(PURPOSES),
            OutboundMessage.status.in_(MESSAGE_WAITING),
        )
    ).all()
    state: dict[str | None, str] = {subject(v.id): v.status for v in rows}
    for visit_id, reason in set_aside(session, rows, now).items():
        state[subject(visit_id)] = f"cancelled: {reason}"
    today = now.astimezone(config.tz).date()
    specs = []
    for v in rows:
        if state[subject(v.id)] != "scheduled" or eligibility.refusal(her(v), concerning(v, "reminder"), today):
            continue
        planning = plan.needs_planning(v.kind, v.facility_id, v.her_clinic, v.infant_dob, v.date)
        template = wording.template_for(v.kind, v.infant_id is not None, "reminder")
        body = None
        for reminder in plan.reminders(v.date, v.time, v.kind, planning, now, config):
            body = body or text(v, template, v.time)
            specs.append(
                {
                    "phone": v.phone,
                    "client_id": v.client_id,
                    "purpose": "reminder",
                    "subject": subject(v.id),
                    "occasion": reminder.occasion,
                    "version": v.revision,
                    "template": template,
                    "language": v.language,
                    "body": body,
                    "facility_id": v.facility_id,
                    "appointment_id": v.id,
                    "not_before": reminder.send_at,
                    "expires_at": reminder.expires_at,
                }
            )
    wanted = {key_of(spec) for spec in specs}
    stale: dict[str, list[int]] = {}  # why → ids: another revision or day, or the visit is over
    for mid, about, key in waiting:
        if key not in wanted:
            why = "visit changed" if state[about] == "scheduled" else f"visit {state[about]}"
            stale.setdefault(why, []).append(mid)
    for why, ids_ in stale.items():
        transition(session, ids_, "cancelled", why, now=now)
    made = sum(created for _, created in create_messages(session, specs))
    session.execute(
        update(Appointment)
        .where(among(session, Appointment.id, [v.id for v in rows]))
        .values(planned=True)
        .execution_options(synchronize_session=False)
    )
    return made
