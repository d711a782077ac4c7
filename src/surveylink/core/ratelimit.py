"""Upstream's API rate limit: N requests per fixed 60-second window per API key.

With `REDIS_URL` the counter lives in Redis exactly as upstream keeps it (key
`fb:rate_limit:{namespace}:{apiKeyId}:{windowStart}`, INCR, TTL to the end of the window), so
every worker shares it. v2 routes count in `api:v2`, v1 routes share one `api:v1` counter.
Without Redis, where upstream does not limit at all, each process counts for itself. A Redis
that fails or stalls never fails a request: the process counts locally until Redis answers
again (docs/compatibility.md).
"""

import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass

from redis.asyncio import Redis
from redis.exceptions import RedisError

from surveylink.core.errors import TooManyRequests

logger = logging.getLogger("surveylink")

WINDOW_SECONDS = 60
V2 = "api:v2"
V1 = "api:v1"
# After a Redis failure, how long to count locally before trying Redis again.
REDIS_RETRY_SECONDS = 5.0


@dataclass(frozen=True)
class Window:
    start: int
    retry_after: int  # whole seconds until the next window, at least 1

    @classmethod
    def at(cls, now: float) -> "Window":
        start = int(now // WINDOW_SECONDS) * WINDOW_SECONDS
        return cls(start, max(1, math.ceil(start + WINDOW_SECONDS - now)))


def redis_key(namespace: str, api_key_id: str, window_start: int) -> str:
    return f"fb:rate_limit:{namespace}:{api_key_id}:{window_start}"


class LocalCounter:
    """Per-process fixed-window counts; only the current window is kept."""

    def __init__(self) -> None:
        self._window = -1
        self._counts: dict[str, int] = {}

    def increment(self, counter: str, window_start: int) -> int:
        if window_start != self._window:
            self._window, self._counts = window_start, {}
        count = self._counts.get(counter, 0) + 1
        self._counts[counter] = count
        return count


class RateLimiter:
    def __init__(
        self,
        limit: int,
        redis: Redis | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.limit = limit
        self.redis = redis
        self._clock = clock
        self._local = LocalCounter()
        self._redis_retry_at = 0.0

    async def hit(self, api_key_id: str, namespace: str = V2) -> None:
        """Counts one request of this key in `namespace` (`api:v2` or `api:v1`); raises
        TooManyRequests over the limit."""
        now = self._clock()
        window = Window.at(now)
        count = await self._increment(redis_key(namespace, api_key_id, window.start), window, now)
        if count > self.limit:
            raise TooManyRequests(headers={"Retry-After": str(window.retry_after)})

    async def _increment(self, counter: str, window: Window, now: float) -> int:
        if self.redis is not None and now >= self._redis_retry_at:
            try:
                return await self._increment_in_redis(self.redis, counter, window)
            except (RedisError, OSError, TimeoutError):
                self._redis_retry_at = now + REDIS_RETRY_SECONDS
                logger.warning("Redis rate limit failed; counting in this process", exc_info=True)
        return self._local.increment(counter, window.start)

    @staticmethod
    async def _increment_in_redis(redis: Redis, key: str, window: Window) -> int:
        # One MULTI: the count and an expiry at the window's end (setting it again is harmless,
        # the end does not move), so a crash between the two cannot leave an immortal key.
        async with redis.pipeline(transaction=True) as pipe:
            pipe.incr(key)
            pipe.expire(key, window.retry_after)
            count, _ = await pipe.execute()
        return int(count)


def make_redis(url: str) -> Redis | None:
    """A client with short timeouts: a stalled Redis must not stall requests."""
    if not url:
        return None
    return Redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5)
