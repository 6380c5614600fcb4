"""Codes in a CSV (facility, Mentor Mother, client) turned into row ids, each map loaded once."""

from __future__ import annotations

from functools import cached_property

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..languages import N_, Said
from ..models import Client, Facility, Infant, MentorMother, Transfer
from .parse import RowInvalid


class References:
    def __init__(self, session: Session):
        self.session = session

    @cached_property
    def facilities(self) -> dict:
        return {
            code: (id_, closed_on)
            for id_, code, closed_on in self.session.execute(select(Facility.id, Facility.code, Facility.closed_on))
        }

    @cached_property
    def mentor_mothers(self) -> dict:
        return dict(self.session.execute(select(MentorMother.code, MentorMother.id)).all())

    @cached_property
    def mentor_mother_phones(self) -> dict:
        return dict(self.session.execute(select(MentorMother.phone, MentorMother.code)).all())

    @cached_property
    def clients(self) -> dict:
        return {
            ext: (id_, facility_id)
            for id_, ext, facility_id in self.session.execute(select(Client.id, Client.external_id, Client.facility_id))
        }

    @cached_property
    def youngest_infants(self) -> dict:
        rows = self.session.execute(
            select(Infant.client_id, Infant.id).where(Infant.died_on.is_(None)).order_by(Infant.dob)
        )
        return dict(rows.all())  # later (younger) rows overwrite earlier ones; a baby who died has no visits

    @cached_property
    def open_transfers(self) -> dict:
        rows = self.session.execute(
            select(Transfer.client_id, Transfer.to_facility_id).where(Transfer.status.in_(Transfer.OPEN_STATES))
        )
        return dict(rows.all())

    def facility(self, code: str, column: str = "facility_code") -> tuple[int, object]:
        try:
            return self.facilities[code]
        except KeyError:
            raise RowInvalid(column, Said(N_("unknown facility code %(code)s"), code=code)) from None

    def mentor_mother(self, code: str | None) -> int | None:
        if code is None:
            return None
        try:
            return self.mentor_mothers[code]
        except KeyError:
            raise RowInvalid("mentor_mother_code", Said(N_("unknown Mentor Mother code %(code)s"), code=code)) from None

    def client(self, code: str) -> tuple[int, int]:
        try:
            return self.clients[code]
        except KeyError:
            raise RowInvalid("client_id", Said(N_("unknown client %(code)s"), code=code)) from None

    def facility_code(self, facility_id: int) -> str:
        return next(code for code, (id_, _) in self.facilities.items() if id_ == facility_id)
