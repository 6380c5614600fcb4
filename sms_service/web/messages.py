"""The message log: outbound SMS, newest first, with status and failure reason; filtered by
status, purpose, number or broadcast; only the account's clients'."""

from __future__ import annotations

from flask import g, render_template, request

from ..bootstrap import get_services
from ..models.statuses import MessageStatus
from ..outbound.messages import PURPOSES
from ..records.messages import log
from .auth import needs
from .base import blueprint, id_arg

STATUSES = tuple(MessageStatus)


@blueprint.get("/messages")
@needs()
def messages():
    chosen = {k: (request.args.get(k) or "").strip()[:40] for k in ("status", "purpose", "phone", "broadcast_id")}
    with get_services().db.session() as s:
        found = log(
            s,
            g.caller,
            status=chosen["status"] or None,
            purpose=chosen["purpose"] or None,
            phone=chosen["phone"] or None,
            broadcast_id=id_arg("broadcast_id"),
            before_id=id_arg("before"),
            limit=100,
        )
    return render_template("messages.html", found=found, chosen=chosen, statuses=STATUSES, purposes=sorted(PURPOSES))
