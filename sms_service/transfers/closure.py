"""Closing a site: every active client of it is transferred (to one clinic, or each to the
clinic a mapping names), the site is marked closed from the date, and the transfers start.

Idempotent: a client who already has an open transfer to the same clinic is left as she is,
so a second run transfers and notifies nobody twice. A client with an open transfer to
another clinic keeps it and is listed. A preview is the same work rolled back.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from .. import audit
from ..db import bulk_insert
from ..models import Client, Facility, Transfer
from .begin import Started, start
from .states import OPEN

if TYPE_CHECKING:
    from ..config import Config


class ClosureRefused(Exception):
    """The closure cannot be done as asked; `problems` says every reason."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("; ".join(problems))


@dataclass
class Closure:
    site: str
    effective: date
    started: Started = field(default_factory=Started)
    already: int = 0  # clients whose transfer to the same clinic was made before
    elsewhere: list[tuple[str, str]] = field(default_factory=list)  # (client_id, clinic of her open transfer)

    def as_dict(self) -> dict:
        return {
            "site": self.site,
            "effective_date": self.effective.isoformat(),
            **self.started.as_dict(),
            "already_transferred": self.already,
            "transferring_elsewhere": [{"client_id": c, "to": to} for c, to in self.elsewhere],
        }

    def lines(self) -> list[str]:
        out = [f"Closing {self.site} from {self.effective.isoformat()}", *self.started.lines()]
        if self.already:
            out.append(f"{self.already} client(s) already transferred by an earlier run: left as they are")
        if self.elsewhere:
            out.append(f"{len(self.elsewhere)} client(s) with an open transfer to another clinic: left as they are")
            out += [f"  {c} -> {to}" for c, to in self.elsewhere]
        return out


def close_site(
    session: Session,
    site: str,
    *,
    effective: date,
    to: str | None = None,
    mapping: dict[str, str] | None = None,
    now: datetime,
    config: Config,
    actor: str,
    origin: str | None = None,
) -> Closure:
    """Close `site` from `effective`: its active clients go to `to`, or to `mapping[client_id]`
    (a client the mapping does not name goes to `to`)."""
    mapping = mapping or {}
    codes = {site, *([to] if to else []), *mapping.values()}
    # one closure at a time over these clinics: a write first takes the lock (their rows on
    # PostgreSQL, the database's one writer on SQLite), so a second closure started meanwhile
    # waits for this one and then finds its work done, instead of failing half-way
    session.execute(
        update(Facility).where(Facility.code.in_(codes)).values(code=Facility.code, updated_at=Facility.updated_at)
    )
    facilities = {f.code: f for f in session.scalars(select(Facility).where(Facility.code.in_(codes)))}
    problems = [f"unknown facility {code}" for code in sorted(codes - facilities.keys())]
    today = config.today(now)
    if effective < today:
        problems.append(f"the effective date {effective.isoformat()} is in the past: today is {today.isoformat()}")
    if problems:
        raise ClosureRefused(problems)
    closing = facilities[site]
    if closing.closed_on is not None and closing.closed_on != effective:
        problems.append(f"{site} is already closed from {closing.closed_on.isoformat()}")
    for code in sorted(codes - {site}):
        if not facilities[code].is_open_on(effective):
            problems.append(f"{code} is closed from {facilities[code].closed_on}")
    if site in mapping.values() or to == site:
        problems.append(f"clients cannot be transferred to {site}: it is the site closing")
    clients = session.execute(
        select(Client.id, Client.external_id)
        .where(Client.facility_id == closing.id, Client.status == "active")
        .order_by(Client.id)
    ).all()
    unknown = sorted(set(mapping) - {ext for _, ext in clients})
    if unknown:
        problems.append(f"the mapping names {len(unknown)} client(s) not active at {site}: {', '.join(unknown[:10])}")
    homeless = [ext for _, ext in clients if ext not in mapping and to is None]
    if homeless:
        problems.append(f"{len(homeless)} client(s) have no receiving clinic (give --to): {', '.join(homeless[:10])}")
    if problems:
        raise ClosureRefused(problems)

    closure = Closure(site, effective)
    open_now = {
        cid: to_id
        for cid, to_id in session.execute(
            select(Transfer.client_id, Transfer.to_facility_id).where(
                Transfer.from_facility_id == closing.id, Transfer.status.in_(OPEN)
            )
        )
    }
    made_before = {
        (cid, to_id)
        for cid, to_id in session.execute(  # by an earlier run, whatever became of it
            select(Transfer.client_id, Transfer.to_facility_id).where(
                Transfer.from_facility_id == closing.id, Transfer.effective_date == effective
            )
        )
    }
    codes_by_id = {f.id: f.code for f in facilities.values()}
    rows = []
    for client_id, external in clients:
        target = facilities[mapping.get(external) or to or ""]  # each has one (checked above)
        if (client_id, target.id) in made_before or open_now.get(client_id) == target.id:
            closure.already += 1
            continue
        if client_id in open_now:
            other = codes_by_id.get(open_now[client_id]) or session.get_one(Facility, open_now[client_id]).code
            closure.elsewhere.append((external, other))
            continue
        rows.append(
            {
                "client_id": client_id,
                "from_facility_id": closing.id,
                "to_facility_id": target.id,
                "effective_date": effective,
                "reason": f"{site} closing",
                "status": "planned",
                "status_changed_at": now,
                "created_at": now,
                "source": "closure",
                "ladder_step": 0,
            }
        )
    ids = [row[0] for row in bulk_insert(session, Transfer.__table__, rows, returning=("id",))]
    closing.closed_on = effective
    closure.started = start(
        session, ids, now=now, config=config, actor=actor, source="closure", detail=f"{site} closing"
    )
    audit.record(
        session,
        actor,
        "site.close",
        subject_type="facility",
        subject_id=site,
        origin=origin,
        effective=effective.isoformat(),
        to=to,
        mapped=len(mapping),
        transfers=len(ids),
        already=closure.already,
        elsewhere=len(closure.elsewhere),
    )
    return closure
