"""Visits generated from a pregnancy (EDD) or an infant's birth when the clinic gave no dates
(`sms_service.care_schedule`), from today on: never for a baby who has died or a pregnancy
recorded as lost (`eligibility`). A clinic's own date for the same visit (same
kind, within `SAME_VISIT` days) replaces a generated one: the generated visit is cancelled
and its reminders with it. Running it again makes nothing twice.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..db import among, bulk_insert
from ..models import Appointment, Client, Infant
from ..outbound import eligibility
from . import schedules as care_schedule
from . import visits

if TYPE_CHECKING:
    from ..config import Config

SAME_VISIT = timedelta(days=6)  # a clinic's visit this close to a generated one of its kind is that visit


def generate_visits(
    session: Session, today: date, now: datetime, config: Config, client_ids: list[int] | None = None
) -> dict[str, int]:
    """Generate the missing visits of these clients (default: every active client)."""
    query = select(Client.id, Client.facility_id, Client.stage, Client.edd, Client.pregnancy_lost_on).where(
        Client.status == "active"
    )
    if client_ids is not None:
        query = query.where(among(session, Client.id, client_ids))
    clients = {cid: (facility, stage, edd, lost) for cid, facility, stage, edd, lost in session.execute(query)}

    def theirs(query, column):  # every client's rows in one read, or these clients' only
        return query if client_ids is None else query.where(among(session, column, client_ids))

    infants: dict[int, list[tuple[int, date]]] = {}
    for infant_id, client_id, dob in session.execute(
        theirs(select(Infant.id, Infant.client_id, Infant.dob).where(Infant.died_on.is_(None)), Infant.client_id)
    ):
        infants.setdefault(client_id, []).append((infant_id, dob))
    stored: dict[int, list] = {}
    for row in session.execute(
        theirs(
            select(
                Appointment.id,
                Appointment.client_id,
                Appointment.kind,
                Appointment.date,
                Appointment.source,
                Appointment.label,
                Appointment.status,
                Appointment.infant_id,
            ),
            Appointment.client_id,
        )
    ):
        stored.setdefault(row.client_id, []).append(row)
    table = config.care_schedules or care_schedule.SCHEDULES
    new, replaced = [], []
    for client_id, (facility_id, stage, edd, lost) in clients.items():
        wanted: list[tuple[care_schedule.Visit, int | None]] = []
        if (
            stage == "pregnant"
            and edd is not None
            and not eligibility.Her(edd=edd, pregnancy_lost_on=lost).lost_this_pregnancy
        ):
            wanted += [(v, None) for v in care_schedule.antenatal(edd=edd, table=table)]
        for infant_id, dob in infants.get(client_id, []):
            wanted += [(v, infant_id) for v in care_schedule.infant(dob, table=table)]
        mine = stored.get(client_id, [])
        clinic = [a for a in mine if a.source != "generated" and a.status != "cancelled"]
        for visit, infant_id in wanted:
            if visit.day < today:
                continue
            same = [a for a in clinic if a.kind == visit.kind and abs(a.date - visit.day) <= SAME_VISIT]
            made = [a for a in mine if a.source == "generated" and a.label == visit.label and a.infant_id == infant_id]
            if same:  # the clinic's date wins
                replaced += [a.id for a in made if a.status == "scheduled"]
            elif not made and not any(a.kind == visit.kind and a.date == visit.day for a in mine):
                new.append(
                    {
                        "client_id": client_id,
                        "infant_id": infant_id,
                        "facility_id": facility_id,
                        "date": visit.day,
                        "time": None,
                        "kind": visit.kind,
                        "status": "scheduled",
                        "source": "generated",
                        "label": visit.label,
                        "revision": 1,
                        "planned": False,
                        "created_at": now,
                        "updated_at": now,
                    }
                )
    bulk_insert(session, Appointment.__table__, new)
    for appointment in session.scalars(select(Appointment).where(among(session, Appointment.id, replaced))):
        visits.cancel(session, appointment, now, config)
    return {"generated": len(new), "replaced": len(replaced)}
