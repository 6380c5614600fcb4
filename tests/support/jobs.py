"""Running the queued RQ jobs in the test's own process, on the test's services (database,
Redis, the outbox gateway): what a worker would do, with no worker process to wait for."""
from __future__ import annotations

from rq import SimpleWorker

import workers.context as context


def run_queued_jobs(services) -> None:
    """Take every job waiting on the queues, in the worker's order, until none is left."""
    from sms_service.gateway import build_gateway
    from sms_service.outbound.ratelimit import RateLimiter
    from sms_service.outbound.sending import Sender

    before = context._services, context._sender
    context._services = services
    context._sender = Sender(services, build_gateway(services.config),
                             RateLimiter(services.redis, services.config.sms_rate_per_second))
    try:
        if "nudger" in services.__dict__:
            services.nudger.flush()
        SimpleWorker(list(services.queues.values()), connection=services.redis).work(burst=True)
    finally:
        context._services, context._sender = before
