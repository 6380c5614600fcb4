"""Worker and scheduler processes: they take the queue's jobs and tick, and stop cleanly."""

import os
import signal
import subprocess
import sys
from datetime import UTC, datetime

from rq import Queue

from sms_service.bootstrap import Services
from sms_service.config import load_config
from tests.support.waiting import wait_for
from workers import scheduler
from workers.jobs import HEARTBEAT_KEY


def test_tick_runs_each_task_and_survives_a_failing_one(redis_url, sqlite_url, monkeypatch):
    services = Services.from_config(load_config({"DATABASE_URL": sqlite_url, "REDIS_URL": redis_url}))
    seen = []

    def broken(_services, _now):
        raise RuntimeError("boom")

    monkeypatch.setattr(scheduler, "PERIODIC_TASKS", [broken, lambda s, now: seen.append(now)])
    now = datetime(2026, 3, 1, 6, 0, tzinfo=UTC)
    scheduler.tick(services, now)
    assert seen == [now]
    assert services.redis.get(scheduler.LAST_TICK_KEY).decode() == now.isoformat()
    services.close()


def test_worker_process_runs_jobs_enqueued_by_name(redis_url, sqlite_url):
    env = {**os.environ, "REDIS_URL": redis_url, "DATABASE_URL": sqlite_url, "SMS_GATEWAY": "outbox"}
    worker = subprocess.Popen(
        [sys.executable, "-m", "workers.worker"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        services = Services.from_config(load_config(env))
        Queue("bulk", connection=services.redis).enqueue("workers.jobs.heartbeat")
        wait_for(lambda: services.redis.get(HEARTBEAT_KEY), what="the heartbeat job")
    finally:
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(timeout=20) is not None


def test_scheduler_process_ticks_and_stops_on_sigterm(redis_url, sqlite_url):
    env = {**os.environ, "REDIS_URL": redis_url, "DATABASE_URL": sqlite_url, "SCHEDULER_INTERVAL": "0.1"}
    process = subprocess.Popen(
        [sys.executable, "-m", "workers.scheduler"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    services = Services.from_config(load_config(env))
    try:
        first = wait_for(lambda: services.redis.get(scheduler.LAST_TICK_KEY), what="a tick")
        wait_for(lambda: services.redis.get(scheduler.LAST_TICK_KEY) != first, what="a second tick")
    finally:
        process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=10) == 0


def test_worker_refuses_bad_configuration(sqlite_url):
    env = {**os.environ, "DATABASE_URL": sqlite_url, "REDIS_URL": "http://nope", "PORT": "x"}
    result = subprocess.run(
        [sys.executable, "-m", "workers.worker"], env=env, capture_output=True, text=True, timeout=30
    )
    assert result.returncode == 2
    assert "REDIS_URL" in result.stderr and "PORT" in result.stderr


def test_worker_refuses_unknown_queue_names(sqlite_url, redis_url):
    env = {**os.environ, "DATABASE_URL": sqlite_url, "REDIS_URL": redis_url}
    result = subprocess.run(
        [sys.executable, "-m", "workers.worker", "fast"], env=env, capture_output=True, text=True, timeout=30
    )
    assert result.returncode == 2 and "unknown queue(s): fast" in result.stderr
