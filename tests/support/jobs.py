"""Running the queued RQ jobs in the test's own process, on the test's services (database,
Redis, the outbox gateway): what a worker would do, with no worker process to wait for."""

from __future__ import annotations

from rq import SimpleWorker

import workers.context as context
from sms_service.bootstrap import sender_for


def run_queued_jobs(services) -> None:
    """Take every job waiting on the queues, in the worker's order, until none is left."""
    before = context._services, context._sender
    context._services, context._sender = services, sender_for(services)
    try:
        if "nudger" in services.__dict__:
            services.nudger.flush()
        SimpleWorker(list(services.queues.values()), connection=services.redis).work(burst=True)
    finally:
        context._services, context._sender = before
