"""Referral lists for receiving clinics: who is coming, with what the clinic needs to receive
her. Sensitive: given to the clinic by the programme (a file, the API), never by SMS."""

from __future__ import annotations

import io

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from .. import csvio
from ..db import among
from ..models import Appointment, Client, Facility, Infant, MentorMother, Transfer
from .states import ALLOWED

COLUMNS = (
    "client_id",
    "first_name",
    "phone",
    "language",
    "stage",
    "edd",
    "infant_birth_dates",
    "from_facility",
    "effective_date",
    "transfer_status",
    "next_visit_date",
    "next_visit_kind",
    "mentor_mother",
    "mentor_mother_phone",
    "reason",
)


def receiving_clinics(session: Session) -> list[str]:
    """Codes of the clinics with clients coming to them."""
    return list(
        session.scalars(
            select(Facility.code)
            .join(Transfer, Transfer.to_facility_id == Facility.id)
            .where(Transfer.status.in_((*ALLOWED, "arrived")))
            .distinct()
            .order_by(Facility.code)
        )
    )


def referral_csv(session: Session, clinic: str, scope=None) -> str:
    """One line per client transferred to `clinic` (open, lost to follow-up, or arrived)."""
    source = aliased(Facility)
    target = aliased(Facility)
    query = (
        select(Transfer, Client, source.code, MentorMother)
        .join(Client, Client.id == Transfer.client_id)
        .join(source, source.id == Transfer.from_facility_id)
        .join(target, target.id == Transfer.to_facility_id)
        .outerjoin(MentorMother, MentorMother.id == Client.mentor_mother_id)
        .where(target.code == clinic, Transfer.status.in_((*ALLOWED, "arrived")))
        .order_by(Transfer.effective_date, Client.external_id)
    )
    if scope is not None:
        query = scope(query)
    rows = session.execute(query).all()
    client_ids = [client.id for _, client, _, _ in rows]
    infants: dict[int, list[str]] = {}
    for client_id, dob in session.execute(
        select(Infant.client_id, Infant.dob)
        .where(among(session, Infant.client_id, client_ids), Infant.died_on.is_(None))
        .order_by(Infant.dob)
    ):
        infants.setdefault(client_id, []).append(dob.isoformat())
    visits: dict[int, tuple[str, str]] = {}
    for client_id, day, kind in session.execute(
        select(Appointment.client_id, Appointment.date, Appointment.kind)
        .where(among(session, Appointment.client_id, client_ids), Appointment.status == "scheduled")
        .order_by(Appointment.date.desc())
    ):
        visits[client_id] = (day.isoformat(), kind)  # the earliest wins (read last)
    out = io.StringIO()
    writer = csvio.Writer(out)
    writer.writerow(COLUMNS)
    for transfer, client, from_code, mentor in rows:
        due, kind = visits.get(client.id, ("", ""))
        writer.writerow(
            [
                client.external_id,
                client.first_name,
                client.phone,
                client.language,
                client.stage,
                client.edd.isoformat() if client.edd else "",
                ";".join(infants.get(client.id, [])),
                from_code,
                transfer.effective_date.isoformat(),
                transfer.status,
                due,
                kind,
                mentor.name if mentor else "",
                mentor.phone if mentor else "",
                transfer.reason or "",
            ]
        )
    return out.getvalue()
