"""What a transfer says to the client: the notice (care.md's six items), the day-3 reminder and
the arrival check; and what the service does when a notice went out or could not.

Every message names the receiving clinic (`facility_id`), so the sender suppresses it if that
clinic closes in turn; none names the closing site as the place to go.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from ..db import among
from ..followup.notes import note
from ..followup.store import close_tasks, open_tasks
from ..models import Client, Facility, MentorMother, Transfer
from ..outbound import eligibility
from ..outbound.messages import PURPOSES, create_messages
from ..outbound.send_window import next_send_time
from ..texts.render import format_date, language_of, place_values, render
from .states import move_many, subject

if TYPE_CHECKING:
    from ..config import Config

NOTICE_KEEPS = timedelta(days=14)  # a notice not out by 14 days after the effective date is stale
FOLLOW_UP_KEEPS = timedelta(days=3)
CHECK_IN_KEEPS = timedelta(days=1)  # a check-in is about today: not sent a day late
# the messages a transfer sends: purpose, version of its idempotency key, template with / without USSD
MESSAGES = {
    "notice": ("transfer_notice", 1, "transfer.notice", "transfer.notice_sms"),
    "reminder": ("transfer_follow_up", 1, "transfer.reminder", "transfer.reminder"),
    "arrival_check": ("transfer_follow_up", 2, "transfer.arrival_check", "transfer.arrival_check_sms"),
    "check_in": ("transfer_follow_up", 3, "transfer.check_in", "transfer.check_in"),
}
# the notice of a chained closure (her clinic-to-be closes in turn), and of a choice of clinic
CORRECTION = ("transfer.correction", "transfer.correction_sms")
CHOICE, CORRECTION_CHOICE = "transfer.choice", "transfer.correction_choice"
CHOICE_TEMPLATES = frozenset({CHOICE, CORRECTION_CHOICE})  # a reply 1, 2, 3 (or a name) picks a clinic


@dataclass(frozen=True)
class Recipient:
    transfer_id: int
    client_id: int
    first_name: str
    language: str
    phone: str
    her: eligibility.Her  # what her record says, for `eligibility`
    effective_date: date
    to: Facility
    mentor_name: str | None
    mentor_phone: str | None
    offer: tuple[Facility, ...] = ()  # a choice of clinic still open: the clinics offered, `to` first
    choose_by: date | None = None
    old_clinic: Facility | None = None  # a chained closure: the clinic she was going to, now closing

    @property
    def opted_out(self) -> bool:
        return self.her.opted_out

    def held(self, purpose: str, today: date) -> str | None:
        """Why a message of `purpose` about this transfer may not go to her now (`eligibility`)."""
        return eligibility.refusal(self.her, eligibility.About(purpose, facility_closed_on=self.to.closed_on), today)


def recipients(session: Session, transfer_ids: list[int]) -> list[Recipient]:
    """The clients of these transfers with what their messages name, in one read."""
    to = aliased(Facility)
    rows = session.execute(
        select(
            Transfer.id,
            Transfer.client_id,
            Client.first_name,
            Client.language,
            Client.phone,
            *eligibility.her_columns(),
            Transfer.effective_date,
            to,
            MentorMother.name,
            MentorMother.phone,
            MentorMother.active,
            Transfer.offer,
            Transfer.choose_by,
            Transfer.replaces_id,
        )
        .join(Client, Client.id == Transfer.client_id)
        .join(to, to.id == Transfer.to_facility_id)
        .outerjoin(MentorMother, MentorMother.id == Client.mentor_mother_id)
        .where(among(session, Transfer.id, transfer_ids))
        .order_by(Transfer.id)
    ).all()
    offered = {int(i) for *_, offer, by, _ in rows if offer and by for i in offer.split(",") if i}
    replaced = [r for *_, r in rows if r is not None]
    old = (
        dict(
            session.execute(
                select(Transfer.id, Facility)
                .join(Facility, Facility.id == Transfer.to_facility_id)
                .where(among(session, Transfer.id, replaced))
            ).all()
        )
        if replaced
        else {}
    )
    clinics = (
        {f.id: f for f in session.scalars(select(Facility).where(among(session, Facility.id, list(offered))))}
        if offered
        else {}
    )
    return [
        Recipient(
            tid,
            cid,
            first,
            language_of(lang),
            phone,
            eligibility.her_of(*her),
            day,
            facility,
            mm_name if active else None,
            mm_phone if active else None,
            tuple(clinics[int(i)] for i in offer.split(",") if i) if offer and by else (),
            by if offer else None,
            old.get(replaces),
        )
        for tid, cid, first, lang, phone, *her, day, facility, mm_name, mm_phone, active, offer, by, replaces in rows
    ]


def choices_text(offer: Sequence[Facility | None], language: str) -> str:
    """ "1 for A, 2 for B or 3 for C" (Kiswahili "1 kwa A, 2 kwa B au 3 kwa C"); a clinic
    withdrawn (None) leaves its number out."""
    sw = language_of(language) == "sw"
    said = [f"{i} {'kwa' if sw else 'for'} {f.name}" for i, f in enumerate(offer, 1) if f is not None]
    return said[0] if len(said) == 1 else f"{', '.join(said[:-1])} {'au' if sw else 'or'} {said[-1]}"


def template_of(which: str, r: Recipient, ussd_code: str | None) -> str:
    """The template of the message `which` for this client: a notice offers her choice, or
    corrects an earlier notice when the clinic it named closes in turn."""
    _, _, with_ussd, without = MESSAGES[which]
    if which == "notice" and r.offer:
        return CORRECTION_CHOICE if r.old_clinic is not None else CHOICE
    if which == "notice" and r.old_clinic is not None:
        return CORRECTION[0] if ussd_code else CORRECTION[1]
    return with_ussd if ussd_code else without


def text(which: str, r: Recipient, ussd_code: str | None) -> str:
    """The message `which` (notice, reminder, arrival_check) for this client, in her language."""
    place = place_values(r.to, r.language)
    # whom to call if stuck: her Mentor Mother, else the new clinic
    contact = (r.mentor_name, r.mentor_phone) if r.mentor_phone else (r.to.name, place["facility_phone"])
    return render(
        template_of(which, r, ussd_code),
        r.language,
        old_clinic=r.old_clinic.name if r.old_clinic is not None else "",
        choices=choices_text(r.offer, r.language) if r.offer else "",
        choose_by=format_date(r.choose_by, r.language) if r.choose_by else "",
        first_name=r.first_name,
        date=format_date(r.effective_date, r.language),
        **place,
        mm_name=contact[0],
        mm_phone=contact[1],
        ussd_code=ussd_code or "",
    )


def create(
    session: Session,
    which: str,
    people: list[Recipient],
    *,
    now: datetime,
    config: Config,
    at: datetime | None = None,
) -> list[tuple[int, int]]:
    """The `which` message for each: (transfer id, message id); made once per transfer whatever
    is repeated. Scheduled for the purpose's next send window (from `at`, by default now)."""
    purpose, version, _, _ = MESSAGES[which]
    not_before = next_send_time(max(at or now, now), PURPOSES[purpose].window, config.tz)
    specs = []
    for r in people:
        if which == "notice":
            end_day = max(r.effective_date, now.astimezone(config.tz).date()) + NOTICE_KEEPS
            expires = datetime.combine(end_day, time(23, 59), tzinfo=config.tz)
        else:
            expires = not_before + (CHECK_IN_KEEPS if which == "check_in" else FOLLOW_UP_KEEPS)
        specs.append(
            {
                "phone": r.phone,
                "client_id": r.client_id,
                "purpose": purpose,
                "subject": subject(r.transfer_id),
                "version": version,
                "template": template_of(which, r, config.ussd_code),
                "language": r.language,
                "body": text(which, r, config.ussd_code),
                "facility_id": r.to.id,
                "not_before": not_before,
                "expires_at": expires,
            }
        )
    made = create_messages(session, specs)
    return [(r.transfer_id, message_id) for r, (message_id, _) in zip(people, made, strict=True)]


def after_outcome(session: Session, message_ids: list[int], status: str, reason: str | None, now: datetime) -> None:
    """A transfer notice's outcome. Out to the network (or delivered): the transfer is notified.
    Failed, suppressed, expired, or her phone off: a task for her Mentor Mother at once."""
    found = session.execute(
        select(Transfer.id, Transfer.client_id, Transfer.status).where(
            among(session, Transfer.notice_message_id, message_ids)
        )
    ).all()
    if not found:
        return
    if status in ("sent", "delivered"):
        move_many(
            session,
            [tid for tid, _, state in found if state == "planned"],
            "planned",
            "notified",
            cause="gateway",
            actor="gateway",
            now=now,
            detail="notice accepted by the network",
        )
        if status == "delivered":  # her phone was off, and the notice reached her later
            close_tasks(
                session,
                [subject(tid) for tid, _, _ in found],
                "notice delivered later",
                now=now,
                kinds=("transfer_notice_failed",),
            )
        return
    why = reason or status  # a code: the note says it in the reader's words
    today = now.date()  # only the task's due date: the local day is close enough
    open_tasks(
        session,
        [
            {
                "client_id": cid,
                "kind": "transfer_notice_failed",
                "subject": subject(tid),
                "dedupe_key": f"transfer_notice_failed:{tid}",
                **note("transfer_notice_failed", why=why),
            }
            for tid, cid, state in found
            if state in ("planned", "notified")
        ],
        now=now,
        today=today,
    )
