"""The simulator's time: what every time-dependent behaviour reads and every timer sleeps on.

``Simulator(clock=...)`` takes one (like the client's ``pro.connection.VenueClock``: ``now()`` and ``sleep()``):

- :class:`Clock` (the default): wall time plus an offset. ``advance(seconds)`` moves the venue's time (JWTs
  expire, TWAPs come due, funding accrues) but its timers keep sleeping on asyncio's wall clock, as they always
  did: the simulator runs by itself.
- :class:`ManualClock`: time stands still until ``advance(seconds)`` moves it, and a timer sleeping on it (idle
  close, ping, snapshot cadence, liquidity ticks, funding samples, TWAP checks, injected disconnects) wakes when
  the clock passes its due time, not before. A test drives the venue without waiting:
  ``sim.clock.advance(0.3)`` then waits for ``sim.clock.overdue() == 0`` (every due timer has run).

A clock may be advanced from another thread (a ``SimulatorThread``'s test): the wake-ups go to each sleeper's
event loop thread-safely.
"""
import asyncio
import threading
import time
from typing import Optional


class Clock:
    """Wall time plus an adjustable offset (tests move time forward to expire JWTs); timers sleep on wall time."""

    def __init__(self):
        self.offset = 0.0

    def s(self) -> float:
        """Seconds on the venue's clock (unix time)."""
        return time.time() + self.offset

    def ms(self) -> int:
        return int(self.s() * 1000)

    def advance(self, seconds: float):
        self.offset += seconds

    async def sleep(self, seconds: float):
        """Wait ``seconds`` of the venue's time (here: of wall time)."""
        await asyncio.sleep(max(0.0, seconds))

    async def sleep_until(self, when: float):
        """Wait until the clock reads ``when`` (a timer that checks ``s() >= when`` afterwards compares the very
        number it slept on: no rounding can leave it a hair short)."""
        await asyncio.sleep(max(0.0, when - self.s()))

    def overdue(self) -> int:
        """Timers whose due time has passed but which have not run yet (always 0: wall timers wake by themselves)."""
        return 0


class ManualClock(Clock):
    """Time that moves only when ``advance()`` moves it; sleepers wake when it passes their due time."""

    def __init__(self, start: Optional[float] = None):
        super().__init__()
        self.start = time.time() if start is None else float(start)
        self._sleepers: dict = {}   # id -> (due, loop, future)
        self._lock = threading.Lock()

    def s(self) -> float:
        return self.start + self.offset

    def advance(self, seconds: float):
        """Move the clock; every sleeper now due is woken (on its own loop, so from any thread)."""
        with self._lock:
            self.offset += seconds
            now = self.s()
            due = [(loop, fut) for when, loop, fut in self._sleepers.values() if when <= now]
        for loop, fut in due:
            loop.call_soon_threadsafe(_wake, fut)

    async def sleep(self, seconds: float):
        await self.sleep_until(self.s() + seconds)

    async def sleep_until(self, when: float):
        loop = asyncio.get_running_loop()
        fut = loop.create_future()
        with self._lock:
            due = when <= self.s()  # already (seconds <= 0, or too small to move a unix time held in a float)
            if not due:
                entry = (when, loop, fut)
                self._sleepers[id(entry)] = entry
        if due:
            await asyncio.sleep(0)
            return
        try:
            await fut
        finally:
            with self._lock:
                self._sleepers.pop(id(entry), None)

    def timers(self) -> list:
        """Seconds until each sleeping timer is due, soonest first (what advancing the clock would fire)."""
        with self._lock:
            now = self.s()
            return sorted(when - now for when, _, _ in self._sleepers.values())

    def overdue(self) -> int:
        """Sleepers the clock has passed that have not resumed yet: 0 once every timer due by now has run (and,
        if it loops, gone back to sleep)."""
        with self._lock:
            now = self.s()
            return sum(1 for when, _, _ in self._sleepers.values() if when <= now)


def _wake(fut):
    if not fut.done():
        fut.set_result(None)
