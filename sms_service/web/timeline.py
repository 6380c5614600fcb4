"""A client's timeline (`records.timeline`) as her page says it: each event's what, detail and
state in the reader's words, from the row it was read from; the API keeps the English."""

from __future__ import annotations

from ..records.clients import Event
from ..texts.dates import on_page
from .labels import label, task_note
from .reader import language


def in_words(e: Event) -> tuple[str, str, str]:
    """(what, detail, state) of one event."""
    r = e.row
    what, detail, state = e.title, e.detail, e.status
    if e.kind == "task":
        what, detail = label("task." + r.kind), task_note(r)
        state = label("task_status." + r.status, default=r.status)
        if r.outcome:
            state += ": " + label("outcome." + r.outcome, default=r.outcome)
    elif e.kind == "life_event":
        what = label("life_kind." + r.kind)
        detail = on_page(r.occurred_on, language()) + (f": {r.note}" if r.note else "")
        state = label("life_status.retracted") if e.status else ""
    elif e.kind == "visit":
        what = label("visit_kind." + r.kind, default=e.title)
        state = label("visit_status." + r.status, default=r.status)
    elif e.kind == "transfer":
        move, transfer = r
        what = label("transfers.going_to", clinic=transfer.to_facility.name)
        detail = label("cause." + move.cause, default=move.cause) + (f": {move.detail}" if move.detail else "")
        state = label("transfer." + move.to_status, default=move.to_status)
    elif e.kind == "consent":
        what = label("consent." + r.kind, default=e.title)
    return f"{label('event.' + e.kind)}: {what}", detail, state
