"""The phone simulator: a basic phone on a page. Dial the USSD code and walk the menu, send an
SMS, and see the replies and every SMS sent to that number arrive. It calls the same domain
functions as Africa's Talking's callbacks (`ussd.service.respond`, `inbound.receive.receive_sms`),
with the same records the gateway makes of AT's forms.

Without a login only when the local runner serves it on loopback (`sms-service run`, which sets
SIMULATOR_OPEN: nobody else can reach it), and then only as numbers of the invented test range
(+25470000xxxx). Otherwise it is an admin's tool: an admin may act as any number (and, with
Africa's Talking configured, the replies are really sent). Its inbox shows a number's messages:
never to a stranger."""

from __future__ import annotations

import re
import uuid

from flask import abort, jsonify, render_template, request
from flask_login import current_user
from sqlalchemy import select

from ..bootstrap import get_services
from ..gateway import IncomingSms, UssdStep
from ..gateway.africastalking import render_ussd
from ..inbound.receive import receive_sms
from ..jobs import HANDLE_INBOUND
from ..models import Client, InboundMessage, OutboundMessage
from ..nul import refuse_nul
from ..phones import PhoneError, normalise_phone
from ..ussd.service import respond
from .base import blueprint

TEST_RANGE = re.compile(r"^\+25470000\d{4}$")
SHOWN = 50  # messages each way on the phone's screen


def _admin() -> bool:
    return current_user.is_authenticated and current_user.role == "admin"


def available() -> bool:
    return get_services().config.simulator_open or _admin()


def _phone(raw) -> str:
    """The number to act as, or a 400/403."""
    if not available():
        abort(404)
    refuse_nul()
    try:
        phone = normalise_phone(str(raw or ""))
    except PhoneError:
        abort(400, "not a Kenyan mobile number")
    if not _admin() and not TEST_RANGE.match(phone):
        abort(403, "without an admin login the simulator uses numbers of the test range +25470000xxxx")
    return phone


@blueprint.get("/simulator")
def simulator():
    if not available():
        abort(404)
    with get_services().db.session() as s:
        found = s.execute(select(Client.phone, Client.first_name).order_by(Client.id).limit(400)).all()
    numbers = [(p, n) for p, n in found if _admin() or TEST_RANGE.match(p)][:40]
    config = get_services().config
    return render_template(
        "simulator.html", numbers=numbers, code=config.ussd_code or "*384*123#", live=config.sms_gateway != "outbox"
    )


@blueprint.post("/simulator/ussd")
def simulator_ussd():
    data = request.get_json(silent=True) or {}
    phone = _phone(data.get("phone"))
    session_id = "simulator-" + re.sub(r"[^A-Za-z0-9-]", "", str(data.get("session") or ""))[:40]
    text = str(data.get("text") or "")[:200]
    screen = respond(
        get_services(),
        UssdStep(
            session_id, phone, tuple(text.split("*")) if text else (), get_services().config.ussd_code or "*384*123#"
        ),
    )
    return jsonify(screen=render_ussd(screen), text=screen.text, ends=screen.ends)  # as AT would put it, too


@blueprint.post("/simulator/sms")
def simulator_sms():
    data = request.get_json(silent=True) or {}
    phone = _phone(data.get("phone"))
    text = str(data.get("text") or "")[:480]
    receipt = receive_sms(get_services().db, IncomingSms(f"simulator-{uuid.uuid4().hex}", phone, text, "simulator"))
    get_services().nudger.soon(HANDLE_INBOUND)
    return jsonify(id=receipt.inbound_id), 201


@blueprint.get("/simulator/inbox")
def simulator_inbox():
    """What the phone shows: the SMS it sent and those sent to it, oldest first."""
    phone = _phone(request.args.get("phone"))
    with get_services().db.session() as s:
        sent = s.execute(
            select(InboundMessage.id, InboundMessage.text, InboundMessage.received_at)
            .where(InboundMessage.phone == phone)
            .order_by(InboundMessage.id.desc())
            .limit(SHOWN)
        ).all()
        got = s.execute(
            select(
                OutboundMessage.id,
                OutboundMessage.body,
                OutboundMessage.status,
                OutboundMessage.sent_at,
                OutboundMessage.not_before,
            )
            .where(OutboundMessage.phone == phone)
            .order_by(OutboundMessage.id.desc())
            .limit(SHOWN)
        ).all()
    items = [{"way": "out", "id": i, "text": text, "at": at.isoformat(), "status": "sent"} for i, text, at in sent]
    items += [
        {"way": "in", "id": i, "text": body, "status": status, "at": (sent_at or not_before).isoformat()}
        for i, body, status, sent_at, not_before in got
    ]
    return jsonify(phone=phone, items=sorted(items, key=lambda item: item["at"]))
