"""Transfers over the API: create them (or preview), close a site, record arrival or another
outcome, read one or a page of them, progress counts and referral lists. Every query is
narrowed to what the caller's token may see; what it may not see is "not found"."""

from __future__ import annotations

from flask import Response, g, request
from sqlalchemy import select

from .. import csvio
from ..bootstrap import get_services
from ..db import utcnow
from ..importing.loader import load
from ..models import Client, Facility, Transfer
from ..outbound.dispatch import enqueue_due
from ..records import transfers as records
from ..transfers.closure import ClosureRefused, close_site
from ..transfers.outcomes import OutcomeRefused, record
from ..transfers.referrals import referral_csv
from ..transfers.report import as_csv, muted, progress
from .auth import requires
from .base import blueprint
from .errors import ApiError, a_date, int_arg, json_body, limit_arg, record_list, typed


def scope(query):
    """Only the transfers the caller may see: a supervisor's facility closing or receiving."""
    return records.scope(query, g.caller)


def _facility(session, code: str) -> Facility:
    facility = session.scalar(select(Facility).where(Facility.code == code))
    if facility is None:
        raise ApiError(404, f"no facility {code}")
    return facility


def _own_facility(facility: Facility) -> None:
    if g.caller.role == "supervisor" and g.caller.facility_id != facility.id:
        raise ApiError(403, f"your token is for another facility than {facility.code}")


@blueprint.post("/transfers")
@requires("admin", "supervisor")
def create_transfers():
    """{"transfers": [{client_id, to_facility_code, effective_date, reason}], "dry_run": false}"""
    data = typed(json_body(), dry_run=bool)
    rows = record_list(
        json_body(),
        "transfers",
        ("client_id", "to_facility_code", "effective_date", "reason"),
        required=("client_id", "to_facility_code", "effective_date"),
    )
    dry_run = bool(data.get("dry_run"))

    def theirs_only(session) -> None:
        if g.caller.role == "supervisor":
            named = {str(r.get("client_id", "")) for r in rows}
            theirs = set(
                session.scalars(
                    select(Client.external_id).where(
                        Client.external_id.in_(named), Client.facility_id == g.caller.facility_id
                    )
                )
            )
            if named - theirs:
                raise ApiError(
                    403, "some clients are not at your facility", sorted(f"client_id {c}" for c in named - theirs)[:20]
                )

    loaded = load(
        get_services(),
        "transfers",
        list(enumerate(({k: str(v) for k, v in r.items()} for r in rows), 1)),
        actor=g.caller.actor,
        origin="api",
        dry_run=dry_run,
        name="api",
        check=theirs_only,
    )
    report, started = loaded.report, loaded.after.started
    return {
        "dry_run": dry_run,
        **report.counts(),
        "errors": [{"item": e.line, "error": e.reason} for e in report.errors],
        "preview": started.as_dict() if started is not None else {},
    }, (200 if dry_run or not report.created else 201)


MAX_PLACES = 1_000_000  # a clinic's places, as the OpenAPI document says


@blueprint.post("/site-closures")
@requires("admin", "supervisor")
def create_site_closure():
    """{"site", "to" ("A" or "A,B,C": a choice), "capacity": {code: places}, "mapping": {client_id:
    code}, "effective_date", "dry_run"}"""
    data = typed(json_body(), site=str, to=str, mapping=dict, capacity=dict, effective_date=str, dry_run=bool)
    effective = a_date(data.get("effective_date"), "effective_date")
    mapping = data.get("mapping") or {}
    if not isinstance(mapping, dict) or not data.get("site") or not (data.get("to") or mapping):
        raise ApiError(400, "give site, effective_date, and to or mapping ({client_id: facility code})")
    capacity = data.get("capacity") or {}
    if not all(
        isinstance(v, int | float) and not isinstance(v, bool) and float(v).is_integer() and 0 <= v <= MAX_PLACES
        for v in capacity.values()
    ):
        raise ApiError(400, f"capacity: {{facility code: places}}, each a whole number from 0 to {MAX_PLACES:,}")
    services = get_services()
    dry_run = bool(data.get("dry_run"))
    with services.db.session() as session:
        _own_facility(_facility(session, str(data["site"])))
        try:
            closure = close_site(
                session,
                str(data["site"]),
                effective=effective,
                to=data.get("to"),
                mapping={str(k): str(v) for k, v in mapping.items()},
                capacity={str(k): int(v) for k, v in capacity.items()},
                now=utcnow(),
                config=services.config,
                actor=g.caller.actor,
                origin="api",
            )
        except ClosureRefused as exc:
            raise ApiError(409, "the closure was refused", exc.problems) from exc
        if dry_run:
            session.rollback()
    if not dry_run:
        enqueue_due(services)
    return {"dry_run": dry_run, **closure.as_dict()}, 200 if dry_run else 201


def _visible(session, transfer_id: int) -> Transfer:
    transfer = records.visible(session, g.caller, transfer_id)
    if transfer is None:
        raise ApiError(404, f"no transfer {transfer_id}")
    return transfer


def _as_json(session, transfer: Transfer, events: bool = False) -> dict:
    out = {
        "id": transfer.id,
        "client_id": transfer.client.external_id,
        "first_name": transfer.client.first_name,
        "from_facility": transfer.from_facility.code,
        "to_facility": transfer.to_facility.code,
        "effective_date": transfer.effective_date.isoformat(),
        "status": transfer.status,
        "reason": transfer.reason,
        "source": transfer.source,
        "follow_up_step": transfer.ladder_step,
        **{
            name: (getattr(transfer, name).isoformat() if getattr(transfer, name) else None)
            for name in ("created_at", "notified_at", "acknowledged_at", "arrived_at", "status_changed_at")
        },
    }
    if events:
        out["events"] = [
            {
                "from": e.from_status,
                "to": e.to_status,
                "cause": e.cause,
                "actor": e.actor,
                "detail": e.detail,
                "at": e.at.isoformat(),
            }
            for e in records.events(session, transfer)
        ]
    return out


@blueprint.get("/transfers")
@requires()
def list_transfers():
    """?site=&clinic=&status=&after_id=&limit= (pages of 100, in id order; `next_after_id` for the next)."""
    with get_services().db.session() as session:
        found = records.listing(
            session,
            g.caller,
            site=request.args.get("site"),
            clinic=request.args.get("clinic"),
            status=request.args.get("status"),
            after_id=int_arg("after_id"),
            limit=limit_arg(),
        )
        return {"items": [_as_json(session, t) for t in found.items], "next_after_id": found.next_id}


@blueprint.get("/transfers/<int:transfer_id>")
@requires()
def get_transfer(transfer_id: int):
    with get_services().db.session() as session:
        return _as_json(session, _visible(session, transfer_id), events=True)


def _record(transfer_id: int, outcome: str | None):
    data = json_body(optional=True)
    outcome = outcome or data.get("outcome")
    services = get_services()
    with services.db.session() as session:
        transfer = _visible(session, transfer_id)
        try:
            changed = record(
                session,
                transfer,
                str(outcome or ""),
                by=g.caller,
                now=utcnow(),
                config=services.config,
                note=str(data.get("note") or "")[:200] or None,
            )
        except OutcomeRefused as exc:
            raise ApiError(409, str(exc)) from exc
        session.refresh(transfer)
        return {"recorded": changed, **_as_json(session, transfer)}


@blueprint.post("/transfers/<int:transfer_id>/arrival")
@requires()
def confirm_arrival(transfer_id: int):
    """The receiving clinic (supervisor token), her Mentor Mother or an admin: she has arrived."""
    return _record(transfer_id, "arrived")


@blueprint.post("/transfers/<int:transfer_id>/outcome")
@requires()
def record_outcome(transfer_id: int):
    """{"outcome": arrived|moved_elsewhere|declined|died|lost_to_follow_up|cancelled, "note": "…"}"""
    return _record(transfer_id, None)


@blueprint.get("/transfers/report")
@requires()
def transfers_report():
    """Counts per closing site and receiving clinic, and who needs following up (?site=CODE)."""
    with get_services().db.session() as session:
        lines, needs = progress(session, request.args.get("site") or None, scope=scope)
        silent = muted(session, request.args.get("site") or None, scope=scope)
    return {"lines": [vars(line) for line in lines], "needing_follow_up": [vars(n) for n in needs], "muted": silent}


@blueprint.get("/transfers/report.csv")
@requires()
def transfers_report_csv():
    with get_services().db.session() as session:
        lines, needs = progress(session, request.args.get("site") or None, scope=scope)
        silent = muted(session, request.args.get("site") or None, scope=scope)
    return Response(as_csv(lines, needs, silent), mimetype="text/csv", headers=csvio.attachment("transfers-report.csv"))


@blueprint.get("/transfers/referrals/<code>.csv")
@requires("admin", "supervisor")
def referrals(code: str):
    """The clients coming to clinic CODE, with what it needs to receive them."""
    from .. import audit

    with get_services().db.session() as session:
        _own_facility(_facility(session, code))
        text = referral_csv(session, code)
        audit.record(
            session,
            g.caller.actor,
            "transfers.referrals",
            subject_type="facility",
            subject_id=code,
            origin="api",
            clients=text.count("\n") - 1,
        )
    return Response(text, mimetype="text/csv", headers=csvio.attachment(f"referrals-{code}.csv"))
