"""What one part of the service does when something happens in another, registered in one place
(`bootstrap.wire`), so that the part where it happens never imports the part that reacts.

- `message_outcome:transfer_notice` (outbound → transfers): a transfer notice went out, was
  delivered, failed or was held back: the transfer is notified, or a person is asked to tell her;
- `transfer_outcome:died` (transfers → life events): a person recorded the outcome `died` on a
  transfer: her death is recorded, which ends the transfer and everything sent to her.

Each reaction has exactly one follower; `emit` refuses a reaction nobody follows (a process
that was not wired), and a test holds every name here against the wiring.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

KNOWN = frozenset({"message_outcome:transfer_notice", "transfer_outcome:died"})
_followers: dict[str, Callable[..., Any]] = {}


def on(name: str, follower: Callable[..., Any]) -> None:
    """Have `follower` react to `name` (wiring: again with the same follower changes nothing)."""
    if name not in KNOWN:
        raise ValueError(f"unknown reaction {name}: add it to reactions.KNOWN")
    _followers[name] = follower


def emit(name: str, *args: Any, **kwargs: Any) -> Any:
    """React to `name`: its follower's answer."""
    follower = _followers.get(name)
    if follower is None:
        raise RuntimeError(f"nothing follows {name}: the process was not wired (sms_service.bootstrap.wire)")
    return follower(*args, **kwargs)


def unfollowed() -> set[str]:
    """The reactions nobody follows yet."""
    return set(KNOWN) - set(_followers)
