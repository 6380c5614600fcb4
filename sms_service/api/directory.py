"""Facilities and clients over the API. Every caller sees the facilities (names, landmarks,
hours are public to staff); clients are narrowed by role like everything else."""

from __future__ import annotations

from flask import g, request
from sqlalchemy import select

from .. import life_events
from ..bootstrap import get_services
from ..models import Facility
from ..outbound.eligibility import muted_clients
from ..records import clients as records
from .auth import requires
from .base import blueprint
from .errors import ApiError, int_arg, json_body, limit_arg, typed


def facility_json(f: Facility) -> dict:
    return {
        "id": f.id,
        "code": f.code,
        "name": f.name,
        "county": f.county,
        "sub_county": f.sub_county,
        "landmark": f.landmark,
        "phone": f.phone,
        "hours": f.hours,
        "landmark_sw": f.landmark_sw,
        "hours_sw": f.hours_sw,
        "closed_on": f.closed_on.isoformat() if f.closed_on else None,
    }


def client_json(c, muted: str | None = None) -> dict:
    """`muted`: why she gets nothing (`eligibility.muted`), when it is known."""
    return {
        "client_id": c.external_id,
        "first_name": c.first_name,
        "phone": c.phone,
        "facility": c.facility.code,
        "language": c.language,
        "stage": c.stage,
        "status": c.status,
        "edd": c.edd.isoformat() if c.edd else None,
        "opted_out": c.opted_out_at is not None,
        "muted": muted,
    }


@blueprint.get("/facilities")
@requires()
def list_facilities():
    """Every facility, by code."""
    with get_services().db.session() as session:
        return {"items": [facility_json(f) for f in session.scalars(select(Facility).order_by(Facility.code))]}


@blueprint.get("/facilities/<code>")
@requires()
def get_facility(code: str):
    with get_services().db.session() as session:
        facility = session.scalar(select(Facility).where(Facility.code == code))
        if facility is None:
            raise ApiError(404, f"no facility {code}")
        return facility_json(facility)


@blueprint.get("/clients")
@requires()
def list_clients():
    """?q= (first name, phone or client_id) &facility= &after_id= &limit= (pages in id order)."""
    after_id, limit = int_arg("after_id"), limit_arg()  # every parameter read (and refused) first
    with get_services().db.session() as session:
        facility_id = None
        if request.args.get("facility"):
            facility_id = session.scalar(select(Facility.id).where(Facility.code == request.args["facility"]))
            if facility_id is None:
                return {"items": [], "next_after_id": None}
        found = records.search(
            session, g.caller, request.args.get("q", ""), facility_id=facility_id, after_id=after_id, limit=limit
        )
        muted = muted_clients(session, found.items)
        return {"items": [client_json(c, muted[c.id]) for c in found.items], "next_after_id": found.next_id}


@blueprint.get("/clients/<client_id>")
@requires()
def get_client(client_id: str):
    """One client (by the clinic's client_id), with her timeline, newest first."""
    services = get_services()
    with services.db.session() as session:
        client = records.visible(session, g.caller, external_id=client_id)
        if client is None:
            raise ApiError(404, f"no client {client_id}")
        events = records.timeline(session, client, services.config.tz)
        return {
            **client_json(client, muted_clients(session, [client])[client.id]),
            "events": [life_events.as_json(e) for e in life_events.events_of(session, client.id)],
            "timeline": [
                {"at": e.at.isoformat(), "kind": e.kind, "title": e.title, "detail": e.detail, "status": e.status}
                for e in events
            ],
        }


@blueprint.post("/clients/<client_id>/messages")
@requires()
def answer_client(client_id: str):
    """{"text", "task_id"}: one SMS to her, answering her task (or her latest SMS): 201, or 200
    with the same message when this answer was made before (a retried request sends once)."""
    from ..db import utcnow
    from ..inbox.answer import AnswerRefused, answer, her_task
    from ..outbound.dispatch import enqueue_due

    data = typed(json_body(), text=str, task_id=int)
    if not (data.get("text") or "").strip():
        raise ApiError(400, "text: the answer to send")
    services = get_services()
    with services.db.session() as session:
        client = records.visible(session, g.caller, external_id=client_id)
        if client is None:
            raise ApiError(404, f"no client {client_id}")
        task = her_task(session, client, data.get("task_id"))
        if data.get("task_id") is not None and task is None:
            raise ApiError(404, f"no task {data['task_id']} of client {client_id}")
        try:
            done = answer(session, client, data["text"], by=g.caller, now=utcnow(), task=task)
        except AnswerRefused as exc:
            raise ApiError(exc.status, "the answer was refused", exc.problems) from exc
    if done.created:
        enqueue_due(services)
    return {"id": done.message_id, "sms_parts": done.parts, "tasks_closed": done.closed_tasks}, (
        201 if done.created else 200
    )
