"""Drill 1: a worker SIGKILLed in the middle of a broadcast (a SimpleWorker runs its jobs in its
own process, so this is the work-horse killed mid-job too). A new worker takes over; messages
caught in the API call become `unknown` when the sweeper finds them (after 5 minutes: the drill
runs the sweep as it will be then) and are never sent blindly again.

    python -m drills.worker_killed [--databases sqlite,postgresql] [--size 13000]
"""

from __future__ import annotations

from pathlib import Path

from drills.harness import TEXT, broadcast, counts, programme, stage, sweep_later
from drills.invariants import check
from tests.support.waiting import wait_for


def drill(name: str, folder: Path, size: int, **settings) -> dict:
    with stage(name, folder, SMS_RATE_PER_SECOND="8", **settings) as st:
        st.gateway.delay = 0.05  # each call takes a while: the kill lands mid-call now and then
        programme(st.services, size)
        broadcast(st.services)
        st.start("scheduler")
        worker = st.start("worker", "realtime", "bulk", "default")
        wait_for(lambda: len(st.gateway.accepted) >= size // 3, 120, "a third sent", every=0.2)
        st.kill(worker)
        killed_at = len(st.gateway.accepted)
        st.start("worker", "realtime", "bulk", "default")
        # a job the dead worker had taken but not begun leaves its messages queued with no job:
        # the sweeper hands them over again once they have waited 5 minutes (run now, as then)
        wait_for(
            lambda: (
                not counts(st.services).get("scheduled")
                and not counts(st.services).get("queued")
                and _only_stuck_sending(st)
            ),
            300,
            "everything sent but what the kill caught",
            every=0.5,
            between=lambda: sweep_later(st.services, "queued"),
        )
        sweep_later(st.services, "sending")  # the sweeper, 5 minutes on: what was caught mid-call is unknown
        found = check(st, bodies=(TEXT,))
        found["accepted_when_killed"] = killed_at
        found["statuses"] = counts(st.services)
        return found


def _only_stuck_sending(st) -> bool:
    """Only messages the dead worker held in `sending` are left (nobody else will touch them)."""
    import time

    before = counts(st.services).get("sending", 0)
    time.sleep(1.0)
    return counts(st.services).get("sending", 0) == before


if __name__ == "__main__":
    from drills.common import main

    main(drill, __doc__, 13_000)
