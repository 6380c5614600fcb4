"""The rate limit holds across processes: no one-second window above the limit."""

import json
import os
import subprocess
import sys
import textwrap

from sms_service.outbound.ratelimit import RateLimiter

CALLER = textwrap.dedent("""
    import json, sys, time
    from redis import Redis
    from sms_service.outbound.ratelimit import RateLimiter
    limiter = RateLimiter(Redis.from_url(sys.argv[1]), float(sys.argv[2]))
    stamps = []
    for _ in range(int(sys.argv[3])):
        limiter.acquire("realtime")
        stamps.append(time.time())
    print(json.dumps(stamps))
""")


def max_in_any_second(stamps):
    stamps = sorted(stamps)
    best, start = 0, 0
    for end, moment in enumerate(stamps):
        while moment - stamps[start] >= 1.0:
            start += 1
        best = max(best, end - start + 1)
    return best


def test_two_processes_share_the_limit(redis_url):
    env = {**os.environ}
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", CALLER, redis_url, "10", "15"], env=env, stdout=subprocess.PIPE, text=True
        )
        for _ in range(2)
    ]
    stamps = []
    for process in processes:
        out, _ = process.communicate(timeout=30)
        stamps += json.loads(out)
    assert len(stamps) == 30
    assert max_in_any_second(stamps) <= 11  # the limit, plus one for clock edges
    assert max(stamps) - min(stamps) >= 2.0  # 30 calls at 10/s cannot take less than two seconds


def test_realtime_goes_before_queued_bulk(redis_url):
    """Bulk may book slots only 0.1 s ahead; a reply then waits for no more than that."""
    import threading
    import time

    from redis import Redis

    stop = threading.Event()

    def bulk():  # each thread stands for a bulk worker process with its own limiter
        limiter = RateLimiter(Redis.from_url(redis_url), 10)  # a slot every 0.1 s
        while not stop.is_set():
            limiter.acquire("bulk")

    limiter = RateLimiter(Redis.from_url(redis_url), 10)
    threads = [threading.Thread(target=bulk) for _ in range(8)]
    for t in threads:
        t.start()
    time.sleep(0.5)  # eight bulk senders are now competing for every slot
    started = time.monotonic()
    limiter.acquire("realtime")
    waited = time.monotonic() - started
    stop.set()
    for t in threads:
        t.join(timeout=5)
    assert waited < 0.35  # not behind eight queued bulk calls (0.8 s)
