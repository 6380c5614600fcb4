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


@dataclass(frozen=True)
class Ask:
    """What a closure was asked to do."""

    site: str
    effective: date
    offer: list[str]  # the receiving clinics in order: one, or a choice of up to three
    mapping: dict[str, str]  # client_id → her clinic
    capacity: dict[str, int]  # offered clinic → places

    @property
    def codes(self) -> set[str]:
        return {self.site, *self.offer, *self.mapping.values(), *self.capacity}

    @property
    def destinations(self) -> set[str]:
        return {*self.offer, *self.mapping.values()}


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
    offered = [c.strip() for c in to.split(",")] if isinstance(to, str) else [c.strip() for c in to or []]
    ask = Ask(site, effective, [c for c in offered if c], mapping or {}, capacity or {})
    today = config.today(now)
    # one closure at a time over these clinics: a write first takes the lock (their rows on
    # PostgreSQL, the database's one writer on SQLite), so a second closure started meanwhile
    # waits for this one and then finds its work done, instead of failing half-way
    session.execute(
        update(Facility).where(Facility.code.in_(ask.codes)).values(code=Facility.code, updated_at=Facility.updated_at)
    )
    facilities = {f.code: f for f in session.scalars(select(Facility).where(Facility.code.in_(ask.codes)))}
    _refuse(_what_is_asked(ask, facilities, today))
    closing = facilities[site]
    clients = session.execute(
        select(Client.id, Client.external_id)
        .where(Client.facility_id == closing.id, Client.status == "active")
        .order_by(Client.id)
    ).all()
    coming = reroute.coming_to(session, closing.id)  # clients on their way to the site
    _refuse(_where_they_go(ask, facilities, clients, coming))

    closure = Closure(site, effective, offered=ask.offer)
    room = _room(session, closing.id, effective, facilities, ask.capacity)
    choose_by = today + timedelta(days=config.transfer_choice_days)
    rows, full = _her_clients(session, ask, closure, facilities, clients, room, choose_by, now)
    onward: list[tuple[reroute.Coming, str, list[str]]] = []  # those on their way: the same offer and room
    for c in coming:
        chosen = _allocate(c.external, ask.mapping, ask.offer, room)
        if chosen is None:
            full += 1
        else:
            onward.append((c, *chosen))
    if full:
        _refuse([f"{full} client(s) have no clinic with room: the capacity of {', '.join(ask.offer)} is used up"])

    ids = [row[0] for row in bulk_insert(session, Transfer.__table__, rows, returning=("id",))]
    closing.closed_on = effective
    closure.choosing = sum(1 for row in rows if row["offer"])
    closure.started = start(
        session, ids, now=now, config=config, actor=actor, source="closure", detail=f"{site} closing"
    )
    closure.rerouted = reroute.send_on(
        session,
        closing,
        [(c, facilities[target], [facilities[o] for o in offer]) for c, target, offer in onward],
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
        to=",".join(ask.offer) or None,
        capacity=",".join(f"{k}={v}" for k, v in sorted(ask.capacity.items())) or None,
        mapped=len(ask.mapping),
        transfers=len(ids),
        sent_on=closure.rerouted.count,
        already=closure.already,
        elsewhere=len(closure.elsewhere),
    )
    return closure


def _refuse(problems: list[str]) -> None:
    if problems:
        raise ClosureRefused(problems)


def _what_is_asked(ask: Ask, facilities: dict[str, Facility], today: date) -> list[str]:
    """What makes the closure impossible whoever its clients are: unknown codes, a date in the
    past, an offer that makes no sense."""
    problems = [f"unknown facility {code}" for code in sorted(ask.codes - facilities.keys())]
    if ask.effective < today:
        problems.append(f"the effective date {ask.effective.isoformat()} is in the past: today is {today.isoformat()}")
    if len(ask.offer) > MAX_CHOICES:
        problems.append(f"--to offers at most {MAX_CHOICES} clinics, not {len(ask.offer)}")
    if len(set(ask.offer)) != len(ask.offer):
        problems.append("--to names a clinic twice")
    for code, places in ask.capacity.items():
        if code not in ask.offer:
            problems.append(f"--capacity names {code}, which is not offered in --to")
        if places < 0:
            problems.append(f"--capacity of {code} must be 0 or more")
    return problems


def _where_they_go(ask: Ask, facilities: dict[str, Facility], clients, coming: list[reroute.Coming]) -> list[str]:
    """What makes it impossible for these clients: the site closed already, a destination closed
    or closing (she would be sent on again), a client the mapping names who is not hers, a client
    with nowhere to go."""
    problems = []
    closing = facilities[ask.site]
    if closing.closed_on is not None and closing.closed_on != ask.effective:
        problems.append(f"{ask.site} is already closed from {closing.closed_on.isoformat()}")
    for code in sorted(ask.destinations - {ask.site}):
        shut = facilities[code].closed_on
        if shut is not None and shut <= ask.effective:
            problems.append(f"{code} is closed from {shut.isoformat()}")
        elif shut is not None:
            problems.append(
                f"{code} ({facilities[code].name}) is closing from {shut.isoformat()}: choose a clinic that stays open"
            )
    if ask.site in ask.destinations:
        problems.append(f"clients cannot be transferred to {ask.site}: it is the site closing")
    unknown = sorted(set(ask.mapping) - {ext for _, ext in clients} - {c.external for c in coming})
    if unknown:
        problems.append(
            f"the mapping names {len(unknown)} client(s) neither active at nor coming to {ask.site}: "
            f"{', '.join(unknown[:10])}"
        )
    homeless = [ext for _, ext in clients if ext not in ask.mapping and not ask.offer]
    homeless += [c.external for c in coming if c.external not in ask.mapping and not ask.offer]
    if homeless:
        problems.append(f"{len(homeless)} client(s) have no receiving clinic (give --to): {', '.join(homeless[:10])}")
    return problems


def _her_clients(
    session: Session,
    ask: Ask,
    closure: Closure,
    facilities: dict[str, Facility],
    clients,
    room: Counter,
    choose_by: date,
    now: datetime,
) -> tuple[list[dict], int]:
    """The new transfers of the site's own clients (and how many found no clinic with room); those
    transferred by an earlier run, or elsewhere, counted on `closure` and left as they are."""
    closing = facilities[ask.site]
    by_id = {f.id: f for f in facilities.values()}
    destinations = {facilities[c].id for c in ask.destinations}
    open_now = dict(
        session.execute(
            select(Transfer.client_id, Transfer.to_facility_id).where(
                Transfer.from_facility_id == closing.id, Transfer.status.in_(OPEN)
            )
        ).all()
    )
    made_before = set(
        session.scalars(  # by an earlier run, whatever became of it
            select(Transfer.client_id).where(
                Transfer.from_facility_id == closing.id, Transfer.effective_date == ask.effective
            )
        )
    )
    rows, full = [], 0
    for client_id, external in clients:
        if client_id in open_now:
            if open_now[client_id] in destinations:
                closure.already += 1
            else:
                other = by_id.get(open_now[client_id]) or session.get_one(Facility, open_now[client_id])
                closure.elsewhere.append((external, other.code))
            continue
        if client_id in made_before:
            closure.already += 1
            continue
        chosen = _allocate(external, ask.mapping, ask.offer, room)
        if chosen is None:
            full += 1
            continue
        target, offered = chosen
        rows.append(
            {
                "client_id": client_id,
                "from_facility_id": closing.id,
                "to_facility_id": facilities[target].id,
                "effective_date": ask.effective,
                "reason": f"{ask.site} closing",
                "status": "planned",
                "status_changed_at": now,
                "created_at": now,
                "source": "closure",
                "ladder_step": 0,
                "offer": ",".join(str(facilities[c].id) for c in offered) if len(offered) > 1 else None,
                "choose_by": choose_by if len(offered) > 1 else None,
            }
        )
    return rows, full


def _room(
    session: Session,
    closing_id: int,
    effective: date,
    facilities: dict[str, Facility],
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
