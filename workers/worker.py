"""`python -m workers.worker`: an RQ worker on the realtime, bulk and default queues, in that order.

SimpleWorker runs jobs in this process instead of forking one per job: the services (database
pool, Redis, later the gateway client) are built once per process and reused, and a job costs
no fork. A job that crashes the process is re-queued by the sweeper from the database.
"""
from __future__ import annotations

import logging

from rq import SimpleWorker

from sms_service.logs import configure
from sms_service.services import QUEUE_NAMES

from .context import get_services


def main() -> None:
    configure()
    services = get_services()
    queues = [services.queues[name] for name in QUEUE_NAMES]
    worker = SimpleWorker(queues, connection=services.redis)
    logging.getLogger(__name__).info("worker listening on %s", ", ".join(QUEUE_NAMES))
    worker.work(logging_level="WARNING")


if __name__ == "__main__":
    main()
