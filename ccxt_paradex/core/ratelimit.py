"""Client-side rate limiting per Paradex bucket (pure: the caller sleeps the returned delay).

Each bucket has one or more windows (e.g. orders: 800/s and 17,250/min); a
request reserves a token in every window of its bucket and waits until all of
them are non-negative, so bursts up to the venue's limits go out at once and
only sustained excess is paced.
"""

BUCKETS = {
    "public": ((1500, 60.0),),
    "auth": ((600, 60.0),),
    "onboarding": ((600, 60.0),),
    "orders": ((800, 1.0), (17250, 60.0)),
    "private_get": ((120, 1.0), (600, 60.0)),
}


class _Window:
    __slots__ = ("capacity", "rate", "tokens", "stamp")

    def __init__(self, capacity, seconds, now):
        self.capacity = capacity
        self.rate = capacity / seconds
        self.tokens = float(capacity)
        self.stamp = now


class BucketLimiter:
    def __init__(self, buckets=None, safety=0.9):
        """``safety`` < 1 keeps a margin under the venue's published limits (clock skew, other clients)."""
        self.spec = buckets or BUCKETS
        self.safety = safety
        self._windows = {}

    def reserve(self, bucket: str, cost: float, now: float) -> float:
        """Take ``cost`` tokens from ``bucket`` at time ``now`` (s); return seconds to wait before sending."""
        windows = self._windows.get(bucket)
        if windows is None:
            spec = self.spec.get(bucket) or self.spec["public"]
            windows = self._windows[bucket] = [_Window(c * self.safety, s, now) for c, s in spec]
        wait = 0.0
        for w in windows:
            w.tokens = min(w.capacity, w.tokens + (now - w.stamp) * w.rate)
            w.stamp = now
            w.tokens -= cost
            if w.tokens < 0:
                wait = max(wait, -w.tokens / w.rate)
        return wait
