"""The transfers board as a manager reads it on a phone.

- per closing site and receiving clinic, by name: how far each transfer got, a totals row, and
  the share arrived;
- per Mentor Mother: her clients' arrivals by day 30 against `TRANSFER_ARRIVAL_GOAL`;
- the funnel notified → delivered → confirmed → arrived by days since the effective date: for
  each checkpoint day, of the transfers whose day has come, how many had got that far by then
  (`svg.funnel` draws it);
- who needs following up, in words, each with her client page.

A transfer sent on (its clinic closed before she arrived: `rerouted`) is counted once, under
the transfer that replaced it; the rows say how many were sent on. Every figure is one grouped
read: the board of 130,000 transfers answers within the dashboard's budget.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from time import monotonic
from typing import TYPE_CHECKING
from weakref import WeakKeyDictionary

from sqlalchemy import Engine, case, func, literal, select
from sqlalchemy.orm import Session, aliased

from .. import csvio
from ..db import UTCDateTime
from ..models import Client, Facility, FollowUpTask, MentorMother, OutboundMessage, Transfer
from ..models.statuses import TransferStatus as S
from .report import muted

if TYPE_CHECKING:
    from ..config import Config

CHECKPOINTS = (0, 3, 7, 14, 30)  # days since the effective date
STAGES = ("notified", "delivered", "acknowledged", "arrived")
GOAL_DAY = 30
MAX_DATES = 400  # distinct effective dates the funnel reads in one statement
OTHER = (S.MOVED_ELSEWHERE, S.DECLINED, S.DIED, S.CANCELLED)
NEEDS_SHOWN = 200


@dataclass
class Row:
    site: str
    site_name: str
    clinic: str
    clinic_name: str
    clients: int = 0  # not counting those sent on
    planned: int = 0
    notified: int = 0
    delivered: int = 0
    acknowledged: int = 0
    arrived: int = 0
    lost: int = 0
    other: int = 0
    sent_on: int = 0  # her clinic closed in turn: a new transfer sends her on

    @property
    def share(self) -> float | None:
        return self.arrived / self.clients if self.clients else None

    def add(self, other: Row) -> None:
        for name in FIGURES:
            setattr(self, name, getattr(self, name) + getattr(other, name))


FIGURES = ("clients", "planned", "notified", "delivered", "acknowledged", "arrived", "lost", "other", "sent_on")


@dataclass
class Mentor:
    code: str
    name: str
    clients: int
    arrived: int
    due: int  # transfers whose day 30 has come
    by_goal_day: int  # of those, arrived by day 30

    def share(self) -> float | None:
        return self.by_goal_day / self.due if self.due else None


@dataclass
class Point:
    day: int
    cohort: int  # transfers whose day has come
    notified: int = 0
    delivered: int = 0
    acknowledged: int = 0
    arrived: int = 0


@dataclass
class Need:
    client_pk: int
    client_id: str
    first_name: str
    mentor_mother: str
    clinic_name: str
    status: str
    kinds: list[str] = field(default_factory=list)


@dataclass
class Board:
    made_at: datetime
    rows: list[Row]
    total: Row
    mentors: list[Mentor]
    funnel: list[Point]
    needs: list[Need]
    needs_count: int
    muted: dict[str, int]
    goal: float
    today: date

    def below_goal(self, mentor: Mentor) -> bool:
        share = mentor.share()
        return share is not None and share < self.goal


CACHE_SECONDS = 30.0  # the whole programme's board, computed at most this often per process
# per engine (a process's database), as the USSD directory: a new engine starts empty
_CACHE: WeakKeyDictionary[Engine, dict[str, tuple[float, Board]]] = WeakKeyDictionary()


def board(
    session: Session,
    now: datetime,
    config: Config,
    scope=None,
    *,
    clients_scoped: bool = False,
    cache_key: str | None = None,
) -> Board:
    """The board for what `scope(query)` lets the caller see (None: everything); `clients_scoped`
    when the scope reads the client's row (a Mentor Mother's: her clients). With `cache_key`
    (the whole programme's board, which reads every transfer: about 0.4 s at 130,000) it is
    kept for `CACHE_SECONDS` in this process, and the page says when it was made: while notices
    go out every transfer moves each second, so a board made again at each change would be made
    at every request."""
    kept_here = _CACHE.setdefault(session.get_bind().engine, {}) if cache_key is not None else {}
    if cache_key is not None:
        kept = kept_here.get(cache_key)
        if kept is not None and monotonic() - kept[0] < CACHE_SECONDS:
            return kept[1]
    today = config.today(now)

    def scoped(query):
        if clients_scoped:
            query = query.join(Client, Client.id == Transfer.client_id)
        return scope(query) if scope is not None else query

    names = dict(session.execute(select(Facility.id, Facility.name)).all())
    rows = _rows(session, scoped, names)
    total = Row("", "", "", "")
    for row in rows:
        total.add(row)
    cohorts = _cohorts(session, scoped)
    needs, count = _needs(session, scope)
    made = Board(
        made_at=now,
        rows=rows,
        total=total,
        mentors=_mentors(session, scope, cohorts, today, config),
        funnel=_funnel(session, scoped, cohorts, today, config),
        needs=needs,
        needs_count=count,
        muted=muted(session, scope=scope),
        goal=config.transfer_arrival_goal,
        today=today,
    )
    if cache_key is not None:
        kept_here[cache_key] = (monotonic(), made)
    return made


def _count(condition):
    return func.sum(case((condition, 1), else_=0))


def _rows(session: Session, scoped, names: dict[int, str]) -> list[Row]:
    counted = Transfer.status != S.REROUTED
    query = (
        select(
            Transfer.from_facility_id,
            Transfer.to_facility_id,
            _count(counted),
            _count(Transfer.status == S.PLANNED),
            _count(counted & Transfer.notified_at.is_not(None)),
            _count(counted & (OutboundMessage.status == "delivered")),
            _count(counted & Transfer.acknowledged_at.is_not(None)),
            _count(Transfer.status == S.ARRIVED),
            _count(Transfer.status == S.LOST_TO_FOLLOW_UP),
            _count(Transfer.status.in_(OTHER)),
            _count(Transfer.status == S.REROUTED),
        )
        .select_from(Transfer)
        .outerjoin(OutboundMessage, OutboundMessage.id == Transfer.notice_message_id)
        .group_by(Transfer.from_facility_id, Transfer.to_facility_id)
    )
    codes = dict(session.execute(select(Facility.id, Facility.code)).all())
    found = [
        Row(codes[a], names[a], codes[b], names[b], *(int(v or 0) for v in rest))
        for a, b, *rest in session.execute(scoped(query))
    ]
    return sorted(found, key=lambda r: (r.site_name, r.clinic_name))


def _cohorts(session: Session, scoped) -> dict[date, int]:
    """Transfers (not sent on) per effective date."""
    query = select(Transfer.effective_date, func.count()).where(Transfer.status != S.REROUTED)
    return dict(session.execute(scoped(query.group_by(Transfer.effective_date))).all())


def _deadline(dates: list[date], days: int, config: Config):
    """SQL: the first moment after day `days` since the transfer's effective date (local midnight)."""

    def moment(day: date) -> datetime:
        return datetime.combine(day + timedelta(days=days + 1), time(0), tzinfo=config.tz).astimezone(UTC)

    return case(
        *((Transfer.effective_date == d, literal(moment(d), UTCDateTime())) for d in dates),
        else_=literal(None, UTCDateTime()),
    )


def _mentors(session: Session, scope, cohorts: dict[date, int], today: date, config: Config) -> list[Mentor]:
    dates = sorted(cohorts)[:MAX_DATES]
    if not dates:
        return []
    came = today - timedelta(days=GOAL_DAY)
    due = [d for d in dates if d <= came]
    by_goal_day = (
        _count((Transfer.status == S.ARRIVED) & (Transfer.arrived_at < _deadline(due, GOAL_DAY, config)))
        if due
        else literal(0)
    )
    query = (
        select(
            Client.mentor_mother_id,
            func.count(),
            _count(Transfer.status == S.ARRIVED),
            _count(Transfer.effective_date <= came),
            by_goal_day,
        )
        .select_from(Transfer)
        .join(Client, Client.id == Transfer.client_id)
        .where(Transfer.status != S.REROUTED, Client.mentor_mother_id.is_not(None))
        .group_by(Client.mentor_mother_id)
    )
    if scope is not None:
        query = scope(query)
    mentors = {
        i: (code, name)
        for i, code, name in session.execute(select(MentorMother.id, MentorMother.code, MentorMother.name))
    }
    found = [Mentor(*mentors[i], *(int(v or 0) for v in rest)) for i, *rest in session.execute(query)]
    return sorted(found, key=lambda m: m.name)


def _funnel(session: Session, scoped, cohorts: dict[date, int], today: date, config: Config) -> list[Point]:
    dates = sorted(cohorts)[:MAX_DATES]
    if not dates:
        return []
    stamps = {
        "notified": Transfer.notified_at,
        "delivered": case((OutboundMessage.status == "delivered", OutboundMessage.sent_at)),
        "acknowledged": Transfer.acknowledged_at,
        "arrived": case((Transfer.status == S.ARRIVED, Transfer.arrived_at)),
    }
    points = []
    columns = []
    for day in CHECKPOINTS:
        reached = [d for d in dates if d <= today - timedelta(days=day)]
        points.append(Point(day, sum(cohorts[d] for d in reached)))
        if reached:  # only the transfers whose day has come, each against its own day's end
            deadline = _deadline(reached, day, config)
            columns += [_count(stamp < deadline) for stamp in stamps.values()]
    if not columns:
        return points
    query = (
        select(*columns)
        .select_from(Transfer)
        .outerjoin(OutboundMessage, OutboundMessage.id == Transfer.notice_message_id)
        .where(Transfer.status != S.REROUTED, Transfer.effective_date <= today)
    )
    figures = iter(int(v or 0) for v in session.execute(scoped(query)).one())
    for point in points:
        if point.cohort:
            point.notified, point.delivered, point.acknowledged, point.arrived = (next(figures) for _ in STAGES)
    return points


def _needs(session: Session, scope) -> tuple[list[Need], int]:
    """Clients with an open task about their transfer, soonest due first (at most NEEDS_SHOWN of
    them), and how many there are."""
    target = aliased(Facility)

    def narrowed(query):
        query = (
            query.join(Transfer, Transfer.id == FollowUpTask.transfer_id)
            .join(Client, Client.id == Transfer.client_id)
            .where(FollowUpTask.status == "open", FollowUpTask.transfer_id.is_not(None))
        )
        return scope(query) if scope is not None else query

    query = narrowed(
        select(
            Client.id,
            Client.external_id,
            Client.first_name,
            Client.mentor_mother_id,
            target.name,
            Transfer.status,
            FollowUpTask.kind,
        ).select_from(FollowUpTask)
    ).join(target, target.id == Transfer.to_facility_id)
    mentors = dict(session.execute(select(MentorMother.id, MentorMother.name)).all())
    listed: dict[int, Need] = {}
    rows = session.execute(query.order_by(FollowUpTask.due_on, FollowUpTask.id).limit(NEEDS_SHOWN * 10))
    for pk, ext, first, mm, clinic, status, kind in rows:
        need = listed.get(pk)
        if need is None:
            if len(listed) >= NEEDS_SHOWN:
                continue
            need = listed[pk] = Need(pk, ext, first, mentors.get(mm, ""), clinic, status)
        if kind not in need.kinds:
            need.kinds.append(kind)
    count = session.scalar(narrowed(select(func.count(func.distinct(Transfer.client_id))).select_from(FollowUpTask)))
    return list(listed.values()), int(count or 0)


def as_csv(b: Board, words) -> str:
    """What the board shows, as CSV (safe in a spreadsheet): the clinics with the totals row, the
    Mentor Mothers against the goal, the funnel, and who needs following up. `words(key)` says a
    kind or status as the reader reads it."""
    out = io.StringIO()
    w = csvio.Writer(out)
    w.writerow(["closing_site", "receiving_clinic", *FIGURES, "share_arrived"])
    for row in [*b.rows, b.total]:
        w.writerow(
            [
                row.site_name or "all",
                row.clinic_name or "all",
                *(getattr(row, f) for f in FIGURES),
                "" if row.share is None else f"{row.share:.2f}",
            ]
        )
    w.writerow([])
    w.writerow(["mentor_mother", "clients", "arrived", "day_30_come", "arrived_by_day_30", "share", "below_goal"])
    for m in b.mentors:
        share = m.share()
        w.writerow(
            [
                m.name,
                m.clients,
                m.arrived,
                m.due,
                m.by_goal_day,
                "" if share is None else f"{share:.2f}",
                "yes" if b.below_goal(m) else "no",
            ]
        )
    w.writerow([])
    w.writerow(["days_since_effective_date", "transfers", *STAGES])
    for p in b.funnel:
        w.writerow([p.day, p.cohort, *(getattr(p, s) for s in STAGES)])
    w.writerow([])
    w.writerow(["client_id", "first_name", "mentor_mother", "receiving_clinic", "status", "needs"])
    for n in b.needs:
        w.writerow(
            [
                n.client_id,
                n.first_name,
                n.mentor_mother,
                n.clinic_name,
                words(f"transfer.{n.status}"),
                "; ".join(words(f"task.{k}") for k in n.kinds),
            ]
        )
    return out.getvalue()
