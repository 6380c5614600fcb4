"""Drill 2: Redis restarted in the middle of a broadcast, then wiped (FLUSHALL) in the middle of
another. Every job in flight is lost with it; the database still knows every message. Workers
that lose their connection are started again (as the Procfile's supervisor does); the
sweeper hands what was queued to the new queues (after 5 minutes: the drill runs the sweep as
it will be then). Nothing is lost, nothing sent twice.

    python -m drills.redis_lost [--databases sqlite,postgresql] [--size 13000]
"""

from __future__ import annotations

from pathlib import Path

from drills.harness import TEXT, broadcast, counts, programme, stage, sweep_later
from drills.invariants import check
from tests.support.waiting import wait_for

SECOND = "Siku ya chanjo ni Jumanne. Mlete mtoto na kadi yake ya kliniki."


def drill(name: str, folder: Path, size: int) -> dict:
    with stage(name, folder, SMS_RATE_PER_SECOND="5") as st:
        st.gateway.delay = 0.05
        programme(st.services, size)
        found = {"workers_restarted": 0}
        for text, wipe_only in ((TEXT, False), (SECOND, True)):
            broadcast(st.services, text)
            scheduler = st.start("scheduler")
            workers = [st.start("worker", "realtime", "bulk", "default")]
            wait_for(
                lambda text=text: sum(1 for a in st.gateway.accepted if a[1] == text) >= size // 4,
                120,
                "a quarter of the broadcast out",
                every=0.2,
            )
            st.restart_redis(wipe_only=wipe_only)  # on the same port: the processes reconnect, or exit

            def settled(workers=workers):
                left = counts(st.services)
                for child in list(workers):
                    if child.poll() is not None:  # a worker that lost Redis for good: its supervisor restarts it
                        workers.remove(child)
                        workers.append(st.start("worker", "realtime", "bulk", "default"))
                        found["workers_restarted"] += 1
                if left.get("queued"):
                    sweep_later(st.services, "queued")  # the sweeper, 5 minutes on: lost jobs queued again
                return not any(left.get(s) for s in ("scheduled", "queued", "sending"))

            wait_for(settled, 300, "the broadcast through after the Redis loss", every=1.0)
            for child in (scheduler, *workers):
                st.kill(child, 15)
        found.update(check(st, bodies=(TEXT, SECOND)))
        found["statuses"] = counts(st.services)
        return found


if __name__ == "__main__":
    from drills.common import main

    main(drill, __doc__, 13_000)
