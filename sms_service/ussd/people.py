"""Who is dialling: the clients on a number, as the menu needs them, in three indexed reads."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import aliased

from ..models import Appointment, Client, ConsentEvent, Facility, Infant, Transfer
from .menu import Move, Person, Place, Visit

NETWORK_BLOCKS = ("at_optout", "provider", "delivery_report")  # START cannot undo these
To = aliased(Facility)


def people_on(connection, phone: str, today: date) -> list[Person]:
    clients = connection.execute(
        select(Client.id, Client.first_name, Client.language, Client.opted_out_at,
               Facility.name, Facility.landmark, Facility.hours, Facility.phone)
        .join(Facility, Facility.id == Client.facility_id)
        .where(Client.phone == phone, Client.status != "inactive").order_by(Client.id)).all()
    if not clients:
        return []
    ids = [c.id for c in clients]
    moves = {}
    for row in connection.execute(
            select(Transfer.client_id, Transfer.id, Transfer.effective_date, To.name, To.landmark, To.hours, To.phone)
            .join(To, To.id == Transfer.to_facility_id)
            .where(Transfer.client_id.in_(ids), Transfer.status.in_(Transfer.OPEN_STATES))
            .order_by(Transfer.effective_date)):
        moves[row.client_id] = Move(row.id, Place(row.name, row.landmark, row.hours, row.phone), row.effective_date)
    visits: dict[int, list[Visit]] = {i: [] for i in ids}
    for row in connection.execute(
            select(Appointment.client_id, Appointment.id, Appointment.date, Appointment.time, Facility.name,
                   Appointment.infant_id, Infant.first_name)
            .join(Facility, Facility.id == Appointment.facility_id)
            .outerjoin(Infant, Infant.id == Appointment.infant_id)
            .where(Appointment.client_id.in_(ids), Appointment.status == "scheduled", Appointment.date >= today)
            .order_by(Appointment.date, Appointment.time)):
        infant = (row.first_name or "Baby") if row.infant_id is not None else None
        visits[row.client_id].append(Visit(row.id, row.date, row.time, row.name, infant))
    blocked = False
    if any(c.opted_out_at for c in clients):
        last = connection.execute(select(ConsentEvent.source).where(
            ConsentEvent.phone == phone, ConsentEvent.kind == "opt_out").order_by(ConsentEvent.id.desc()).limit(1)).scalar()
        blocked = last in NETWORK_BLOCKS
    return [Person(c.id, c.first_name, c.language, Place(c.name, c.landmark, c.hours, c.phone),
                   opted_out=c.opted_out_at is not None, visits=tuple(visits[c.id]), move=moves.get(c.id),
                   network_blocked=blocked and c.opted_out_at is not None)
            for c in clients]
