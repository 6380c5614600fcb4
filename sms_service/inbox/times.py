"""How soon clients are answered, per Mentor Mother: of the messages that waited for a person
(her SMS on the list, a danger sign, a date asked for) in the last 30 days, the median and
90th-percentile time from the message to its first answer (an answer typed, or the task done
by a person: a call is an answer too), and the ones still unanswered after 24 and 72 hours.
A task the service closed itself (she died, she moved away) is no one's answer and not counted."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import FollowUpTask, MentorMother

KINDS = ("free_text", "danger_sign", "change_date")  # a client's message waiting for a person
WINDOW = timedelta(days=30)
LATE = (timedelta(hours=24), timedelta(hours=72))


@dataclass
class Times:
    mentor_mother_id: int
    code: str = ""
    name: str = ""
    waits: list[float] = field(default_factory=list)  # seconds to the first answer, sorted
    over_24h: int = 0  # still unanswered after 24 hours
    over_72h: int = 0

    @property
    def answered(self) -> int:
        return len(self.waits)

    @property
    def median(self) -> float | None:
        return _quantile(self.waits, 0.5)

    @property
    def p90(self) -> float | None:
        return _quantile(self.waits, 0.9)


def _quantile(values: list[float], q: float) -> float | None:
    """The nearest-rank quantile: a wait someone really had."""
    if not values:
        return None
    rank = max(1, -(-len(values) * q // 1))  # ceil(n q)
    return values[int(rank) - 1]


def per_mentor(
    session: Session, now: datetime, mentor_ids: list[int] | None = None, *, facility_id: int | None = None
) -> list[Times]:
    """Each active Mentor Mother's answer times (those of `mentor_ids`, or of `facility_id`, when
    given), by name."""
    mentors = select(MentorMother.id, MentorMother.code, MentorMother.name).where(MentorMother.active.is_(True))
    if mentor_ids is not None:
        mentors = mentors.where(MentorMother.id.in_(mentor_ids or [0]))
    if facility_id is not None:
        mentors = mentors.where(MentorMother.facility_id == facility_id)
    found = {mid: Times(mid, code, name) for mid, code, name in session.execute(mentors)}
    if not found:
        return []
    tasks = select(
        FollowUpTask.mentor_mother_id, FollowUpTask.status, FollowUpTask.created_at, FollowUpTask.closed_at
    ).where(FollowUpTask.kind.in_(KINDS), FollowUpTask.mentor_mother_id.in_(list(found)))
    answered = tasks.where(
        FollowUpTask.status == "done", FollowUpTask.closed_by.is_not(None), FollowUpTask.created_at >= now - WINDOW
    )
    waits: dict[int, list[float]] = defaultdict(list)
    for mid, _, made, closed in session.execute(answered):
        if mid is not None and closed is not None:
            waits[mid].append(max(0.0, (closed - made).total_seconds()))
    for mid, _, made, _ in session.execute(
        tasks.where(FollowUpTask.status == "open", FollowUpTask.created_at < now - LATE[0])
    ):
        if mid is not None:
            found[mid].over_24h += 1
            found[mid].over_72h += now - made > LATE[1]
    for mid, values in waits.items():
        found[mid].waits = sorted(values)
    return sorted(found.values(), key=lambda t: t.name)


def worst_first(rows: list[Times], most: int = 20) -> tuple[list[Times], int]:
    """The Mentor Mothers a supervisor should look at first (the most left unanswered, then the
    slowest), of those with any client message; and how many more there are."""
    some = [t for t in rows if t.answered or t.over_24h]
    some.sort(key=lambda t: (-t.over_72h, -t.over_24h, -(t.p90 or 0), t.name))
    return some[:most], max(0, len(some) - most)


def spoken(seconds: float | None) -> str:
    """A wait as a person reads it: "45 min", "3 h 20 min", "2 d 4 h"; "–" when there is none."""
    if seconds is None:
        return "-"
    minutes = int(seconds // 60)
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    days, hours = divmod(hours, 24)
    return f"{days} d {hours} h" if hours else f"{days} d"
