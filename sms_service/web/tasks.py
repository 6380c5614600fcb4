"""My follow-up list: the tasks the account may see (a Mentor Mother's own), each done with its
outcome (on a transfer's task, the transfer's outcome is recorded with it)."""

from __future__ import annotations

from flask import abort, g, redirect, render_template, request, url_for

from ..bootstrap import get_services
from ..db import utcnow
from ..inbox import quick
from ..records.work import TaskRefused, finish, outcomes_for, visible_tasks
from .auth import flash_done, flash_problem, needs
from .base import blueprint, id_arg


@blueprint.get("/tasks")
@needs()
def tasks():
    status = request.args.get("status", "open")
    if status not in ("open", "done"):
        status = "open"
    with get_services().db.session() as s:
        found = visible_tasks(s, g.caller, status=status, after_id=id_arg("after"), limit=50)
        rows = [(task, client, sms, outcomes_for(task)) for task, client, sms in found.items]
        return render_template(
            "tasks.html",
            rows=rows,
            status=status,
            next_id=found.next_id,
            quick_replies=quick.offered(s),
            today=get_services().config.today(),
        )


@blueprint.post("/tasks/<int:task_id>")
@needs()
def finish_task(task_id: int):
    with get_services().db.session() as s:
        try:
            finish(
                s,
                g.caller,
                task_id,
                request.form.get("outcome", ""),
                note=(request.form.get("note") or "").strip()[:500] or None,
                now=utcnow(),
                config=get_services().config,
            )
        except LookupError:
            abort(404)
        except TaskRefused as exc:
            flash_problem(str(exc))
            return redirect(url_for("web.tasks"))
    flash_done("tasks.recorded")
    return redirect(url_for("web.tasks"))
