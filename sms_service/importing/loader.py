"""One way to load, whoever loads (the command, the dashboard, the API): the rows in one
transaction, what they set going (`follow_on`), all of it rolled back for a preview or a file
refused whole, and the notices it made handed to the queues once it is committed."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING, Any, cast

from sqlalchemy.orm import Session

from .. import audit
from . import import_csv, import_rows
from .follow_on import FollowOn, follow_on
from .report import ImportReport

if TYPE_CHECKING:
    from ..resources import Services


@dataclass
class Loaded:
    report: ImportReport
    after: FollowOn
    kept: bool  # committed (False: a preview, or the file refused)


def load(
    services: Services,
    kind: str,
    source: str | IO | Iterable[tuple[int, dict]],
    *,
    actor: str,
    origin: str,
    dry_run: bool = False,
    progress: bool = False,
    audit_as: str | None = None,
    name: str = "csv",
    check: Callable[[Session], None] | None = None,
) -> Loaded:
    """Load `source` (a CSV: a path or an open file; or rows: (line, {column: text})) of one kind.

    `check(session)` runs first, in the same transaction (a refusal raised there loads nothing);
    `audit_as` records who loaded it once it is kept; `name` says where new transfers came from
    (csv, api)."""
    config = services.config
    with services.db.session() as session:
        if check is not None:
            check(session)
        if isinstance(source, (str, bytes)) or hasattr(source, "read"):
            report = import_csv(
                session, kind, source, actor=actor, origin=origin, progress=progress, today=config.today()
            )
        else:
            report = import_rows(session, kind, source, actor=actor, origin=origin, source=name, today=config.today())
        after = FollowOn() if report.file_refused else follow_on(session, kind, config=config, actor=actor, source=name)
        kept = not (report.file_refused or dry_run)
        if not kept:
            session.rollback()
        elif audit_as:
            audit.record(session, actor, audit_as, origin=origin, **cast(dict[str, Any], report.counts()))
    if kept and after.started is not None and after.started.notices:
        from ..outbound.dispatch import enqueue_due

        enqueue_due(services)
    return Loaded(report, after, kept)
