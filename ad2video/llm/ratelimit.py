"""Client-side rate limits per endpoint: requests and tokens per minute, as token buckets.

A bucket holds `burst_s` seconds of its rate and refills continuously; a call waits until both
of its endpoint's buckets can pay for it (one request; the estimated tokens). Limiters are
shared by every call in the process, keyed by endpoint name and limits.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from ad2video.llm.config import Endpoint


class TokenBucket:
    """`rate` units per second, at most `capacity` at once; `take` says how long to wait."""

    def __init__(self, per_minute: float, burst_s: float,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.rate = per_minute / 60.0
        self.capacity = max(1.0, self.rate * burst_s)
        self.level = self.capacity
        self.clock = clock
        self.stamp = clock()

    def _refill(self) -> None:
        now = self.clock()
        self.level = min(self.capacity, self.level + (now - self.stamp) * self.rate)
        self.stamp = now

    def wait_time(self, amount: float) -> float:
        """Seconds until `amount` can be taken (an amount over capacity waits for a full one)."""
        self._refill()
        need = min(amount, self.capacity) - self.level
        return max(0.0, need / self.rate)

    def take(self, amount: float) -> None:
        self._refill()
        self.level -= min(amount, self.capacity)


class RateLimiter:
    """Both buckets of one endpoint; `acquire` blocks and returns the seconds waited."""

    def __init__(self, endpoint: Endpoint, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.requests = TokenBucket(endpoint.rpm, endpoint.burst_s, clock) if endpoint.rpm else None
        self.tokens = TokenBucket(endpoint.tpm, endpoint.burst_s, clock) if endpoint.tpm else None
        self.sleep = sleep
        self.lock = threading.Lock()

    def acquire(self, tokens: int) -> float:
        waited = 0.0
        with self.lock:
            while True:
                wait = max(self._wait(self.requests, 1), self._wait(self.tokens, tokens))
                if wait <= 0:
                    break
                self.sleep(wait)
                waited += wait
            for bucket, amount in ((self.requests, 1), (self.tokens, tokens)):
                if bucket:
                    bucket.take(amount)
        return waited

    @staticmethod
    def _wait(bucket: TokenBucket | None, amount: float) -> float:
        return bucket.wait_time(amount) if bucket else 0.0


_LIMITERS: dict[tuple, RateLimiter] = {}


def limiter_for(endpoint: Endpoint) -> RateLimiter | None:
    """The process-wide limiter of an endpoint, or None when it has no limits."""
    if not (endpoint.rpm or endpoint.tpm):
        return None
    key = (endpoint.name, endpoint.base_url, endpoint.rpm, endpoint.tpm, endpoint.burst_s)
    return _LIMITERS.setdefault(key, RateLimiter(endpoint))


def estimate_tokens(text: str, max_output: int) -> int:
    """Rough prompt tokens (4 characters each) plus the most the reply may use."""
    return len(text) // 4 + max_output
