"""Recording and retracting life events, whatever the channel: the API, a CSV, the dashboard's
client page, a Mentor Mother's task or a transfer outcome `died`. In the caller's transaction:
the event and everything it changes, or nothing. A request is checked whole before anything is
written, so a refusal writes nothing. Audited, without its note.

No savepoint is used: on SQLite (pysqlite) a savepoint opened before the transaction's first
write becomes the transaction, and its release commits what came before it."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import audit
from ..access import Caller
from ..db import among
from ..models import AuditEntry, Client, LifeEvent, Transfer
from . import effects
from .kinds import Checked, EventRefused, check

if TYPE_CHECKING:
    from ..config import Config


@dataclass(frozen=True)
class Asked:
    """A request to record an event, as given (text, or whatever a JSON body carried)."""

    kind: object
    date: object
    infant_dob: object = None
    new_phone: object = None
    note: object = None

    @classmethod
    def of(cls, data: dict) -> Asked:
        return cls(*(data.get(name) for name in ("kind", "date", "infant_dob", "new_phone", "note")))

    def as_dict(self) -> dict:
        return {
            "kind": self.kind,
            "date": self.date,
            "infant_dob": self.infant_dob,
            "new_phone": self.new_phone,
            "note": self.note,
        }


def events_of(session: Session, client_id: int) -> list[LifeEvent]:
    """Her events, oldest first, retracted ones included."""
    return list(session.scalars(select(LifeEvent).where(LifeEvent.client_id == client_id).order_by(LifeEvent.id)))


def check_only(session: Session, client: Client, asked: Asked, *, now: datetime, config: Config) -> Checked:
    """What `record` would record, checked, without recording it (the dashboard's first step).
    Raises `EventRefused`."""
    return check(client, asked.as_dict(), [e for e in events_of(session, client.id) if e.live], config.today(now))


def record(
    session: Session,
    client: Client,
    asked: Asked,
    *,
    by: Caller,
    now: datetime,
    config: Config,
    transfer: Transfer | None = None,
) -> tuple[LifeEvent, bool]:
    """Record the event and do what it does at once: (the event, True), or (the same event
    recorded before, False). Raises `EventRefused` naming every problem, having changed nothing."""
    [outcome] = record_many(
        session,
        [(client, asked)],
        by=by,
        now=now,
        config=config,
        transfers={client.id: transfer} if transfer is not None else None,
    )
    if isinstance(outcome, EventRefused):
        raise outcome
    return outcome


def death_from_a_transfer(
    session: Session, transfer: Transfer, *, by: Caller, now: datetime, config: Config, note: str | None = None
) -> None:
    """A person recorded the outcome `died` on her transfer: her death, dated today, which ends
    this transfer and everything else sent to her (followed through `reactions`)."""
    client = session.get_one(Client, transfer.client_id)
    record(
        session,
        client,
        Asked("died", config.today(now).isoformat(), note=note),
        by=by,
        now=now,
        config=config,
        transfer=transfer,
    )


def record_many(
    session: Session,
    asked: list[tuple[Client, Asked]],
    *,
    by: Caller,
    now: datetime,
    config: Config,
    transfers: dict[int, Transfer] | None = None,
) -> list[tuple[LifeEvent, bool] | EventRefused]:
    """Record these events in order, each as `record` would (an outcome per request: (event,
    created) or the refusal), their effects done a batch at a time: every kind's work for many
    clients in a few statements. A client's second event waits for her first to be done."""
    today = config.today(now)
    live: dict[int, list[LifeEvent]] = defaultdict(list)
    for event in session.scalars(
        select(LifeEvent)
        .where(
            among(session, LifeEvent.client_id, list({c.id for c, _ in asked}) or [0]), LifeEvent.retracted_at.is_(None)
        )
        .order_by(LifeEvent.id)
    ):
        live[event.client_id].append(event)
    outcomes: list = []
    batch: list[effects.Item] = []
    in_batch: set[int] = set()
    for client, request in asked:
        if client.id in in_batch:
            _apply(session, batch, by=by, now=now, config=config)  # what her first event did, before her next
            batch, in_batch = [], set()
        try:
            checked = check(client, request.as_dict(), live[client.id], today)
        except EventRefused as refused:
            outcomes.append(refused)
            continue
        same = next((e for e in live[client.id] if e.identity == checked.identity), None)
        if same is not None:
            outcomes.append((same, False))
            continue
        event = LifeEvent(
            client_id=client.id,
            kind=checked.kind.name,
            occurred_on=checked.day,
            infant_id=checked.infant.id if checked.infant else None,
            new_phone=checked.new_phone,
            note=checked.note,
            identity=checked.identity,
            recorded_by=by.actor,
            channel=by.channel,
            recorded_at=now,
            effects={},
        )
        session.add(event)
        live[client.id].append(event)
        batch.append(effects.Item(client, event, checked, (transfers or {}).get(client.id)))
        in_batch.add(client.id)
        outcomes.append((event, True))
    _apply(session, batch, by=by, now=now, config=config)
    return outcomes


def _apply(session: Session, batch: list, *, by: Caller, now: datetime, config: Config) -> None:
    if not batch:
        return
    session.flush()  # the events' ids; the same event recorded this very moment elsewhere: IntegrityError
    effects.apply(session, batch, by=by, now=now, config=config)
    session.add_all(
        [
            AuditEntry(
                at=now,
                actor=by.actor,
                action="life_event.record",
                subject_type="client",
                subject_id=item.client.external_id,
                origin=by.channel,
                detail={"event": item.event.id, "kind": item.event.kind, "date": item.event.occurred_on.isoformat()},
            )
            for item in batch
        ]
    )


def retract(
    session: Session, client: Client, event_id: int, *, by: Caller, now: datetime, config: Config
) -> tuple[LifeEvent, bool]:
    """Undo an event recorded by mistake: (the event, True), or (False) when it was retracted
    before. Raises LookupError when she has no such event."""
    event = session.scalar(select(LifeEvent).where(LifeEvent.id == event_id, LifeEvent.client_id == client.id))
    if event is None:
        raise LookupError(event_id)
    if not event.live:
        return event, False
    event.retracted_at, event.retracted_by = now, by.actor
    session.flush()
    effects.undo(session, client, event, by=by, now=now, config=config)
    audit.record(
        session,
        by.actor,
        "life_event.retract",
        subject_type="client",
        subject_id=client.external_id,
        origin=by.channel,
        event=event.id,
        kind=event.kind,
    )
    return event, True


def as_json(event: LifeEvent) -> dict:
    infant = event.effects.get("infant_dob") if event.effects else None
    return {
        "id": event.id,
        "kind": event.kind,
        "date": event.occurred_on.isoformat(),
        "infant_dob": infant,
        "new_phone": event.new_phone,
        "note": event.note,
        "recorded_by": event.recorded_by,
        "channel": event.channel,
        "recorded_at": event.recorded_at.isoformat(),
        "retracted_at": event.retracted_at.isoformat() if event.retracted_at else None,
        "retracted_by": event.retracted_by,
    }
