"""The promises every drill ends by checking, whatever the fault was:

1. every due message is in a final state, or deliberately waiting (scheduled for later, or
   `unknown`: taken by AT perhaps, waiting for its delivery report, never sent again blindly);
2. at most one messageId per idempotency key: no recipient got the same message twice;
3. nothing went out in its purpose's quiet hours;
4. nothing non-essential went to a number that had stopped our messages;
5. no log line holds a full phone number or a message body.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import UTC, datetime

from sqlalchemy import select

from sms_service.models import Client, OutboundMessage
from sms_service.outbound.messages import PURPOSES
from sms_service.outbound.send_window import is_open

FINAL = {"sent", "delivered", "failed", "expired", "suppressed", "cancelled"}
FULL_PHONE = re.compile(r"(?<![\w*])(?:\+?254|0)[17]\d{8}(?!\w)")


def check(
    stage,
    *,
    windows: dict | None = None,
    bodies: tuple[str, ...] = (),
    now: datetime | None = None,
    more_logs: str = "",
) -> dict[str, object]:
    """Each promise: "ok", or what broke it. `windows`: the send windows to judge quiet hours by
    (a drill that opened them passes None: nothing to judge)."""
    from sms_service.db import utcnow

    now = now or utcnow()
    found: dict[str, object] = {}
    with stage.services.db.session() as s:
        rows = s.execute(
            select(
                OutboundMessage.idempotency_key,
                OutboundMessage.phone,
                OutboundMessage.body,
                OutboundMessage.status,
                OutboundMessage.not_before,
                OutboundMessage.purpose,
            )
        ).all()
        stopped = {
            p: at
            for p, at in s.execute(select(Client.phone, Client.opted_out_at).where(Client.opted_out_at.is_not(None)))
        }
    stuck = [
        key
        for key, _, _, status, not_before, _ in rows
        if status not in FINAL and status != "unknown" and not (status == "scheduled" and not_before > now)
    ]
    found["due_settled"] = "ok" if not stuck else f"{len(stuck)} due message(s) not settled, e.g. {stuck[:3]}"
    found["unknown_waiting"] = sum(1 for row in rows if row.status == "unknown")

    by_text = {(phone, body): (key, purpose) for key, phone, body, _, _, purpose in rows}
    accepted = Counter((phone, text) for phone, text, _, _ in stage.gateway.accepted)
    twice = [pair for pair, n in accepted.items() if n > 1]
    found["once_per_key"] = "ok" if not twice else f"{len(twice)} recipient(s) got a message twice, e.g. {twice[:2]}"

    if windows is None:
        found["quiet_hours"] = "windows opened by the drill: judged by the clock drill"
    else:
        tz = stage.services.config.tz
        late = [
            (phone, when)
            for phone, text, _, when in stage.gateway.accepted
            if (spec := by_text.get((phone, text)))
            and windows.get(spec[1]) is not None
            and not is_open(datetime.fromtimestamp(when, UTC), windows[spec[1]], tz)
        ]
        found["quiet_hours"] = "ok" if not late else f"{len(late)} sent in quiet hours"
    essential = {name for name, spec in PURPOSES.items() if spec.essential}
    to_stopped = [
        phone
        for phone, text, _, when in stage.gateway.accepted
        if phone in stopped
        and (spec := by_text.get((phone, text)))
        and spec[1] not in essential
        and stopped[phone].timestamp() < when
    ]
    found["opt_out"] = "ok" if not to_stopped else f"{len(to_stopped)} sent to a stopped number"

    text = more_logs + "".join(log.read_text(errors="replace") for log in stage.logs if log.exists())
    numbers = FULL_PHONE.findall(text)
    leaked = [b for b in bodies if b and b in text]
    found["logs"] = (
        "ok"
        if not numbers and not leaked
        else (f"{len(numbers)} full number(s) (e.g. {numbers[:1]}), {len(leaked)} body(ies) in the logs")
    )
    found["sent"] = len(stage.gateway.accepted)
    return found


PROMISES = (
    "due_settled",
    "once_per_key",
    "quiet_hours",
    "opt_out",
    "logs",
    "each_once",
    "final_kept",
    "ussd_fast",
    "sms_kept",
)


def broken(found: dict) -> list[str]:
    names = [*PROMISES, *(f"restart_{p}" for p in PROMISES)]
    return [
        f"{name}: {found[name]}"
        for name in names
        if name in found and found[name] != "ok" and not str(found[name]).startswith("windows opened")
    ]
