"""Waiting on a condition with a deadline: no sleeps-and-hope in the tests."""
import time


def wait_for(condition, deadline: float = 20.0, what: str = "condition"):
    """Poll `condition()` until it returns something truthy (returned), or fail after `deadline` s."""
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out after {deadline} s waiting for {what}")
