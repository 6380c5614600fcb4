"""Clients: found by name, number or clinic id; one client's timeline (messages both ways,
visits, transfer, consent, tasks, life events), whether she gets messages and why not. Only the
account's own clients are ever shown.

A life event is recorded in two steps: the form, then a page that says what it will do and asks
to confirm; a retraction likewise."""

from __future__ import annotations

from flask import abort, g, redirect, render_template, request, url_for
from sqlalchemy import select

from .. import life_events
from ..bootstrap import get_services
from ..db import utcnow
from ..inbox import conversation, quick
from ..inbox.answer import her_task, waiting_task
from ..models import Transfer
from ..outbound.eligibility import muted_clients
from ..records import clients as records
from .auth import flash_done, needs
from .base import blueprint, id_arg
from .timeline import in_words

FIELDS = ("kind", "date", "infant_dob", "new_phone", "note")


@blueprint.get("/clients")
@needs()
def clients():
    query = request.args.get("q", "").strip()[:80]
    with get_services().db.session() as s:
        found = records.search(s, g.caller, query, after_id=id_arg("after"), limit=50)
        return render_template("clients.html", found=found, query=query, muted=muted_clients(s, found.items))


@blueprint.get("/clients/<int:client_id>")
@needs()
def client(client_id: int):
    with get_services().db.session() as s:
        return _page(s, _her(s, client_id))


def _her(s, client_id: int):
    person = records.visible(s, g.caller, client_id=client_id)
    if person is None:
        abort(404)
    return person


def _answering(s, person):
    """What an answer from her page answers: the task it was opened from (`?task=`), else her
    danger sign or newest message waiting."""
    task = her_task(s, person, id_arg("task"))
    return task if task is not None and task.status == "open" else waiting_task(s, person)


def _page(s, person, *, asked: dict | None = None, problems: list | None = None, status: int = 200):
    services = get_services()
    transfers = s.scalars(select(Transfer).where(Transfer.client_id == person.id).order_by(Transfer.id.desc()))
    return render_template(
        "client.html",
        person=person,
        transfers=list(transfers),
        talk=conversation.of(s, person),
        answer_task=_answering(s, person),
        quick_replies=quick.offered(s),
        # her messages are the conversation; each event in the reader's words
        events=[(e, *in_words(e)) for e in records.timeline(s, person, services.config.tz, messages=False)],
        life=life_events.events_of(s, person.id),
        muted=muted_clients(s, [person])[person.id],
        kinds=list(life_events.KINDS),
        asked=asked or {"date": services.config.today().isoformat()},
        problems=problems or [],
    ), status


@blueprint.post("/clients/<int:client_id>/events")
@needs()
def record_life_event(client_id: int):
    asked = {name: (request.form.get(name) or "").strip() or None for name in FIELDS}
    services = get_services()
    with services.db.session() as s:
        person = _her(s, client_id)
        try:
            if request.form.get("confirm") != "1":  # the first step: check, and say what it will do
                checked = life_events.check_only(
                    s, person, life_events.Asked.of(asked), now=utcnow(), config=services.config
                )
                return render_template("life_event_confirm.html", person=person, asked=asked, checked=checked)
            _, created = life_events.record(
                s, person, life_events.Asked.of(asked), by=g.caller, now=utcnow(), config=services.config
            )
        except life_events.EventRefused as refused:
            return _page(s, person, asked=asked, problems=refused.problems, status=400)
    flash_done("life.recorded" if created else "life.already")
    return redirect(url_for("web.client", client_id=client_id))


@blueprint.post("/clients/<int:client_id>/events/<int:event_id>/retract")
@needs()
def retract_life_event(client_id: int, event_id: int):
    services = get_services()
    with services.db.session() as s:
        person = _her(s, client_id)
        event = next((e for e in life_events.events_of(s, person.id) if e.id == event_id and e.live), None)
        if event is None:
            abort(404)
        if request.form.get("confirm") != "1":
            return render_template("life_event_retract.html", person=person, event=event)
        life_events.retract(s, person, event_id, by=g.caller, now=utcnow(), config=services.config)
    flash_done("life.retracted")
    return redirect(url_for("web.client", client_id=client_id))
