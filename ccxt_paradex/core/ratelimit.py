"""Client-side rate limiting per Paradex bucket (pure: the caller sleeps the returned delay).

Each bucket has one or more sliding windows (e.g. orders: 800/s and 17,250/min). Two steps per request:

- ``reserve``: the planned send time, the earliest, not before any request planned before it, at which every
  window of its bucket holds no more than its limit counting this request (planned times are remembered, so a
  token bucket's 2x burst cannot happen). The caller sleeps until then: bursts up to the limits go out at once,
  only sustained excess is paced.
- ``admit``: at the moment the request is handed to the transport, the windows of the times requests were really
  handed over. A paced request can leave its sleep late (the loop or the GIL busy with other requests' work): one
  burst late and the next on time would put two bursts in one window. ``admit`` counts the real hand-over times
  and returns a further wait when this one would break a window; 0 records it as sent now.

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
        self._windows = {}   # bucket -> planned send times per window
        self._sent = {}      # bucket -> real hand-over times per window
        self._lock = threading.Lock()

    def _new_windows(self, bucket):
        spec = self.spec.get(bucket) or self.spec["public"]
        return [_Window(max(1.0, int(c * self.safety)), s) for c, s in spec]

    def admit(self, bucket: str, cost: float, now: float) -> float:
        """At hand-over time ``now``: 0 when every window of real hand-over times has room for ``cost`` (recorded as
        sent now), else the seconds to wait before asking again."""
        with self._lock:
            windows = self._sent.get(bucket)
            if windows is None:
                windows = self._sent[bucket] = self._new_windows(bucket)
            later = now
            for w in windows:
                w.drop_before(now)
                later = max(later, w.earliest(now, cost))
            if later > now:
                return later - now
            for w in windows:
                w.sends.append((now, cost))
                w.total += cost
            return 0.0

    def reserve(self, bucket: str, cost: float, now: float) -> float:
        """Schedule a request of ``cost`` in ``bucket`` at time ``now`` (s); return seconds to wait before sending."""
        with self._lock:
            windows = self._windows.get(bucket)
            if windows is None:
                windows = self._windows[bucket] = self._new_windows(bucket)
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
