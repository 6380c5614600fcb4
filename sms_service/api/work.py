"""The message log and the follow-up tasks over the API, narrowed by role."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import g, request

from ..bootstrap import get_services
from ..db import utcnow
from ..models import Client
from ..records.messages import log
from ..records.work import TaskRefused, finish, visible_tasks
from .auth import requires
from .base import blueprint
from .errors import ApiError, int_arg, json_body, limit_arg


def message_json(m, client_id, first_name) -> dict:
    return {
        "id": m.id,
        "client_id": client_id,
        "first_name": first_name,
        "phone": m.phone,
        "purpose": m.purpose,
        "language": m.language,
        "body": m.body,
        "parts": m.parts,
        "status": m.status,
        "failure_reason": m.failure_reason,
        "broadcast_id": m.broadcast_id,
        "not_before": m.not_before.isoformat(),
        "expires_at": m.expires_at.isoformat(),
        "sent_at": m.sent_at.isoformat() if m.sent_at else None,
    }


@blueprint.get("/messages")
@requires()
def list_messages():
    """Outbound SMS, newest first: ?status= &purpose= &phone= &broadcast_id= &since= &before_id= &limit="""
    since = None
    if "since" in request.args:  # given, even empty: a date and time, or a 400
        try:
            since = datetime.fromisoformat(request.args["since"])
            since = since if since.tzinfo else since.replace(tzinfo=get_services().config.tz)
            since = since.astimezone(UTC)  # a moment there was (not before year 1 in UTC)
        except (ValueError, OverflowError):
            raise ApiError(400, "since: a date or date and time, e.g. 2026-12-01") from None
    with get_services().db.session() as session:
        found = log(
            session,
            g.caller,
            status=request.args.get("status") or None,
            purpose=request.args.get("purpose") or None,
            phone=request.args.get("phone") or None,
            broadcast_id=int_arg("broadcast_id"),
            since=since,
            before_id=int_arg("before_id"),
            limit=limit_arg(),
        )
        return {"items": [message_json(*row) for row in found.items], "next_before_id": found.next_id}


def task_json(t, client, sms: str | None = None) -> dict:
    return {
        "id": t.id,
        "kind": t.kind,
        "subject": t.subject,
        "note": t.note,
        "sms": sms,
        "status": t.status,
        "priority": t.priority,
        "outcome": t.outcome,
        "due_on": t.due_on.isoformat() if t.due_on else None,
        "client_id": client.external_id if client else None,
        "first_name": client.first_name if client else None,
        "phone": client.phone if client else None,
    }


@blueprint.get("/tasks")
@requires()
def list_tasks():
    """Follow-up tasks: ?status=open|done|all (open) &after_id= &limit="""
    status = request.args.get("status", "open")
    if status not in ("open", "done", "all"):
        raise ApiError(400, "status: open, done or all")
    with get_services().db.session() as session:
        found = visible_tasks(
            session,
            g.caller,
            status=None if status == "all" else status,
            after_id=int_arg("after_id"),
            limit=limit_arg(),
        )
        return {"items": [task_json(*row) for row in found.items], "next_after_id": found.next_id}


@blueprint.post("/tasks/<int:task_id>/done")
@requires()
def finish_task(task_id: int):
    """{"outcome": …, "note": …}: the task is done (a transfer outcome is recorded on the transfer)."""
    data = json_body()
    services = get_services()
    with services.db.session() as session:
        try:
            task = finish(
                session,
                g.caller,
                task_id,
                str(data.get("outcome") or ""),
                note=str(data.get("note") or "")[:500] or None,
                now=utcnow(),
                config=services.config,
            )
        except LookupError:
            raise ApiError(404, f"no task {task_id}") from None
        except TaskRefused as exc:
            raise ApiError(exc.status, str(exc)) from exc
        return task_json(task, session.get(Client, task.client_id) if task.client_id else None)
