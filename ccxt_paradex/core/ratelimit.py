"""Client-side rate limiting per Paradex bucket (pure: the caller sleeps the returned delay).

Each bucket has one or more sliding windows (e.g. orders: 800/s and 17,250/min). A request is given the
earliest send time, not before any request scheduled before it, at which every window of its bucket holds
no more than its limit counting this request; the send times are remembered, so a window measured from the
send timestamps never exceeds the limit (a token bucket would let a full burst plus a full refill through in
one sliding window: 2x the limit). Bursts up to the limits go out at once; only sustained excess is paced.
Thread-safe (the sync class shares one limiter between threads).
"""
import threading
from collections import deque

BUCKETS = {
    "public": ((1500, 60.0),),
    "auth": ((600, 60.0),),
    "onboarding": ((600, 60.0),),
    "orders": ((800, 1.0), (17250, 60.0)),
    "private_get": ((120, 1.0), (600, 60.0)),
}
_EPS = 1e-9


class _Window:
    __slots__ = ("capacity", "seconds", "sends", "total")

    def __init__(self, capacity, seconds):
        self.capacity = capacity
        self.seconds = seconds
        self.sends = deque()  # (scheduled send time, cost), oldest first
        self.total = 0.0

    def drop_before(self, t):
        """Forget sends that are outside the window ending at ``t`` (later requests are never earlier)."""
        sends = self.sends
        while sends and sends[0][0] <= t - self.seconds + _EPS:
            self.total -= sends.popleft()[1]

    def earliest(self, t, cost):
        """-> the earliest time >= t at which this window has room for ``cost``."""
        if self.total + cost <= self.capacity + _EPS:
            return t
        left = self.total
        for when, c in self.sends:
            left -= c
            if left + cost <= self.capacity + _EPS:
                return when + self.seconds
        return (self.sends[-1][0] if self.sends else t) + self.seconds


class BucketLimiter:
    def __init__(self, buckets=None, safety=0.9):
        """``safety`` < 1 keeps a margin under the venue's published limits (clock skew, other clients)."""
        self.spec = buckets or BUCKETS
        self.safety = safety
        self._windows = {}
        self._lock = threading.Lock()

    def reserve(self, bucket: str, cost: float, now: float) -> float:
        """Schedule a request of ``cost`` in ``bucket`` at time ``now`` (s); return seconds to wait before sending."""
        with self._lock:
            windows = self._windows.get(bucket)
            if windows is None:
                spec = self.spec.get(bucket) or self.spec["public"]
                windows = self._windows[bucket] = [_Window(max(1.0, int(c * self.safety)), s) for c, s in spec]
            # not before the bucket's last scheduled request: every window holds it as its newest send (a window
            # forgets only sends older than its span, and those lie before ``now``)
            newest = windows[0].sends
            t = max(now, newest[-1][0]) if newest else now
            while True:
                later = t
                for w in windows:
                    w.drop_before(later)
                    later = max(later, w.earliest(later, cost))
                if later <= t:
                    break
                t = later
            for w in windows:
                w.sends.append((t, cost))
                w.total += cost
            return t - now
