"""Price-time priority book for one market (simulator side)."""
from collections import deque
from bisect import bisect_left, insort


class SideBook:
    """One side of a book: price -> FIFO of resting orders, prices kept sorted ascending."""

    def __init__(self, is_bid: bool):
        self.is_bid = is_bid
        self.levels: dict = {}
        self.prices: list = []

    def add(self, order):
        queue = self.levels.get(order.price)
        if queue is None:
            queue = self.levels[order.price] = deque()
            insort(self.prices, order.price)
        queue.append(order)

    def remove(self, order):
        queue = self.levels.get(order.price)
        if queue is None:
            return
        try:
            queue.remove(order)
        except ValueError:
            return
        if not queue:
            del self.levels[order.price]
            del self.prices[bisect_left(self.prices, order.price)]

    def best_first(self):
        return reversed(self.prices) if self.is_bid else iter(self.prices)

    def best(self):
        if not self.prices:
            return None
        return self.prices[-1] if self.is_bid else self.prices[0]

    def level_size(self, price, include_rpi: bool):
        queue = self.levels.get(price)
        if not queue:
            return 0
        return sum(o.remaining for o in queue if include_rpi or not o.is_rpi)

    def aggregated(self, depth=None, include_rpi=False, tick=None):
        """[(price, size)] best first; ``tick`` groups prices into coarser buckets."""
        out = []
        for price in self.best_first():
            size = self.level_size(price, include_rpi)
            if not size:
                continue
            if tick is not None:
                bucket = (price // tick) * tick
                if self.is_bid is False and bucket != price:
                    bucket += tick
                price = bucket
                if out and out[-1][0] == price:
                    out[-1] = (price, out[-1][1] + size)
                    continue
            if depth is not None and len(out) >= depth:
                break
            out.append((price, size))
        return out


class Book:
    def __init__(self, market: str):
        self.market = market
        self.bids = SideBook(True)
        self.asks = SideBook(False)
        self.seq_no = 0
        self.last_updated_at = 0

    def side(self, side: str) -> SideBook:
        return self.bids if side == "BUY" else self.asks

    def opposite(self, side: str) -> SideBook:
        return self.asks if side == "BUY" else self.bids
