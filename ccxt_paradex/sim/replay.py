"""Replay: a mirror recording (``sim/recording.py``) played back into a simulator, applying the same book states
in the same order through the same :class:`~.mirror_book.MirrorBook` as the live mirror, so a strategy can be
re-run on the same market data."""
import asyncio
from decimal import Decimal

from .mirror_book import attach, publish_trade, trade_through
from .recording import book_states, read_recording


class Replay:
    """Play a recording back into ``sim`` (which lists its markets: ``Simulator(markets=recording_specs(path))``).

    ``speed``: 1 real time, 10 ten times faster, 0 as fast as possible (paced on the simulator's clock: on a
    ``ManualClock`` the recording plays as the clock is advanced). The same file always applies the same
    book states in the same order (the timing does not change them). After the last line the books stay as they
    are (frozen): ``done`` is set."""

    def __init__(self, sim, path, speed=1.0, trades=True):
        self.sim, self.path, self.speed, self.trades = sim, path, speed, trades
        self.header, self.events = read_recording(path)
        self.markets = [m["symbol"] for m in self.header["markets"] if m["symbol"] in sim.engine.specs]
        self.books = attach(sim, self.markets)
        self.applied = 0
        self.done = asyncio.Event()
        self.task = None

    async def start(self):
        self.task = asyncio.ensure_future(self.run())
        return self

    async def stop(self):
        if self.task is not None:
            self.task.cancel()
            await asyncio.gather(self.task, return_exceptions=True)

    async def run(self, on_state=None):
        states = iter(book_states(self.events))
        last_t = 0
        for ev in self.events:
            if self.speed and ev["t"] > last_t:
                await self.sim.clock.sleep((ev["t"] - last_t) / 1000 / self.speed)  # the venue's time
            last_t = max(last_t, ev["t"])
            market = ev["m"]
            if market not in self.books:
                if ev["k"] != "t":
                    next(states)
                continue
            if ev["k"] == "t":
                if self.trades:
                    trade_through(self.sim, market, ev["side"], ev["p"], ev["q"])
                    publish_trade(self.sim, market, ev["id"], ev["side"], ev["p"], ev["q"])
                continue
            _, seq, bids, asks = next(states)
            if ev["k"] == "x":
                self.books[market].clear()
            else:
                self.books[market].apply(seq, [(Decimal(p), Decimal(s)) for p, s in bids],
                                         [(Decimal(p), Decimal(s)) for p, s in asks])
                self.applied += 1
            if on_state is not None:
                on_state(market, seq)
        self.done.set()
