"""Mirrored liquidity in the local engine, shared by the live :class:`~.mirror.Mirror` and :class:`~.replay.Replay`.

A source book state becomes resting orders of a dedicated, ephemeral mirror account (:class:`MirrorBook`: removals
first, then additions, so mirror orders never meet each other); a source trade fills local resting orders strictly
better than its price (:func:`trade_through`) and is published on the local trades channel (:func:`publish_trade`).
"""
from decimal import Decimal

from .state import ZERO, Order

MIRROR_ACCOUNT = "0x5afe0000000000000000000000000000000000000000000000000000000003"


class MirrorBook:
    """The mirror account's resting orders in one market, kept equal to the latest applied source state."""

    def __init__(self, engine, market):
        self.engine, self.market = engine, market
        self.state = None       # {(side, price): size} last applied (None: nothing mirrored)
        self.source_seq = None  # source seq_no of that state

    def _resting(self):
        out = {}
        for order in list(self.engine.open_by_market.get((MIRROR_ACCOUNT, self.market), {}).values()):
            out.setdefault((order.side, order.price), []).append(order)
        return out

    def apply(self, seq, bids, asks):
        """bids/asks: [(Decimal price, Decimal size)] of the whole source book -> number of levels changed."""
        target = {("BUY", p): s for p, s in bids if s > 0}
        target.update({("SELL", p): s for p, s in asks if s > 0})
        best_ask = min((p for (side, p) in target if side == "SELL"), default=None)
        if best_ask is not None:  # a crossed source state is never mirrored into a self-crossing book
            target = {k: s for k, s in target.items() if k[0] == "SELL" or k[1] < best_ask}
        resting = self._resting()
        changed = 0
        for key, orders in resting.items():  # removals and decreases first
            want = target.get(key, ZERO)
            have = sum(o.remaining for o in orders)
            if have > want:
                changed += 1
                self._reduce(orders, have - want)
        for key, size in sorted(target.items(), key=lambda kv: (kv[0][0], kv[0][1])):  # then additions
            have = sum(o.remaining for o in resting.get(key, ()) if o.status == "OPEN")
            if size > have:
                changed += 1
                self._rest(key[0], key[1], size - have)
        self.state, self.source_seq = target, seq
        bid = max((p for (side, p) in target if side == "BUY"), default=None)
        if bid is not None and best_ask is not None:
            tick = self.engine.specs[self.market].tick
            self.engine.set_mark(self.market, max(tick, ((bid + best_ask) / 2) // tick * tick))
        return changed

    def clear(self):
        for orders in self._resting().values():
            self._reduce(orders, sum(o.remaining for o in orders))
        self.state, self.source_seq = None, None

    def _reduce(self, orders, amount):
        eng = self.engine
        for order in reversed(orders):  # the newest first: the oldest keeps its queue position
            if amount <= 0:
                break
            if order.status != "OPEN":
                continue
            if order.remaining <= amount:
                amount -= order.remaining
                eng._cancel_resting(order, "USER_CANCELED")
            else:
                order.remaining -= amount
                order.size -= amount
                amount = ZERO
                side = eng.books[self.market].side(order.side)
                eng._bump(self.market, [(order.side, order.price, side.level_size(order.price, False),
                                         side.level_size(order.price, True))])

    def _rest(self, side, price, size):
        eng = self.engine
        now = eng.clock()
        order = Order(id=eng.new_id(), account=MIRROR_ACCOUNT, market=self.market, side=side, type="LIMIT",
                      size=size, remaining=size, price=price, trigger_price=None, instruction="GTC", flags=[],
                      stp="EXPIRE_TAKER", client_id="", status="NEW", cancel_reason="", filled_notional=ZERO,
                      timestamp=now, received_at=now, created_at=now, last_updated_at=now, seq_no=0,
                      request_info=None, interactive=False, signer_key=None)
        eng.submit(order)  # crosses local resting orders only (mirror orders were reduced first)


def attach(sim, markets):
    """The mirror account (opened once, ephemeral) and a MirrorBook per market; the simulator's own makers leave
    those markets."""
    eng = sim.engine
    if MIRROR_ACCOUNT not in eng.accounts:
        eng.open_account(MIRROR_ACCOUNT, 0, "", Decimal("1000000000000000"))
        eng.ephemeral.add(MIRROR_ACCOUNT)
    if sim.liquidity is not None:
        for market in markets:
            sim.liquidity.exclude(market)
    return {m: MirrorBook(eng, m) for m in markets}


def publish_trade(sim, market, trade_id, side, price, size):
    """A source trade on the local trades channel (and candles), stamped with the local book's seq_no."""
    eng = sim.engine
    trade = {"id": str(trade_id), "market": market, "side": side, "size": size, "price": price,
             "created_at": eng.clock(), "trade_type": "FILL", "seq_no": eng.books[market].seq_no}
    eng.trades[market].append(trade)
    eng.emit("trade", market, trade)


def trade_through(sim, market, side, price, size):
    """A source trade (taker ``side``) at ``price`` fills local resting orders strictly better than it on the other
    side (a bid above a sell's price, an ask below a buy's), best first, up to the trade's size, at their own price:
    on the venue they would have been hit before the level that traded. -> the size filled locally."""
    eng = sim.engine
    price, left = Decimal(price), Decimal(size)
    book = eng.books[market]
    makers_side = book.opposite(side)
    filled = ZERO
    for level in list(makers_side.best_first()):
        if left <= 0 or (level <= price if side == "SELL" else level >= price):
            break
        for maker in [o for o in makers_side.levels.get(level, ()) if o.account != MIRROR_ACCOUNT and not o.is_rpi]:
            if left <= 0:
                break
            now = eng.clock()
            take = min(left, maker.remaining)
            taker = Order(id=eng.new_id(), account=MIRROR_ACCOUNT, market=market, side=side, type="MARKET",
                          size=take, remaining=take, price=None, trigger_price=None, instruction="IOC", flags=[],
                          stp="EXPIRE_TAKER", client_id="", status="CLOSED", cancel_reason="", filled_notional=ZERO,
                          timestamp=now, received_at=now, created_at=now, last_updated_at=now, seq_no=0,
                          request_info=None, interactive=False, signer_key=None)
            eng._fill(taker, maker, take, level, book)
            left -= take
            filled += take
    return filled
