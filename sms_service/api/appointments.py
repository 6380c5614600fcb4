"""Visits over the API: read a client's, and record attended, cancelled or a new date. Narrowed
like transfers: an admin sees all, a supervisor her facility's (the visit's clinic or the
client's), a Mentor Mother her own clients'."""

from __future__ import annotations

from flask import request
from sqlalchemy import select

from ..bootstrap import get_services
from ..db import utcnow
from ..models import Appointment, Client
from ..reminders.outcomes import apply
from ..reminders.visits import VisitRefused
from .auth import narrowed, requires
from .base import blueprint
from .errors import ApiError, a_date, a_time, json_body


def scope(query):
    """Only the visits the caller may see: a supervisor's, at her facility or of its clients."""
    return narrowed(query, Appointment.facility_id, Client.facility_id)


def as_json(a: Appointment, client_id: str) -> dict:
    return {
        "id": a.id,
        "client_id": client_id,
        "date": a.date.isoformat(),
        "time": a.time.strftime("%H:%M") if a.time else None,
        "kind": a.kind,
        "status": a.status,
        "source": a.source,
        "facility_id": a.facility_id,
        "confirmed_at": a.confirmed_at.isoformat() if a.confirmed_at else None,
    }


@blueprint.get("/appointments")
@requires()
def list_appointments():
    """?client_id= (the clinic's id): her visits, by date."""
    external = request.args.get("client_id", "")
    if not external:
        raise ApiError(400, "client_id: give the clinic's client_id")
    with get_services().db.session() as session:
        rows = session.execute(
            scope(
                select(Appointment, Client.external_id)
                .join(Client, Client.id == Appointment.client_id)
                .where(Client.external_id == external)
                .order_by(Appointment.date)
            )
        ).all()
        return {"items": [as_json(a, ext) for a, ext in rows]}


def _record(appointment_id: int, outcome: str):
    data = json_body(optional=True)
    services = get_services()
    new_date = a_date(data["date"], "date") if data.get("date") else None
    new_time = a_time(data["time"], "time") if data.get("time") else None
    with services.db.session() as session:
        found = session.execute(
            scope(
                select(Appointment, Client.external_id)
                .join(Client, Client.id == Appointment.client_id)
                .where(Appointment.id == appointment_id)
            )
        ).first()
        if found is None:
            raise ApiError(404, f"no appointment {appointment_id}")
        appointment, external = found
        try:
            changed = apply(session, appointment, outcome, utcnow(), services.config, new_date, new_time)
        except VisitRefused as exc:
            raise ApiError(409, str(exc)) from exc
        return {"recorded": changed, **as_json(appointment, external)}


@blueprint.post("/appointments/<int:appointment_id>/attended")
@requires()
def mark_attended(appointment_id: int):
    return _record(appointment_id, "attended")


@blueprint.post("/appointments/<int:appointment_id>/cancel")
@requires("admin", "supervisor")
def cancel_appointment(appointment_id: int):
    return _record(appointment_id, "cancelled")


@blueprint.post("/appointments/<int:appointment_id>/reschedule")
@requires("admin", "supervisor")
def reschedule_appointment(appointment_id: int):
    """{"date": "YYYY-MM-DD", "time": "HH:MM"}"""
    return _record(appointment_id, "rescheduled")
