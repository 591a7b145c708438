"""Reduce-only orders as the position moves, on the engine with a frozen clock and fixed quotes: a triggered
TP/SL limit order resting on the book is held to the position like any reduce-only order (cancelled when the
position closes), and the part of an oversized reduce-only order withheld beyond the position trades again when
the position grows (Paradex: existing reduce-only orders keep their size when the position grows)."""
from decimal import Decimal as D

from ccxt_paradex.sim.clock import ManualClock
from ccxt_paradex.sim.engine import Engine
from ccxt_paradex.sim.markets import default_markets

ETH = "ETH-USD-PERP"


def world():
    """A trader and a counterparty with 1,000,000 USDC facing deep synthetic quotes: asks 3200, bids 3199."""
    clock = ManualClock(start=1_790_000_000)
    engine = Engine(default_markets(), clock.ms)
    maker = engine.open_account("0xmaker", 1, "", D("1e12"))
    engine.ephemeral.add("0xmaker")
    trader = engine.open_account("0xtrader", 2, "", D("1000000"))
    other = engine.open_account("0xother", 3, "", D("1000000"))

    def order(acct, side, otype, size, price=None, flags=(), **extra):
        req = {"market": ETH, "side": side, "type": otype, "size": size, "signature_timestamp": clock.ms(),
               "flags": list(flags), **extra}
        if price is not None:
            req["price"] = price
        return engine.orders.get(engine.submit(engine.validate(acct, req))["id"])
    for side, price in (("SELL", "3200"), ("BUY", "3199")):
        order(maker, side, "LIMIT", "1000", price)
    return engine, clock, trader, other, order


def _held(acct):
    pos = acct.positions.get(ETH)
    return pos.size if pos else D(0)


def _triggered_take_profit(engine, trader, order):
    """Long 1, and a reduce-only TAKE_PROFIT_LIMIT SELL 1 that triggered at once (mark 3200 >= 3100) and rests
    as the best ask at 3199.5."""
    order(trader, "BUY", "MARKET", "1")
    assert _held(trader) == 1
    tp = order(trader, "SELL", "TAKE_PROFIT_LIMIT", "1", "3199.5", flags=["REDUCE_ONLY"], trigger_price="3100")
    assert (tp.status, tp.remaining) == ("OPEN", 1) and engine.books[ETH].asks.best() == D("3199.5")
    return tp


def test_a_triggered_reduce_only_take_profit_is_cancelled_when_the_position_closes():
    engine, _, trader, other, order = world()
    tp = _triggered_take_profit(engine, trader, order)
    order(trader, "SELL", "MARKET", "1")  # closed by hand before the take-profit trades
    assert _held(trader) == 0
    assert (tp.status, tp.cancel_reason) == ("CLOSED", "REDUCE_ONLY_WILL_INCREASE")
    assert engine.books[ETH].asks.best() == D("3200")  # off the book
    order(other, "BUY", "LIMIT", "1", "3199.5")  # a buyer at its price finds nothing of it
    assert _held(trader) == 0 and tp.filled == 0


def test_modifying_a_resting_take_profit_refits_it_as_a_triggered_order():
    # a resting TP/SL limit order has triggered: a modify refits it as one (closed when nothing is left to reduce),
    # not as an untriggered order that may wait for a position
    engine, clock, trader, _, order = world()
    tp = _triggered_take_profit(engine, trader, order)
    trader.positions[ETH].size = D(0)  # the position gone by a path that did not trim the order
    engine.modify(tp, {"market": ETH, "side": "SELL", "type": tp.type, "size": "1", "price": "3199.6",
                       "signature_timestamp": clock.ms()})
    assert (tp.status, tp.cancel_reason) == ("CLOSED", "REDUCE_ONLY_WILL_INCREASE")
    assert engine.books[ETH].asks.best() == D("3200")
