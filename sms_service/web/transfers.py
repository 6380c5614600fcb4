"""The transfers board: the transfers report's counts per closing site and receiving clinic, who
needs following up, a drill-down list, and one transfer with its events and outcome form."""

from __future__ import annotations

from flask import Response, abort, g, redirect, render_template, request, url_for

from ..bootstrap import get_services
from ..db import utcnow
from ..inbox import times, who
from ..records import transfers as records
from ..transfers.board import as_csv, board
from ..transfers.outcomes import OutcomeRefused, record
from ..transfers.states import OUTCOMES
from .auth import flash_done, flash_problem, needs
from .base import blueprint, id_arg
from .funnel import funnel_svg
from .labels import label


def _board():
    services = get_services()
    with services.db.session() as s:
        return board(
            s,
            utcnow(),
            services.config,
            scope=lambda q: records.scope(q, g.caller),
            clients_scoped=g.caller.role == "mentor_mother",  # her scope is her clients' rows
            cache_key="programme" if g.caller.role == "admin" else None,  # every transfer: kept 30 s
        )


@blueprint.get("/transfers")
@needs()
def transfers():
    shown = _board()
    who = g.caller  # all for an admin, her facility's for a supervisor, herself for a Mentor Mother
    with get_services().db.session() as s:
        answer_times, more = times.worst_first(
            times.per_mentor(
                s,
                utcnow(),
                [who.mentor_mother_id] if who.role == "mentor_mother" else None,
                facility_id=who.facility_id if who.role == "supervisor" else None,
            )
        )
    return render_template(
        "transfers.html",
        b=shown,
        funnel=funnel_svg(shown.funnel, label),
        answer_times=answer_times,
        more_times=more,
        spoken=times.spoken,
    )


@blueprint.get("/transfers.csv")
@needs()
def transfers_csv():
    shown = _board()
    return Response(
        as_csv(shown, label),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="transfers-{shown.today.isoformat()}.csv"'},
    )


@blueprint.get("/transfers/list")
@needs()
def transfer_list():
    site, clinic, status = (request.args.get(k) or None for k in ("site", "clinic", "status"))
    with get_services().db.session() as s:
        found = records.listing(
            s, g.caller, site=site, clinic=clinic, status=status, after_id=id_arg("after"), limit=100
        )
        return render_template("transfer_list.html", found=found, site=site, clinic=clinic, status=status)


@blueprint.get("/transfers/<int:transfer_id>")
@needs()
def transfer(transfer_id: int):
    with get_services().db.session() as s:
        found = records.visible(s, g.caller, transfer_id)
        if found is None:
            abort(404)
        events = records.events(s, found)
        return render_template(
            "transfer.html",
            tr=found,
            events=events,
            outcomes=OUTCOMES,
            names=who.names(s, {e.actor for e in events if e.actor}),  # "client:1" read as her name
        )


@blueprint.post("/transfers/<int:transfer_id>")
@needs()
def record_transfer(transfer_id: int):
    outcome = request.form.get("outcome", "")
    with get_services().db.session() as s:
        found = records.visible(s, g.caller, transfer_id)
        if found is None:
            abort(404)
        try:
            record(
                s,
                found,
                outcome,
                by=g.caller,
                now=utcnow(),
                config=get_services().config,
                note=(request.form.get("note") or "").strip()[:200] or None,
            )
        except OutcomeRefused as exc:
            flash_problem(str(exc))
            return redirect(url_for("web.transfer", transfer_id=transfer_id))
    flash_done("transfer.recorded")
    return redirect(url_for("web.transfer", transfer_id=transfer_id))
