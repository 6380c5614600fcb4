"""Waiting on a condition with a deadline: no sleeps-and-hope in the tests and the drills."""

import time


def wait_for(condition, deadline: float = 20.0, what: str = "condition", *, every: float = 0.05, between=None):
    """Poll `condition()` every `every` s until it returns something truthy (returned), or fail
    after `deadline` s; `between()`, when given, runs between polls (a drill letting time pass
    for what waits)."""
    end = time.monotonic() + deadline
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > end:
            raise AssertionError(f"timed out after {deadline} s waiting for {what}")
        if between is not None:
            between()
        time.sleep(every)
