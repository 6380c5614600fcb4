"""Closing a site: every active client of it is transferred (to one clinic, to her choice of up
to three, or each to the clinic a mapping names), the site is marked closed from the date, and
the transfers start.

A site that is the receiving clinic of open transfers (a chained closure: clients already on
their way to it) sends those clients on as well (`reroute`): each gets a new transfer to her
own destination, with one corrected notice, and the old one ends as `rerouted`. No destination
may be closing itself: a clinic already closing is refused, by name, so no message or screen
ever sends a client to a clinic closed by the date she would arrive, whatever the order of
the closures.

Idempotent: a client who already has an open transfer to the same clinic is left as she is,
so a second run transfers and notifies nobody twice. A client with an open transfer to
another clinic keeps it and is listed. A preview is the same work rolled back.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from .. import audit
from ..db import among, bulk_insert
from ..models import Client, Facility, OutboundMessage, Transfer
from . import choice, reroute
from .begin import Started, start
from .notices import CHOICE_TEMPLATES
from .states import OPEN

if TYPE_CHECKING:
    from ..config import Config

MAX_CHOICES = 3  # clinics a notice may offer
MAX_PARTS = 3  # SMS parts a notice may take


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
    offered: list[str] = field(default_factory=list)  # the clinics offered, in order (a choice of clinic)
    choosing: int = 0  # clients offered a choice
    rerouted: reroute.Rerouted = field(default_factory=reroute.Rerouted)

    def as_dict(self) -> dict:
        return {
            "site": self.site,
            "effective_date": self.effective.isoformat(),
            **self.started.as_dict(),
            "already_transferred": self.already,
            "transferring_elsewhere": [{"client_id": c, "to": to} for c, to in self.elsewhere],
            "offered": self.offered,
            "offered_a_choice": self.choosing,
            "sent_on": self.rerouted.as_dict(),
        }

    def lines(self) -> list[str]:
        out = [f"Closing {self.site} from {self.effective.isoformat()}", *self.started.lines()]
        if len(self.offered) > 1:
            out.append(
                f"{self.choosing} client(s) offered a choice of {', '.join(self.offered)} "
                "(the first with room stands unless she chooses)"
            )
        out += self.rerouted.lines(self.site)
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
    to: str | list[str] | None = None,
    mapping: dict[str, str] | None = None,
    capacity: dict[str, int] | None = None,
    now: datetime,
    config: Config,
    actor: str,
    origin: str | None = None,
) -> Closure:
    """Close `site` from `effective`: its active clients, and clients on their way to it, go to
    `to` (one clinic, or up to three offered in order, "A,B,C"), or to `mapping[client_id]`.
    `capacity` (code → clients) takes a full clinic off the offer of those not yet told."""
    mapping = mapping or {}
    capacity = capacity or {}
    offer = [c.strip() for c in to.split(",")] if isinstance(to, str) else [c.strip() for c in to or []]
    offer = [c for c in offer if c]
    codes = {site, *offer, *mapping.values(), *capacity}
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
    if len(offer) > MAX_CHOICES:
        problems.append(f"--to offers at most {MAX_CHOICES} clinics, not {len(offer)}")
    if len(set(offer)) != len(offer):
        problems.append("--to names a clinic twice")
    for code, places in capacity.items():
        if code not in offer:
            problems.append(f"--capacity names {code}, which is not offered in --to")
        if places < 0:
            problems.append(f"--capacity of {code} must be 0 or more")
    if problems:
        raise ClosureRefused(problems)
    closing = facilities[site]
    if closing.closed_on is not None and closing.closed_on != effective:
        problems.append(f"{site} is already closed from {closing.closed_on.isoformat()}")
    for code in sorted({*offer, *mapping.values()} - {site}):
        shut = facilities[code].closed_on
        if shut is not None and shut <= effective:
            problems.append(f"{code} is closed from {shut.isoformat()}")
        elif shut is not None:  # she would be sent there, then sent on again
            problems.append(
                f"{code} ({facilities[code].name}) is closing from {shut.isoformat()}: choose a clinic that stays open"
            )
    if site in mapping.values() or site in offer:
        problems.append(f"clients cannot be transferred to {site}: it is the site closing")
    clients = session.execute(
        select(Client.id, Client.external_id)
        .where(Client.facility_id == closing.id, Client.status == "active")
        .order_by(Client.id)
    ).all()
    coming = reroute.coming_to(session, closing.id)  # clients on their way to the site
    unknown = sorted(set(mapping) - {ext for _, ext in clients} - {c.external for c in coming})
    if unknown:
        problems.append(
            f"the mapping names {len(unknown)} client(s) neither active at nor coming to {site}: "
            f"{', '.join(unknown[:10])}"
        )
    homeless = [ext for _, ext in clients if ext not in mapping and not offer]
    homeless += [c.external for c in coming if c.external not in mapping and not offer]
    if homeless:
        problems.append(f"{len(homeless)} client(s) have no receiving clinic (give --to): {', '.join(homeless[:10])}")
    if problems:
        raise ClosureRefused(problems)

    closure = Closure(site, effective, offered=offer)
    by_id = {f.id: f for f in facilities.values()}
    room = _room(session, closing.id, effective, facilities, offer, capacity)
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
    choose_by = today + timedelta(days=config.transfer_choice_days)
    rows, full = [], 0
    for client_id, external in clients:
        if client_id in open_now:
            if by_id.get(open_now[client_id]) is not None and open_now[client_id] in {
                facilities[c].id for c in [*offer, *mapping.values()]
            }:
                closure.already += 1
            else:
                other = by_id.get(open_now[client_id]) or session.get_one(Facility, open_now[client_id])
                closure.elsewhere.append((external, other.code))
            continue
        if any(cid == client_id for cid, _ in made_before):
            closure.already += 1
            continue
        chosen = _allocate(external, mapping, offer, room)
        if chosen is None:
            full += 1
            continue
        target, offered = chosen
        rows.append(
            {
                "client_id": client_id,
                "from_facility_id": closing.id,
                "to_facility_id": facilities[target].id,
                "effective_date": effective,
                "reason": f"{site} closing",
                "status": "planned",
                "status_changed_at": now,
                "created_at": now,
                "source": "closure",
                "ladder_step": 0,
                "offer": ",".join(str(facilities[c].id) for c in offered) if len(offered) > 1 else None,
                "choose_by": choose_by if len(offered) > 1 else None,
            }
        )
    # clients on their way to the site: each is sent on, with the same offer and room
    onward: list[tuple[reroute.Coming, str, list[str]]] = []
    for c in coming:
        chosen = _allocate(c.external, mapping, offer, room)
        if chosen is None:
            full += 1
            continue
        onward.append((c, *chosen))
    if full:
        raise ClosureRefused(
            [f"{full} client(s) have no clinic with room: the capacity of {', '.join(offer)} is used up"]
        )
    ids = [row[0] for row in bulk_insert(session, Transfer.__table__, rows, returning=("id",))]
    closing.closed_on = effective
    closure.choosing = sum(1 for row in rows if row["offer"])
    closure.started = start(
        session, ids, now=now, config=config, actor=actor, source="closure", detail=f"{site} closing"
    )
    closure.rerouted = reroute.send_on(
        session,
        closing,
        [(c, facilities[target], [facilities[o] for o in offered]) for c, target, offered in onward],
        choose_by=choose_by,
        now=now,
        config=config,
        actor=actor,
    )
    closure.choosing += closure.rerouted.choosing
    choice.withdraw(session, closing.id)  # offers still open that named the site
    _check_parts(session, [*ids, *closure.rerouted.new_ids])
    audit.record(
        session,
        actor,
        "site.close",
        subject_type="facility",
        subject_id=site,
        origin=origin,
        effective=effective.isoformat(),
        to=",".join(offer) or None,
        capacity=",".join(f"{k}={v}" for k, v in sorted(capacity.items())) or None,
        mapped=len(mapping),
        transfers=len(ids),
        sent_on=closure.rerouted.count,
        already=closure.already,
        elsewhere=len(closure.elsewhere),
    )
    return closure


def _room(
    session: Session,
    closing_id: int,
    effective: date,
    facilities: dict[str, Facility],
    offer: list[str],
    capacity: dict[str, int],
) -> Counter:
    """Places left per offered clinic with a capacity: the capacity less the clients this closure
    (an earlier run of it included) already sends there."""
    if not capacity:
        return Counter()
    taken = dict(
        session.execute(
            select(Transfer.to_facility_id, func.count())
            .where(
                Transfer.from_facility_id == closing_id,
                Transfer.effective_date == effective,
                Transfer.status.in_((*OPEN, "arrived", "lost_to_follow_up")),
            )
            .group_by(Transfer.to_facility_id)
        ).all()
    )
    return Counter({code: max(0, n - taken.get(facilities[code].id, 0)) for code, n in capacity.items()})


def _allocate(external: str, mapping: dict[str, str], offer: list[str], room: Counter) -> tuple[str, list[str]] | None:
    """(her clinic, the clinics offered her): the mapping's, or the offer's clinics with room
    (the first of them stands unless she chooses); None when every one is full."""
    if external in mapping:
        target = mapping[external]
        if target in room:
            room[target] -= 1
        return target, [target]
    offered = [c for c in offer if c not in room or room[c] > 0]
    if not offered:
        return None
    if offered[0] in room:
        room[offered[0]] -= 1
    return offered[0], offered


def _check_parts(session: Session, ids: list[int]) -> None:
    """A notice offering a choice must fit three SMS parts: refused (the whole closure) naming
    the clinics and language of every notice too long."""
    if not ids:
        return
    too_long = session.execute(
        select(OutboundMessage.language, func.max(OutboundMessage.parts))
        .join(Transfer, Transfer.notice_message_id == OutboundMessage.id)
        .where(
            among(session, Transfer.id, ids),
            OutboundMessage.template.in_(CHOICE_TEMPLATES),
            OutboundMessage.parts > MAX_PARTS,
        )
        .group_by(OutboundMessage.language)
    ).all()
    if too_long:
        raise ClosureRefused(
            [
                f"the notice offering the clinics in {'Kiswahili' if lang == 'sw' else 'English'} takes {parts} "
                f"SMS parts (at most {MAX_PARTS}): offer fewer clinics, or clinics with shorter names"
                for lang, parts in sorted(too_long)
            ]
        )
