"""Drill 1: a worker SIGKILLed in the middle of a broadcast (a SimpleWorker runs its jobs in its
own process, so this is the work-horse killed mid-job too). A new worker takes over; messages
caught in the API call become `unknown` when the sweeper finds them (after 5 minutes: the drill
runs the sweep as it will be then) and are never sent blindly again.

    python -m drills.worker_killed [--databases sqlite,postgresql] [--size 13000]
"""
from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from drills.harness import TEXT, broadcast, counts, programme, stage, wait_until
from drills.invariants import check


def drill(name: str, folder: Path, size: int, **settings) -> dict:
    from sms_service.db import utcnow
    from sms_service.dispatch import LOST_SENDING, sweep

    with stage(name, folder, SMS_RATE_PER_SECOND="8", **settings) as st:
        st.gateway.delay = 0.05  # each call takes a while: the kill lands mid-call now and then
        programme(st.services, size)
        broadcast(st.services)
        st.start("scheduler")
        worker = st.start("worker", "realtime", "bulk", "default")
        wait_until(lambda: len(st.gateway.accepted) >= size // 3, "a third sent", 120)
        st.kill(worker)
        killed_at = len(st.gateway.accepted)
        st.start("worker", "realtime", "bulk", "default")
        waiting = ("scheduled", "queued", "sending")

        def settled():
            left = counts(st.services)
            return not any(left.get(s) for s in waiting) or (
                not left.get("scheduled") and not left.get("queued") and _only_stuck_sending(st))
        wait_until(settled, "everything sent but what the kill caught", 300)
        later = utcnow() + LOST_SENDING + timedelta(seconds=1)
        sweep(st.services, later)  # the sweeper, 5 minutes on: what was caught mid-call is unknown
        found = check(st, bodies=(TEXT,), now=later)
        found["accepted_when_killed"] = killed_at
        found["statuses"] = counts(st.services)
        return found


def _only_stuck_sending(st) -> bool:
    """Only messages the dead worker held in `sending` are left (nobody else will touch them)."""
    import time

    before = counts(st.services).get("sending", 0)
    time.sleep(1.0)
    after = counts(st.services)
    return after.get("sending", 0) == before and not after.get("queued") and not after.get("scheduled")


if __name__ == "__main__":
    from drills.common import main

    main(drill, __doc__, 13_000)
