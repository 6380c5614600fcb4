"""Who a broadcast reaches: its scope (a Mentor Mother's own clients, a facility's, everyone's)
narrowed by its filters, clients in care only, and never a client who has stopped our messages
(`eligibility`: read again when the messages are made, and once more by the sender). A filter
means what it says of her now: a baby who has died is no baby under N months, a pregnancy
lost no pregnancy."""

from __future__ import annotations

from datetime import date

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session

from ..models import STAGES, Broadcast, Client, Facility, Infant, Transfer
from ..outbound import eligibility
from ..reminders.schedules import add_months

FILTERS = ("stage", "facility", "language", "pending_transfer", "infant_under_months")


class AudienceRefused(Exception):
    pass


def parse_filters(raw: dict | None) -> dict:
    """The filters as given to the API (or none): checked, in their stored form."""
    raw = dict(raw or {})
    unknown = sorted(set(raw) - set(FILTERS))
    if unknown:
        raise AudienceRefused(f"unknown filter(s): {', '.join(unknown)}; known: {', '.join(FILTERS)}")
    filters = {}
    if raw.get("stage") not in (None, ""):
        if raw["stage"] not in STAGES:
            raise AudienceRefused(f"stage: one of {', '.join(STAGES)}")
        filters["stage"] = raw["stage"]
    if raw.get("language") not in (None, ""):
        if raw["language"] not in ("en", "sw"):
            raise AudienceRefused("language: en or sw")
        filters["language"] = raw["language"]
    if raw.get("facility") not in (None, ""):
        filters["facility"] = str(raw["facility"])
    if raw.get("pending_transfer") is not None:
        if not isinstance(raw["pending_transfer"], bool):
            raise AudienceRefused("pending_transfer: true or false")
        filters["pending_transfer"] = raw["pending_transfer"]
    if raw.get("infant_under_months") is not None:
        months = raw["infant_under_months"]
        if not isinstance(months, int) or isinstance(months, bool) or not 0 < months <= 60:
            raise AudienceRefused("infant_under_months: a whole number of months, 1 to 60")
        filters["infant_under_months"] = months
    return filters


def clients_of(broadcast: Broadcast, today: date):
    """SELECT (client id, phone, language) of the clients this broadcast reaches now, by id."""
    query = select(Client.id, Client.phone, Client.language).where(eligibility.in_care_and_reachable())
    if broadcast.mentor_mother_id is not None:
        query = query.where(Client.mentor_mother_id == broadcast.mentor_mother_id)
    if broadcast.facility_id is not None:
        query = query.where(Client.facility_id == broadcast.facility_id)
    filters = broadcast.audience or {}
    if "stage" in filters:
        query = query.where(Client.stage == filters["stage"])
        if filters["stage"] == "pregnant":  # a pregnancy lost is no pregnancy (an EDD since is a new one)
            query = query.where(Client.pregnancy_lost_on.is_(None) | Client.edd.is_not(None))
    if "language" in filters:
        query = query.where(Client.language == filters["language"])
    if "facility" in filters:
        query = query.where(
            Client.facility_id == select(Facility.id).where(Facility.code == filters["facility"]).scalar_subquery()
        )
    if "pending_transfer" in filters:
        pending = exists().where(Transfer.client_id == Client.id, Transfer.status.in_(Transfer.OPEN_STATES))
        query = query.where(pending if filters["pending_transfer"] else ~pending)
    if "infant_under_months" in filters:
        born_after = add_months(today, -filters["infant_under_months"])
        query = query.where(
            exists().where(Infant.client_id == Client.id, Infant.dob > born_after, Infant.died_on.is_(None))
        )
    return query.order_by(Client.id)


def count_by_language(session: Session, broadcast: Broadcast, today: date) -> dict[str, int]:
    """Numbers reached, per language (one message a number: a shared phone counts once)."""
    inner = clients_of(broadcast, today).order_by(None).subquery()
    first = select(inner.c.phone, func.min(inner.c.id).label("id")).group_by(inner.c.phone).subquery()
    rows = session.execute(
        select(inner.c.language, func.count()).join(first, first.c.id == inner.c.id).group_by(inner.c.language)
    ).all()
    counts = {"en": 0, "sw": 0}
    for language, n in rows:
        counts["en" if language == "en" else "sw"] += n
    return counts
