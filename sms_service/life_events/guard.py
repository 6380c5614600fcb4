"""What a load from a clinic's records may not undo: a life event is newer news than the file.
A clinic's system that has not heard of a loss or a new number sends the old values again; they
are kept out, each with a warning for the person loading."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import Client, LifeEvent
from ..outbound.eligibility import PREGNANCY


def respect_life_events(session: Session) -> list[str]:
    """After clients were loaded: an EDD of the pregnancy recorded as lost is cleared again, and
    the number she changed from does not come back. Returns the warnings."""
    warnings = []
    for client in session.scalars(select(Client).where(Client.pregnancy_lost_on.is_not(None), Client.edd.is_not(None))):
        lost_on, edd = client.pregnancy_lost_on, client.edd
        assert lost_on is not None and edd is not None  # as selected
        if edd - PREGNANCY <= lost_on:
            client.edd = None
            client.stage = "other" if client.stage == "pregnant" else client.stage
            warnings.append(
                f"client {client.external_id}: edd not restored: a pregnancy loss is recorded ({lost_on.isoformat()})"
            )
    changes: dict[int, tuple[Client, list[LifeEvent]]] = {}
    for event, client in session.execute(
        select(LifeEvent, Client)
        .join(Client, Client.id == LifeEvent.client_id)
        .where(LifeEvent.kind == "number_changed", LifeEvent.retracted_at.is_(None))
        .order_by(LifeEvent.id)
    ):
        changes.setdefault(client.id, (client, []))[1].append(event)
    for client, events in changes.values():
        old = {(e.effects or {}).get("client", {}).get("phone") for e in events}
        new = events[-1].new_phone
        if new is not None and client.phone != new and client.phone in old:
            client.phone = new
            warnings.append(
                f"client {client.external_id}: phone not restored: her new number was recorded on "
                f"{events[-1].occurred_on.isoformat()}"
            )
    return warnings
