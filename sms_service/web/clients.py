"""Clients: found by name, number or clinic id; one client's timeline (messages both ways,
visits, transfer, consent, tasks). Only the account's own clients are ever shown."""
from __future__ import annotations

from flask import abort, g, render_template, request
from sqlalchemy import select

from ..models import Transfer
from ..records import clients as records
from ..services import get_services
from . import blueprint, id_arg
from .auth import needs


@blueprint.get("/clients")
@needs()
def clients():
    query = request.args.get("q", "").strip()[:80]
    with get_services().db.session() as s:
        found = records.search(s, g.caller, query, after_id=id_arg("after"), limit=50)
        return render_template("clients.html", found=found, query=query)


@blueprint.get("/clients/<int:client_id>")
@needs()
def client(client_id: int):
    services = get_services()
    with services.db.session() as s:
        person = records.visible(s, g.caller, client_id=client_id)
        if person is None:
            abort(404)
        transfers = s.scalars(select(Transfer).where(Transfer.client_id == person.id).order_by(Transfer.id.desc()))
        return render_template("client.html", person=person, transfers=list(transfers),
                               events=records.timeline(s, person, services.config.tz))
