"""The record (SPEC non-negotiable 2): every model, importable from one place."""

from ..db import Base
from .accounts import LoginSession, User
from .clients import (
    APPOINTMENT_KINDS,
    LANGUAGES,
    STAGES,
    Appointment,
    Client,
    Infant,
    LifeEvent,
    Transfer,
    TransferEvent,
)
from .directory import Facility, MentorMother
from .messages import (
    FINAL_STATUSES,
    Broadcast,
    DeliveryReport,
    InboundMessage,
    MessageStatusEvent,
    OutboundMessage,
    QuickReply,
)
from .work import ApiToken, AuditEntry, AuditLogIsAppendOnly, ConsentEvent, FollowUpTask, UssdSession

__all__ = [
    "APPOINTMENT_KINDS",
    "LANGUAGES",
    "STAGES",
    "FINAL_STATUSES",
    "Appointment",
    "AuditEntry",
    "AuditLogIsAppendOnly",
    "Base",
    "Broadcast",
    "Client",
    "ConsentEvent",
    "DeliveryReport",
    "Facility",
    "FollowUpTask",
    "InboundMessage",
    "Infant",
    "LifeEvent",
    "LoginSession",
    "MentorMother",
    "MessageStatusEvent",
    "OutboundMessage",
    "QuickReply",
    "Transfer",
    "TransferEvent",
    "UssdSession",
    "ApiToken",
    "User",
]
