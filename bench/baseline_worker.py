"""RQ's default forking worker on the `baseline` queue, with the job module imported first
(so each forked work-horse inherits it): the naive baseline at its fairest."""

import os
import sys

import baseline_jobs  # noqa: F401  (imported before forking)
from redis import Redis
from rq import Queue, Worker

if __name__ == "__main__":
    connection = Redis.from_url(os.environ["REDIS_URL"])
    Worker([Queue("baseline", connection=connection)], connection=connection).work(logging_level="WARNING")
    sys.exit(0)
