"""A chained closure: the clinic clients were on their way to closes in turn. Each is sent on to
her own destination with a new transfer (from her first clinic, the date unchanged unless it
has passed), one corrected notice in her language ("change of plan: go to …"), her visits at
the closing clinic moved with her, and the follow-up ladder from the start. The old transfer
ends as `rerouted`: what waited on it (its reminders, her Mentor Mother's tasks) is settled.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from ..db import among, bulk_insert
from ..models import Client, Facility, Transfer
from ..reminders import visits
from .begin import Started, move_visits, start
from .states import end_many

if TYPE_CHECKING:
    from ..config import Config


@dataclass(frozen=True)
class Coming:
    """A client on her way to a clinic: her transfer there, still guiding her."""

    transfer_id: int
    client_id: int
    external: str
    from_id: int
    from_code: str
    effective: date
    status: str


@dataclass
class Rerouted:
    count: int = 0
    clients: list[tuple[str, str, str]] = field(default_factory=list)  # (client_id, first clinic, new clinic)
    new_ids: list[int] = field(default_factory=list)
    choosing: int = 0
    started: Started = field(default_factory=Started)

    def per_origin(self) -> dict[str, Counter]:
        out: dict[str, Counter] = defaultdict(Counter)
        for _, origin, to in self.clients:
            out[origin][to] += 1
        return dict(sorted(out.items()))

    def as_dict(self) -> dict:
        return {
            "clients": self.count,
            "per_origin": {o: dict(sorted(c.items())) for o, c in self.per_origin().items()},
            "list": [{"client_id": c, "from": o, "to": to} for c, o, to in self.clients],
            "notices": self.started.notices,
            "sms_parts": self.started.parts,
            "appointments_moved": self.started.appointments_moved,
        }

    def lines(self, site: str) -> list[str]:
        if not self.count:
            return []
        out = [
            f"{self.count} client(s) on their way to {site} are sent on, each with one corrected notice "
            f"({self.started.notices} notice(s), {self.started.parts} SMS part(s), "
            f"{self.started.appointments_moved} visit(s) moved)"
        ]
        by_origin: dict[str, list[tuple[str, str]]] = defaultdict(list)
        for client, origin, to in self.clients:
            by_origin[origin].append((client, to))
        for origin, people in sorted(by_origin.items()):
            counts = Counter(to for _, to in people)
            out.append(f"  from {origin}: {len(people)} ({', '.join(f'{k} {v}' for k, v in sorted(counts.items()))})")
            out += [f"    {client} -> {to}" for client, to in people]
        return out


def coming_to(session: Session, facility_id: int) -> list[Coming]:
    """The clients whose transfer still sends them to this clinic (open, or lost to follow-up: she
    may still turn up there)."""
    origin = aliased(Facility)
    return [
        Coming(*row)
        for row in session.execute(
            select(
                Transfer.id,
                Transfer.client_id,
                Client.external_id,
                Transfer.from_facility_id,
                origin.code,
                Transfer.effective_date,
                Transfer.status,
            )
            .join(Client, Client.id == Transfer.client_id)
            .join(origin, origin.id == Transfer.from_facility_id)
            .where(Transfer.to_facility_id == facility_id, Transfer.status.in_(Transfer.GUIDING_STATES))
            .order_by(Transfer.id)
        )
    ]


def send_on(
    session: Session,
    closing: Facility,
    onward: list[tuple[Coming, Facility, list[Facility]]],
    *,
    choose_by: date,
    now: datetime,
    config: Config,
    actor: str,
) -> Rerouted:
    """Each (client coming to `closing`, her new clinic, the clinics offered her) sent on."""
    done = Rerouted()
    if not onward:
        return done
    today = config.today(now)
    by_target: dict[int, list[Coming]] = defaultdict(list)
    for coming, target, _ in onward:
        by_target[target.id].append(coming)
    targets = {target.id: target for _, target, _ in onward}
    for target_id, people in by_target.items():
        end_many(
            session,
            [(c.transfer_id, c.status) for c in people],
            "rerouted",
            cause="staff",
            actor=actor,
            now=now,
            detail=f"{closing.code} closing: sent on to {targets[target_id].code}",
        )
    taken = set(
        session.execute(  # the same move made before (the unique key): not made twice
            select(Transfer.client_id, Transfer.to_facility_id, Transfer.effective_date).where(
                among(session, Transfer.client_id, [c.client_id for c, _, _ in onward])
            )
        ).all()
    )
    rows: list[dict] = []
    moves: list[tuple[int, int, int, date]] = []  # her visits at the closing clinic go with her
    for coming, target, offered in onward:
        day = max(coming.effective, today)
        if (coming.client_id, target.id, day) in taken:
            continue
        moves.append((coming.client_id, closing.id, target.id, day))
        rows.append(
            {
                "client_id": coming.client_id,
                "from_facility_id": coming.from_id,
                "to_facility_id": target.id,
                "effective_date": day,
                "reason": f"{closing.code} closing: sent on",
                "status": "planned",
                "status_changed_at": now,
                "created_at": now,
                "source": "closure",
                "ladder_step": 0,
                "replaces_id": coming.transfer_id,
                "offer": ",".join(str(f.id) for f in offered) if len(offered) > 1 else None,
                "choose_by": choose_by if len(offered) > 1 else None,
            }
        )
        done.clients.append((coming.external, coming.from_code, target.code))
    done.count = len(done.clients)
    done.choosing = sum(1 for row in rows if row["offer"])
    done.new_ids = [row[0] for row in bulk_insert(session, Transfer.__table__, rows, returning=("id",))]
    done.started = start(
        session, done.new_ids, now=now, config=config, actor=actor, source="closure", detail=f"{closing.code} closing"
    )
    moved = move_visits(session, moves, now)
    done.started.appointments_moved += len(moved)
    done.started.reminders_planned += visits.revise(session, moved, now, config)
    return done
