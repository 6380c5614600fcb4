"""Coalesced wake-ups: a burst of webhook calls wakes one job; a job that started reading is
woken again by what came after."""

from rq import Queue

from sms_service.jobs import Nudger, nudge, woken

JOB = "workers.jobs.heartbeat"


def jobs(services):
    return Queue("default", connection=services.redis).count


def test_a_burst_wakes_the_job_once(services):
    nudger = Nudger(services)
    for _ in range(200):
        nudger.soon(JOB, "default")
    assert nudger.flush()
    assert jobs(services) == 1


def test_once_the_job_has_started_the_next_nudge_wakes_it_again(services):
    assert nudge(services, JOB, "default") is True
    assert nudge(services, JOB, "default") is False  # queued and not started: it will see this row
    woken(services, JOB)  # the job starts: clears its flag, then reads the database
    assert nudge(services, JOB, "default") is True  # a row stored after that read needs another run
    assert jobs(services) == 2


def test_force_enqueues_even_when_flagged(services):
    nudge(services, JOB, "default")
    assert nudge(services, JOB, "default", force=True) is True  # the sweeper: the flag may be stale
    assert jobs(services) == 2
