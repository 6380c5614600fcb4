"""`python -m workers.worker [QUEUE ...]`: an RQ worker, by default on realtime, bulk, default.

Production runs one worker on `realtime` alone, so a reply never waits behind a site
closure's batch, and others on `bulk default` (see the Procfile).

SimpleWorker runs jobs in this process instead of forking one per job: the services (database
pool, Redis, the gateway's HTTP pool) are built once per process and reused, and a job costs
no fork. A job that dies with the process is repaired by the sweeper from the database.
"""

from __future__ import annotations

import logging
import sys

from rq import SimpleWorker

from sms_service.bootstrap import QUEUE_NAMES
from sms_service.logs import configure

from .context import get_services


def main(names: list[str]) -> None:
    configure()
    unknown = [n for n in names if n not in QUEUE_NAMES]
    if unknown:
        print(f"unknown queue(s): {', '.join(unknown)}; choose from {', '.join(QUEUE_NAMES)}", file=sys.stderr)
        sys.exit(2)
    services = get_services()
    names = names or list(QUEUE_NAMES)
    worker = SimpleWorker([services.queues[name] for name in names], connection=services.redis)
    logging.getLogger(__name__).info("worker listening on %s", ", ".join(names))
    worker.work(logging_level="WARNING")


if __name__ == "__main__":
    main(sys.argv[1:])
