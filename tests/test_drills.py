"""The fault drills, shortened (a few hundred clients, a 3-second database lock), on SQLite and
PostgreSQL: each must end with every promise kept. Full-size runs and their figures are in
RELIABILITY.md."""

from __future__ import annotations

import pytest

from drills import callbacks_replayed, clock, database_stalled, gateway_faults, large_bodies, redis_lost, worker_killed
from drills.common import run

SHORT = [
    (worker_killed.drill, 600),
    (redis_lost.drill, 600),
    (gateway_faults.drill, 300),
    (callbacks_replayed.drill, 300),
    (clock.drill, 300),
]


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request):
    if request.param == "postgresql":
        request.getfixturevalue("postgres_session_url")  # skips (or fails in CI) without a server
    return request.param


@pytest.mark.parametrize("drill, size", SHORT, ids=[d.__module__.split(".")[-1] for d, _ in SHORT])
def test_the_drill_ends_with_every_promise_kept(drill, size, database):
    result = run(drill, database, size)
    assert not result["broken"], result


def test_a_database_locked_for_a_while_neither_slows_ussd_nor_loses_an_sms(database):
    result = run(database_stalled.drill, database, 300, lock=3.0)
    assert not result["broken"], result
    assert result["ussd_during_lock"] > 0 and result["sms_posted"] > 0


def test_thirty_megabyte_bodies_are_refused_unread_and_ussd_keeps_answering(database):
    result = run(large_bodies.drill, database, 300, seconds=5.0)
    assert not result["broken"], result
    assert result["big_bodies"] > 0 and result["big_body_answers"] == ["413"]
