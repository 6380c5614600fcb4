"""Who is dialling: the clients on a number, as the menu needs them, in one indexed read (two
when someone on the number has opted out), prepared once per process."""
from __future__ import annotations

from datetime import date, time

from sqlalchemy import bindparam, or_, select
from sqlalchemy.orm import aliased

from ..db import Database
from ..models import Appointment, Client, ConsentEvent, Facility, Infant, Transfer
from .menu import Move, Person, Place, Visit

NETWORK_BLOCKS = ("at_optout", "provider", "delivery_report")  # START cannot undo these
To = aliased(Facility)
UNSHOWN = Place("")  # not read for the first screen, which does not show it


def _everything():
    """Per client on the number: her clinic, any transfer still open, her upcoming visits, in
    one read (a row per client, transfer and visit; numbers hold one client or a few)."""
    Visiting = aliased(Facility)
    return (select(Client.id, Client.first_name, Client.language, Client.opted_out_at,
                   Facility.name, Facility.landmark, Facility.hours, Facility.phone,
                   Transfer.id, Transfer.effective_date, To.name, To.landmark, To.hours, To.phone,
                   Appointment.id, Appointment.date, Appointment.time, Visiting.name, Appointment.infant_id,
                   Infant.first_name)
            .join(Facility, Facility.id == Client.facility_id)
            .outerjoin(Transfer, (Transfer.client_id == Client.id)  # no IN list: it is compiled once
                       & or_(*(Transfer.status == state for state in Transfer.OPEN_STATES)))
            .outerjoin(To, To.id == Transfer.to_facility_id)
            .outerjoin(Appointment, (Appointment.client_id == Client.id) & (Appointment.status == "scheduled")
                       & (Appointment.date >= bindparam("today", type_=Appointment.date.type)))
            .outerjoin(Visiting, Visiting.id == Appointment.facility_id)
            .outerjoin(Infant, Infant.id == Appointment.infant_id)
            .where(Client.phone == bindparam("phone"), Client.status != "inactive")
            .order_by(Client.id, Transfer.effective_date, Appointment.date, Appointment.time))


def _names():
    """The first screen shows only names (and Stop or Start): one index lookup."""
    return (select(Client.id, Client.first_name, Client.language, Client.opted_out_at)
            .where(Client.phone == bindparam("phone"), Client.status != "inactive").order_by(Client.id))


def _last_opt_out():
    return (select(ConsentEvent.source).where(ConsentEvent.phone == bindparam("phone"), ConsentEvent.kind == "opt_out")
            .order_by(ConsentEvent.id.desc()).limit(1))


def people_on(db: Database, phone: str, today: date, first_screen: bool = False) -> list[Person]:
    """Everything the menu may show; on a session's first request only what it does show."""
    if first_screen:
        return [Person(cid, first, language, UNSHOWN, opted_out=opted_out_at is not None)
                for cid, first, language, opted_out_at in db.prepared_query("ussd.names", _names).rows(phone=phone)]
    rows = db.prepared_query("ussd.everything", _everything).rows(phone=phone, today=today)
    clients, moves, visits = {}, {}, {}
    for (cid, first, language, opted_out_at, name, landmark, hours, tel, transfer_id, day, to_name, to_landmark,
         to_hours, to_tel, appointment_id, visit_day, at, clinic, infant_id, infant_name) in rows:
        clients.setdefault(cid, (first, language, opted_out_at, Place(name, landmark, hours, tel)))
        found = visits.setdefault(cid, {})
        if transfer_id is not None:  # the latest open one wins
            moves[cid] = Move(transfer_id, Place(to_name, to_landmark, to_hours, to_tel), day)
        if appointment_id is not None and appointment_id not in found:
            found[appointment_id] = Visit(appointment_id, visit_day, at, clinic,
                                          (infant_name or "Baby") if infant_id else None)
    blocked = False
    if any(c[2] for c in clients.values()):
        last = db.prepared_query("ussd.last_opt_out", _last_opt_out).rows(phone=phone)
        blocked = bool(last) and last[0][0] in NETWORK_BLOCKS
    return [Person(cid, first, language, place, opted_out=opted_out_at is not None,
                   visits=tuple(sorted(visits[cid].values(), key=lambda v: (v.day, v.at or time.min))),
                   move=moves.get(cid), network_blocked=blocked and opted_out_at is not None)
            for cid, (first, language, opted_out_at, place) in clients.items()]
