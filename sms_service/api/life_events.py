"""Life events over the API: record one for a client the caller may see (201; the same event
again 200, changing nothing), or retract one recorded by mistake. Refusals name each field."""

from __future__ import annotations

from flask import g
from sqlalchemy.exc import IntegrityError

from .. import life_events
from ..bootstrap import get_services
from ..db import utcnow
from ..records import clients as records
from .auth import requires
from .base import blueprint
from .errors import ApiError, json_body


def _her(session, client_id: str):
    client = records.visible(session, g.caller, external_id=client_id)
    if client is None:
        raise ApiError(404, f"no client {client_id}")
    return client


@blueprint.post("/clients/<client_id>/events")
@requires()
def record_life_event(client_id: str):
    """{"kind", "date", "note", "infant_dob", "new_phone"}"""
    data = json_body()
    services = get_services()
    with services.db.session() as session:
        client = _her(session, client_id)
        try:
            event, created = life_events.record(
                session, client, life_events.Asked.of(data), by=g.caller, now=utcnow(), config=services.config
            )
        except life_events.EventRefused as refused:
            raise ApiError(400, "the event was not recorded", [str(p) for p in refused.problems]) from refused
        except IntegrityError:  # the same event, recorded this very moment by another request
            raise ApiError(409, "the same event was being recorded at this moment: ask again to see it") from None
        return {**life_events.as_json(event), "recorded": created}, 201 if created else 200


@blueprint.post("/clients/<client_id>/events/<int:event_id>/retract")
@requires()
def retract_life_event(client_id: str, event_id: int):
    """The event was recorded by mistake: undone; what is still to come is planned again."""
    services = get_services()
    with services.db.session() as session:
        client = _her(session, client_id)
        try:
            event, changed = life_events.retract(
                session, client, event_id, by=g.caller, now=utcnow(), config=services.config
            )
        except LookupError:
            raise ApiError(404, f"no event {event_id} for client {client_id}") from None
        return {**life_events.as_json(event), "retracted": changed}
