"""Starting transfers, however they were made (a site closure, the transfers CSV, the API):
each new transfer gets its first event; her visits at the old clinic from the date on move to
the new one (their reminders planned again, naming it); the notice is made once; and when no phone can
reach her, her Mentor Mother is asked at once to tell her."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import exists, func, select, update
from sqlalchemy.orm import Session

from ..db import among, bulk_update
from ..followup.notes import WHY, note
from ..followup.store import open_tasks
from ..languages import N_, Said
from ..models import Appointment, Client, OutboundMessage, Transfer, TransferEvent
from ..reminders import visits
from . import notices
from .states import record_created, subject

if TYPE_CHECKING:
    from ..config import Config

# a number that failed this way (and took nothing since) will not take a notice either
DEAD_NUMBER = ("invalid_phone_number", "unsupported_number_type", "no_such_number", "inactive_number")


@dataclass
class Started:
    """What starting (or previewing) transfers does: the figures a person checks first."""

    transfers: int = 0
    per_clinic: Counter = field(default_factory=Counter)  # receiving clinic code → clients
    notices: int = 0
    parts: int = 0
    cost: float = 0.0
    unreachable: list[tuple[str, str, str]] = field(default_factory=list)  # (client_id, first name, why)
    appointments_moved: int = 0
    reminders_planned: int = 0

    def as_dict(self) -> dict:
        return {
            "transfers": self.transfers,
            "per_clinic": dict(sorted(self.per_clinic.items())),
            "notices": self.notices,
            "sms_parts": self.parts,
            "estimated_cost": round(self.cost, 2),
            "without_usable_phone": [{"client_id": c, "first_name": n, "why": w} for c, n, w in self.unreachable],
            "appointments_moved": self.appointments_moved,
            "reminders_planned": self.reminders_planned,
        }

    def lines(self) -> list[str]:
        out: list[str] = [Said(N_("%(n)s client(s) to transfer"), n=self.transfers)]
        out += [f"  {code}: {count}" for code, count in sorted(self.per_clinic.items())]
        out.append(
            Said(
                N_("%(notices)s transfer notice(s), %(parts)s SMS part(s), estimated cost %(cost)s"),
                notices=self.notices,
                parts=self.parts,
                cost=f"{self.cost:,.2f}",
            )
        )
        out.append(
            Said(
                N_("%(moved)s visit(s) moved to the new clinic, their reminders planned again: %(planned)s"),
                moved=self.appointments_moved,
                planned=self.reminders_planned,
            )
        )
        out.append(
            Said(
                N_("%(n)s client(s) without a usable phone (their Mentor Mother is asked to tell them)"),
                n=len(self.unreachable),
            )
        )
        out += [f"  {c} {n}: {w}" for c, n, w in self.unreachable]
        return out


def new_transfers(session: Session) -> list[int]:
    """Transfers stored but not started (no event yet): those a CSV import just wrote."""
    return list(
        session.scalars(
            select(Transfer.id).where(~exists().where(TransferEvent.transfer_id == Transfer.id)).order_by(Transfer.id)
        )
    )


def start(
    session: Session,
    ids: list[int],
    *,
    now: datetime,
    config: Config,
    actor: str,
    cause: str = "staff",
    source: str | None = None,
    detail: str | None = None,
) -> Started:
    done = Started()
    if not ids:
        return done
    people = notices.recipients(session, ids)
    record_created(session, [p.transfer_id for p in people], cause=cause, actor=actor, now=now, detail=detail)
    unreachable = _unreachable(session, people, now, config)
    reachable = [p for p in people if p.transfer_id not in unreachable]
    made = notices.create(session, "notice", reachable, now=now, config=config)
    if made:
        bulk_update(session, Transfer.__table__, [{"id": tid, "notice_message_id": mid} for tid, mid in made])
    today = now.astimezone(config.tz).date()
    session.execute(
        update(Transfer)
        .where(among(session, Transfer.id, ids))
        .values(
            next_step_on=today + timedelta(days=config.transfer_follow_up_days[0]),
            source=func.coalesce(Transfer.source, source),
        )
        .execution_options(synchronize_session=False)
    )
    external = dict(
        session.execute(
            select(Client.id, Client.external_id).where(
                among(session, Client.id, [p.client_id for p in people if p.transfer_id in unreachable])
            )
        ).all()
    )
    open_tasks(
        session,
        [
            {
                "client_id": p.client_id,
                "kind": "transfer_no_phone",
                "subject": subject(p.transfer_id),
                "dedupe_key": f"transfer_no_phone:{p.transfer_id}",
                **note("transfer_no_phone", why=unreachable[p.transfer_id], clinic=p.to.name, date=p.effective_date),
            }
            for p in people
            if p.transfer_id in unreachable
        ],
        now=now,
        today=today,
    )
    moved = _move_visits(session, ids, now)
    done.transfers = len(people)
    done.per_clinic = Counter(p.to.code for p in people)
    done.notices = len(made)
    done.parts = (
        (
            session.scalar(
                select(func.coalesce(func.sum(OutboundMessage.parts), 0)).where(
                    among(session, OutboundMessage.id, [mid for _, mid in made])
                )
            )
            or 0
        )
        if made
        else 0
    )
    done.cost = done.parts * config.sms_cost_per_part
    done.unreachable = [
        (
            external[p.client_id],
            p.first_name,
            Said(WHY[unreachable[p.transfer_id]]) if unreachable[p.transfer_id] in WHY else unreachable[p.transfer_id],
        )
        for p in people
        if p.transfer_id in unreachable
    ]
    done.appointments_moved = len(moved)
    done.reminders_planned = visits.revise(session, moved, now, config)
    return done


def _unreachable(session: Session, people: list[notices.Recipient], now: datetime, config: Config) -> dict[int, str]:
    """Transfer id → why no SMS can reach her, as a code of `followup.notes.WHY`: what
    `eligibility` holds back (she stopped our messages…), or a number that failed for good."""
    today = now.astimezone(config.tz).date()
    held = {p.transfer_id: p.held("transfer_notice", today) for p in people}
    why = {tid: reason for tid, reason in held.items() if reason is not None}
    phones = list({p.phone for p in people if p.transfer_id not in why})
    if not phones:
        return why
    failed = dict(
        session.execute(
            select(OutboundMessage.phone, func.max(OutboundMessage.id))
            .where(
                among(session, OutboundMessage.phone, phones),
                OutboundMessage.status == "failed",
                OutboundMessage.failure_reason.in_(DEAD_NUMBER),
            )
            .group_by(OutboundMessage.phone)
        ).all()
    )
    if failed:
        took = dict(
            session.execute(
                select(OutboundMessage.phone, func.max(OutboundMessage.id))
                .where(among(session, OutboundMessage.phone, list(failed)), OutboundMessage.status == "delivered")
                .group_by(OutboundMessage.phone)
            ).all()
        )
        dead = {phone for phone, last in failed.items() if took.get(phone, 0) < last}
        why.update(
            {p.transfer_id: "invalid_phone_number" for p in people if p.phone in dead and p.transfer_id not in why}
        )
    return why


def _move_visits(session: Session, ids: list[int], now: datetime) -> list[int]:
    """Her visits at the old clinic on or after the transfer's date now happen at the new one."""
    return move_visits(
        session,
        session.execute(
            select(
                Transfer.client_id, Transfer.from_facility_id, Transfer.to_facility_id, Transfer.effective_date
            ).where(among(session, Transfer.id, ids))
        ).all(),
        now,
    )


def move_visits(session: Session, moves: Sequence[tuple[int, int, int, date]], now: datetime) -> list[int]:
    """Each (client, from clinic, to clinic, day): her scheduled visits at the first on or after
    the day move to the second. Returns the visits moved (for `visits.revise`)."""
    groups: dict[tuple[int, int, date], list[int]] = {}
    for client_id, from_id, to_id, day in moves:
        groups.setdefault((from_id, to_id, day), []).append(client_id)
    moved: list[int] = []
    for (from_id, to_id, day), clients in groups.items():
        moved += session.scalars(
            update(Appointment)
            .where(
                among(session, Appointment.client_id, clients),
                Appointment.facility_id == from_id,
                Appointment.date >= day,
                Appointment.status == "scheduled",
            )
            .values(facility_id=to_id, updated_at=now)
            .returning(Appointment.id)
            .execution_options(synchronize_session=False)
        ).all()
    return moved
