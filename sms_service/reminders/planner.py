"""Visit reminders as outbound messages: made once per visit revision, superseded when the visit
changes (a new revision: a new version of their idempotency keys) and cancelled when it is no
longer to be reminded of (attended, cancelled, she stopped our messages).

A visit whose reminders are not planned for its revision has `planned` false (a partial index
holds just those); `plan_pending` plans them, a batch at a time, on import, on every change and
on each scheduler tick. Reads and writes are by the thousand: 260,000 imported visits are
planned in a few statements per batch.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session, aliased

from ..db import among
from ..messaging import create_messages, key_of, transition
from ..models import Appointment, Client, Facility, Infant, MentorMother, OutboundMessage
from . import plan, wording

BATCH = 5000
PURPOSES = ("reminder",)


def subject(appointment_id: int) -> str:
    return f"appointment:{appointment_id}"


def unplanned(session: Session, limit: int = BATCH) -> list[int]:
    return list(session.scalars(select(Appointment.id).where(~Appointment.planned).order_by(Appointment.id)
                                .limit(limit)))


def plan_pending(session: Session, now: datetime, config, ids: list[int] | None = None) -> int:
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


def _plan(session: Session, ids: list[int], now: datetime, config) -> int:
    at = aliased(Facility)
    rows = session.execute(
        select(Appointment.id, Appointment.client_id, Appointment.date, Appointment.time, Appointment.kind,
               Appointment.status, Appointment.revision, Appointment.infant_id, Appointment.facility_id,
               Client.facility_id, Client.first_name, Client.language, Client.phone, Client.opted_out_at,
               Client.status, at.name, at.phone, MentorMother.phone, MentorMother.active, Infant.first_name,
               Infant.dob)
        .join(Client, Client.id == Appointment.client_id).join(at, at.id == Appointment.facility_id)
        .outerjoin(MentorMother, MentorMother.id == Client.mentor_mother_id)
        .outerjoin(Infant, Infant.id == Appointment.infant_id)
        .where(among(session, Appointment.id, ids))).all()
    waiting = session.execute(
        select(OutboundMessage.id, OutboundMessage.subject, OutboundMessage.idempotency_key)
        .where(among(session, OutboundMessage.subject, [subject(r[0]) for r in rows]),
               OutboundMessage.purpose.in_(PURPOSES), OutboundMessage.status.in_(("scheduled", "queued")))).all()
    state = {subject(r[0]): r[5] for r in rows}
    specs = []
    for (aid, client_id, day, at_time, kind, status, revision, infant_id, at_id, her_clinic, first_name, language,
         phone, opted_out, client_status, clinic, clinic_phone, mm_phone, mm_active, infant_name, infant_dob) in rows:
        if status != "scheduled" or opted_out is not None or client_status == "inactive":
            continue
        planning = plan.needs_planning(kind, at_id, her_clinic, infant_dob, day)
        template = wording.template_for(kind, infant_id is not None, "reminder")
        body = None
        for reminder in plan.reminders(day, at_time, kind, planning, now, config):
            body = body or wording.text(template, language, first_name=first_name, day=day, at=at_time,
                                        clinic=clinic, call=mm_phone if mm_active else clinic_phone,
                                        infant_name=infant_name)
            specs.append({"phone": phone, "client_id": client_id, "purpose": "reminder", "subject": subject(aid),
                          "occasion": reminder.occasion, "version": revision, "template": template,
                          "language": language, "body": body, "facility_id": at_id,
                          "not_before": reminder.send_at, "expires_at": reminder.expires_at})
    wanted = {key_of(spec) for spec in specs}
    stale: dict[str, list[int]] = {}  # why → ids: another revision or day, or the visit is over
    for mid, about, key in waiting:
        if key not in wanted:
            why = "visit changed" if state[about] == "scheduled" else f"visit {state[about]}"
            stale.setdefault(why, []).append(mid)
    for why, ids_ in stale.items():
        transition(session, ids_, "cancelled", why, now=now)
    made = sum(created for _, created in create_messages(session, specs))
    session.execute(update(Appointment).where(among(session, Appointment.id, [r[0] for r in rows]))
                    .values(planned=True).execution_options(synchronize_session=False))
    return made
