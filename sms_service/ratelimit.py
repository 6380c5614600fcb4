"""`SMS_RATE_PER_SECOND` across every worker and process: a sliding one-second log in Redis.

Counts API calls (one multi-recipient request is one call). Realtime traffic may use the whole
rate; bulk traffic leaves a tenth of it free, so replies go first.
"""
from __future__ import annotations

import time
import uuid

from redis import Redis

KEY = "sms:ratelimit:calls"
_SCRIPT = """
local now = redis.call('TIME')
local now_ms = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
local window = tonumber(ARGV[1])
local limit = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now_ms - window)
if redis.call('ZCARD', KEYS[1]) < limit then
  redis.call('ZADD', KEYS[1], now_ms, ARGV[3])
  redis.call('PEXPIRE', KEYS[1], window)
  return 0
end
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return tonumber(oldest[2]) + window - now_ms + 1
"""


class RateLimiter:
    def __init__(self, redis: Redis, per_second: float, key: str = KEY):
        self.redis, self.key = redis, key
        self.limit = max(1, int(per_second))
        self.bulk_limit = max(1, self.limit - max(1, self.limit // 10)) if self.limit > 1 else 1
        self._script = redis.register_script(_SCRIPT)

    def acquire(self, lane: str = "bulk") -> None:
        """Block until one more API call fits in the last second."""
        limit = self.limit if lane == "realtime" else self.bulk_limit
        while True:
            wait_ms = self._script(keys=[self.key], args=[1000, limit, uuid.uuid4().hex])
            if not wait_ms:
                return
            time.sleep(min(int(wait_ms), 1000) / 1000)
