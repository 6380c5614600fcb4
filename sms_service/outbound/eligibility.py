"""May this message go to her now? One answer, asked by every place that makes or sends a message
to a client: the reminder planner and the missed-visit step, the transfer notices and their
ladder, broadcasts, and the sender's last look before the gateway (so that a message already
queued when something happens to her is held back too).

What the record says of her is a `Her`; what a message concerns is an `About`. `RULES` is the
whole policy, in order: the first rule that forbids a message names the reason it is held back
(the status history and the dashboard show that word). A new life event is one more line here,
and one more effect in `sms_service.life_events`.

Two questions share the rules:
- `refusal(her, about, today)`: may this message go? (None: it may.)
- `visit_refusal(her, kind, infant_died_on)`: is this visit still part of her care? A visit that
  is not (her baby has died, the pregnancy was lost, she has died or moved away) gets no
  reminder, no missed-visit message and no follow-up: the planner cancels it, naming the reason.

The broadcast audience and the transfer ladder choose clients in SQL, thousands at a time:
`in_care_and_reachable` is the client rules' SQL form, kept beside them and tested against
them for every combination.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import Client, ConsentEvent
from .consent import NETWORK_BLOCKS

PREGNANCY = timedelta(days=280)  # EDD = LMP + 280 days (care.md)


@dataclass(frozen=True)
class Her:
    """What her record says, as far as her messages are concerned."""

    status: str = "active"  # active, inactive
    inactive_reason: str | None = None  # died, moved_away (a life event)
    opted_out: bool = False  # STOP, or her network blocks us
    pregnancy_lost_on: date | None = None
    edd: date | None = None

    @property
    def in_care(self) -> bool:
        return self.status == "active"

    @property
    def lost_this_pregnancy(self) -> bool:
        """A loss was recorded, and no pregnancy begun since is on record."""
        if self.pregnancy_lost_on is None:
            return False
        return self.edd is None or self.edd - PREGNANCY <= self.pregnancy_lost_on


NOBODY = Her()  # a message to a number with no client behind it (a stranger, a Mentor Mother)


@dataclass(frozen=True)
class About:
    """What a message concerns."""

    purpose: str
    essential: bool = False  # goes even to an opted-out number (she asked: a reply)
    visit_kind: str | None = None  # the visit it is about, if any
    infant_died_on: date | None = None  # that visit's infant, if she has died
    facility_closed_on: date | None = None  # the place it names


Rule = Callable[[Her, About, date], bool]

# (reason, concerns a visit's place in her care, forbids the message when true), in order
RULES: list[tuple[str, bool, Rule]] = [
    ("died", True, lambda her, m, today: her.inactive_reason == "died"),
    ("moved_away", True, lambda her, m, today: her.inactive_reason == "moved_away"),
    ("inactive", True, lambda her, m, today: not her.in_care),
    ("infant_died", True, lambda her, m, today: m.infant_died_on is not None),
    ("pregnancy_loss", True, lambda her, m, today: m.visit_kind == "anc" and her.lost_this_pregnancy),
    ("opted_out", False, lambda her, m, today: her.opted_out and not m.essential),
    (
        "facility_closed",
        False,
        lambda her, m, today: m.facility_closed_on is not None and m.facility_closed_on <= today,
    ),
]


def refusal(her: Her, about: About, today: date) -> str | None:
    """Why this message may not go to her now, or None when it may."""
    for reason, _, forbids in RULES:
        if forbids(her, about, today):
            return reason
    return None


def visit_refusal(her: Her, kind: str | None, infant_died_on: date | None) -> str | None:
    """Why this visit is no longer part of her care, or None when it is."""
    about = About("reminder", visit_kind=kind, infant_died_on=infant_died_on)
    for reason, of_visits, forbids in RULES:
        if of_visits and forbids(her, about, date.min):
            return reason
    return None


def her_columns() -> tuple:
    """The client columns `her_of` reads, to add to a SELECT that joins Client."""
    return (Client.status, Client.inactive_reason, Client.opted_out_at, Client.pregnancy_lost_on, Client.edd)


def her_of(status, inactive_reason, opted_out_at, pregnancy_lost_on, edd) -> Her:
    """A `Her` from `her_columns()`'s values; a message with no client behind it is NOBODY's."""
    if status is None:
        return NOBODY
    return Her(status, inactive_reason, opted_out_at is not None, pregnancy_lost_on, edd)


def in_care_and_reachable():
    """SQL: the clients to whom a non-essential message about no visit may go (the rules above
    that concern her alone: in care, not opted out)."""
    return (Client.status == "active") & Client.inactive_reason.is_(None) & Client.opted_out_at.is_(None)


def muted(her: Her, network_blocked: bool = False) -> str | None:
    """Why she gets nothing at all, as the dashboard and the reports say it: died, moved_away,
    inactive, network_block (her network blocks our sender), opted_out (she sent STOP); None
    when she gets her messages."""
    if not her.in_care:
        return her.inactive_reason or "inactive"
    if her.opted_out:
        return "network_block" if network_blocked else "opted_out"
    return None


def muted_clients(session: Session, clients: list[Client]) -> dict[int, str | None]:
    """Client id → why she gets nothing (`muted`: died, moved_away, network_block,
    opted_out), or None; one read for the numbers of those who stopped our messages."""
    stopped = list({c.phone for c in clients if c.opted_out_at is not None})
    latest = (
        dict(
            session.execute(  # in id order: each number's latest opt-out wins
                select(ConsentEvent.phone, ConsentEvent.source)
                .where(ConsentEvent.phone.in_(stopped), ConsentEvent.kind == "opt_out")
                .order_by(ConsentEvent.id)
            ).all()
        )
        if stopped
        else {}
    )
    blocked = {phone for phone, source in latest.items() if source in NETWORK_BLOCKS}
    return {
        c.id: muted(her_of(c.status, c.inactive_reason, c.opted_out_at, c.pregnancy_lost_on, c.edd), c.phone in blocked)
        for c in clients
    }
