"""The broadcast composer: write (English and/or Kiswahili), choose who, preview (recipients,
SMS parts, cost, whether it needs approval), send now or at a time; then its progress, and the
history. The same service as the API and the SMS command, so the same checks and approvals."""

from __future__ import annotations

from datetime import datetime

from flask import abort, g, redirect, render_template, request, url_for

from ..bootstrap import get_services
from ..broadcasts import service
from ..broadcasts.audience import FILTERS
from ..db import utcnow
from ..models import STAGES
from ..records import broadcasts as records
from .auth import flash_done, flash_problem, needs
from .base import blueprint
from .labels import label


def _form() -> tuple[dict, list[str]]:
    """The composer's fields as the service takes them, and what could not be read."""
    form, problems, config = request.form, [], get_services().config
    filters: dict = {}
    for name in ("stage", "language", "facility"):
        if form.get(name):
            filters[name] = form[name].strip()
    if form.get("pending_transfer") in ("yes", "no"):
        filters["pending_transfer"] = form["pending_transfer"] == "yes"
    if form.get("infant_under_months"):
        raw = form["infant_under_months"].strip()
        filters["infant_under_months"] = int(raw) if raw.isdigit() else raw
    send_at = None
    if form.get("when") == "later":
        try:
            send_at = datetime.fromisoformat(form.get("send_at", "")).replace(tzinfo=config.tz)
        except ValueError:
            problems.append(label("broadcast.bad_time"))
    return dict(
        text_en=form.get("text_en") or None,
        text_sw=form.get("text_sw") or None,
        filters=filters,
        send_at=send_at,
        normalise=form.get("normalise") == "1",
    ), problems


def _page(**extra):
    with get_services().db.session() as s:
        found = records.history(s, g.caller, limit=30)
        history = [(b, service.progress(s, b)) for b in found.items]
    return render_template(
        "broadcasts.html", history=history, stages=STAGES, filters=FILTERS, form=request.form, **extra
    )


@blueprint.get("/broadcasts")
@needs()
def broadcasts():
    return _page()


@blueprint.post("/broadcasts")
@needs()
def compose():
    given, problems = _form()
    if g.caller.role == "supervisor" and given["filters"].get("facility"):
        problems.append("a supervisor's broadcast goes to her facility; leave out the facility")
    if problems:
        return _page(problems=problems), 400
    services, now = get_services(), utcnow()
    with services.db.session() as s:
        try:
            if request.form.get("action") != "send":
                _, preview = service.prepare(s, g.caller, now=now, config=services.config, **given)
                return _page(preview=preview)
            broadcast, preview = service.create(s, g.caller, now=now, config=services.config, **given)
            broadcast_id = broadcast.id
        except service.BroadcastRefused as refused:
            return _page(problems=refused.problems, offered=refused.normalised), 422
    flash_done(
        "broadcast.awaiting_approval" if preview.needs_approval else "broadcast.scheduled",
        recipients=preview.recipients,
    )
    return redirect(url_for("web.broadcast", broadcast_id=broadcast_id))


@blueprint.get("/broadcasts/<int:broadcast_id>")
@needs()
def broadcast(broadcast_id: int):
    with get_services().db.session() as s:
        found = records.visible(s, g.caller, broadcast_id)
        if found is None:
            abort(404)
        return render_template("broadcast.html", b=found, progress=service.progress(s, found))


@blueprint.post("/broadcasts/<int:broadcast_id>/<any(approve, cancel):step>")
@needs()
def broadcast_step(broadcast_id: int, step: str):
    with get_services().db.session() as s:
        found = records.visible(s, g.caller, broadcast_id)
        if found is None:
            abort(404)
        try:
            if step == "approve":
                service.approve(s, found, g.caller, utcnow())
            else:
                service.cancel(s, found, g.caller, utcnow())
        except service.BroadcastRefused as refused:
            flash_problem(refused.problems[0])
            return redirect(url_for("web.broadcast", broadcast_id=broadcast_id))
    flash_done(f"broadcast.done_{step}")
    return redirect(url_for("web.broadcast", broadcast_id=broadcast_id))
