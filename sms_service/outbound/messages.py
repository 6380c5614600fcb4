"""Outbound messages: created once per purpose, moved through their lifecycle with history.

scheduled → queued → sending → sent → delivered | failed; also expired, cancelled, suppressed
and unknown. Every change is a `MessageStatusEvent` with its reason; final states never move.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from .. import reactions
from ..db import among, bulk_insert, insert_for_each, not_by_its_index, table_of, utcnow
from ..models import FINAL_STATUSES, MessageStatusEvent, OutboundMessage
from ..models.statuses import MESSAGE_WAITING, MessageStatus
from ..texts.gsm7 import sms_parts
from .send_window import Window

DAYTIME: Window = (time(7, 0), time(19, 0))


@dataclass(frozen=True)
class Purpose:
    queue: str  # realtime | bulk
    window: Window  # when it may go out (None: at once, a reply to the person)
    must_arrive: bool = False  # resent once after an unknown outcome
    essential: bool = False  # goes out even to an opted-out number (the STOP confirmation)


# Configurable per purpose (SPEC non-negotiable 5): edit here or override in tests.
PURPOSES: dict[str, Purpose] = {
    "reply": Purpose("realtime", None, essential=True),  # she asked: answered even when opted out
    "opt_out_confirmation": Purpose("realtime", None, essential=True),
    "reminder": Purpose("bulk", DAYTIME, must_arrive=True),
    "missed_visit": Purpose("bulk", DAYTIME, must_arrive=True),
    "transfer_notice": Purpose("bulk", DAYTIME, must_arrive=True),
    "transfer_follow_up": Purpose("bulk", DAYTIME, must_arrive=True),
    "broadcast": Purpose("bulk", (time(8, 0), time(18, 0))),
    "number_changed": Purpose("bulk", DAYTIME),  # her first message at a new number
}

# purposes whose outcome the service follows up: a transfer notice that went out makes the
# transfer notified; one that could not reach her makes a task for a person at once
FOLLOWED = frozenset({"transfer_notice"})

S = MessageStatus
ALLOWED: dict[str, frozenset[str]] = {
    S.SCHEDULED: frozenset({S.QUEUED, S.CANCELLED, S.EXPIRED, S.SUPPRESSED}),
    S.QUEUED: frozenset({S.SENDING, S.SCHEDULED, S.CANCELLED, S.EXPIRED, S.SUPPRESSED}),
    S.SENDING: frozenset({S.SENT, S.SCHEDULED, S.FAILED, S.UNKNOWN, S.SUPPRESSED, S.EXPIRED}),
    S.UNKNOWN: frozenset({S.SENT, S.DELIVERED, S.FAILED, S.SCHEDULED}),
    S.SENT: frozenset({S.DELIVERED, S.FAILED}),
}
assert all(status not in ALLOWED for status in FINAL_STATUSES)


def idempotency_key(recipient: str, purpose: str, subject: str | None, version: int = 1) -> str:
    """(client or number, purpose, subject, version): the same message is never made twice."""
    return f"{recipient}|{purpose}|{subject or '-'}|v{version}"


WAITING = MESSAGE_WAITING  # made, not yet out: what an event can still hold back
ROUND = re.compile(r"\|r(\d+)$")


def next_round(key: str) -> str:
    """The key of a message made again after its predecessor never went out (held back while she
    had stopped our messages, or cancelled by an event since retracted): `…|r1`, `…|r2`. The
    original keys are untouched, so nothing already made is ever made twice."""
    found = ROUND.search(key)
    if found is None:
        return f"{key}|r1"
    return f"{key[: found.start()]}|r{int(found.group(1)) + 1}"


def family(key: str) -> str:
    """The key without its round: every making of one message shares it."""
    return ROUND.sub("", key)


def create_message(session: Session, **spec) -> tuple[OutboundMessage, bool]:
    """One message (the keywords of a `create_messages` spec: phone, purpose, body, expires_at,
    and client_id, subject, version, not_before, language, template, facility_id…): the
    message for its key, created now (True) or the one made before (False)."""
    [(message_id, created)] = create_messages(session, [spec])
    return session.get_one(OutboundMessage, message_id), created


def key_of(spec: dict) -> str:
    """The idempotency key of the message a `create_messages` spec describes: its recipient is
    the client, or the number (`by_phone`: one message a number); its `occasion` ("T-3") tells
    apart messages of one purpose about one subject."""
    client_id = spec.get("client_id")
    recipient = (
        f"client:{client_id}" if client_id is not None and not spec.get("by_phone") else f"phone:{spec['phone']}"
    )
    about = spec.get("subject") if not spec.get("occasion") else f"{spec.get('subject')}@{spec['occasion']}"
    return idempotency_key(recipient, spec["purpose"], about, spec.get("version", 1))


def create_messages(session: Session, specs: list[dict], reason: str = "created") -> list[tuple[int, bool]]:
    """Many messages at once (a site closure's notices), each spec holding `create_message`'s
    keywords: (id, created now) per spec, in order. A few statements per thousand messages.
    A spec's `occasion` ("T-3") tells apart messages of one purpose about one subject: it is
    part of the idempotency key, not of the stored subject."""
    now = utcnow()
    rows = []
    for spec in specs:
        client_id, phone, purpose = spec.get("client_id"), spec["phone"], spec["purpose"]
        rows.append(
            {
                "client_id": client_id,
                "mentor_mother_id": spec.get("mentor_mother_id"),
                "broadcast_id": spec.get("broadcast_id"),
                "phone": phone,
                "purpose": purpose,
                "subject": spec.get("subject"),
                "version": spec.get("version", 1),
                "template": spec.get("template"),
                "language": spec.get("language", "sw"),
                "body": spec["body"],
                "parts": sms_parts(spec["body"]),
                "queue": PURPOSES[purpose].queue,
                "facility_id": spec.get("facility_id"),
                "status": "scheduled",
                "not_before": spec.get("not_before") or now,
                "expires_at": spec["expires_at"],
                "attempts": 0,
                "resend_count": 0,
                "created_at": now,
                "updated_at": now,
                "appointment_id": spec.get("appointment_id"),
                "idempotency_key": spec.get("idempotency_key") or key_of(spec),
            }
        )
    table = OutboundMessage.__table__
    created = {
        key: id_
        for id_, key in bulk_insert(
            session, table, rows, returning=("id", "idempotency_key"), conflict="idempotency_key"
        )
    }
    record_history(session, list(created.values()), "scheduled", reason[:120], now)
    before = [r["idempotency_key"] for r in rows if r["idempotency_key"] not in created]
    existing = (
        dict(
            session.execute(
                select(table.c.idempotency_key, table.c.id).where(among(session, table.c.idempotency_key, before))
            ).all()
        )
        if before
        else {}
    )
    return [(created[k], True) if k in created else (existing[k], False) for k in (r["idempotency_key"] for r in rows)]


def remake(
    session: Session,
    ids: list[int],
    *,
    now: datetime,
    reason: str,
    phones: dict[int, str] | None = None,
    not_before: dict[int, datetime] | None = None,
) -> dict[int, int]:
    """Make again these messages, which never went out (suppressed, cancelled), as they were:
    to `phones[id]` when given (her new number), at `not_before[id]` when given. A message kept
    per number (a broadcast) is keyed by its new number; one kept per client takes its key's
    next round. Safe to repeat: the same message remade twice is made once. Returns old id →
    new id of those made now."""
    if not ids:
        return {}
    rows = session.scalars(
        select(OutboundMessage).where(among(session, OutboundMessage.id, ids)).order_by(OutboundMessage.id)
    ).all()
    specs = []
    for m in rows:
        key, phone = next_round(m.idempotency_key), (phones or {}).get(m.id)
        if phone is not None and m.idempotency_key.startswith(f"phone:{m.phone}|"):
            key = family(m.idempotency_key).replace(f"phone:{m.phone}|", f"phone:{phone}|", 1)
        specs.append(
            {
                "client_id": m.client_id,
                "mentor_mother_id": m.mentor_mother_id,
                "broadcast_id": m.broadcast_id,
                "phone": phone or m.phone,
                "purpose": m.purpose,
                "subject": m.subject,
                "version": m.version,
                "template": m.template,
                "language": m.language,
                "body": m.body,
                "facility_id": m.facility_id,
                "appointment_id": m.appointment_id,
                "not_before": (not_before or {}).get(m.id, m.not_before),
                "expires_at": m.expires_at,
                "idempotency_key": key,
            }
        )
    made = create_messages(session, specs, reason=reason)
    return {m.id: new for m, (new, created) in zip(rows, made, strict=True) if created}


def cancel_for_clients(
    session: Session, client_ids: list[int], reason: str, *, now: datetime, purposes: tuple[str, ...] | None = None
) -> list[int]:
    """Cancel every message to these clients that is not out yet (of `purposes`, when given)."""
    return _cancel(session, OutboundMessage.client_id, client_ids, reason, now, purposes)


def cancel_waiting(
    session: Session,
    subjects: list[str],
    reason: str,
    *,
    now: datetime,
    purposes: tuple[str, ...] | None = None,
    version: int | None = None,
) -> list[int]:
    """Cancel the messages about these subjects that are not out yet (scheduled or queued);
    only those of `purposes` or `version` when given. Returns the ids cancelled."""
    return _cancel(session, OutboundMessage.subject, subjects, reason, now, purposes, version)


def _cancel(
    session: Session,
    column,
    values: list,
    reason: str,
    now: datetime,
    purposes: tuple[str, ...] | None,
    version: int | None = None,
) -> list[int]:
    """Cancel the waiting messages whose `column` is among `values` (of `purposes`, `version`)."""
    if not values:
        return []
    waiting = select(OutboundMessage.id).where(among(session, column, values), OutboundMessage.status.in_(WAITING))
    if purposes is not None:
        waiting = waiting.where(OutboundMessage.purpose.in_(purposes))
    if version is not None:
        waiting = waiting.where(OutboundMessage.version == version)
    return transition(session, list(session.scalars(waiting)), "cancelled", reason, now=now)


def transition(
    session: Session,
    ids: list[int],
    to: str,
    reason: str | None = None,
    *,
    only_from: tuple[str, ...] | None = None,
    now: datetime | None = None,
    **values,
) -> list[int]:
    """Move messages to `to` where allowed (and only from `only_from` if given); returns the ids
    that moved. Conditional on the stored status, so two workers never both move one message."""
    if not ids:
        return []
    sources = [s for s, targets in ALLOWED.items() if to in targets]
    if only_from is not None:
        sources = [s for s in sources if s in only_from]
    now = now or utcnow()
    table = table_of(OutboundMessage)  # Core, not ORM: no session synchronisation to pay for
    status = not_by_its_index(session, table.c.status)  # the ids are what is selective
    rows = session.execute(
        update(table)
        .where(among(session, table.c.id, ids), status.in_(sources))
        .values(status=to, updated_at=now, **values)
        .returning(table.c.id, table.c.purpose),
    ).all()
    moved = [row[0] for row in rows]
    record_history(session, moved, to, reason, now)
    if to in ("sent", "delivered", "failed", "suppressed", "expired"):
        follow_outcome(session, rows, to, reason, now)
    return moved


def follow_outcome(session: Session, messages, status: str, reason: str | None, now: datetime) -> None:
    """What became of messages the service follows up (`FOLLOWED`, given as (id, purpose)):
    out, delivered, failed, suppressed, expired, or "absent" (her phone off). Every path by
    which a message reaches an outcome calls this."""
    by_purpose: dict[str, list[int]] = {}
    for message_id, purpose in messages:
        if purpose in FOLLOWED:
            by_purpose.setdefault(purpose, []).append(message_id)
    for purpose, ids in by_purpose.items():
        reactions.emit(f"message_outcome:{purpose}", session, ids, status, reason, now)


def record_history(session: Session, ids: list[int], status: str, reason: str | None, at: datetime) -> None:
    """One status event per message (a single statement)."""
    insert_for_each(
        session, MessageStatusEvent.__table__, "message_id", ids, {"status": status, "reason": reason, "at": at}
    )
