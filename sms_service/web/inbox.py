"""The inbox: her clients who wrote, waiting ones first, with her answer times; answering a
client from her page or from the task her message made (checked, shown with its SMS parts, then
sent once); setting the new date a client asked for; quick replies (kept by an admin)."""

from __future__ import annotations

from datetime import date, time

from flask import abort, g, redirect, render_template, request, url_for

from ..bootstrap import get_services
from ..db import utcnow
from ..inbox import answer as answering
from ..inbox import listing, new_date, quick, times
from ..outbound.dispatch import enqueue_due
from ..records import clients as records
from .auth import flash_done, flash_problem, needs
from .base import blueprint


@blueprint.get("/inbox")
@needs()
def inbox():
    page = request.args.get("page", "0")
    page_no = int(page) if page.isdigit() and int(page) < 1000 else 0
    with get_services().db.session() as s:
        found, more = listing.rows(s, g.caller, page=page_no)
        mine = [g.caller.mentor_mother_id] if g.caller.role == "mentor_mother" else None
        answer_times = times.per_mentor(s, utcnow(), mine) if mine else []
        return render_template(
            "inbox.html", rows=found, more=more, page=page_no, times=answer_times, spoken=times.spoken
        )


@blueprint.post("/clients/<int:client_id>/answer")
@needs()
def answer_client(client_id: int):
    """Step one (no `confirm`): the answer checked and shown with its SMS parts; step two sends."""
    services = get_services()
    text = (request.form.get("text") or "").strip()[:2000]
    task_id = request.form.get("task_id", "")
    with services.db.session() as s:
        person = records.visible(s, g.caller, client_id=client_id)
        if person is None:
            abort(404)
        task = answering.her_task(s, person, int(task_id)) if task_id.isdigit() else None
        if task_id.isdigit() and task is None:
            abort(404)
        if not text and request.form.get("quick", "").isdigit():
            text = quick.text_for(s, int(request.form["quick"]), person.language) or ""
        content = answering.checked(text)
        if request.form.get("confirm") != "1" or not content.ok:
            return render_template(
                "answer_confirm.html",
                person=person,
                task=task,
                text=content.normalised.get("en") or text,
                content=content,
                typed=text,
            ), (200 if content.ok else 400)
        try:
            done = answering.answer(s, person, text, by=g.caller, now=utcnow(), task=task)
        except answering.AnswerRefused as refused:
            flash_problem("; ".join(refused.problems))
            return redirect(url_for("web.client", client_id=client_id))
    if done.created:
        enqueue_due(services)
    flash_done("answer.sent" if done.created else "answer.already", parts=done.parts)
    return redirect(url_for("web.client", client_id=client_id, _anchor="conversation"))


@blueprint.post("/tasks/<int:task_id>/date")
@needs()
def set_visit_date(task_id: int):
    services = get_services()
    try:
        day = date.fromisoformat(request.form.get("date", ""))
        at = time.fromisoformat(request.form["time"]) if request.form.get("time") else None
    except ValueError:
        flash_problem("date: a day as YYYY-MM-DD, a time as HH:MM")
        return redirect(url_for("web.tasks"))
    with services.db.session() as s:
        try:
            told = new_date.set_date(s, g.caller, task_id, day, at, now=utcnow(), config=services.config)
        except LookupError:
            abort(404)
        except new_date.DateRefused as refused:
            flash_problem(str(refused))
            return redirect(url_for("web.tasks"))
    enqueue_due(services)
    flash_done("tasks.date_set" if told else "tasks.date_set_untold")
    return redirect(url_for("web.tasks"))


@blueprint.get("/quick-replies")
@needs("admin")
def quick_replies():
    with get_services().db.session() as s:
        return render_template("quick_replies.html", replies=quick.offered(s), asked={}, problems=[])


@blueprint.post("/quick-replies")
@needs("admin")
def add_quick_reply():
    asked = {k: (request.form.get(k) or "").strip()[:1000] for k in ("text_en", "text_sw")}
    with get_services().db.session() as s:
        try:
            quick.add(s, g.caller, asked["text_en"], asked["text_sw"], now=utcnow())
        except quick.QuickReplyRefused as refused:
            return render_template(
                "quick_replies.html", replies=quick.offered(s), asked=asked, problems=refused.problems
            ), 400
    flash_done("quick.added")
    return redirect(url_for("web.quick_replies"))


@blueprint.post("/quick-replies/<int:reply_id>/remove")
@needs("admin")
def remove_quick_reply(reply_id: int):
    with get_services().db.session() as s:
        if not quick.remove(s, g.caller, reply_id, now=utcnow()):
            abort(404)
    flash_done("quick.removed")
    return redirect(url_for("web.quick_replies"))
