"""Visit reminders' wording, and re-rendering the ones still waiting when their visit moves
to another clinic (a transfer): the old text is cancelled and a new version of the same
reminder, naming the new clinic, keeps its time."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from .db import among
from .messaging import create_message, transition
from .models import Appointment, Client, Facility, Infant, MentorMother, OutboundMessage
from .templates.render import format_date, format_time, render

PURPOSES = ("reminder", "missed_visit")


def visit_values(client: Client, appointment: Appointment, facility: Facility, mentor: MentorMother | None,
                 infant: Infant | None, language: str) -> dict[str, str]:
    return {"first_name": client.first_name, "date": format_date(appointment.date, language),
            "time": format_time(appointment.time, language), "facility_name": facility.name,
            "mm_phone": (mentor.phone if mentor is not None and mentor.active else facility.phone) or "-",
            "infant_name": (infant.first_name if infant is not None and infant.first_name else "Baby")}


def rerender(session: Session, appointment_ids: list[int], now: datetime) -> int:
    """Reminders waiting for these visits, rendered again where the visit now is."""
    if not appointment_ids:
        return 0
    waiting = session.scalars(select(OutboundMessage).where(
        among(session, OutboundMessage.subject, [f"appointment:{i}" for i in appointment_ids]),
        OutboundMessage.purpose.in_(PURPOSES), OutboundMessage.status.in_(("scheduled", "queued")))).all()
    made = 0
    for message in waiting:
        if not transition(session, [message.id], "cancelled", "visit moved to another clinic", now=now):
            continue
        appointment = session.get(Appointment, int(message.subject.split(":")[1]))
        client = session.get(Client, appointment.client_id)
        facility = session.get(Facility, appointment.facility_id)
        mentor = session.get(MentorMother, client.mentor_mother_id) if client.mentor_mother_id else None
        infant = session.get(Infant, appointment.infant_id) if appointment.infant_id else None
        body = render(message.template, message.language,
                      **visit_values(client, appointment, facility, mentor, infant, message.language))
        create_message(session, phone=message.phone, purpose=message.purpose, body=body, client_id=client.id,
                       subject=message.subject, version=message.version + 1, not_before=message.not_before,
                       expires_at=message.expires_at, language=message.language, template=message.template,
                       facility_id=facility.id)
        made += 1
    return made
