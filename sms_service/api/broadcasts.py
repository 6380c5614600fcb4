"""Broadcasts over the API: preview, create, read (with progress), approve, cancel. A token's
role is the broadcast's scope: a Mentor Mother reaches her own clients, a supervisor her
facility's, an admin everyone; a broadcast out of the caller's scope is "not found"."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from flask import g

from ..bootstrap import get_services
from ..broadcasts import service
from ..db import utcnow
from ..models import Broadcast
from ..records import broadcasts as records
from .auth import requires
from .base import blueprint
from .errors import ApiError, int_arg, json_body, limit_arg, typed

if TYPE_CHECKING:
    from ..config import Config


def _send_at(data: dict, config: Config) -> datetime | None:
    raw = data.get("send_at")
    if not raw:
        return None
    try:
        moment = datetime.fromisoformat(str(raw))
    except ValueError:
        raise ApiError(
            400, "send_at: a date and time such as 2026-12-01T09:00 (local time) or with an offset"
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=config.tz)


def as_json(session, b: Broadcast, progress: bool = False) -> dict:
    out = {
        "id": b.id,
        "status": b.status,
        "channel": b.channel,
        "created_by": b.created_by,
        "audience": b.audience,
        "text_en": b.text_en,
        "text_sw": b.text_sw,
        "recipients": b.recipient_count,
        "sms_parts": b.sms_parts,
        "send_at": b.send_at.isoformat() if b.send_at else None,
        "approved_by": b.approved_by,
        "created_at": b.created_at.isoformat(),
    }
    if progress:
        out["progress"] = service.progress(session, b)
    return out


@blueprint.post("/broadcasts")
@requires()
def create_broadcast():
    """{"text_en", "text_sw", "filters": {stage, facility, language, pending_transfer,
    infant_under_months}, "send_at", "normalise": false, "preview": false}"""
    data = typed(json_body(), text_en=str, text_sw=str, filters=dict, send_at=str, normalise=bool, preview=bool)
    services = get_services()
    now = utcnow()
    given: dict[str, Any] = dict(
        text_en=data.get("text_en"),
        text_sw=data.get("text_sw"),
        filters=data.get("filters"),
        send_at=_send_at(data, services.config),
        normalise=bool(data.get("normalise")),
    )
    if g.caller.role == "supervisor" and (data.get("filters") or {}).get("facility") not in (None, ""):
        raise ApiError(403, "a supervisor's broadcast goes to her facility; leave out the facility filter")
    with services.db.session() as session:
        try:
            if data.get("preview"):
                _, preview = service.prepare(session, g.caller, now=now, config=services.config, **given)
                return {"preview": preview.as_dict()}
            broadcast, preview = service.create(session, g.caller, now=now, config=services.config, **given)
        except service.BroadcastRefused as refused:
            raise ApiError(
                refused.status,
                "the broadcast was refused",
                refused.problems + [f"offered ({lang}): {text}" for lang, text in refused.normalised.items()],
            ) from refused
        return {**as_json(session, broadcast), "preview": preview.as_dict()}, 201


def _visible(session, broadcast_id: int) -> Broadcast:
    broadcast = records.visible(session, g.caller, broadcast_id)
    if broadcast is None:
        raise ApiError(404, f"no broadcast {broadcast_id}")
    return broadcast


@blueprint.get("/broadcasts")
@requires()
def list_broadcasts():
    """Newest first, pages of 100 (`before_id` for the next)."""
    with get_services().db.session() as session:
        found = records.history(session, g.caller, before_id=int_arg("before_id"), limit=limit_arg())
        return {"items": [as_json(session, b) for b in found.items], "next_before_id": found.next_id}


@blueprint.get("/broadcasts/<int:broadcast_id>")
@requires()
def get_broadcast(broadcast_id: int):
    with get_services().db.session() as session:
        return as_json(session, _visible(session, broadcast_id), progress=True)


@blueprint.post("/broadcasts/<int:broadcast_id>/approve")
@requires("admin", "supervisor")
def approve_broadcast(broadcast_id: int):
    with get_services().db.session() as session:
        broadcast = _visible(session, broadcast_id)
        try:
            service.approve(session, broadcast, g.caller, utcnow())
        except service.BroadcastRefused as refused:
            raise ApiError(refused.status, refused.problems[0]) from refused
        return as_json(session, broadcast, progress=True)


@blueprint.post("/broadcasts/<int:broadcast_id>/cancel")
@requires()
def cancel_broadcast(broadcast_id: int):
    with get_services().db.session() as session:
        broadcast = _visible(session, broadcast_id)
        try:
            held = service.cancel(session, broadcast, g.caller, utcnow())
        except service.BroadcastRefused as refused:
            raise ApiError(refused.status, refused.problems[0]) from refused
        return {**as_json(session, broadcast, progress=True), "held_back": held}
