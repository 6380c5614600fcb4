"""Who is dialling: the clients on a number, as the menu needs them, in one indexed read (two
when someone on the number has opted out), prepared once per process; the clinics from a
directory each process reads again once a minute."""

from __future__ import annotations

from datetime import date, time
from time import monotonic
from weakref import WeakKeyDictionary

from sqlalchemy import bindparam, or_, select

from ..db import Database
from ..models import Appointment, Client, Facility, Infant, Transfer
from ..outbound import consent
from .menu import Move, Person, Place, Visit

UNSHOWN = Place("")  # not read for the first screen, which does not show it


def _everything():
    """Per client on the number: any transfer still open and her upcoming visits, in one read
    (a row per client, transfer and visit; numbers hold one client or a few). Clinics come
    from the per-process directory below."""
    return (
        select(
            Client.id,
            Client.first_name,
            Client.language,
            Client.opted_out_at,
            Client.facility_id,
            Transfer.id,
            Transfer.effective_date,
            Transfer.to_facility_id,
            Transfer.offer,
            Transfer.choose_by,
            Appointment.id,
            Appointment.date,
            Appointment.time,
            Appointment.facility_id,
            Appointment.infant_id,
            Infant.first_name,
        )
        .outerjoin(
            Transfer,
            (Transfer.client_id == Client.id)  # no IN list: it is compiled once
            & or_(*(Transfer.status == state for state in Transfer.GUIDING_STATES)),
        )
        .outerjoin(
            Appointment,
            (Appointment.client_id == Client.id)
            & (Appointment.status == "scheduled")
            & (Appointment.date >= bindparam("today", type_=Appointment.date.type)),
        )
        .outerjoin(Infant, Infant.id == Appointment.infant_id)
        .where(Client.phone == bindparam("phone"), Client.status != "inactive")
        .order_by(Client.id, Transfer.effective_date, Appointment.date, Appointment.time)
    )


def _facilities():
    return select(
        Facility.id,
        Facility.name,
        Facility.landmark,
        Facility.hours,
        Facility.phone,
        Facility.landmark_sw,
        Facility.hours_sw,
    )


class Directory:
    """The clinics (tens of rows, rarely changed), read again once a minute per process."""

    def __init__(self, max_age: float = 60.0):
        self.max_age, self.read_at = max_age, float("-inf")
        self.places: dict[int, Place] = {}

    def place(self, db: Database, facility_id: int) -> Place:
        if facility_id not in self.places or monotonic() - self.read_at > self.max_age:
            self.places = {
                fid: Place(*place) for fid, *place in db.prepared_query("ussd.facilities", _facilities).rows()
            }
            self.read_at = monotonic()
        return self.places.get(facility_id, Place("-"))


_DIRECTORIES: WeakKeyDictionary[Database, Directory] = WeakKeyDictionary()


def directory(db: Database) -> Directory:
    """One directory per database (per process)."""
    if db not in _DIRECTORIES:
        _DIRECTORIES[db] = Directory()
    return _DIRECTORIES[db]


def _names():
    """The first screen shows only names (and Stop or Start): one index lookup."""
    return (
        select(Client.id, Client.first_name, Client.language, Client.opted_out_at)
        .where(Client.phone == bindparam("phone"), Client.status != "inactive")
        .order_by(Client.id)
    )


def people_on(db: Database, phone: str, today: date, first_screen: bool = False) -> list[Person]:
    """Everything the menu may show; on a session's first request only what it does show."""
    if first_screen:
        return [
            Person(cid, first, language, UNSHOWN, opted_out=opted_out_at is not None)
            for cid, first, language, opted_out_at in db.prepared_query("ussd.names", _names).rows(phone=phone)
        ]
    rows = db.prepared_query("ussd.everything", _everything).rows(phone=phone, today=today)
    clinics = directory(db)
    clients: dict[int, tuple] = {}
    moves: dict[int, Move] = {}
    visits: dict[int, dict[int, Visit]] = {}
    for (
        cid,
        first,
        language,
        opted_out_at,
        facility_id,
        transfer_id,
        day,
        to_facility,
        offer,
        choose_by,
        appointment_id,
        visit_day,
        at,
        visit_facility,
        infant_id,
        infant_name,
    ) in rows:
        clients.setdefault(cid, (first, language, opted_out_at, clinics.place(db, facility_id)))
        found = visits.setdefault(cid, {})
        if transfer_id is not None:  # the latest open one wins
            offered = (
                tuple((n, int(i), clinics.place(db, int(i))) for n, i in enumerate(offer.split(","), 1) if i)
                if offer and choose_by is not None and choose_by >= today
                else ()
            )
            moves[cid] = Move(transfer_id, clinics.place(db, to_facility), day, offered)
        if appointment_id is not None and appointment_id not in found:
            found[appointment_id] = Visit(
                appointment_id,
                visit_day,
                at,
                clinics.place(db, visit_facility).name,
                (infant_name or "Baby") if infant_id else None,
            )
    blocked = False
    if any(c[2] for c in clients.values()):
        last = db.prepared_query("ussd.last_opt_out", consent.last_opt_out_source).rows(phone=phone)
        blocked = bool(last) and last[0][0] in consent.NETWORK_BLOCKS
    return [
        Person(
            cid,
            first,
            language,
            place,
            opted_out=opted_out_at is not None,
            visits=tuple(sorted(visits[cid].values(), key=lambda v: (v.day, v.at or time.min))),
            move=moves.get(cid),
            network_blocked=blocked and opted_out_at is not None,
        )
        for cid, (first, language, opted_out_at, place) in clients.items()
    ]
