"""The record as people see it: the dashboard's pages and the REST API ask the same functions,
each narrowed to what the caller may see (`access`): clients, messages, transfers, broadcasts,
and a person's follow-up work (`work`: her list, and a task done with its outcome). A page is a
bounded list and the id to continue from."""

from __future__ import annotations

from dataclasses import dataclass, field

PAGE = 100
MAX_ID = 2**31 - 1  # ids are 32-bit integers in the schema; a larger number names no row


@dataclass
class Page:
    items: list = field(default_factory=list)
    next_id: int | None = None  # pass as after_id (or before_id, newest-first lists) for the next page


def page_of(
    session,
    query,
    id_column,
    *,
    after_id: int | None = None,
    before_id: int | None = None,
    limit: int = PAGE,
    newest_first: bool = False,
) -> Page:
    """One page of `query`'s rows in id order (or newest first), and where the next one starts."""
    if after_id is not None:
        query = query.where(id_column > min(after_id, MAX_ID))
    if before_id is not None:
        query = query.where(id_column < min(before_id, MAX_ID))
    rows = session.execute(query.order_by(id_column.desc() if newest_first else id_column).limit(limit + 1)).all()
    more = len(rows) > limit
    rows = rows[:limit]
    last = rows[-1] if rows else None
    return Page([r if len(r) > 1 else r[0] for r in rows], _id_of(last) if more else None)


def _id_of(row) -> int:
    first = row[0]
    return first if isinstance(first, int) else first.id
