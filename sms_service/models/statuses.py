"""Every status word the record holds, defined once. The columns store the words themselves
(these are `str`s), so a stored row, a test and an export read the same as before.

Lifecycles (which word may follow which) live with the code that moves them: messages in
`outbound.messages`, transfers in `transfers.states`, visits in `reminders.visits`."""

from __future__ import annotations

from enum import StrEnum


class MessageStatus(StrEnum):
    """An outbound message: scheduled → queued → sending → sent → delivered | failed; also
    unknown (the provider's answer lost), expired, cancelled, suppressed."""

    SCHEDULED = "scheduled"
    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    DELIVERED = "delivered"
    FAILED = "failed"
    UNKNOWN = "unknown"
    EXPIRED = "expired"
    CANCELLED = "cancelled"
    SUPPRESSED = "suppressed"


MESSAGE_FINAL = (
    MessageStatus.DELIVERED,
    MessageStatus.FAILED,
    MessageStatus.EXPIRED,
    MessageStatus.CANCELLED,
    MessageStatus.SUPPRESSED,
)  # never move again
MESSAGE_WAITING = (MessageStatus.SCHEDULED, MessageStatus.QUEUED)  # made, not out: what an event can hold back


class ReportStatus(StrEnum):
    """A delivery report in our words (the provider's own word is kept beside it)."""

    IN_FLIGHT = "in_flight"
    DELIVERED = "delivered"
    FAILED = "failed"


class TransferStatus(StrEnum):
    PLANNED = "planned"
    NOTIFIED = "notified"
    ACKNOWLEDGED = "acknowledged"
    ARRIVED = "arrived"
    LOST_TO_FOLLOW_UP = "lost_to_follow_up"
    MOVED_ELSEWHERE = "moved_elsewhere"
    DECLINED = "declined"
    DIED = "died"
    CANCELLED = "cancelled"
    REROUTED = "rerouted"  # her clinic closed before she arrived: a new transfer sends her on


TRANSFER_OPEN = (TransferStatus.PLANNED, TransferStatus.NOTIFIED, TransferStatus.ACKNOWLEDGED)
TRANSFER_ENDINGS = (
    TransferStatus.ARRIVED,
    TransferStatus.LOST_TO_FOLLOW_UP,
    TransferStatus.MOVED_ELSEWHERE,
    TransferStatus.DECLINED,
    TransferStatus.DIED,
    TransferStatus.CANCELLED,
    TransferStatus.REROUTED,
)


class VisitStatus(StrEnum):
    """An appointment: scheduled, then attended or cancelled; or, when nobody records it, missed →
    defaulted → lost."""

    SCHEDULED = "scheduled"
    ATTENDED = "attended"
    MISSED = "missed"
    DEFAULTED = "defaulted"
    LOST = "lost"
    CANCELLED = "cancelled"


VISIT_FOLLOWED = (VisitStatus.SCHEDULED, VisitStatus.MISSED, VisitStatus.DEFAULTED)  # reminded of, or followed up
VISIT_CLOSED = (VisitStatus.ATTENDED, VisitStatus.CANCELLED)  # a person recorded what became of it


class TaskStatus(StrEnum):
    OPEN = "open"
    DONE = "done"
    CANCELLED = "cancelled"


class BroadcastStatus(StrEnum):
    AWAITING_CONFIRMATION = "awaiting_confirmation"  # her YES <code>
    AWAITING_APPROVAL = "awaiting_approval"  # someone else's approval
    SCHEDULED = "scheduled"
    SENDING = "sending"
    SENT = "sent"
    CANCELLED = "cancelled"


class ClientStatus(StrEnum):
    ACTIVE = "active"
    INACTIVE = "inactive"


ALL = (MessageStatus, ReportStatus, TransferStatus, VisitStatus, TaskStatus, BroadcastStatus, ClientStatus)
