"""Synthetic market makers and takers that keep books, trades, candles and funding alive."""
import random
from decimal import Decimal

from .engine import Engine
from .errors import ApiError

MM_ACCOUNT = "0x5afe0000000000000000000000000000000000000000000000000000000001"
TAKER_ACCOUNT = "0x5afe0000000000000000000000000000000000000000000000000000000002"
LEVELS = 10


class Liquidity:
    def __init__(self, engine: Engine, seed=None, levels=LEVELS, taker_probability=0.2):
        self.engine = engine
        self.rng = random.Random(seed)
        self.levels = levels
        self.taker_probability = taker_probability
        for address in (MM_ACCOUNT, TAKER_ACCOUNT):
            engine.open_account(address, 0, "", Decimal("1000000000000"))

    def _place(self, account, market, side, otype, size, price=None, instruction="GTC"):
        eng = self.engine
        req = {"market": market, "side": side, "type": otype, "size": str(size), "instruction": instruction,
               "signature_timestamp": eng.clock()}
        if price is not None:
            req["price"] = str(price)
        try:
            eng.submit(eng.validate(eng.accounts[account], req))
        except ApiError:
            pass  # e.g. a min-notional miss after a price move; skip this level

    def quote(self, market):
        """Replace the maker ladder around the current mark."""
        eng = self.engine
        spec = eng.specs[market]
        mm = eng.accounts[MM_ACCOUNT]
        for order in [o for o in eng.orders.values() if o.account == MM_ACCOUNT and o.market == market and o.is_open]:
            eng.cancel(order)
        mark = eng.mark[market]
        half_spread = max(spec.tick, (mark * Decimal("0.0002")) // spec.tick * spec.tick)
        step = max(spec.tick, (mark * Decimal("0.0001")) // spec.tick * spec.tick)
        base_size = max(spec.step, ((spec.min_notional * 3 / mark) // spec.step + 1) * spec.step)
        mid = (mark // spec.tick) * spec.tick
        for i in range(self.levels):
            size = base_size * self.rng.randint(1, 8)
            self._place(mm.address, market, "BUY", "LIMIT", size, mid - half_spread - step * i)
            self._place(mm.address, market, "SELL", "LIMIT", size, mid + half_spread + step * i)

    def take(self, market):
        spec = self.engine.specs[market]
        mark = self.engine.mark[market]
        size = max(spec.step, ((spec.min_notional * 2 / mark) // spec.step + 1) * spec.step)
        self._place(TAKER_ACCOUNT, market, self.rng.choice(("BUY", "SELL")), "MARKET", size)

    def warm_up(self, trades_per_market=20):
        """Quote every market and print some trades, so a fresh simulator looks like a live venue."""
        for market in self.engine.specs:
            self.quote(market)
            for _ in range(trades_per_market):
                self.take(market)
            self.quote(market)

    def step(self):
        eng = self.engine
        for market, spec in eng.specs.items():
            drift = Decimal(self.rng.gauss(0, 0.0004)).quantize(Decimal("1e-8"))
            new_mark = max(spec.tick, (eng.mark[market] * (1 + drift)) // spec.tick * spec.tick)
            eng.set_mark(market, new_mark)
            self.quote(market)
            if self.rng.random() < self.taker_probability:
                self.take(market)
