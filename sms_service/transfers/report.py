"""Progress of transfers, per closing site and receiving clinic, and who needs following up.

Counts: `clients` in all; `planned` not notified yet; `notified`, `delivered` (the notice's
delivery report) and `acknowledged` count everyone who got that far, whatever came after;
`arrived`, `lost` (to follow-up) and `other` (moved elsewhere, declined, died, cancelled) are
where each transfer ended. A transfer sent on (`rerouted`: its clinic closed before she arrived)
is left out: the transfer that replaced it counts her. Beside them, `muted()`: how many of these
clients get no messages at all, whatever the transfer's state, and why (died, moved away, STOP,
her network).
"""

from __future__ import annotations

import io
from collections import Counter
from dataclasses import asdict, dataclass

from sqlalchemy import String, case, cast, func, literal, select
from sqlalchemy.orm import Session, aliased

from .. import csvio
from ..models import Client, Facility, FollowUpTask, MentorMother, OutboundMessage, Transfer
from ..outbound import eligibility
from ..outbound.eligibility import muted_clients as mutes_of
from .states import ENDINGS

COUNTS = ("clients", "planned", "notified", "delivered", "acknowledged", "arrived", "lost", "other")


@dataclass
class Line:
    site: str
    clinic: str
    clients: int = 0
    planned: int = 0
    notified: int = 0
    delivered: int = 0
    acknowledged: int = 0
    arrived: int = 0
    lost: int = 0
    other: int = 0


@dataclass
class Need:
    client_id: str
    first_name: str
    mentor_mother: str
    site: str
    clinic: str
    status: str
    tasks: str


def _scoped(query, scope):
    return scope(query) if scope is not None else query


def progress(session: Session, site: str | None = None, scope=None) -> tuple[list[Line], list[Need]]:
    """The counts and the list of those needing follow-up (an open task about the transfer).
    `scope(query)`: narrows the queries to what the caller may see (the API's roles)."""
    source, target = aliased(Facility), aliased(Facility)
    other = [s for s in ENDINGS if s not in ("arrived", "lost_to_follow_up", "rerouted")]

    def count(condition):
        return func.sum(case((condition, 1), else_=0))

    query = (
        select(
            source.code,
            target.code,
            func.count(),
            count(Transfer.status == "planned"),
            count(Transfer.notified_at.is_not(None)),
            count(OutboundMessage.status == "delivered"),
            count(Transfer.acknowledged_at.is_not(None)),
            count(Transfer.status == "arrived"),
            count(Transfer.status == "lost_to_follow_up"),
            count(Transfer.status.in_(other)),
        )
        .select_from(Transfer)
        .join(Client, Client.id == Transfer.client_id)
        .join(source, source.id == Transfer.from_facility_id)
        .join(target, target.id == Transfer.to_facility_id)
        .outerjoin(OutboundMessage, OutboundMessage.id == Transfer.notice_message_id)
        .where(Transfer.status != "rerouted")
        .group_by(source.code, target.code)
        .order_by(source.code, target.code)
    )
    if site:
        query = query.where(source.code == site)
    lines = [Line(a, b, *(int(v or 0) for v in rest)) for a, b, *rest in session.execute(_scoped(query, scope))]
    needs = (
        select(
            Client.external_id,
            Client.first_name,
            func.coalesce(MentorMother.code, "-"),
            source.code,
            target.code,
            Transfer.status,
            FollowUpTask.kind,
        )
        .select_from(FollowUpTask)
        .join(Transfer, FollowUpTask.subject == literal("transfer:") + cast(Transfer.id, String))
        .join(Client, Client.id == Transfer.client_id)
        .outerjoin(MentorMother, MentorMother.id == Client.mentor_mother_id)
        .join(source, source.id == Transfer.from_facility_id)
        .join(target, target.id == Transfer.to_facility_id)
        .where(FollowUpTask.status == "open")
        .order_by(source.code, Client.external_id, FollowUpTask.id)
    )
    if site:
        needs = needs.where(source.code == site)
    listed: dict[str, Need] = {}
    for ext, first, mm, a, b, status, kind in session.execute(_scoped(needs, scope)):
        need = listed.setdefault(ext, Need(ext, first, mm, a, b, status, ""))
        need.tasks = ", ".join(filter(None, [need.tasks, kind]))
    return lines, list(listed.values())


def muted(session: Session, site: str | None = None, scope=None) -> dict[str, int]:
    """Of the clients of these transfers, how many get no messages, by why (`eligibility.muted`):
    died, moved_away, inactive, network_block, opted_out."""
    source = aliased(Facility)
    query = (
        select(Client)
        .join(Transfer, Transfer.client_id == Client.id)
        .join(source, source.id == Transfer.from_facility_id)
        .where(~eligibility.in_care_and_reachable())
    )
    if site:
        query = query.where(source.code == site)
    clients = list({c.id: c for c in session.scalars(_scoped(query, scope))}.values())
    return dict(Counter(reason for reason in mutes_of(session, clients).values() if reason))


def muted_line(counts: dict[str, int]) -> str:
    return "Getting no messages: " + (", ".join(f"{n} {why}" for why, n in sorted(counts.items())) or "nobody")


def as_text(lines: list[Line], needs: list[Need]) -> str:
    if not lines:
        return "No transfers."
    header = f"{'site':10} {'clinic':10} " + " ".join(f"{c:>12}" for c in COUNTS)
    out = [header] + [
        f"{ln.site:10} {ln.clinic:10} " + " ".join(f"{getattr(ln, c):>12}" for c in COUNTS) for ln in lines
    ]
    if len(lines) > 1:
        out.append(f"{'all':21} " + " ".join(f"{sum(getattr(ln, c) for ln in lines):>12}" for c in COUNTS))
    out.append("")
    out.append(f"Needing follow-up: {len(needs)}")
    out += [
        f"  {n.client_id} {n.first_name} (Mentor Mother {n.mentor_mother}, {n.site} -> {n.clinic}, "
        f"{n.status}): {n.tasks}"
        for n in needs
    ]
    return "\n".join(out)


def as_csv(lines: list[Line], needs: list[Need], silent: dict[str, int] | None = None) -> str:
    """The counts, then a blank line, then those needing follow-up; then (`silent`, from
    `muted()`) a blank line and who gets no messages, by why."""
    out = io.StringIO()
    writer = csvio.Writer(out)
    writer.writerow(["site", "clinic", *COUNTS])
    writer.writerows([list(asdict(ln).values()) for ln in lines])
    writer.writerow([])
    writer.writerow(["client_id", "first_name", "mentor_mother", "site", "clinic", "status", "tasks"])
    writer.writerows([list(asdict(n).values()) for n in needs])
    if silent is not None:
        writer.writerow([])
        writer.writerow(["getting_no_messages", "clients"])
        writer.writerows(sorted(silent.items()))
    return out.getvalue()
