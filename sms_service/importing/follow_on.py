"""What a load sets going, whoever loaded it (command, API, dashboard): new and changed visits
get their reminders planned; new transfers start (visits moved, notices made)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from ..db import utcnow
from ..languages import N_, Said

if TYPE_CHECKING:
    from ..config import Config
    from ..transfers.begin import Started


@dataclass
class FollowOn:
    planned: int | None = None  # visit reminders planned (appointments)
    started: Started | None = None  # the transfers begun

    def lines(self) -> list[str]:
        out = [Said(N_("%(n)s visit reminder(s) planned"), n=self.planned)] if self.planned is not None else []
        return out + (self.started.lines() if self.started is not None else [])


def follow_on(session: Session, kind: str, *, config: Config, actor: str, source: str) -> FollowOn:
    if kind == "appointments":
        from ..reminders.planner import plan_pending

        return FollowOn(planned=plan_pending(session, utcnow(), config))
    if kind == "transfers":
        from ..transfers.begin import new_transfers, start

        return FollowOn(
            started=start(session, new_transfers(session), now=utcnow(), config=config, actor=actor, source=source)
        )
    return FollowOn()
