"""Danmaku rate limit: a token bucket per viewer per event — a burst of ``LIVE_DANMAKU_BURST``
(3), refilled at one every ``LIVE_DANMAKU_RATE_SECONDS`` (2 s).

With Redis the bucket is one hash updated by a Lua script on Redis's own clock, so every
process (and every tab of the viewer) shares it; in the embedded mode (one process) it is a
dictionary under a lock.
"""

from __future__ import annotations

import threading
import time
from functools import lru_cache

from django.conf import settings

# KEYS[1] bucket; ARGV: capacity, seconds per token. Returns 0 when allowed, else the
# milliseconds until the next token.
_LUA = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local cap = tonumber(ARGV[1])
local per = tonumber(ARGV[2]) * 1000
local b = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(b[1])
local at = tonumber(b[2])
if tokens == nil then tokens = cap; at = now end
tokens = math.min(cap, tokens + (now - at) / per)
local wait = 0
if tokens >= 1 then tokens = tokens - 1 else wait = math.ceil((1 - tokens) * per) end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', now)
redis.call('PEXPIRE', KEYS[1], math.ceil(cap * per) + 1000)
return wait
"""


class RedisBuckets:
    def __init__(self, url: str, prefix: str):
        import redis

        self.redis = redis.Redis.from_url(url)
        self.script = self.redis.register_script(_LUA)
        self.prefix = prefix

    def take(self, key: str, capacity: int, per_seconds: float) -> int:
        return int(self.script(keys=[f"{self.prefix}:live:rate:{key}"], args=[capacity, per_seconds]))


class LocalBuckets:
    def __init__(self):
        self.lock = threading.Lock()
        self.buckets: dict[str, tuple[float, float]] = {}

    def take(self, key: str, capacity: int, per_seconds: float) -> int:
        now = time.monotonic()
        with self.lock:
            tokens, at = self.buckets.get(key, (float(capacity), now))
            tokens = min(capacity, tokens + (now - at) / per_seconds)
            if tokens >= 1:
                self.buckets[key] = (tokens - 1, now)
                return 0
            self.buckets[key] = (tokens, now)
            return int((1 - tokens) * per_seconds * 1000) + 1


@lru_cache(maxsize=4)
def _buckets(url: str | None, prefix: str):
    return RedisBuckets(url, prefix) if url else LocalBuckets()


def danmaku_wait_ms(*, event_id: int, user_id: int) -> int:
    """Take a token for this viewer's danmaku on this event: 0 if allowed, else how many
    milliseconds until one is allowed."""
    conf = settings.LIFECIRCLE
    return _buckets(settings.REDIS_URL, settings.REDIS_PREFIX).take(
        f"{event_id}:{user_id}", conf["LIVE_DANMAKU_BURST"], conf["LIVE_DANMAKU_RATE_SECONDS"]
    )
