"""Continuous-refill token buckets with Paradex's scopes and headers."""
import math

# scope -> list of (capacity, window seconds); every window must have a token
LIMITS = {
    "public": [(1500, 60)],
    "auth": [(600, 60)],
    "onboarding": [(600, 60)],
    "orders": [(800, 1), (17250, 60)],
    "private_get": [(120, 1), (600, 60)],
}


class _Bucket:
    __slots__ = ("capacity", "window", "tokens", "stamp")

    def __init__(self, capacity, window, now):
        self.capacity, self.window = capacity, window
        self.tokens, self.stamp = float(capacity), now

    def refill(self, now):
        # a clock moved backwards (tests rewind the simulated clock) refills nothing rather than draining
        self.tokens = min(self.capacity, self.tokens + max(0.0, now - self.stamp) * self.capacity / self.window)
        self.stamp = max(self.stamp, now)


class RateLimiter:
    def __init__(self, clock, limits=None, enabled=True):
        self.clock = clock  # () -> seconds
        self.limits = limits or LIMITS
        self.enabled = enabled
        self._buckets = {}

    def take(self, scope: str, key: str, cost: int = 1):
        """-> (allowed, headers)."""
        now = self.clock()
        buckets = self._buckets.get((scope, key))
        if buckets is None:
            buckets = self._buckets[(scope, key)] = [_Bucket(c, w, now) for c, w in self.limits[scope]]
        for b in buckets:
            b.refill(now)
        tightest = min(buckets, key=lambda b: b.tokens / b.capacity)
        allowed = not self.enabled or all(b.tokens >= cost for b in buckets)
        if allowed:
            for b in buckets:
                b.tokens -= cost
        per_token = tightest.window / tightest.capacity
        missing = max(0.0, cost - tightest.tokens)
        headers = {
            "X-RateLimit-Limit": str(tightest.capacity),
            "X-RateLimit-Remaining": str(max(0, int(tightest.tokens))),
            "X-RateLimit-Reset": str(int(now + (tightest.capacity - tightest.tokens) * per_token)),
            "X-RateLimit-Window": str(tightest.window),
        }
        if not allowed:
            headers["Retry-After"] = str(max(1, math.ceil(missing * per_token)))
        return allowed, headers
