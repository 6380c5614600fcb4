"""`SMS_RATE_PER_SECOND` across every worker and process, enforced in Redis.

Each API call (one multi-recipient request is one call) reserves its own time slot, slots
spaced 1/rate apart on Redis's clock (a generic cell rate algorithm), so calls leave evenly
instead of in bursts and no second ever holds more than the rate. Bulk traffic may reserve
only a short way ahead, so a reply waits behind at most that much: realtime goes first.
"""

from __future__ import annotations

import threading
import time

from redis import Redis

KEY = "sms:ratelimit:next_slot"
_SCRIPT = """
local now = redis.call('TIME')
local now_us = tonumber(now[1]) * 1000000 + tonumber(now[2])
local interval = tonumber(ARGV[1])
local horizon = tonumber(ARGV[2])
local slot = tonumber(redis.call('GET', KEYS[1]) or '0')
if slot < now_us then slot = now_us end
if slot - now_us > horizon then
  return -(slot - now_us - horizon)
end
redis.call('SET', KEYS[1], slot + interval, 'PX', 60000)
return slot - now_us
"""
HORIZON_US = {"realtime": 2_000_000, "bulk": 100_000}
MARGIN = 0.92  # slots a little wider than 1/rate: a call that leaves up to ~100 ms late stays inside the rate


class RateLimiter:
    def __init__(self, redis: Redis, per_second: float, key: str = KEY):
        self.redis, self.key = redis, key
        self.interval_us = max(1, int(1_000_000 / (per_second * MARGIN)))
        self._script = redis.register_script(_SCRIPT)
        self._booking = threading.Lock()  # one thread per process asks Redis; the rest wait quietly

    def acquire(self, lane: str = "bulk") -> None:
        """Block until this call's slot comes."""
        horizon = HORIZON_US.get(lane, HORIZON_US["bulk"])
        with self._booking:
            while True:
                wait_us = int(self._script(keys=[self.key], args=[self.interval_us, horizon]))
                if wait_us >= 0:
                    break
                time.sleep(min(-wait_us, 1_000_000) / 1_000_000)  # bulk: come back when nearer
        if wait_us:
            time.sleep(wait_us / 1_000_000)
