"""Synthetic market makers and takers that keep books, trades, candles and funding alive.

Each step moves every market's mark a little, replaces one maker level per
market (a full re-quote only when the ladder is thin or crossed by the mark),
and sometimes sends a small taker order: a steady, cheap stream of book
deltas, BBO changes and trades. Each side of a ladder holds about ``depth``
USD (``DEPTH`` by default: a market order of a size an account funded with
100,000 USDC trades fills; ``depth=0``: levels of a few minimum notionals).
"""
import random
from decimal import Decimal

from . import options
from .engine import Engine
from .errors import ApiError

MM_ACCOUNT = "0x5afe0000000000000000000000000000000000000000000000000000000001"
TAKER_ACCOUNT = "0x5afe0000000000000000000000000000000000000000000000000000000002"
LEVELS = 10
SIZES = (1, 8)  # a maker level's size: a random multiple of the grid's base size in this range
DEPTH = 250_000  # USD: about what each side of a market's maker ladder holds (0: the thinnest ladder that trades)


class Liquidity:
    def __init__(self, engine: Engine, seed=None, levels=LEVELS, taker_probability=0.2, changes_per_step=1,
                 depth=DEPTH):
        self.engine = engine
        self.depth = Decimal(str(depth))
        self.rng = random.Random(seed)
        self.levels = levels
        self.taker_probability = taker_probability
        self.changes_per_step = changes_per_step
        self.excluded: set = set()  # mirrored markets (sim/mirror.py): their liquidity comes from the source
        for address in (MM_ACCOUNT, TAKER_ACCOUNT):
            engine.open_account(address, 0, "", Decimal("1000000000000"))
            engine.ephemeral.add(address)

    def _place(self, account, market, side, otype, size, price=None):
        eng = self.engine
        req = {"market": market, "side": side, "type": otype, "size": str(size), "signature_timestamp": eng.clock()}
        if price is not None:
            req["price"] = str(price)
            # a post-only venue takes only POST_ONLY orders: the makers quote with it (Paradex's markets in that
            # mode stabilize with maker-only liquidity); a quote that would cross is cancelled instead of trading
            if eng.status == "post_only":
                req["instruction"] = "POST_ONLY"
        try:
            eng.submit(eng.validate(eng.accounts[account], req))
        except ApiError:
            pass  # e.g. a min-notional miss after a price move; skip this level

    def _grid(self, market):
        spec = self.engine.specs[market]
        mark = self.engine.mark[market]
        half = max(spec.tick, (mark * Decimal("0.0002")) // spec.tick * spec.tick)
        step = max(spec.tick, (mark * Decimal("0.0001")) // spec.tick * spec.tick)
        # each level a few minimum notionals at least; with ``depth``, sized so a side holds about ``depth`` USD
        # (a level's mean size is the mean multiple of the base), no level beyond the market's max order size
        level = max(spec.min_notional * 3, self.depth / (self.levels * Decimal(sum(SIZES)) / 2))
        base = max(spec.step, ((level / mark) // spec.step + 1) * spec.step)
        base = max(spec.step, min(base, (spec.max_order_size / SIZES[1]) // spec.step * spec.step))
        mid = (mark // spec.tick) * spec.tick
        return mid, half, step, base

    def _mm_orders(self, market):
        return list(self.engine.open_by_market.get((MM_ACCOUNT, market), {}).values())

    def quote(self, market):
        """Replace the whole maker ladder around the current mark."""
        for order in self._mm_orders(market):
            self.engine.cancel(order)
        mid, half, step, base = self._grid(market)
        for i in range(self.levels):
            size = base * self.rng.randint(*SIZES)
            self._place(MM_ACCOUNT, market, "BUY", "LIMIT", size, mid - half - step * i)
            self._place(MM_ACCOUNT, market, "SELL", "LIMIT", size, mid + half + step * i)

    def adjust(self, market):
        """Move one maker level: cancel a resting order, post another inside the ladder. Levels the mark
        crossed move back behind it one by one; only a thin ladder is re-quoted whole."""
        orders = self._mm_orders(market)
        bids = [o for o in orders if o.side == "BUY"]
        asks = [o for o in orders if o.side == "SELL"]
        if len(bids) < self.levels // 2 or len(asks) < self.levels // 2:
            return self.quote(market)
        mark = self.engine.mark[market]
        crossed = [o for o in bids if o.price >= mark] + [o for o in asks if o.price <= mark]
        if not crossed:
            side = self.rng.choice(("BUY", "SELL"))
            crossed = [self.rng.choice(bids if side == "BUY" else asks)]
        mid, half, step, base = self._grid(market)
        for order in crossed:
            self.engine.cancel(order)
            offset = half + step * self.rng.randrange(self.levels)
            self._place(MM_ACCOUNT, market, order.side, "LIMIT", base * self.rng.randint(*SIZES),
                        mid - offset if order.side == "BUY" else mid + offset)

    def take(self, market):
        spec = self.engine.specs[market]
        mark = self.engine.mark[market]
        size = max(spec.step, ((spec.min_notional * 2 / mark) // spec.step + 1) * spec.step)
        self._place(TAKER_ACCOUNT, market, self.rng.choice(("BUY", "SELL")), "MARKET", size)

    def exclude(self, market):
        """No synthetic makers or takers in ``market`` from now on (its maker ladder is withdrawn)."""
        self.excluded.add(market)
        for order in self._mm_orders(market):
            self.engine.cancel(order)

    def warm_up(self, trades_per_market=20):
        """Quote every market and print some trades, so a fresh simulator looks like a live venue."""
        for market in self.engine.specs:
            if market in self.excluded:
                continue
            self.quote(market)
            for _ in range(trades_per_market):
                self.take(market)
            self.quote(market)

    def step(self):
        eng = self.engine
        for market, spec in eng.specs.items():
            if market in self.excluded:
                continue
            if spec.option_type is not None:  # an option's mark follows its underlying through the model
                eng.set_mark(market, options.model_mark(spec, eng.mark[spec.underlying]))
            else:
                drift = Decimal(self.rng.gauss(0, 0.0002)).quantize(Decimal("1e-8"))
                eng.set_mark(market, max(spec.tick, (eng.mark[market] * (1 + drift)) // spec.tick * spec.tick))
            for _ in range(self.changes_per_step):
                self.adjust(market)
            if self.rng.random() < self.taker_probability:
                self.take(market)
