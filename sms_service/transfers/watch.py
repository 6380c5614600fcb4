"""What the scheduler does for transfers on every tick (and `sms-service transfers follow-up`):
the ladder's due steps, choices of clinic whose time is up, and the check-ins."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from . import check_in, choice
from .ladder import follow_up

if TYPE_CHECKING:
    from ..config import Config


def watch(session: Session, now: datetime, config: Config) -> dict[str, int]:
    done = follow_up(session, now, config)
    done["choices_defaulted"] = choice.default_stands(session, now, config)
    done["check_ins"] = check_in.ask(session, now, config)
    done["check_ins_unanswered"] = check_in.no_answer(session, now, config)
    return done
