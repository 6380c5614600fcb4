"""The five kinds of records a CSV can carry: columns, natural key, and how codes resolve."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..languages import N_, Said
from ..models import Appointment, Client, Facility, MentorMother, Transfer
from ..models.care import INFANT_SCHEDULES
from . import parse
from .parse import RowInvalid
from .references import References


@dataclass(frozen=True)
class Kind:
    name: str
    model: Any  # the mapped class
    required: tuple[str, ...]
    optional: tuple[str, ...]
    parse: Callable[[dict], dict]
    file_key: tuple[str, ...]  # parsed fields naming one record: duplicate rows share it
    key: tuple[str, ...]  # model attributes naming one record in the table
    resolve: Callable[[dict, References], dict]
    updatable: dict[str, str]  # attribute a re-import may change → the CSV column it comes from

    @property
    def columns(self) -> tuple[str, ...]:
        return self.required + self.optional


def _facility(record, refs):
    return record


def _mentor_mother(record, refs):
    facility_id, _ = refs.facility(record.pop("facility_code"))
    owner = refs.mentor_mother_phones.get(record["phone"])
    if owner is not None and owner != record["code"]:
        raise RowInvalid("phone", Said(N_("already the phone of Mentor Mother %(code)s"), code=owner))
    return {**record, "facility_id": facility_id}


def _client(record, refs):
    facility_id, _ = refs.facility(record.pop("facility_code"))
    mentor_mother_id = refs.mentor_mother(record.pop("mentor_mother_code"))
    return {**record, "facility_id": facility_id, "mentor_mother_id": mentor_mother_id}


INFANT_KINDS = INFANT_SCHEDULES  # visits about an infant


def _appointment(record, refs):
    client_id, client_facility = refs.client(record.pop("client_code"))
    code = record.pop("facility_code")
    facility_id = refs.facility(code)[0] if code else client_facility
    infant_id = refs.youngest_infants.get(client_id) if record["kind"] in INFANT_KINDS else None
    return {**record, "client_id": client_id, "facility_id": facility_id, "infant_id": infant_id}


def _transfer(record, refs):
    client_code = record.pop("client_code")
    client_id, from_facility_id = refs.client(client_code)
    to_code = record.pop("to_facility_code")
    to_facility_id, closed_on = refs.facility(to_code, "to_facility_code")
    if to_facility_id == from_facility_id:
        raise RowInvalid(
            "to_facility_code",
            Said(N_("client %(client)s is already at %(clinic)s"), client=client_code, clinic=to_code),
        )
    if closed_on is not None and closed_on <= record["effective_date"]:
        raise RowInvalid(
            "to_facility_code", Said(N_("%(clinic)s is closed from %(day)s"), clinic=to_code, day=closed_on)
        )
    open_to = refs.open_transfers.get(client_id)
    if open_to is not None and open_to != to_facility_id:
        raise RowInvalid(
            "client_id",
            Said(
                N_("client %(client)s already has an open transfer to %(clinic)s; cancel it first"),
                client=client_code,
                clinic=refs.facility_code(open_to),
            ),
        )
    refs.open_transfers[client_id] = to_facility_id  # a second row for her in this file sees it
    return {**record, "client_id": client_id, "from_facility_id": from_facility_id, "to_facility_id": to_facility_id}


KINDS: dict[str, Kind] = {
    kind.name: kind
    for kind in (
        Kind(
            "facilities",
            Facility,
            ("code", "name"),
            ("county", "sub_county", "landmark", "phone", "hours", "landmark_sw", "hours_sw", "closed_on"),
            parse.facility,
            ("code",),
            ("code",),
            _facility,
            {
                c: c
                for c in (
                    "name",
                    "county",
                    "sub_county",
                    "landmark",
                    "phone",
                    "hours",
                    "landmark_sw",
                    "hours_sw",
                    "closed_on",
                )
            },
        ),
        Kind(
            "mentor-mothers",
            MentorMother,
            ("code", "name", "phone", "facility_code"),
            ("language",),
            parse.mentor_mother,
            ("code",),
            ("code",),
            _mentor_mother,
            {"name": "name", "phone": "phone", "facility_id": "facility_code", "language": "language"},
        ),
        Kind(
            "clients",
            Client,
            ("client_id", "first_name", "phone", "facility_code"),
            ("language", "mentor_mother_code", "stage", "edd", "infant_dob"),
            parse.client,
            ("external_id",),
            ("external_id",),
            _client,
            {
                "first_name": "first_name",
                "phone": "phone",
                "facility_id": "facility_code",
                "language": "language",
                "mentor_mother_id": "mentor_mother_code",
                "stage": "stage",
                "edd": "edd",
            },
        ),
        Kind(
            "appointments",
            Appointment,
            ("client_id", "date"),
            ("time", "kind", "facility_code"),
            parse.appointment,
            ("client_code", "date", "kind"),
            ("client_id", "date", "kind"),
            _appointment,
            {"time": "time", "facility_id": "facility_code", "infant_id": "kind"},
        ),
        Kind(
            "transfers",
            Transfer,
            ("client_id", "to_facility_code", "effective_date"),
            ("reason",),
            parse.transfer,
            ("client_code", "to_facility_code", "effective_date"),
            ("client_id", "to_facility_id", "effective_date"),
            _transfer,
            {"reason": "reason"},
        ),
    )
}
