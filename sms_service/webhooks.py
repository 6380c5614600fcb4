"""Africa's Talking callbacks. Each needs `?token=WEBHOOK_TOKEN` (compared in constant time);
a wrong or missing token gets 403 with no detail. A view reads AT's form into our record
(`gateway.africastalking`), calls one function of the domain, and answers as AT wants."""

from __future__ import annotations

import hmac
import logging
from datetime import datetime
from typing import TYPE_CHECKING

from flask import Blueprint, Response, abort, request
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.exceptions import RequestEntityTooLarge

from .bootstrap import get_services
from .edge import too_big_for_ussd
from .gateway import Malformed
from .gateway.africastalking import (
    parse_delivery_report,
    parse_incoming_sms,
    parse_opt_out,
    parse_session_end,
    parse_ussd_step,
    render_ussd,
)
from .inbound.receive import Receipt, receive_sms
from .jobs import APPLY_REPORTS, HANDLE_INBOUND, Job
from .nul import refuse_nul
from .outbound import consent
from .outbound.delivery import store_delivery_report
from .phones import PhoneError, mask_phone, normalise_phone
from .ussd.events import store_session_end
from .ussd.service import respond

if TYPE_CHECKING:
    from .resources import Services

log = logging.getLogger(__name__)
blueprint = Blueprint("webhooks", __name__, url_prefix="/webhooks")


@blueprint.before_request
def require_token():
    expected = get_services().config.webhook_token
    given = request.args.get("token", "")
    if not expected or not hmac.compare_digest(given.encode(), expected.encode()):
        abort(403)
    if request.path != "/webhooks/ussd":  # USSD answers CON/END whatever comes
        refuse_nul()


@blueprint.errorhandler(SQLAlchemyError)
def database_unavailable(error: SQLAlchemyError):
    """The record could not be written now (a locked or stalled database): not 200, so Africa's
    Talking posts it again (every minute, for hours); never a detail to the caller."""
    log.warning("callback not recorded, the database did not answer in time (%s)", type(error).__name__)
    return "", 503, {"Retry-After": "60"}


def bad_request(field: str):
    return {"error": f"missing or malformed field: {field}"}, 400


def store_incoming_sms(db, form, now: datetime | None = None) -> Receipt:
    """AT's incoming-SMS form, stored (raises `Malformed` naming a field AT always sends)."""
    return receive_sms(db, parse_incoming_sms(form), now)


def answer_ussd(services: Services, form, now: datetime | None = None) -> str:
    """AT's USSD form, answered as AT takes it (`CON …` or `END …`)."""
    return render_ussd(respond(services, parse_ussd_step(form), now))


@blueprint.post("/sms")
def incoming_sms():
    try:
        receipt = store_incoming_sms(get_services().db, request.form)
    except Malformed as problem:
        return bad_request(problem.field)
    if receipt.refused:  # stored, refused, never answered: 200, or AT posts it again every minute for hours
        return "", 200
    if receipt.new:
        wake(HANDLE_INBOUND)
    return "", 200


def wake(job: Job) -> None:
    """The row is stored: have its job run soon, without a Redis round trip on this request."""
    get_services().nudger.soon(job)


@blueprint.post("/ussd")
def ussd():
    try:
        form = request.form
    except RequestEntityTooLarge:  # sent without a length, and longer than a USSD step carries
        return too_big_for_ussd()
    return Response(answer_ussd(get_services(), form), mimetype="text/plain")


@blueprint.post("/ussd/events")
def ussd_event():
    try:
        end = parse_session_end(request.form)
    except Malformed as problem:
        return bad_request(problem.field)
    store_session_end(get_services().db, end)
    return "", 200


@blueprint.post("/sms/delivery")
def delivery_report():
    try:
        report = parse_delivery_report(request.form)
    except ValueError as missing:
        return bad_request(str(missing))
    if store_delivery_report(get_services().db, report):
        wake(APPLY_REPORTS)
    return "", 200


@blueprint.post("/sms/optout")
def opt_out():
    notice = parse_opt_out(request.form)
    try:
        phone = normalise_phone(notice.phone)
    except PhoneError:  # nobody we could write to: nothing to stop, and AT must not post it again for hours
        log.warning("opt-out notice with an unusable number %s", mask_phone(notice.phone))
        return "", 200
    with get_services().db.session() as session:
        consent.opt_out(session, phone, "at_optout", "bulk SMS opt-out")
    return "", 200
